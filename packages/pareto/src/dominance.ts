import { describeValue } from './errors';
import { assertVector, resolveMaximize } from './validate';
import type { ObjectiveOptions } from './types';

/**
 * Kinds of dominance:
 * - `'pareto'`: a is no worse in every objective and better in at least one (the usual one);
 * - `'strict'`: a is better in every objective (strong dominance);
 * - `'weak'`: a is no worse in every objective (a "covers" b; equal vectors weakly dominate each other).
 */
export type DominanceMode = 'pareto' | 'strict' | 'weak';

/** Options of {@link dominates}. */
export interface DominatesOptions extends ObjectiveOptions {
  /** Default `'pareto'`. */
  readonly mode?: DominanceMode;
}

function checkPair(a: ArrayLike<number>, b: ArrayLike<number>, fn: string): void {
  assertVector(a, fn, 'a');
  assertVector(b, fn, 'b', a.length);
}

/**
 * Whether `a` dominates `b` (all objectives minimised unless `maximize` says otherwise).
 *
 * @example
 * dominates([1, 2], [2, 2]);                   // true
 * dominates([1, 2], [2, 2], { mode: 'strict' }); // false (equal second objective)
 * dominates([1, 2], [1, 2], { mode: 'weak' });   // true
 * dominates([3, 4], [2, 2], { maximize: true }); // true
 */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>, options: DominatesOptions = {}): boolean {
  checkPair(a, b, 'dominates');
  const mode = options.mode ?? 'pareto';
  if (mode !== 'pareto' && mode !== 'strict' && mode !== 'weak') {
    throw new RangeError(`dominates: options.mode must be 'pareto', 'strict' or 'weak' (got ${describeValue(mode)})`);
  }
  const flags = resolveMaximize(options.maximize, a.length, 'dominates');
  let better = 0;
  let worse = 0;
  for (let j = 0; j < a.length; j++) {
    const diff = flags !== null && flags[j] ? b[j] - a[j] : a[j] - b[j];
    if (diff < 0) better++;
    else if (diff > 0) worse++;
  }
  if (worse > 0) return false;
  if (mode === 'weak') return true;
  if (mode === 'strict') return better === a.length;
  return better > 0;
}

/**
 * Three-way dominance comparison, usable as a sort comparator:
 * `-1` when `a` Pareto-dominates `b`, `1` when `b` dominates `a`, `0` when they are equal or
 * mutually non-dominated. Use {@link equalVectors} to tell those two apart.
 *
 * @example
 * compareDominance([1, 1], [2, 2]); // -1
 * compareDominance([2, 2], [1, 1]); // 1
 * compareDominance([1, 2], [2, 1]); // 0
 */
export function compareDominance(a: ArrayLike<number>, b: ArrayLike<number>, options: ObjectiveOptions = {}): -1 | 0 | 1 {
  checkPair(a, b, 'compareDominance');
  const flags = resolveMaximize(options.maximize, a.length, 'compareDominance');
  let better = false;
  let worse = false;
  for (let j = 0; j < a.length; j++) {
    const diff = flags !== null && flags[j] ? b[j] - a[j] : a[j] - b[j];
    if (diff < 0) better = true;
    else if (diff > 0) worse = true;
    if (better && worse) return 0;
  }
  if (better) return -1;
  if (worse) return 1;
  return 0;
}

/**
 * Whether two vectors are equal in every objective.
 *
 * @example
 * equalVectors([1, 2], [1, 2]); // true
 */
export function equalVectors(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  checkPair(a, b, 'equalVectors');
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** Options of {@link epsilonDominates}. */
export interface EpsilonOptions extends ObjectiveOptions {
  /**
   * `'additive'` (default): a − ε ≤ b in every (minimised) objective.
   * `'multiplicative'`: a ≤ (1 + ε)·b for minimised objectives and a·(1 + ε) ≥ b for maximised
   * ones; needs strictly positive values.
   */
  readonly kind?: 'additive' | 'multiplicative';
}

/**
 * ε-dominance (Laumanns et al. 2002): whether `a` ε-dominates (covers, up to ε) `b`.
 * A scalar ε applies to every objective; an array gives one ε per objective.
 *
 * @example
 * epsilonDominates([1.05, 2], [1, 2], 0.1);                       // true
 * epsilonDominates([1.2, 2], [1, 2], 0.1);                        // false
 * epsilonDominates([1.1, 2], [1, 2], 0.1, { kind: 'multiplicative' }); // true
 */
export function epsilonDominates(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  epsilon: number | ArrayLike<number>,
  options: EpsilonOptions = {},
): boolean {
  const fn = 'epsilonDominates';
  checkPair(a, b, fn);
  const d = a.length;
  if (typeof epsilon === 'number') {
    if (!Number.isFinite(epsilon) || epsilon < 0) {
      throw new RangeError(`${fn}: epsilon must be a finite number >= 0 (got ${describeValue(epsilon)})`);
    }
  } else {
    assertVector(epsilon, fn, 'epsilon', d);
    for (let j = 0; j < d; j++) {
      if (epsilon[j] < 0) throw new RangeError(`${fn}: epsilon[${j}] must be >= 0 (got ${epsilon[j]})`);
    }
  }
  const kind = options.kind ?? 'additive';
  if (kind !== 'additive' && kind !== 'multiplicative') {
    throw new RangeError(`${fn}: options.kind must be 'additive' or 'multiplicative' (got ${describeValue(kind)})`);
  }
  const flags = resolveMaximize(options.maximize, d, fn);
  for (let j = 0; j < d; j++) {
    const eps = typeof epsilon === 'number' ? epsilon : epsilon[j];
    const max = flags !== null && flags[j] === 1;
    if (kind === 'additive') {
      if (max ? a[j] + eps < b[j] : a[j] - eps > b[j]) return false;
    } else {
      if (a[j] <= 0 || b[j] <= 0) {
        throw new RangeError(`${fn}: multiplicative ε-dominance needs positive values (got a[${j}] = ${a[j]}, b[${j}] = ${b[j]})`);
      }
      if (max ? a[j] * (1 + eps) < b[j] : a[j] > (1 + eps) * b[j]) return false;
    }
  }
  return true;
}
