import { minimizedData } from '../validate';
import { assertPoints } from '../validate';
import type { ObjectiveOptions, Points } from '../types';

/**
 * Pareto-dominance test between rows `i` and `j` of minimised row-major data:
 * 1 when row i dominates row j, -1 when j dominates i, 0 otherwise (equal or incomparable).
 */
function compareRows(data: Float64Array, d: number, i: number, j: number): number {
  let better = false;
  let worse = false;
  const oi = i * d;
  const oj = j * d;
  for (let k = 0; k < d; k++) {
    const a = data[oi + k];
    const b = data[oj + k];
    if (a < b) better = true;
    else if (a > b) worse = true;
  }
  if (better === worse) return 0;
  return better ? 1 : -1;
}

/**
 * Deb's fast non-dominated sort (Deb et al., NSGA-II, 2002): O(d·n²) time and O(n²) memory for the
 * dominated-by lists. Kept as the simple, obviously-correct oracle that every fast ranking
 * algorithm in this package is tested against; prefer {@link nondominatedRanks} in real code.
 *
 * Ranks are 0-based (0 = non-dominated). Equal vectors do not dominate each other and so share a rank.
 *
 * @example
 * nondominatedRanksDeb(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]])); // Int32Array [0, 0, 1, 2]
 */
export function nondominatedRanksDeb(points: Points, options: ObjectiveOptions = {}): Int32Array {
  assertPoints(points, 'nondominatedRanksDeb');
  const { n, d } = points;
  const data = minimizedData(points, options.maximize, 'nondominatedRanksDeb');
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const c = compareRows(data, d, i, j);
      if (c > 0) {
        dominatedBy[i].push(j);
        count[j]++;
      } else if (c < 0) {
        dominatedBy[j].push(i);
        count[i]++;
      }
    }
  }
  const ranks = new Int32Array(n).fill(-1);
  let front: number[] = [];
  for (let i = 0; i < n; i++) if (count[i] === 0) front.push(i);
  let rank = 0;
  while (front.length > 0) {
    const next: number[] = [];
    for (const p of front) {
      ranks[p] = rank;
      for (const q of dominatedBy[p]) if (--count[q] === 0) next.push(q);
    }
    front = next;
    rank++;
  }
  return ranks;
}
