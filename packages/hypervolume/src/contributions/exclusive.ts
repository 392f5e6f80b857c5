import { hvExact } from '../exact/exact';
import { clippedFront } from '../exact/limitSet';
import type { LimitScratch } from '../exact/limitSet';

/**
 * Volume dominated by `p` and by none of the `m` rows of `others` (minimisation, all rows
 * strictly inside the reference box): `vol([p, ref]) − HV(limit set)`, where the limit set holds
 * `max(q, p)` for every other q (the WFG reduction, While et al. 2012). Exactly 0 when some row
 * weakly dominates p, which is how duplicates and dominated points get 0.
 *
 * For d ≥ 4 the limit set is first reduced to the rows that matter ({@link clippedFront}): the
 * exact cores are super-linear there, and a limit set keeps only a handful of non-dominated rows
 * (those of p's neighbours), so filtering first makes the per-point cost near-linear. For d ≤ 3
 * the O(n log n) cores take the whole limit set.
 *
 * `skip` is a row of `others` to ignore (p itself), or -1. `scratch` must hold (m + 1)·d numbers,
 * `limit` must be sized for m rows of d objectives (`limitScratch(m, d)`).
 *
 * @example
 * exclusiveVolume(Float64Array.of(2, 7), Float64Array.of(5, 5, 4, 6), 2, 2, -1, Float64Array.of(10, 10), new Float64Array(6), limitScratch(2, 2)); // 6
 */
export function exclusiveVolume(
  p: Float64Array,
  others: Float64Array,
  m: number,
  d: number,
  skip: number,
  ref: Float64Array,
  scratch: Float64Array,
  limit: LimitScratch,
): number {
  let box = 1;
  for (let j = 0; j < d; j++) box *= ref[j] - p[j];
  const c = d >= 4 ? clippedFront(p, others, m, d, skip, scratch, limit) : limitSet(p, others, m, d, skip, scratch);
  if (c < 0) return 0;
  const inside = hvExact(scratch, c, d, ref);
  const v = box - inside;
  // Rounding can leave a tiny negative; NaN (∞ − ∞ after an overflow) must reach the caller's
  // finiteness check instead of becoming 0.
  return v > 0 || Number.isNaN(v) ? v : 0;
}

/** Writes every limit row into `out`; returns the count, or -1 when some row covers p. */
function limitSet(p: Float64Array, others: Float64Array, m: number, d: number, skip: number, out: Float64Array): number {
  let c = 0;
  for (let t = 0; t < m; t++) {
    if (t === skip) continue;
    const o = t * d;
    const w = c * d;
    let covers = true;
    for (let j = 0; j < d; j++) {
      const q = others[o + j];
      const pj = p[j];
      if (q > pj) {
        out[w + j] = q;
        covers = false;
      } else out[w + j] = pj;
    }
    if (covers) return -1;
    c++;
  }
  return c;
}
