import { describeValue } from '@paretopo/pareto';

/** Algorithms of `hvContributions`: `'auto'` (default) picks `'2d'`, `'3d'` or `'general'` by d. */
export type ContributionAlgorithm = 'auto' | '2d' | '3d' | 'general';

const ALGORITHMS: readonly ContributionAlgorithm[] = ['auto', '2d', '3d', 'general'];

/**
 * Checks the `algorithm` option against `d` and resolves `'auto'`.
 *
 * @throws RangeError for an unknown name or a fixed-d algorithm on another d
 * @example
 * resolveAlgorithm(undefined, 3, 'hvContributions'); // '3d'
 */
export function resolveAlgorithm(algorithm: unknown, d: number, fn: string): Exclude<ContributionAlgorithm, 'auto'> {
  if (algorithm === undefined) algorithm = 'auto';
  if (typeof algorithm !== 'string' || !ALGORITHMS.includes(algorithm as ContributionAlgorithm)) {
    throw new RangeError(
      `${fn}: options.algorithm must be one of ${ALGORITHMS.join(', ')} (got ${describeValue(algorithm)})`,
    );
  }
  if (algorithm === 'auto') return d === 2 ? '2d' : d === 3 ? '3d' : 'general';
  if (algorithm === '2d' && d !== 2) throw new RangeError(`${fn}: algorithm '2d' needs d = 2 (got ${d})`);
  if (algorithm === '3d' && d !== 3) throw new RangeError(`${fn}: algorithm '3d' needs d = 3 (got ${d})`);
  return algorithm as Exclude<ContributionAlgorithm, 'auto'>;
}
