import { FrontierError, assertVector, finiteResult, minimizedVector } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { resolveBudget, withBudget } from '../exact/budget';
import type { BudgetOptions } from '../exact/budget';
import { limitScratch } from '../exact/limitSet';
import { prepareHvInput } from '../reference';
import type { ReferenceOptions } from '../reference';
import { exclusiveVolume } from './exclusive';

/** Options of {@link hvImprovement}: `maximize`, `strict` and `budget`, as for `hypervolume`. */
export interface ImprovementOptions extends ReferenceOptions, BudgetOptions {}

/**
 * Hypervolume improvement of adding one candidate: `HV(P ∪ {c}) − HV(P)` (≥ 0).
 *
 * 0 when the candidate does not strictly dominate `ref` (a `FrontierError` with `strict: true`)
 * or is weakly dominated by a point of P (a duplicate included). Computed as the volume of the
 * candidate's box minus the hypervolume of its limit set `{max(p, c)}`: O(n log n) for d = 2 and
 * 3, the package's exact cores on the non-dominated limit set for d ≥ 4.
 *
 * @param points - the current set P (n ≥ 0 points in d objectives)
 * @param candidate - the new point, length d
 * @param ref - reference point, length d
 * @param options - `maximize` (default `false`), `strict` (default `false`), `budget` (default
 *   `DEFAULT_HV_BUDGET`, see `hypervolume`)
 * @returns the improvement, a finite number ≥ 0
 * @throws TypeError / RangeError for malformed points, candidate or ref; `FrontierError`
 *   `'BUDGET_EXCEEDED'` past the budget
 * @example
 * hvImprovement(fromRows([[5, 5], [4, 6], [7, 4]]), [2, 7], [10, 10]); // 6
 */
export function hvImprovement(
  points: Points,
  candidate: ArrayLike<number>,
  ref: ArrayLike<number>,
  options: ImprovementOptions = {},
): number {
  const fn = 'hvImprovement';
  const input = prepareHvInput(points, ref, options, fn);
  const { data, n: m, d } = input;
  assertVector(candidate, fn, 'candidate', d);
  const c = minimizedVector(candidate, options?.maximize, fn);
  const budget = resolveBudget(options?.budget, fn);
  for (let j = 0; j < d; j++) {
    if (!(c[j] < input.ref[j])) {
      if (options?.strict) {
        throw new FrontierError('REF_NOT_DOMINATED', `${fn}: candidate does not strictly dominate the reference point (strict mode)`);
      }
      return 0;
    }
  }
  const gain = withBudget(budget, fn, m, d, () =>
    exclusiveVolume(c, data, m, d, -1, input.ref, new Float64Array((m + 1) * d), limitScratch(m, d)),
  );
  return finiteResult(gain, fn, 'the improvement');
}
