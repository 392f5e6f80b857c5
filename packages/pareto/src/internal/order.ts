/**
 * Index sorting on flat typed arrays, shared by the sorting, filtering and crowding cores and, through
 * the low-level `@paretopo/pareto/order` entry (src/order.ts), by the hypervolume sweeps.
 * Callers validate; nothing here checks its input.
 */

const RUN = 16;
/**
 * From this many indices on, the sorts use the radix sort: the measured crossover with the merge
 * sort is about 2000 random doubles on this machine (radix 0.22 ms vs merge 0.28 ms at 3000;
 * merge 2× faster at 1000, where clearing and scanning the histograms dominates).
 */
const RADIX_MIN = 1 << 11;
/** Digit width of the LSD radix sort: six 11-bit digits cover the 64 bits of a double. */
const DIGIT_BITS = 11;
const RADIX = 1 << DIGIT_BITS;

/**
 * Whether typed arrays are little-endian here (the low 32-bit word of a double comes first).
 * The radix sort reads doubles as pairs of 32-bit words (low word first); elsewhere the sorts
 * fall back to the merge sort.
 *
 * @example
 * LITTLE_ENDIAN; // true on x86-64 and arm64
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Stable sort of `idx` in place by `key[idx[i]]` ascending, picking the merge sort for small
 * inputs and the LSD radix sort for large ones. `-0` and `0` compare equal. Keys must not be NaN.
 *
 * @param idx - the indices to reorder (any subset of key's indices, e.g. a subarray of a permutation)
 * @param key - the sort key of every index
 * @param tmp - optional scratch of length ≥ idx.length for the merge sort (avoids an allocation)
 * @example
 * const idx = Int32Array.of(0, 1, 2, 3);
 * sortByKey(idx, Float64Array.of(3, -1, 3, 0)); // idx → [1, 3, 0, 2]
 */
export function sortByKey(idx: Int32Array, key: Float64Array, tmp?: Int32Array): void {
  if (idx.length >= RADIX_MIN) radixSortByKey(idx, key);
  else stableSortByKey(idx, key, tmp);
}

/**
 * Stable LSD radix sort of `idx` in place by the IEEE-754 bits of `key[idx[i]]` (keys not NaN),
 * mapped to unsigned integers with the same order (flip every bit of negatives, the sign bit of
 * the rest; `-0` becomes `+0` first so the zeros tie). Six passes of 11 bits: each histogram
 * (8 KiB) stays in L1, which measured 5–35 % faster than four 16-bit passes on random doubles
 * from 1e4 to 1e6 (up to 17 % slower on keys with few distinct values). Passes whose digit is
 * the same for every key are skipped. Keys are copied next to the indices so the scatter never
 * reads `key` at random; the low word is dropped once its three digits are sorted. About 3×
 * faster than the merge sort on 1e6 random doubles. Falls back to the merge sort on big-endian
 * hosts.
 *
 * @param idx - the indices to reorder
 * @param key - the sort key of every index
 * @example
 * const idx = Int32Array.of(0, 1, 2);
 * radixSortByKey(idx, Float64Array.of(0.5, -0, -2)); // idx → [2, 1, 0]
 */
export function radixSortByKey(idx: Int32Array, key: Float64Array): void {
  const n = idx.length;
  if (n < 2) return;
  if (!LITTLE_ENDIAN) {
    stableSortByKey(idx, key);
    return;
  }
  const f = new Float64Array(n);
  for (let p = 0; p < n; p++) f[p] = key[idx[p]] + 0;
  radixSortGathered(idx, f);
}

/**
 * The radix sort proper: reorders `idx` by `f[p]`, the key of `idx[p]` already gathered (and
 * with `-0` made `+0`), so that callers holding the keys in another layout copy them only once.
 * Reuses `f`'s memory as scratch: its values are lost.
 */
function radixSortGathered(idx: Int32Array, f: Float64Array): void {
  const n = idx.length;
  const words = new Uint32Array(f.buffer, f.byteOffset, 2 * n);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  const hist = new Uint32Array(6 * RADIX);
  // Masks and word offsets are written as literals in the hot loops: measured ~3 % faster at 1e6
  // than the same values read from module constants.
  for (let p = 0; p < n; p++) {
    let l = words[2 * p];
    let h = words[2 * p + 1];
    if (h & 0x80000000) {
      l = ~l >>> 0;
      h = ~h >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    lo[p] = l;
    hi[p] = h;
    hist[l & 2047]++;
    hist[RADIX + ((l >>> 11) & 2047)]++;
    hist[2 * RADIX + (l >>> 22)]++;
    hist[3 * RADIX + (h & 2047)]++;
    hist[4 * RADIX + ((h >>> 11) & 2047)]++;
    hist[5 * RADIX + (h >>> 22)]++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idxA: Int32Array = idx;
  let idxB: Int32Array = new Int32Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * RADIX;
    let trivial = false; // every key has the same digit: the pass would not move anything
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = hist[base + b];
      if (c === n) trivial = true;
      hist[base + b] = sum;
      sum += c;
    }
    if (trivial) continue;
    const shift = (pass % 3) * DIGIT_BITS;
    if (pass < 3) {
      for (let p = 0; p < n; p++) {
        const l = lo[p];
        const q = hist[base + ((l >>> shift) & 2047)]++;
        lo2[q] = l;
        hi2[q] = hi[p];
        idxB[q] = idxA[p];
      }
      const u = lo;
      lo = lo2;
      lo2 = u;
    } else {
      for (let p = 0; p < n; p++) {
        const h = hi[p];
        const q = hist[base + ((h >>> shift) & 2047)]++;
        hi2[q] = h;
        idxB[q] = idxA[p];
      }
    }
    const u = hi;
    hi = hi2;
    hi2 = u;
    const t = idxA;
    idxA = idxB;
    idxB = t;
  }
  if (idxA !== idx) idx.set(idxA);
}

/**
 * Stable argsort of `idx` in place by `key[idx[i]]` ascending. Bottom-up merge sort over typed
 * arrays with insertion-sorted runs: no comparator callbacks (the V8 comparator path costs an order
 * of magnitude more on 1e6 indices) and stability, which the lexicographic LSD passes rely on.
 *
 * @param idx - the indices to reorder
 * @param key - the sort key of every index (not NaN)
 * @param scratch - optional buffer of length ≥ idx.length (avoids an allocation)
 * @example
 * const idx = Int32Array.of(0, 1, 2);
 * stableSortByKey(idx, Float64Array.of(2, 1, 2)); // idx → [1, 0, 2]
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

/**
 * Column `j` of row-major data (`n` rows of `d`) as its own array (sequential access for the sorts).
 *
 * @param out - optional buffer of length ≥ n for the result
 * @example
 * column(Float64Array.of(1, 2, 3, 4, 5, 6), 3, 2, 1); // Float64Array [2, 4, 6]
 */
export function column(data: Float64Array, n: number, d: number, j: number, out: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0, o = j; i < n; i++, o += d) out[i] = data[o];
  return out;
}

/**
 * Row indices 0..n-1 of row-major data (`n` rows of `d`), stably sorted by column `col` (finite).
 * From 2048 rows the column goes straight into the radix sort's key buffer; below, the merge
 * sort reads a copy of it.
 *
 * @param out - optional buffer of length ≥ n for the result (avoids an allocation)
 * @returns the permutation (in `out` when given)
 * @example
 * argsortColumn(Float64Array.of(3, 0, 1, 9, 2, 5), 3, 2, 0); // Int32Array [1, 2, 0]
 */
export function argsortColumn(data: Float64Array, n: number, d: number, col: number, out?: Int32Array): Int32Array {
  const idx = out !== undefined && out.length >= n ? out.subarray(0, n) : new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < RADIX_MIN || !LITTLE_ENDIAN) {
    stableSortByKey(idx, column(data, n, d, col));
    return idx;
  }
  // One strided pass straight into the radix sort's key buffer (no column copy, no index reads).
  const f = new Float64Array(n);
  for (let i = 0, o = col; i < n; i++, o += d) f[i] = data[o] + 0;
  radixSortGathered(idx, f);
  return idx;
}

/**
 * The identity permutation 0..n-1.
 *
 * @example
 * iota(3); // Int32Array [0, 1, 2]
 */
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
