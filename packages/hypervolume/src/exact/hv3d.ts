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
  // Every buffer is allocated and both sorts run before the first loop, and each loop lives in a
  // function that ends with it (as in contributions2d): V8 enters a long loop through on-stack-
  // replacement code compiled during an earlier call, and code after such a loop that had not
  // run yet then sent every call back to the interpreter ("insufficient type feedback for call",
  // on each of the 1e5-point bench's calls).
  const ordX = argsortColumn(data, n, 3, 0);
  // Lexicographic (x, y) ranks. Runs of equal x are long in limit sets (hvImprovement,
  // contributions), so they need an O(k log k) order, not insertion sort.
  sortTies(data, ordX, n, 3, 0, 1, -1);
  const ordZ = argsortColumn(data, n, 3, 2);
  const rank = new Uint32Array(n);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const set = new RankSet(n);
  gatherRanks(data, ordX, n, rank, xs, ys);
  return sweep3d(data, ordZ, n, rank, xs, ys, set, ref);
}

/** rank[i] = position of row i in ordX; xs[r], ys[r] = (x, y) of the row at position r. */
function gatherRanks(data: Float64Array, ordX: Uint32Array, n: number, rank: Uint32Array, xs: Float64Array, ys: Float64Array): void {
  for (let r = 0; r < n; r++) {
    const i = ordX[r];
    rank[i] = r;
    xs[r] = data[3 * i];
    ys[r] = data[3 * i + 1];
  }
}

/** The z-sweep of {@link hv3d} over the rows in ordZ order, with the staircase in `set`. */
function sweep3d(
  data: Float64Array,
  ordZ: Uint32Array,
  n: number,
  rank: Uint32Array,
  xs: Float64Array,
  ys: Float64Array,
  set: RankSet,
  ref: Float64Array,
): number {
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
