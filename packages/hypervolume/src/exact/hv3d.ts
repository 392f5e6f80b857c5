import { RankSet } from './bitset';
import { argsortColumn, sortTies } from './sort';

/**
 * Exact 3-D hypervolume (unchecked core, contract as {@link hv1d}), after HV3D+ (Guerreiro &
 * Fonseca 2018, "Computing and updating hypervolume contributions in up to four dimensions"):
 * sweep the points by ascending z while the (x, y) staircase of the points seen so far, and its
 * area, is maintained; the slab up to the next z adds area × Δz. The staircase lives in a
 * {@link RankSet} over the points' (x, y)-lexicographic ranks, so each insertion costs
 * O(log₃₂ n) plus the removals it causes: O(n log n) overall, dominated by the two sorts
 * (ties included).
 *
 * @example
 * hv3d(Float64Array.of(1, 0, 1, 0, 1, 0), 2, Float64Array.of(2, 2, 2)); // 5
 */
export function hv3d(data: Float64Array, n: number, ref: Float64Array): number {
  if (n === 0) return 0;
  const ordX = argsortColumn(data, n, 3, 0);
  // Lexicographic (x, y) ranks. Runs of equal x are long in limit sets (hvImprovement,
  // contributions), so they need an O(k log k) order, not insertion sort.
  sortTies(data, ordX, n, 3, 0, 1, -1);
  const rank = new Uint32Array(n);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const i = ordX[r];
    rank[i] = r;
    xs[r] = data[3 * i];
    ys[r] = data[3 * i + 1];
  }
  const ordZ = argsortColumn(data, n, 3, 2);
  const set = new RankSet(n);
  const rx = ref[0];
  const ry = ref[1];
  let area = 0;
  let vol = 0;
  for (let k = 0; k < n; k++) {
    const i = ordZ[k];
    const r = rank[i];
    const px = xs[r];
    const py = ys[r];
    const q = r > 0 ? set.prev(r - 1) : -1;
    // The predecessor has the lowest y among points left of p: it alone decides 2-D dominance.
    if (q < 0 || ys[q] > py) {
      let top = q < 0 ? ry : ys[q];
      let curX = px;
      let s = set.next(r + 1);
      while (s >= 0 && ys[s] >= py) {
        area += (xs[s] - curX) * (top - py);
        curX = xs[s];
        top = ys[s];
        set.erase(s);
        s = set.next(s + 1);
      }
      area += ((s >= 0 ? xs[s] : rx) - curX) * (top - py);
      set.insert(r);
    }
    const zNext = k + 1 < n ? data[3 * ordZ[k + 1] + 2] : ref[2];
    vol += area * (zNext - data[3 * i + 2]);
  }
  return vol;
}
