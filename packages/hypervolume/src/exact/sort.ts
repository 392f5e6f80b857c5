import { argsortColumn as argsortColumnInt, column, stableSortByKey } from '@paretopo/pareto/order';

const INSERTION = 48;

/**
 * Indices of the rows of a row-major matrix in ascending order of column `col` (stable).
 * Used by every sweep. Tiny inputs (the clipped sets of the dimension sweep) take an insertion
 * sort in place; the rest the shared index sort of `@paretopo/pareto/order` (an LSD radix sort on
 * the IEEE-754 bits from 2048 rows, a merge sort below), which beats a comparator sort of indices
 * by ~10× at n = 1e6.
 *
 * @param data - row-major values, `n` rows of `d`; must be finite (no NaN)
 * @param out - optional buffer of length ≥ n for the result (avoids an allocation)
 * @returns the permutation (possibly stored in `out`; never aliasing `data`)
 * @example
 * argsortColumn(Float64Array.of(3, 0, 1, 9, 2, 5), 3, 2, 0); // Uint32Array [1, 2, 0]
 */
export function argsortColumn(
  data: Float64Array,
  n: number,
  d: number,
  col: number,
  out?: Uint32Array,
): Uint32Array {
  const idx: Uint32Array = out !== undefined && out.length >= n ? out.subarray(0, n) : new Uint32Array(n);
  argsortInto(data, n, d, col, idx);
  return idx;
}

/**
 * {@link argsortColumn} into `out[0, n)` (length ≥ n), returning nothing: the per-step sorts of
 * the sweeps use it on their own buffers, so that up to 48 rows allocate not even a view.
 *
 * @example
 * const out = new Uint32Array(8);
 * argsortInto(Float64Array.of(3, 0, 1, 9, 2, 5), 3, 2, 0, out); // out → [1, 2, 0, 0, …]
 */
export function argsortInto(data: Float64Array, n: number, d: number, col: number, out: Uint32Array): void {
  if (n <= INSERTION) {
    // A stable insertion sort on the strided column: no allocation, and faster than any call
    // into a general sort at this size.
    for (let i = 0; i < n; i++) {
      const v = data[i * d + col];
      let j = i - 1;
      while (j >= 0 && data[out[j] * d + col] > v) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = i;
    }
    return;
  }
  // Row indices fit in 31 bits, so a signed view of the same memory holds the same permutation.
  const signed = new Int32Array(out.buffer, out.byteOffset, n);
  if (n > SCRATCH_MAX) {
    argsortColumnInt(data, n, d, col, signed);
    return;
  }
  // The merge sort of the shared order module, on buffers kept here: the 4-D core sorts a clipped
  // set of a few dozen rows once per step of the d = 5 sweep, and allocating the column and the
  // merge buffer each time kept the garbage collector busy.
  if (keyBuf.length < n) {
    keyBuf = new Float64Array(Math.max(n, 2 * keyBuf.length, 64));
    tmpBuf = new Int32Array(keyBuf.length);
  }
  for (let i = 0; i < n; i++) signed[i] = i;
  stableSortByKey(signed, column(data, n, d, col, keyBuf), tmpBuf);
}

/** Sizes up to this sort on the buffers below; larger ones take the shared radix sort. */
const SCRATCH_MAX = 2047;
let keyBuf = new Float64Array(0);
let tmpBuf = new Int32Array(0);

/** Runs of ties up to this length are ordered by insertion sort (no comparator calls). */
const SHORT_RUN = 16;

/**
 * Orders every run of equal column-`key` values in `order` (a permutation sorted by `key`, e.g.
 * from {@link argsortColumn}) by column `by`, then by column `then` (pass −1 for none), in place.
 * Short runs use insertion sort, longer ones a comparator sort, so a run of k ties costs
 * O(k log k) and the whole pass O(n log n) even when most rows share a key: the limit sets of
 * hvImprovement and of the contribution cores are built that way (every coordinate where a
 * neighbour is better collapses onto the point's value).
 *
 * @param data - row-major values, `n` rows of `d`, finite
 * @param order - row indices sorted by column `key`; reordered in place within each run
 * @example
 * const order = Uint32Array.of(0, 1, 2); // rows (1, 5), (1, 3), (2, 0) sorted by column 0
 * sortTies(Float64Array.of(1, 5, 1, 3, 2, 0), order, 3, 2, 0, 1, -1); // order → [1, 0, 2]
 */
export function sortTies(
  data: Float64Array,
  order: Uint32Array,
  n: number,
  d: number,
  key: number,
  by: number,
  then: number,
): void {
  const cmp =
    then < 0
      ? (a: number, b: number) => data[a * d + by] - data[b * d + by]
      : (a: number, b: number) => data[a * d + by] - data[b * d + by] || data[a * d + then] - data[b * d + then];
  for (let a = 0; a < n; ) {
    const v = data[order[a] * d + key];
    let b = a + 1;
    while (b < n && data[order[b] * d + key] === v) b++;
    if (b - a > SHORT_RUN) order.subarray(a, b).sort(cmp);
    else {
      for (let i = a + 1; i < b; i++) {
        const u = order[i];
        const uy = data[u * d + by];
        const uz = then < 0 ? 0 : data[u * d + then];
        let j = i - 1;
        for (; j >= a; j--) {
          const w = order[j];
          const wy = data[w * d + by];
          if (wy < uy || (wy === uy && (then < 0 || data[w * d + then] <= uz))) break;
          order[j + 1] = w;
        }
        order[j + 1] = u;
      }
    }
    a = b;
  }
}
