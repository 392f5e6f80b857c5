/**
 * Index sorting on flat typed arrays, shared by the sorting, filtering and crowding cores.
 * Internal: not exported from the package. Callers validate; nothing here checks its input.
 */

const RUN = 16;
/** From this many indices on, {@link sortByKey} uses the radix sort. */
const RADIX_MIN = 1 << 14;

/**
 * Stable sort of `idx` in place by `key[idx[i]]` ascending, picking the merge sort for small
 * inputs and the LSD radix sort for large ones. `-0` and `0` compare equal.
 */
export function sortByKey(idx: Int32Array, key: Float64Array, tmp?: Int32Array): void {
  if (idx.length >= RADIX_MIN) radixSortByKey(idx, key);
  else stableSortByKey(idx, key, tmp);
}

/**
 * Stable LSD radix sort (4 passes of 16 bits) of `idx` by the IEEE-754 bits of `key[idx[i]]`,
 * mapped to unsigned integers with the same order (flip every bit of negatives, the sign bit of
 * the rest). O(n) per pass with sequential access: about 4× faster than a merge sort on 1e6
 * random doubles. Keys are copied next to the indices so the scatter never reads `key` at random.
 */
export function radixSortByKey(idx: Int32Array, key: Float64Array): void {
  const n = idx.length;
  const f = new Float64Array(n);
  for (let p = 0; p < n; p++) f[p] = key[idx[p]] + 0;
  const words = new Uint32Array(f.buffer);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    const l = words[2 * p];
    const h = words[2 * p + 1];
    if (h & 0x80000000) {
      lo[p] = ~l >>> 0;
      hi[p] = ~h >>> 0;
    } else {
      lo[p] = l;
      hi[p] = (h | 0x80000000) >>> 0;
    }
  }
  const counts = new Int32Array(4 * 65536);
  for (let p = 0; p < n; p++) {
    counts[lo[p] & 0xffff]++;
    counts[65536 + (lo[p] >>> 16)]++;
    counts[131072 + (hi[p] & 0xffff)]++;
    counts[196608 + (hi[p] >>> 16)]++;
  }
  let idxA: Int32Array = idx;
  let idxB: Int32Array = new Int32Array(n);
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65536;
    const useHi = pass >= 2;
    const shift = (pass & 1) * 16;
    const first = (useHi ? hi[0] : lo[0]) >>> shift & 0xffff;
    if (counts[base + first] === n) continue; // every key has the same digit
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = counts[base + b];
      counts[base + b] = sum;
      sum += c;
    }
    const digits = useHi ? hi : lo;
    for (let p = 0; p < n; p++) {
      const q = counts[base + ((digits[p] >>> shift) & 0xffff)]++;
      idxB[q] = idxA[p];
      lo2[q] = lo[p];
      hi2[q] = hi[p];
    }
    const t = idxA;
    idxA = idxB;
    idxB = t;
    let u = lo;
    lo = lo2;
    lo2 = u;
    u = hi;
    hi = hi2;
    hi2 = u;
  }
  if (idxA !== idx) idx.set(idxA);
}

/**
 * Stable argsort of `idx` in place by `key[idx[i]]` ascending. Bottom-up merge sort over typed
 * arrays with insertion-sorted runs: no comparator callbacks (the V8 comparator path costs an order
 * of magnitude more on 1e6 indices) and stability, which the lexicographic LSD passes rely on.
 */
export function stableSortByKey(idx: Int32Array, key: Float64Array, scratch?: Int32Array): void {
  const n = idx.length;
  const tmp = scratch === undefined ? new Int32Array(n) : scratch.subarray(0, n);
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const v = idx[i];
      const kv = key[v];
      let j = i - 1;
      while (j >= lo && key[idx[j]] > kv) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = v;
    }
  }
  let src = idx;
  let dst = tmp;
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let o = lo;
      if (mid >= hi || key[src[mid - 1]] <= key[src[mid]]) {
        // Already ordered across the seam: a plain copy (common on nearly sorted input).
        dst.set(src.subarray(lo, hi), lo);
        continue;
      }
      while (a < mid && b < hi) {
        if (key[src[b]] < key[src[a]]) dst[o++] = src[b++];
        else dst[o++] = src[a++];
      }
      while (a < mid) dst[o++] = src[a++];
      while (b < hi) dst[o++] = src[b++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== idx) idx.set(src);
}

/** Column `j` of row-major data as its own array (sequential access for the sorts). */
export function column(data: Float64Array, n: number, d: number, j: number, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0, o = j; i < n; i++, o += d) out[i] = data[o];
  return out;
}

/** The identity permutation 0..n-1. */
export function iota(n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx;
}

/**
 * Lexicographic order of the rows (objective 0 first, then 1, …), stable, so equal rows appear in
 * ascending index order. MSD by objective: one full sort by objective 0, then only the runs that
 * tie on the objectives so far are sorted by the next one. With continuous data the runs are
 * almost all of length 1, so this costs about one sort instead of d.
 */
export function lexOrder(data: Float64Array, n: number, d: number): Int32Array {
  const idx = iota(n);
  const tmp = new Int32Array(n);
  const cols: Float64Array[] = new Array(d);
  cols[0] = column(data, n, d, 0);
  sortByKey(idx, cols[0], tmp);
  // Explicit stack of runs (lo, hi, j): rows idx[lo..hi) tie on objectives < j.
  const stack: number[] = [0, n, 1];
  while (stack.length > 0) {
    const j = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    const prev = cols[j - 1];
    let a = lo;
    while (a < hi) {
      const v = prev[idx[a]];
      let b = a + 1;
      while (b < hi && prev[idx[b]] === v) b++;
      if (b - a > 1 && j < d) {
        if (cols[j] === undefined) cols[j] = column(data, n, d, j);
        sortByKey(idx.subarray(a, b), cols[j], tmp);
        stack.push(a, b, j + 1);
      }
      a = b;
    }
  }
  return idx;
}

/** Whether rows `a` and `b` are equal in every objective. */
export function rowsEqual(data: Float64Array, d: number, a: number, b: number): boolean {
  const oa = a * d;
  const ob = b * d;
  for (let k = 0; k < d; k++) if (data[oa + k] !== data[ob + k]) return false;
  return true;
}

/**
 * Groups equal rows, given the lexicographic order (equal rows are then adjacent).
 * Returns, per lex position, the position of the first row of its group (`groupStart`), and the
 * number of distinct rows.
 */
export function duplicateGroups(data: Float64Array, d: number, order: Int32Array): { groupStart: Int32Array; unique: number } {
  const n = order.length;
  const groupStart = new Int32Array(n);
  let unique = 0;
  for (let p = 0; p < n; p++) {
    if (p > 0 && rowsEqual(data, d, order[p - 1], order[p])) groupStart[p] = groupStart[p - 1];
    else {
      groupStart[p] = p;
      unique++;
    }
  }
  return { groupStart, unique };
}

/**
 * Dense ranks of `key`: equal values share a rank, ranks are 0..count-1 in ascending value order.
 * Used to turn objective values into small integers for the Fenwick trees.
 */
export function denseRanks(key: Float64Array): { ranks: Int32Array; count: number } {
  const n = key.length;
  const idx = iota(n);
  sortByKey(idx, key);
  const ranks = new Int32Array(n);
  let r = -1;
  let prev = NaN;
  for (let p = 0; p < n; p++) {
    const v = key[idx[p]];
    if (v !== prev) {
      r++;
      prev = v;
    }
    ranks[idx[p]] = r;
  }
  return { ranks, count: r + 1 };
}
