import { assertPoints } from '../validate';
import type { ObjectiveOptions, Points } from '../types';
import { nondominatedRanksDeb } from './deb';

/** Options of {@link nondominatedRanks}. */
export interface RankOptions extends ObjectiveOptions {}

/**
 * Non-dominated sorting: the 0-based Pareto rank of every point (0 = the non-dominated front,
 * 1 = dominated only by rank-0 points, …). Equal vectors share a rank.
 *
 * @example
 * nondominatedRanks(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]])); // Int32Array [0, 0, 1, 2]
 */
export function nondominatedRanks(points: Points, options: RankOptions = {}): Int32Array {
  assertPoints(points, 'nondominatedRanks');
  return nondominatedRanksDeb(points, options);
}
