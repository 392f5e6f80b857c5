import type { Maximize } from '../types';

/**
 * Pareto dominance by its definition, one objective at a time: `a` is no worse than `b` everywhere
 * and better somewhere (minimisation unless `maximize` says otherwise). The oracle for any fast
 * dominance test.
 *
 * @param a - one objective vector
 * @param b - another, of the same length
 * @param maximize - per objective, or one flag for all (default false: minimise)
 * @returns whether a dominates b
 * @throws RangeError when the lengths differ
 * @example
 * dominatesOracle([1, 2], [2, 2]); // true
 */
export function dominatesOracle(a: ArrayLike<number>, b: ArrayLike<number>, maximize: Maximize = false): boolean {
  if (a.length !== b.length) throw new RangeError(`dominatesOracle: a and b must have the same length (got ${a.length} and ${b.length})`);
  let better = false;
  for (let j = 0; j < a.length; j++) {
    const max = typeof maximize === 'boolean' ? maximize : maximize[j];
    const diff = max ? a[j] - b[j] : b[j] - a[j];
    if (diff < 0) return false;
    if (diff > 0) better = true;
  }
  return better;
}
