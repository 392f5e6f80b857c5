import { describeValue } from './errors';
import { column, lexOrder, stableSortByKey } from './internal/order';
import { ranksOf } from './sort/ranks';
import type { nondominatedRanks } from './sort/ranks';
import type { RankOptions } from './sort/ranks';
import { assertFiniteSpans, assertPoints, minimizedData } from './validate';
import type { ObjectiveOptions, Points } from './types';

/** Options of {@link crowdingDistance} and {@link crowdingDistanceByFront}. */
export interface CrowdingOptions extends ObjectiveOptions {
  /**
   * Divide each objective's gaps by that objective's range over the set (as NSGA-II does).
   * Default `true`. With `false` the raw gaps are summed.
   */
  readonly normalize?: boolean;
  /**
   * What boundary points get: `'infinite'` (default, Deb et al. 2002) gives them `+Infinity`;
   * `'max-finite'` gives them the largest finite distance in the set (0 when every point is a
   * boundary point), for callers that need finite numbers (JSON, arithmetic).
   */
  readonly boundary?: 'infinite' | 'max-finite';
  /** Divide the sum over objectives by d. Default `false` (Deb's sum). */
  readonly averageObjectives?: boolean;
}

interface ResolvedCrowding {
  normalize: boolean;
  finiteBoundary: boolean;
  average: boolean;
}

function resolveCrowding(options: CrowdingOptions, fn: string): ResolvedCrowding {
  const { normalize = true, boundary = 'infinite', averageObjectives = false } = options;
  if (typeof normalize !== 'boolean') throw new TypeError(`${fn}: options.normalize must be a boolean (got ${describeValue(normalize)})`);
  if (typeof averageObjectives !== 'boolean') {
    throw new TypeError(`${fn}: options.averageObjectives must be a boolean (got ${describeValue(averageObjectives)})`);
  }
  if (boundary !== 'infinite' && boundary !== 'max-finite') {
    throw new RangeError(`${fn}: options.boundary must be 'infinite' or 'max-finite' (got ${describeValue(boundary)})`);
  }
  return { normalize, finiteBoundary: boundary === 'max-finite', average: averageObjectives };
}

/**
 * Crowding distance of the members of one set (unchecked core). `cols[j][i]` is objective j of
 * point i (minimised); results go to `out[i]` for every member i.
 *
 * Equal vectors are merged before the computation and share the distance of their vector, so a
 * copy can neither shield nor crowd out the others (otherwise two copies would be each other's
 * neighbours and the result would depend on input order). Ties within an objective are broken by
 * lexicographic order of the whole vector, which makes the result independent of input order.
 */
export function crowdingCore(
  cols: Float64Array[],
  members: Int32Array,
  from: number,
  to: number,
  o: ResolvedCrowding,
  out: Float64Array,
  ws: CrowdingWorkspace,
  inLexOrder = false,
): void {
  const s = to - from;
  const d = cols.length;
  if (s <= 0) return;
  const { tmp, reps, byObj } = ws;
  let lex = members;
  let off = from;
  if (!inLexOrder) {
    lex = members.slice(from, to);
    off = 0;
    for (let j = d - 1; j >= 0; j--) stableSortByKey(lex, cols[j], tmp);
  }
  // Distinct vectors in lex order (the first index of each group of copies).
  let u = 0;
  for (let p = off; p < off + s; p++) {
    const i = lex[p];
    if (p > off && sameVector(cols, lex[p - 1], i)) continue;
    reps[u++] = i;
  }
  for (let p = 0; p < u; p++) out[reps[p]] = 0;
  if (u <= 2) {
    for (let p = 0; p < u; p++) out[reps[p]] = Infinity;
  } else {
    for (let j = 0; j < d; j++) {
      const col = cols[j];
      // Wanted: (objective j, lex) order. Objective 0 already is; on a 2-D front objective 1 is
      // strictly decreasing along lex order, so reversing is the sort.
      let decreasing = j > 0;
      for (let p = 1; p < u && decreasing; p++) if (!(col[reps[p]] < col[reps[p - 1]])) decreasing = false;
      if (decreasing) for (let p = 0; p < u; p++) byObj[p] = reps[u - 1 - p];
      else {
        for (let p = 0; p < u; p++) byObj[p] = reps[p];
        if (j > 0) stableSortByKey(byObj.subarray(0, u), col, tmp);
      }
      const lo = col[byObj[0]];
      const range = col[byObj[u - 1]] - lo;
      if (range === 0) continue;
      out[byObj[0]] = Infinity;
      out[byObj[u - 1]] = Infinity;
      // Division, not multiplication by 1/range: 1/range overflows for subnormal ranges.
      if (o.normalize) for (let p = 1; p < u - 1; p++) out[byObj[p]] += (col[byObj[p + 1]] - col[byObj[p - 1]]) / range;
      else for (let p = 1; p < u - 1; p++) out[byObj[p]] += col[byObj[p + 1]] - col[byObj[p - 1]];
    }
    if (o.average) for (let p = 0; p < u; p++) out[reps[p]] /= d;
  }
  if (o.finiteBoundary) {
    let maxFinite = 0;
    for (let p = 0; p < u; p++) {
      const v = out[reps[p]];
      if (v !== Infinity && v > maxFinite) maxFinite = v;
    }
    for (let p = 0; p < u; p++) if (out[reps[p]] === Infinity) out[reps[p]] = maxFinite;
  }
  // Copies take their vector's distance.
  for (let p = off + 1; p < off + s; p++) {
    if (sameVector(cols, lex[p - 1], lex[p])) out[lex[p]] = out[lex[p - 1]];
  }
}

/** Scratch arrays of {@link crowdingCore}, each at least as long as the largest set. */
export interface CrowdingWorkspace {
  tmp: Int32Array;
  reps: Int32Array;
  byObj: Int32Array;
}

/** A workspace for sets of up to `n` points. */
export function crowdingWorkspace(n: number): CrowdingWorkspace {
  return { tmp: new Int32Array(n), reps: new Int32Array(n), byObj: new Int32Array(n) };
}

function sameVector(cols: Float64Array[], a: number, b: number): boolean {
  for (let j = 0; j < cols.length; j++) if (cols[j][a] !== cols[j][b]) return false;
  return true;
}

function columns(data: Float64Array, n: number, d: number): Float64Array[] {
  const cols: Float64Array[] = new Array(d);
  for (let j = 0; j < d; j++) cols[j] = column(data, n, d, j);
  return cols;
}

/**
 * Crowding distance of every front given by `ranks` (unchecked core); rank −1 → NaN.
 * `lex` is the rows' lexicographic order (computed when not given): bucketing it by rank leaves
 * every front in lexicographic order, so no front needs its own lexicographic sort.
 */
export function crowdingByFrontCore(
  data: Float64Array,
  n: number,
  d: number,
  ranks: Int32Array,
  o: ResolvedCrowding,
  lex: Int32Array = lexOrder(data, n, d),
): Float64Array {
  const out = new Float64Array(n);
  const cols = columns(data, n, d);
  let fronts = 0;
  for (let i = 0; i < n; i++) if (ranks[i] + 1 > fronts) fronts = ranks[i] + 1;
  // Counting sort of the indices by rank: each front becomes a contiguous slice.
  const start = new Int32Array(fronts + 1);
  for (let i = 0; i < n; i++) if (ranks[i] >= 0) start[ranks[i] + 1]++;
  for (let r = 0; r < fronts; r++) start[r + 1] += start[r];
  const byRank = new Int32Array(start[fronts]);
  const fill = start.slice(0, fronts);
  for (let p = 0; p < n; p++) {
    const i = lex[p];
    if (ranks[i] >= 0) byRank[fill[ranks[i]]++] = i;
    else out[i] = NaN;
  }
  const ws = crowdingWorkspace(n);
  for (let r = 0; r < fronts; r++) crowdingCore(cols, byRank, start[r], start[r + 1], o, out, ws, true);
  return out;
}

/**
 * NSGA-II crowding distance (Deb et al. 2002) of every point, the set taken as one front.
 *
 * Conventions: per objective, the points with the smallest and largest value get `+Infinity`
 * (ties broken by the lexicographic order of the whole vector); interior points add the gap
 * between their two neighbours, divided by the objective's range when `normalize` (default);
 * an objective with zero range adds 0; equal vectors are counted once and all copies get that
 * vector's distance; with at most two distinct vectors every point gets `+Infinity`.
 * The result does not depend on the input order or on `maximize` (up to tie-breaking).
 *
 * @param points - the set (finite values)
 * @param options - `normalize` (true), `boundary` ('infinite'), `averageObjectives` (false), `maximize`
 * @returns one distance per point
 * @example
 * crowdingDistance(fromRows([[0, 4], [1, 2], [2, 1], [4, 0]]));
 * // Float64Array [Infinity, 1.25, 1.25, Infinity]   (point 1: (2−0)/4 + (4−1)/4)
 */
export function crowdingDistance(points: Points, options: CrowdingOptions = {}): Float64Array {
  const fn = 'crowdingDistance';
  assertPoints(points, fn);
  const o = resolveCrowding(options, fn);
  const { n, d } = points;
  const data = minimizedData(points, options.maximize, fn);
  assertFiniteSpans(data, n, d, fn);
  const out = new Float64Array(n);
  const members = new Int32Array(n);
  for (let i = 0; i < n; i++) members[i] = i;
  crowdingCore(columns(data, n, d), members, 0, n, o, out, crowdingWorkspace(n));
  return out;
}

/**
 * Crowding distance computed separately within each front, as NSGA-II uses it: `ranks[i]` is the
 * front of point i (e.g. from {@link nondominatedRanks}); points with rank −1 (left unranked by
 * `maxRanked`) get `NaN`. Conventions as in {@link crowdingDistance}.
 *
 * @param points - the point set
 * @param ranks - one integer rank ≥ −1 per point
 * @param options - as for {@link crowdingDistance}
 * @returns one distance per point
 * @example
 * crowdingDistanceByFront(fromRows([[0, 2], [1, 1], [2, 0], [2, 2]]), Int32Array.of(0, 0, 0, 1));
 * // Float64Array [Infinity, 2, Infinity, Infinity]
 */
export function crowdingDistanceByFront(points: Points, ranks: ArrayLike<number>, options: CrowdingOptions = {}): Float64Array {
  const fn = 'crowdingDistanceByFront';
  assertPoints(points, fn);
  const r = checkRanks(ranks, points.n, fn);
  const o = resolveCrowding(options, fn);
  const data = minimizedData(points, options.maximize, fn);
  assertFiniteSpans(data, points.n, points.d, fn);
  return crowdingByFrontCore(data, points.n, points.d, r, o);
}

function checkRanks(ranks: ArrayLike<number>, n: number, fn: string): Int32Array {
  if (ranks === null || typeof ranks !== 'object' || typeof ranks.length !== 'number') {
    throw new TypeError(`${fn}: ranks must be an array of integers (got ${describeValue(ranks)})`);
  }
  if (ranks.length !== n) throw new RangeError(`${fn}: ranks must have length ${n}, one per point (got ${ranks.length})`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = ranks[i];
    if (!Number.isInteger(v) || v < -1 || v > 2147483647) {
      throw new RangeError(`${fn}: ranks[${i}] must be an integer ≥ -1 (got ${describeValue(v)})`);
    }
    out[i] = v;
  }
  return out;
}

/** Options of {@link rankAndCrowd}: those of the ranking and of the crowding distance. */
export interface RankAndCrowdOptions extends RankOptions, CrowdingOptions {}

/**
 * Non-dominated ranks and per-front crowding distances in one call (the NSGA-II selection keys,
 * and the trainer's per-group case). Same conventions as {@link nondominatedRanks} and
 * {@link crowdingDistanceByFront}.
 *
 * @example
 * rankAndCrowd(fromRows([[0, 2], [1, 1], [2, 0], [2, 2]]));
 * // { ranks: Int32Array [0, 0, 0, 1], crowding: Float64Array [Infinity, 2, Infinity, Infinity] }
 */
export function rankAndCrowd(points: Points, options: RankAndCrowdOptions = {}): { ranks: Int32Array; crowding: Float64Array } {
  const fn = 'rankAndCrowd';
  assertPoints(points, fn);
  const o = resolveCrowding(options, fn);
  const data = minimizedData(points, options.maximize, fn);
  assertFiniteSpans(data, points.n, points.d, fn);
  const lex = lexOrder(data, points.n, points.d);
  const ranks = ranksOf(data, points.n, points.d, options, fn, lex);
  const crowding = crowdingByFrontCore(data, points.n, points.d, ranks, o, lex);
  return { ranks, crowding };
}
