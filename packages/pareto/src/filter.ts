import { describeValue } from './errors';
import { lexOrder, rowsEqual } from './internal/order';
import { selectRows } from './points';
import { ranksDivideConquer } from './sort/divideConquer';
import { nondominatedMask2d } from './sort/sweep2d';
import { nondominatedMask3d } from './sort/sweep3d';
import { assertPoints, minimizedData } from './validate';
import type { ObjectiveOptions, Points } from './types';

/** Options of {@link nondominatedFilter}, {@link isNondominated} and {@link nondominatedPoints}. */
export interface FilterOptions extends ObjectiveOptions {
  /**
   * Whether every copy of a non-dominated vector is kept. Default `true` (equal vectors do not
   * dominate each other, so all copies are non-dominated). With `false`, only the copy with the
   * lowest index is kept.
   */
  readonly keepDuplicates?: boolean;
}

/**
 * Non-dominated mask in any d (minimised data, unchecked). d = 1: the minimum; d = 2, 3:
 * O(n log n) sweeps; d ≥ 4: the divide and conquer of the ranking (O(n log^(d−1) n), the same
 * bound family as Kung's algorithm, and exact with ties).
 */
export function nondominatedMaskCore(data: Float64Array, n: number, d: number, keepDuplicates: boolean): Uint8Array {
  let mask: Uint8Array;
  if (d === 1) {
    mask = new Uint8Array(n);
    let min = Infinity;
    for (let i = 0; i < n; i++) if (data[i] < min) min = data[i];
    for (let i = 0; i < n; i++) mask[i] = data[i] === min ? 1 : 0;
  } else if (d === 2) mask = nondominatedMask2d(data, n);
  else if (d === 3) mask = nondominatedMask3d(data, n);
  else {
    const ranks = ranksDivideConquer(data, n, d, 1);
    mask = new Uint8Array(n);
    for (let i = 0; i < n; i++) mask[i] = ranks[i] === 0 ? 1 : 0;
  }
  if (!keepDuplicates) dropLaterDuplicates(data, n, d, mask);
  return mask;
}

/** Clears every kept row equal to a kept row with a lower index. */
function dropLaterDuplicates(data: Float64Array, n: number, d: number, mask: Uint8Array): void {
  let kept = 0;
  for (let i = 0; i < n; i++) kept += mask[i];
  const idx = new Int32Array(kept);
  for (let i = 0, c = 0; i < n; i++) if (mask[i]) idx[c++] = i;
  const sub = new Float64Array(kept * d);
  for (let c = 0; c < kept; c++) sub.set(data.subarray(idx[c] * d, idx[c] * d + d), c * d);
  // Stable lexicographic order: within a group of equal rows the lowest index comes first.
  const order = lexOrder(sub, kept, d);
  for (let p = 1; p < kept; p++) if (rowsEqual(sub, d, order[p - 1], order[p])) mask[idx[order[p]]] = 0;
}

function resolveKeepDuplicates(value: boolean | undefined, fn: string): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: options.keepDuplicates must be a boolean (got ${describeValue(value)})`);
  return value;
}

function maskOf(points: Points, options: FilterOptions, fn: string): Uint8Array {
  assertPoints(points, fn);
  const keep = resolveKeepDuplicates(options.keepDuplicates, fn);
  const data = minimizedData(points, options.maximize, fn);
  return nondominatedMaskCore(data, points.n, points.d, keep);
}

/**
 * Whether each point is non-dominated in the set (1) or not (0).
 * O(n log n) for d ≤ 3, O(n log^(d−1) n) for d ≥ 4.
 *
 * @param points - the point set (finite values)
 * @param options - objective directions and `keepDuplicates` (default true)
 * @returns a mask with one byte per point
 * @example
 * isNondominated(fromRows([[1, 2], [2, 1], [2, 2], [1, 2]])); // Uint8Array [1, 1, 0, 1]
 * isNondominated(fromRows([[1, 2], [2, 1], [2, 2], [1, 2]]), { keepDuplicates: false }); // Uint8Array [1, 1, 0, 0]
 */
export function isNondominated(points: Points, options: FilterOptions = {}): Uint8Array {
  return maskOf(points, options, 'isNondominated');
}

/**
 * Indices of the non-dominated points, ascending. With `keepDuplicates: false` a vector that
 * occurs several times is kept once, at its lowest index.
 *
 * @param points - the point set (finite values)
 * @param options - objective directions and `keepDuplicates` (default true)
 * @returns the kept indices in ascending order
 * @example
 * nondominatedFilter(fromRows([[3, 3], [1, 2], [2, 1], [1, 2]]));                           // Int32Array [1, 2, 3]
 * nondominatedFilter(fromRows([[3, 3], [1, 2], [2, 1], [1, 2]]), { keepDuplicates: false }); // Int32Array [1, 2]
 */
export function nondominatedFilter(points: Points, options: FilterOptions = {}): Int32Array {
  const mask = maskOf(points, options, 'nondominatedFilter');
  return maskToIndices(mask);
}

/**
 * The non-dominated points themselves, as a new {@link Points} in ascending index order.
 *
 * @example
 * toRows(nondominatedPoints(fromRows([[3, 3], [1, 2], [2, 1]]))); // [[1, 2], [2, 1]]
 */
export function nondominatedPoints(points: Points, options: FilterOptions = {}): Points {
  const mask = maskOf(points, options, 'nondominatedPoints');
  return selectRows(points, maskToIndices(mask));
}

function maskToIndices(mask: Uint8Array): Int32Array {
  let c = 0;
  for (let i = 0; i < mask.length; i++) c += mask[i];
  const out = new Int32Array(c);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}
