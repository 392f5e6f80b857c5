import { finiteResult } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { prepareIndicatorInput, resolvePower } from './input';
import type { IndicatorOptions } from './input';

/** Options of {@link igd}, {@link igdPlus}, {@link gd} and {@link gdPlus}. */
export interface DistanceIndicatorOptions extends IndicatorOptions {
  /**
   * Power of the aggregation `(Σ dᵏᵖ)^(1/p) / N`. Default 1: the plain mean distance (Coello &
   * Reyes Sierra 2004; pymoo, moocore). `p: 2` gives jMetal's IGD/GD and Van Veldhuizen's
   * original GD. Must be ≥ 1.
   */
  readonly p?: number;
}

/**
 * Inverted generational distance: mean over the reference points of the Euclidean distance to the
 * nearest approximation point (Coello & Reyes Sierra 2004). Lower is better; 0 when every
 * reference point belongs to the approximation.
 *
 * jMetal's IGD differs: it takes the power mean `(Σ dᵢ²)^(1/2) / |R|`; pass `{ p: 2 }` for it.
 * O(|A|·|R|·d) time, O(1) extra memory.
 *
 * @param approximation - the set under assessment, n ≥ 1
 * @param reference - the reference front (e.g. the true Pareto front), n ≥ 1, same d
 * @param options - `maximize` (default `false`), `p` (default 1)
 * @returns the indicator value, ≥ 0
 * @throws TypeError / RangeError for malformed, non-finite or empty sets, different d, bad options
 * @example
 * igd(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]])); // 1
 */
export function igd(approximation: Points, reference: Points, options: DistanceIndicatorOptions = {}): number {
  const input = prepareIndicatorInput(approximation, reference, options, 'igd');
  const p = resolvePower(options?.p, 'igd');
  return finiteResult(aggregate(nearest(input.r, input.nr, input.a, input.na, input.d, false), p), 'igd', 'the indicator');
}

/**
 * IGD+ (Ishibuchi et al. 2015): as {@link igd}, but the distance from a reference point z to an
 * approximation point a counts only where a is worse: `d⁺(z, a) = sqrt(Σᵢ max(aᵢ − zᵢ, 0)²)`
 * (minimisation). Weakly Pareto compliant; never larger than IGD on the same sets.
 *
 * @param approximation - the set under assessment, n ≥ 1
 * @param reference - the reference front, n ≥ 1, same d
 * @param options - `maximize` (default `false`), `p` (default 1, the mean)
 * @returns the indicator value, ≥ 0
 * @throws as {@link igd}
 * @example
 * igdPlus(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]])); // 1
 * igdPlus(fromRows([[0, 0]]), fromRows([[0, 1], [1, 0]])); // 0 (better than the reference)
 */
export function igdPlus(approximation: Points, reference: Points, options: DistanceIndicatorOptions = {}): number {
  const input = prepareIndicatorInput(approximation, reference, options, 'igdPlus');
  const p = resolvePower(options?.p, 'igdPlus');
  return finiteResult(aggregate(nearest(input.r, input.nr, input.a, input.na, input.d, true), p), 'igdPlus', 'the indicator');
}

/**
 * Generational distance: mean over the approximation points of the Euclidean distance to the
 * nearest reference point (as pymoo and moocore). Van Veldhuizen's original and jMetal use
 * `(Σ dᵢ²)^(1/2) / |A|`: pass `{ p: 2 }`. Not Pareto compliant; prefer {@link gdPlus}.
 *
 * @param approximation - the set under assessment, n ≥ 1
 * @param reference - the reference front, n ≥ 1, same d
 * @param options - `maximize` (default `false`), `p` (default 1)
 * @returns the indicator value, ≥ 0
 * @throws as {@link igd}
 * @example
 * gd(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]])); // 1
 */
export function gd(approximation: Points, reference: Points, options: DistanceIndicatorOptions = {}): number {
  const input = prepareIndicatorInput(approximation, reference, options, 'gd');
  const p = resolvePower(options?.p, 'gd');
  return finiteResult(aggregate(nearest(input.a, input.na, input.r, input.nr, input.d, false), p), 'gd', 'the indicator');
}

/**
 * GD+ (Ishibuchi et al. 2015): mean over the approximation points a of the smallest
 * `d⁺(z, a) = sqrt(Σᵢ max(aᵢ − zᵢ, 0)²)` over the reference points z (minimisation).
 *
 * @param approximation - the set under assessment, n ≥ 1
 * @param reference - the reference front, n ≥ 1, same d
 * @param options - `maximize` (default `false`), `p` (default 1)
 * @returns the indicator value, ≥ 0
 * @throws as {@link igd}
 * @example
 * gdPlus(fromRows([[1, 1], [0, 0]]), fromRows([[0, 1], [1, 0]])); // 0.5
 */
export function gdPlus(approximation: Points, reference: Points, options: DistanceIndicatorOptions = {}): number {
  const input = prepareIndicatorInput(approximation, reference, options, 'gdPlus');
  const p = resolvePower(options?.p, 'gdPlus');
  return finiteResult(aggregate(nearestPlusFromApproximation(input.a, input.na, input.r, input.nr, input.d), p), 'gdPlus', 'the indicator');
}

/**
 * For every row `z` of `from`, the smallest distance to a row of `to`, squared:
 * Euclidean, or with `plus` the IGD+ form `Σ max(toᵢ − zᵢ, 0)²` (only where `to` is worse).
 * A candidate is abandoned as soon as its partial sum passes the best so far.
 */
function nearest(from: Float64Array, nf: number, to: Float64Array, nt: number, d: number, plus: boolean): Float64Array {
  const best = new Float64Array(nf);
  for (let i = 0; i < nf; i++) {
    const oi = i * d;
    let min = Infinity;
    for (let k = 0; k < nt; k++) {
      const ok = k * d;
      let s = 0;
      for (let j = 0; j < d && s < min; j++) {
        let diff = to[ok + j] - from[oi + j];
        if (plus && diff < 0) diff = 0;
        s += diff * diff;
      }
      if (s < min) min = s;
    }
    best[i] = min;
  }
  return best;
}

/** GD+: for each approximation row a, the smallest `Σ max(aᵢ − zᵢ, 0)²` over reference rows z. */
function nearestPlusFromApproximation(a: Float64Array, na: number, r: Float64Array, nr: number, d: number): Float64Array {
  const best = new Float64Array(na);
  for (let i = 0; i < na; i++) {
    const oi = i * d;
    let min = Infinity;
    for (let k = 0; k < nr; k++) {
      const ok = k * d;
      let s = 0;
      for (let j = 0; j < d && s < min; j++) {
        const diff = a[oi + j] - r[ok + j];
        if (diff > 0) s += diff * diff;
      }
      if (s < min) min = s;
    }
    best[i] = min;
  }
  return best;
}

/** `(Σ sqrt(sqᵢ)^p)^(1/p) / N`; for p = 1 the plain mean of the distances. */
function aggregate(squared: Float64Array, p: number): number {
  const n = squared.length;
  let s = 0;
  if (p === 1) {
    for (let i = 0; i < n; i++) s += Math.sqrt(squared[i]);
    return s / n;
  }
  if (p === 2) {
    for (let i = 0; i < n; i++) s += squared[i];
    return Math.sqrt(s) / n;
  }
  for (let i = 0; i < n; i++) s += Math.sqrt(squared[i]) ** p;
  return s ** (1 / p) / n;
}
