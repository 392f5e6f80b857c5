import { column, denseRanks, lexOrder } from '../internal/order';

/**
 * Non-dominated mask in three objectives (minimised data, unchecked), O(n log n).
 *
 * Sweep in lexicographic order: every point that dominates p comes before p, so p is dominated
 * exactly when some earlier, different point is ≤ p in (y, z). A Fenwick tree indexed by the dense
 * rank of y keeps prefix minima of z (the 2-D staircase in array form, as in Kung et al. 1975's
 * 3-D case), so the test is one prefix query. Equal vectors are tested as a group against the
 * state before the group.
 */
export function nondominatedMask3d(data: Float64Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  if (n === 0) return mask;
  const order = lexOrder(data, n, 3);
  const { ranks: yRank, count } = denseRanks(column(data, n, 3, 1));
  const tree = new Float64Array(count + 1).fill(Infinity);
  let p = 0;
  while (p < n) {
    const i = order[p];
    const x = data[3 * i];
    const y = data[3 * i + 1];
    const z = data[3 * i + 2];
    let best = Infinity;
    for (let t = yRank[i] + 1; t > 0; t -= t & -t) if (tree[t] < best) best = tree[t];
    const keep = best > z ? 1 : 0;
    let q = p;
    while (q < n) {
      const k = order[q];
      if (data[3 * k] !== x || data[3 * k + 1] !== y || data[3 * k + 2] !== z) break;
      mask[k] = keep;
      q++;
    }
    if (keep) {
      for (let t = yRank[i] + 1; t <= count; t += t & -t) {
        if (tree[t] <= z) break;
        tree[t] = z;
      }
    }
    p = q;
  }
  return mask;
}
