import { lexOrder } from '../internal/order';

/**
 * Non-dominated sorting in two objectives (minimised data, unchecked), O(n log n).
 *
 * Jensen (2003): sweep the points in lexicographic order and keep, per front, the smallest second
 * objective seen so far. Those minima are non-decreasing in the front index, so the first front that
 * does not dominate a point is found by binary search. A point lexicographically after another
 * can never dominate it, so one pass suffices. Equal vectors are adjacent in that order and are
 * ranked as a group against the state before the group, so they share a rank.
 */
export function ranks2d(data: Float64Array, n: number, order: Int32Array = lexOrder(data, n, 2)): Int32Array {
  const { xs, ys } = gather(data, order);
  const ranks = new Int32Array(n);
  const frontMinY = new Float64Array(n);
  let fronts = 0;
  let p = 0;
  while (p < n) {
    const x = xs[p];
    const y = ys[p];
    let lo = 0;
    let hi = fronts;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (frontMinY[mid] <= y) lo = mid + 1;
      else hi = mid;
    }
    let q = p;
    while (q < n && xs[q] === x && ys[q] === y) ranks[order[q++]] = lo;
    frontMinY[lo] = y;
    if (lo === fronts) fronts++;
    p = q;
  }
  return ranks;
}

/**
 * Non-dominated mask in two objectives (minimised data, unchecked), O(n log n): in lexicographic
 * order a point is dominated exactly when some earlier, different point has a second objective
 * no larger than its own, i.e. when the running minimum of the second objective is ≤ its own.
 */
export function nondominatedMask2d(data: Float64Array, n: number): Uint8Array {
  const order = lexOrder(data, n, 2);
  const { xs, ys } = gather(data, order);
  const mask = new Uint8Array(n);
  let minY = Infinity;
  let p = 0;
  while (p < n) {
    const x = xs[p];
    const y = ys[p];
    const keep = y < minY ? 1 : 0;
    let q = p;
    while (q < n && xs[q] === x && ys[q] === y) mask[order[q++]] = keep;
    if (y < minY) minY = y;
    p = q;
  }
  return mask;
}

/** The two objectives in sweep order, gathered once so the sweep reads memory sequentially. */
function gather(data: Float64Array, order: Int32Array): { xs: Float64Array; ys: Float64Array } {
  const n = order.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const i = order[p];
    xs[p] = data[2 * i];
    ys[p] = data[2 * i + 1];
  }
  return { xs, ys };
}
