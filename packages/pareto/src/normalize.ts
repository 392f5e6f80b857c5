import { describeValue } from './errors';
import { nondominatedMaskCore } from './filter';
import { assertPoints, assertVector, finiteResults, minimizedData, resolveMaximize } from './validate';
import type { Maximize, ObjectiveOptions, Points } from './types';

function requireNonEmpty(points: Points, fn: string): void {
  if (points.n === 0) throw new RangeError(`${fn}: points must not be empty (got n = 0)`);
}

/** Best (`best = true`) or worst value per objective over the rows with mask 1 (mask null = all). */
function extreme(points: Points, maximize: Maximize | undefined, best: boolean, mask: Uint8Array | null, fn: string): Float64Array {
  const { data, n, d } = points;
  const flags = resolveMaximize(maximize, d, fn);
  const out = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // In minimised terms the ideal is the minimum; a maximised objective flips it.
    const wantMin = best !== (flags !== null && flags[j] === 1);
    let v = wantMin ? Infinity : -Infinity;
    for (let i = 0; i < n; i++) {
      if (mask !== null && !mask[i]) continue;
      const x = data[i * d + j];
      if (wantMin ? x < v : x > v) v = x;
    }
    out[j] = v;
  }
  return out;
}

/**
 * The ideal point: the best value of each objective over the set (minimum, or maximum for a
 * maximised objective). Usually not a member of the set.
 *
 * @throws RangeError for an empty set
 * @example
 * idealPoint(fromRows([[1, 5], [3, 2], [4, 4]]));                   // Float64Array [1, 2]
 * idealPoint(fromRows([[1, 5], [3, 2], [4, 4]]), { maximize: true }); // Float64Array [4, 5]
 */
export function idealPoint(points: Points, options: ObjectiveOptions = {}): Float64Array {
  const fn = 'idealPoint';
  assertPoints(points, fn);
  requireNonEmpty(points, fn);
  return extreme(points, options.maximize, true, null, fn);
}

/**
 * The worst point: the worst value of each objective over the whole set, dominated points
 * included. Compare {@link nadirPoint}, which only looks at the non-dominated points.
 *
 * @throws RangeError for an empty set
 * @example
 * worstPoint(fromRows([[1, 5], [3, 2], [4, 4]])); // Float64Array [4, 5]
 */
export function worstPoint(points: Points, options: ObjectiveOptions = {}): Float64Array {
  const fn = 'worstPoint';
  assertPoints(points, fn);
  requireNonEmpty(points, fn);
  return extreme(points, options.maximize, false, null, fn);
}

/**
 * The nadir point: the worst value of each objective over the NON-DOMINATED points only (the
 * corner of the Pareto front opposite the ideal point). It is never worse than
 * {@link worstPoint}, and differs from it whenever a dominated point is worst in some objective.
 *
 * @throws RangeError for an empty set
 * @example
 * nadirPoint(fromRows([[1, 5], [3, 2], [4, 4]])); // Float64Array [3, 5]   ([4, 4] is dominated by [3, 2])
 */
export function nadirPoint(points: Points, options: ObjectiveOptions = {}): Float64Array {
  const fn = 'nadirPoint';
  assertPoints(points, fn);
  requireNonEmpty(points, fn);
  const mask = nondominatedMaskCore(minimizedData(points, options.maximize, fn), points.n, points.d, true);
  return extreme(points, options.maximize, false, mask, fn);
}

/** Options of {@link normalize}. */
export interface NormalizeOptions extends ObjectiveOptions {
  /** The point mapped to 0. Default: {@link idealPoint} of the set. */
  readonly ideal?: ArrayLike<number>;
  /**
   * The point mapped to 1. Default: {@link worstPoint} of the set, so every point lands in
   * [0, 1]; pass `nadirPoint(points)` for the usual EMO normalisation (dominated points may then
   * exceed 1).
   */
  readonly nadir?: ArrayLike<number>;
}

/**
 * Min–max normalisation: `(x − ideal) / (nadir − ideal)` per objective, so 0 is the ideal and 1
 * the nadir in every objective, whatever its direction (a maximised objective is flipped: the
 * result is always "smaller is better"). An objective with `nadir = ideal` maps to 0.
 *
 * @param points - the set
 * @param options - `ideal`, `nadir` (defaults: ideal and worst point of the set), `maximize`
 * @returns a new {@link Points}
 * @throws RangeError for an empty set without both `ideal` and `nadir`, or vectors of the wrong length
 * @example
 * toRows(normalize(fromRows([[1, 5], [3, 2], [5, 4]]))); // [[0, 1], [0.5, 0], [1, 0.6666666666666666]]
 */
export function normalize(points: Points, options: NormalizeOptions = {}): Points {
  const fn = 'normalize';
  assertPoints(points, fn);
  const { n, d, data } = points;
  const flags = resolveMaximize(options.maximize, d, fn);
  const getRef = (v: ArrayLike<number> | undefined, name: 'ideal' | 'nadir'): Float64Array => {
    if (v !== undefined) return Float64Array.from(assertVector(v, fn, `options.${name}`, d));
    if (n === 0) throw new RangeError(`${fn}: options.${name} is required for an empty set (got undefined)`);
    return extreme(points, options.maximize, name === 'ideal', null, fn);
  };
  const ideal = getRef(options.ideal, 'ideal');
  const nadir = getRef(options.nadir, 'nadir');
  const spans = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const span = nadir[j] - ideal[j];
    const max = flags !== null && flags[j] === 1;
    if (span !== 0 && (max ? span > 0 : span < 0)) {
      throw new RangeError(
        `${fn}: options.nadir[${j}] must be ${max ? '≤' : '≥'} options.ideal[${j}] for a ${max ? 'maximised' : 'minimised'} objective (got nadir ${describeValue(nadir[j])}, ideal ${describeValue(ideal[j])})`,
      );
    }
    if (!Number.isFinite(span)) {
      throw new RangeError(
        `${fn}: objective ${j} spans more than float64 holds (nadir − ideal = ${nadir[j]} − ${ideal[j]} overflowed); rescale the objectives`,
      );
    }
    spans[j] = span;
  }
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      // `+ 0` turns the −0 of a flipped (maximised) objective into 0.
      out[i * d + j] = spans[j] === 0 ? 0 : (data[i * d + j] - ideal[j]) / spans[j] + 0;
    }
  }
  // A value far outside [ideal, nadir] can still overflow (x − ideal, or a subnormal span).
  return { data: finiteResults(out, fn, 'normalised value (row-major index)'), n, d };
}
