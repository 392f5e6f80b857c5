/**
 * Whether typed arrays are little-endian here (the low 32-bit word of a double comes first).
 *
 * @example
 * LITTLE_ENDIAN; // true on x86-64 and arm64
 */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const SMALL = 256;
const INSERTION = 48;
const RADIX = 2048;

/**
 * Indices of the rows of a row-major matrix in ascending order of column `col` (stable).
 * Used by every sweep: LSD radix sort on the IEEE-754 bits (six 11-bit digits, passes whose digit
 * is constant are skipped), which beats a comparator sort of indices by ~10× at n = 1e6.
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
  if (n <= INSERTION) {
    // Tiny inputs (the clipped sets of the dimension sweep): a stable insertion sort is faster
    // than any call into a library sort.
    for (let i = 0; i < n; i++) {
      const v = data[i * d + col];
      let j = i - 1;
      while (j >= 0 && data[idx[j] * d + col] > v) {
        idx[j + 1] = idx[j];
        j--;
      }
      idx[j + 1] = i;
    }
    return idx;
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < SMALL || !LITTLE_ENDIAN) {
    // Array.prototype.sort is stable, so ties keep row order like the radix path.
    return idx.sort((a, b) => data[a * d + col] - data[b * d + col]);
  }
  const keys = new Float64Array(n);
  // `+ 0` turns -0 into +0 so that the two zeros sort as equal.
  for (let i = 0; i < n; i++) keys[i] = data[i * d + col] + 0;
  const bits = new Uint32Array(keys.buffer);
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  // 11-bit digits keep each histogram (8 KiB) in L1; 16-bit digits (4 passes) measured slower.
  const hist = new Uint32Array(6 * RADIX);
  for (let i = 0; i < n; i++) {
    let l = bits[2 * i];
    let h = bits[2 * i + 1];
    // Map doubles to unsigned integers with the same order: flip everything for negatives,
    // only the sign bit for positives.
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    lo[i] = l;
    hi[i] = h;
    hist[l & 2047]++;
    hist[RADIX + ((l >>> 11) & 2047)]++;
    hist[2 * RADIX + (l >>> 22)]++;
    hist[3 * RADIX + (h & 2047)]++;
    hist[4 * RADIX + ((h >>> 11) & 2047)]++;
    hist[5 * RADIX + (h >>> 22)]++;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2: Uint32Array = new Uint32Array(n);
  let cur: Uint32Array = idx;
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * RADIX;
    let trivial = false;
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = hist[base + b];
      if (c === n) trivial = true;
      hist[base + b] = sum;
      sum += c;
    }
    if (trivial) continue;
    const shift = (pass % 3) * 11;
    if (pass < 3) {
      for (let i = 0; i < n; i++) {
        const l = lo[i];
        const p = hist[base + ((l >>> shift) & 2047)]++;
        lo2[p] = l;
        hi2[p] = hi[i];
        idx2[p] = cur[i];
      }
      const tl = lo;
      lo = lo2;
      lo2 = tl;
    } else {
      // The low word is no longer needed once its three digits are sorted.
      for (let i = 0; i < n; i++) {
        const h = hi[i];
        const p = hist[base + ((h >>> shift) & 2047)]++;
        hi2[p] = h;
        idx2[p] = cur[i];
      }
    }
    const th = hi;
    hi = hi2;
    hi2 = th;
    const ti = cur;
    cur = idx2;
    idx2 = ti;
  }
  return cur;
}

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
