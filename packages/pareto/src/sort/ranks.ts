import { describeValue } from '../errors';
import { denseRanks } from '../internal/order';
import { assertPoints, minimizedData } from '../validate';
import type { ObjectiveOptions, Points } from '../types';
import { nondominatedRanksDeb } from './deb';
import { ranksDivideConquer } from './divideConquer';
import { ranks2d } from './sweep2d';

/**
 * Ranking algorithms:
 * - `'auto'` (default): `'jensen-2d'` for d = 2, `'divide-and-conquer'` otherwise (d = 1 is a sort);
 * - `'jensen-2d'`: the O(n log n) two-objective sweep (d = 2 only);
 * - `'divide-and-conquer'`: Buzdalov–Shalyto's generalised Jensen, O(n log^(d−1) n), any d ≥ 2;
 * - `'deb'`: Deb's O(d·n²) fast non-dominated sort (O(n²) memory; for testing and tiny sets).
 */
export type RankAlgorithm = 'auto' | 'jensen-2d' | 'divide-and-conquer' | 'deb';

/** Options of {@link nondominatedRanks} and {@link nondominatedFronts}. */
export interface RankOptions extends ObjectiveOptions {
  /**
   * "Stop after k points" (NSGA-II only needs enough fronts to fill the next population):
   * fronts are kept in order until at least `maxRanked` points have a rank; points of later
   * fronts get rank `-1`. The front that crosses the threshold is kept whole. Default `Infinity`
   * (rank everything). The algorithms compute every rank anyway, so this does not save time.
   */
  readonly maxRanked?: number;
  /** Default `'auto'`. See {@link RankAlgorithm}. */
  readonly algorithm?: RankAlgorithm;
}

/**
 * Non-dominated sorting: the 0-based Pareto rank of every point (0 = the non-dominated front,
 * 1 = dominated only by rank-0 points, …). Equal vectors share a rank.
 * O(n log n) for d = 2 and O(n log^(d−1) n) for d ≥ 3, memory O(n·d).
 *
 * @param points - the point set (finite values)
 * @param options - objective directions, `maxRanked`, `algorithm`
 * @returns one rank per point, `-1` for points left unranked by `maxRanked`
 * @throws TypeError / RangeError for malformed points or options
 * @example
 * nondominatedRanks(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]]));                  // Int32Array [0, 0, 1, 2]
 * nondominatedRanks(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]]), { maxRanked: 2 }); // Int32Array [0, 0, -1, -1]
 */
export function nondominatedRanks(points: Points, options: RankOptions = {}): Int32Array {
  const fn = 'nondominatedRanks';
  assertPoints(points, fn);
  return ranksOf(minimizedData(points, options.maximize, fn), points.n, points.d, options, fn);
}

/**
 * Ranks of validated, minimised data; checks the ranking options, naming `fn` in errors.
 * `lex` (the lexicographic order of the rows), when the caller has it, saves the 2-D sweep a sort.
 */
export function ranksOf(data: Float64Array, n: number, d: number, options: RankOptions, fn: string, lex?: Int32Array): Int32Array {
  const maxRanked = resolveMaxRanked(options.maxRanked, fn);
  const algorithm = options.algorithm ?? 'auto';
  let ranks: Int32Array;
  switch (algorithm) {
    case 'auto':
      ranks = d === 1 ? denseRanks(data).ranks : d === 2 ? ranks2d(data, n, lex) : ranksDivideConquer(data, n, d);
      break;
    case 'jensen-2d':
      if (d !== 2) throw new RangeError(`${fn}: options.algorithm 'jensen-2d' needs d = 2 (got d = ${d})`);
      ranks = ranks2d(data, n, lex);
      break;
    case 'divide-and-conquer':
      ranks = d === 1 ? denseRanks(data).ranks : ranksDivideConquer(data, n, d);
      break;
    case 'deb':
      ranks = nondominatedRanksDeb({ data, n, d });
      break;
    default:
      throw new RangeError(
        `${fn}: options.algorithm must be 'auto', 'jensen-2d', 'divide-and-conquer' or 'deb' (got ${describeValue(algorithm)})`,
      );
  }
  if (maxRanked < n) truncateRanks(ranks, maxRanked);
  return ranks;
}

/**
 * The fronts of a non-dominated sorting: `fronts[r]` lists, in ascending order, the indices of
 * the points of rank `r`. Accepts the options of {@link nondominatedRanks} (with `maxRanked`,
 * only the kept fronts are returned).
 *
 * @example
 * nondominatedFronts(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]])); // [Int32Array [0, 1], Int32Array [2], Int32Array [3]]
 */
export function nondominatedFronts(points: Points, options: RankOptions = {}): Int32Array[] {
  assertPoints(points, 'nondominatedFronts');
  const ranks = nondominatedRanks(points, options);
  return frontsFromRanks(ranks);
}

/** Groups indices by rank (ranks ≥ 0; −1 ignored), each group ascending. */
export function frontsFromRanks(ranks: Int32Array): Int32Array[] {
  let count = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i] + 1 > count) count = ranks[i] + 1;
  const sizes = new Int32Array(count);
  for (let i = 0; i < ranks.length; i++) if (ranks[i] >= 0) sizes[ranks[i]]++;
  const fronts: Int32Array[] = new Array(count);
  for (let r = 0; r < count; r++) fronts[r] = new Int32Array(sizes[r]);
  sizes.fill(0);
  for (let i = 0; i < ranks.length; i++) {
    const r = ranks[i];
    if (r >= 0) fronts[r][sizes[r]++] = i;
  }
  return fronts;
}

function resolveMaxRanked(maxRanked: number | undefined, fn: string): number {
  if (maxRanked === undefined || maxRanked === Infinity) return Infinity;
  if (typeof maxRanked !== 'number' || !Number.isInteger(maxRanked) || maxRanked < 1) {
    throw new RangeError(`${fn}: options.maxRanked must be a positive integer or Infinity (got ${describeValue(maxRanked)})`);
  }
  return maxRanked;
}

/** Keeps whole fronts until at least `k` points are ranked; the rest become −1. */
function truncateRanks(ranks: Int32Array, k: number): void {
  let count = 0;
  for (let i = 0; i < ranks.length; i++) if (ranks[i] + 1 > count) count = ranks[i] + 1;
  const sizes = new Int32Array(count);
  for (let i = 0; i < ranks.length; i++) sizes[ranks[i]]++;
  let last = 0;
  for (let total = 0; last < count; last++) {
    total += sizes[last];
    if (total >= k) break;
  }
  for (let i = 0; i < ranks.length; i++) if (ranks[i] > last) ranks[i] = -1;
}
