import { finiteResults } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { resolveBudget, withBudget } from '../exact/budget';
import type { BudgetOptions } from '../exact/budget';
import { prepareHvInput } from '../reference';
import type { ReferenceOptions } from '../reference';
import { contributions2d, contributions3d, contributionsGeneral } from './cores';
import { resolveAlgorithm } from './input';
import type { ContributionAlgorithm } from './input';

/** Options of {@link hvContributions}, {@link leastContributor} and {@link greatestContributor}. */
export interface ContributionOptions extends ReferenceOptions, BudgetOptions {
  /**
   * `'auto'` (default) picks by d: `'2d'` (O(n log n) staircase), `'3d'` (z-sweep over the 2-D
   * staircase), `'general'` (limit-set reduction per point, any d). `'2d'`/`'3d'` need that d.
   */
  readonly algorithm?: ContributionAlgorithm;
}

/**
 * Exclusive hypervolume contribution of every point, `HV(P) − HV(P \ {pᵢ})`, in input order.
 *
 * Conventions: a point that does not strictly dominate `ref` gets 0 and changes nothing (or
 * throws with `strict: true`); a weakly dominated point gets 0 (but still shrinks the
 * contribution of the point that dominates it); every copy of an exact duplicate gets 0
 * (removing one copy loses nothing). An empty set gives an empty array.
 *
 * @param points - n points in d objectives
 * @param ref - reference point, length d, finite
 * @param options - `maximize` (default `false`), `strict` (default `false`), `algorithm`
 *   (default `'auto'`), `budget` (default `DEFAULT_HV_BUDGET`, see `hypervolume`)
 * @returns a `Float64Array` of length n
 * @throws TypeError / RangeError for malformed points, a wrong-length or non-finite ref, bad
 *   options; `FrontierError` `'REF_NOT_DOMINATED'` in strict mode, `'BUDGET_EXCEEDED'` past the budget
 * @example
 * hvContributions(fromRows([[5, 5], [4, 6], [2, 7], [7, 4]]), [10, 10]);
 * // Float64Array [2, 1, 6, 3]
 */
export function hvContributions(points: Points, ref: ArrayLike<number>, options: ContributionOptions = {}): Float64Array {
  return contributionsFor(points, ref, options, 'hvContributions');
}

/**
 * {@link hvContributions} with the caller's name in error messages (used by the contributor
 * pickers).
 *
 * @example
 * contributionsFor(fromRows([[1, 2], [2, 1]]), [3, 3], {}, 'leastContributor'); // Float64Array [1, 1]
 */
export function contributionsFor(
  points: Points,
  ref: ArrayLike<number>,
  options: ContributionOptions | undefined,
  fn: string,
): Float64Array {
  const input = prepareHvInput(points, ref, options, fn);
  const algorithm = resolveAlgorithm(options?.algorithm, input.d, fn);
  const budget = resolveBudget(options?.budget, fn);
  const { data, n: m, d } = input;
  const kept = new Float64Array(m);
  if (algorithm === '2d') contributions2d(data, m, input.ref[0], input.ref[1], kept);
  else if (algorithm === '3d') contributions3d(data, m, input.ref, kept);
  else withBudget(budget, fn, m, d, () => contributionsGeneral(data, m, d, input.ref, kept));
  if (m === points.n) return finiteResults(kept, fn, 'the contribution of point');
  const out = new Float64Array(points.n);
  for (let k = 0; k < m; k++) out[input.index[k]] = kept[k];
  return finiteResults(out, fn, 'the contribution of point');
}
