import { finiteResult, resolveMaximize } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { prepareIndicatorInput } from './input';
import type { IndicatorOptions } from './input';

/**
 * Additive ε-indicator (Zitzler et al. 2003): the smallest ε such that every reference point is
 * weakly ε-dominated by some approximation point, i.e. `max_r min_a max_i (aᵢ − rᵢ)`
 * (minimisation). 0 when the approximation equals the reference set, negative when it is strictly
 * better everywhere. Same definition as moocore's `epsilon_additive`. O(|A|·|R|·d).
 *
 * @param approximation - the set under assessment, n ≥ 1
 * @param reference - the reference set, n ≥ 1, same d
 * @param options - `maximize` (default `false`)
 * @returns ε (any sign)
 * @throws TypeError / RangeError for malformed, non-finite or empty sets, different d, bad options
 * @example
 * additiveEpsilon(fromRows([[1, 2]]), fromRows([[0, 2], [1, 1]])); // 1
 */
export function additiveEpsilon(approximation: Points, reference: Points, options: IndicatorOptions = {}): number {
  const { a, na, r, nr, d } = prepareIndicatorInput(approximation, reference, options, 'additiveEpsilon');
  let worst = -Infinity;
  for (let k = 0; k < nr; k++) {
    const ok = k * d;
    let best = Infinity;
    for (let i = 0; i < na; i++) {
      const oi = i * d;
      let m = -Infinity;
      // Stop as soon as this a cannot beat the best a so far for this r.
      for (let j = 0; j < d && m < best; j++) {
        const v = a[oi + j] - r[ok + j];
        if (v > m) m = v;
      }
      if (m < best) best = m;
    }
    if (best > worst) worst = best;
  }
  return finiteResult(worst, 'additiveEpsilon', 'the indicator');
}

/**
 * Multiplicative ε-indicator (Zitzler et al. 2003): the smallest factor ε such that every
 * reference point r is weakly ε-dominated by some approximation point a, `aᵢ ≤ ε·rᵢ` for a
 * minimised objective and `ε·aᵢ ≥ rᵢ` for a maximised one: `max_r min_a max_i aᵢ/rᵢ` (ratios
 * inverted for maximised objectives). 1 when the approximation equals the reference set. This is
 * `1 + ε` in the convention of `epsilonDominates(…, { kind: 'multiplicative' })` of
 * `@paretopo/pareto`. Needs every value > 0, so unlike the other indicators, `maximize` here is
 * not the same as minimising the negated values.
 *
 * @param approximation - the set under assessment, n ≥ 1, all values > 0
 * @param reference - the reference set, n ≥ 1, same d, all values > 0
 * @param options - `maximize` (default `false`)
 * @returns ε > 0
 * @throws RangeError for a value ≤ 0; otherwise as {@link additiveEpsilon}
 * @example
 * multiplicativeEpsilon(fromRows([[2, 2]]), fromRows([[1, 2], [2, 1]])); // 2
 */
export function multiplicativeEpsilon(approximation: Points, reference: Points, options: IndicatorOptions = {}): number {
  const fn = 'multiplicativeEpsilon';
  // Validate on the caller's values: positivity is about the data, not its minimised form.
  prepareIndicatorInput(approximation, reference, options, fn);
  const d = approximation.d;
  assertPositive(approximation, fn, 'approximation');
  assertPositive(reference, fn, 'reference');
  const flags = resolveMaximize(options?.maximize, d, fn);
  const a = approximation.data;
  const r = reference.data;
  const na = approximation.n;
  const nr = reference.n;
  let worst = -Infinity;
  for (let k = 0; k < nr; k++) {
    const ok = k * d;
    let best = Infinity;
    for (let i = 0; i < na; i++) {
      const oi = i * d;
      let m = -Infinity;
      for (let j = 0; j < d && m < best; j++) {
        const v = flags !== null && flags[j] ? r[ok + j] / a[oi + j] : a[oi + j] / r[ok + j];
        if (v > m) m = v;
      }
      if (m < best) best = m;
    }
    if (best > worst) worst = best;
  }
  return finiteResult(worst, fn, 'the indicator');
}

function assertPositive(points: Points, fn: string, arg: string): void {
  const { data, d } = points;
  for (let i = 0; i < data.length; i++) {
    if (!(data[i] > 0)) {
      const row = Math.floor(i / d);
      throw new RangeError(`${fn}: ${arg} must hold values > 0 (got ${data[i]} at point ${row}, objective ${i - row * d})`);
    }
  }
}
