import { describeValue, finiteResult } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { resolveBudget, withBudget } from './exact/budget';
import type { BudgetOptions } from './exact/budget';
import { hvExact, hvSweepTo2d } from './exact/exact';
import { hv2d } from './exact/hv2d';
import { hv3d } from './exact/hv3d';
import { hv4d } from './exact/hv4d';
import { hvInclusionExclusion } from './exact/inclusionExclusion';
import { hvSweep } from './exact/sweep';
import { prepareHvInput } from './reference';
import type { ReferenceOptions } from './reference';

/**
 * Exact hypervolume algorithms. `'auto'` picks by d: 1-D min, `'2d'` sweep, `'3d'` HV3D+,
 * `'4d'` HV4D+, d ≥ 5 one dimension-sweep level per extra objective down to the 4-D core.
 * `'sweep'` forces one sweep level on the last objective over the fastest (d−1) core (d ≥ 2);
 * `'sweep-2d'` sweeps all the way down to the 2-D core (d ≥ 2). Both are independent paths used
 * to cross-check the dedicated cores.
 * `'inclusion-exclusion'` is O(2ⁿ) and refuses more than {@link MAX_INCLUSION_EXCLUSION} points.
 */
export type HvAlgorithm = 'auto' | '2d' | '3d' | '4d' | 'sweep' | 'sweep-2d' | 'inclusion-exclusion';

/** Options of {@link hypervolume}. */
export interface HypervolumeOptions extends ReferenceOptions, BudgetOptions {
  /** Default `'auto'`. A fixed-dimension algorithm throws a RangeError for another d. */
  readonly algorithm?: HvAlgorithm;
}

/**
 * Largest number of (reference-dominating) points `'inclusion-exclusion'` accepts: it visits all
 * 2ⁿ − 1 subsets.
 *
 * @example
 * MAX_INCLUSION_EXCLUSION; // 20
 */
export const MAX_INCLUSION_EXCLUSION = 20;

const FIXED_D: Record<string, number> = { '2d': 2, '3d': 3, '4d': 4 };
const ALGORITHMS = new Set<string>(['auto', '2d', '3d', '4d', 'sweep', 'sweep-2d', 'inclusion-exclusion']);

/**
 * Exact hypervolume: the measure of the region dominated by `points` and bounded by `ref`
 * (minimisation unless `maximize`). Points that do not strictly dominate `ref` contribute 0
 * (or throw with `strict: true`); dominated points and duplicates change nothing; an empty set
 * gives 0. NaN or ±Infinity anywhere throws.
 *
 * @param points - n points in d objectives, row-major
 * @param ref - reference point of length d
 * @param options - `maximize` (default `false`), `strict` (default `false`), `algorithm`
 *   (default `'auto'`), `budget` (default {@link DEFAULT_HV_BUDGET})
 * @returns the hypervolume, ≥ 0
 * @throws RangeError / TypeError for bad input or a result that overflows float64,
 *   `FrontierError` `'REF_NOT_DOMINATED'` in strict mode,
 *   `FrontierError` `'BUDGET_EXCEEDED'` when the dimension sweep would need more than `budget`
 * @example
 * hypervolume({ data: Float64Array.of(5, 5, 4, 6, 2, 7, 7, 4), n: 4, d: 2 }, [10, 10]); // 38
 */
export function hypervolume(points: Points, ref: ArrayLike<number>, options?: HypervolumeOptions): number {
  const fn = 'hypervolume';
  const input = prepareHvInput(points, ref, options, fn);
  const algorithm = options?.algorithm ?? 'auto';
  if (typeof algorithm !== 'string' || !ALGORITHMS.has(algorithm)) {
    throw new RangeError(
      `${fn}: options.algorithm must be one of ${[...ALGORITHMS].join(', ')} (got ${describeValue(algorithm)})`,
    );
  }
  const { data, n, d } = input;
  const fixed = FIXED_D[algorithm];
  if (fixed !== undefined && fixed !== d) {
    throw new RangeError(`${fn}: algorithm '${algorithm}' needs d = ${fixed} (got ${d})`);
  }
  if (algorithm === 'inclusion-exclusion' && n > MAX_INCLUSION_EXCLUSION) {
    throw new RangeError(
      `${fn}: algorithm 'inclusion-exclusion' takes at most ${MAX_INCLUSION_EXCLUSION} points (got ${n})`,
    );
  }
  if ((algorithm === 'sweep' || algorithm === 'sweep-2d') && d < 2) {
    throw new RangeError(`${fn}: algorithm '${algorithm}' needs d ≥ 2 (got ${d})`);
  }
  const budget = resolveBudget(options?.budget, fn);
  if (n === 0) return 0;
  return finiteResult(withBudget(budget, fn, n, d, () => run(algorithm, data, n, d, input.ref)), fn, 'the hypervolume');
}

function run(algorithm: string, data: Float64Array, n: number, d: number, r: Float64Array): number {
  switch (algorithm) {
    case '2d':
      return hv2d(data, n, r);
    case '3d':
      return hv3d(data, n, r);
    case '4d':
      return hv4d(data, n, r);
    case 'sweep':
      return hvSweep(data, n, d, r, hvExact);
    case 'sweep-2d':
      return hvSweepTo2d(data, n, d, r);
    case 'inclusion-exclusion':
      return hvInclusionExclusion(data, n, d, r);
    default:
      return hvExact(data, n, d, r);
  }
}
