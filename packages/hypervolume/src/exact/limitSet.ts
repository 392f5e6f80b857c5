import { LITTLE_ENDIAN } from '@paretopo/pareto/order';

/** Reusable buffers of {@link clippedFront} for up to `m` rows of `e` objectives. */
export interface LimitScratch {
  /** best[j]: smallest q_j over rows that exceed p in objective j only. */
  readonly best: Float64Array;
  /** Per row: how many objectives exceed p's (bit 7 set when the row is ≥ p everywhere). */
  readonly outside: Uint8Array;
  readonly candKey: Float64Array;
  readonly candBits: Uint32Array;
}

/**
 * Buffers for {@link clippedFront} on up to `m` rows of `e` objectives.
 *
 * @example
 * limitScratch(100, 4).outside.length; // 100
 */
export function limitScratch(m: number, e: number): LimitScratch {
  const candKey = new Float64Array(Math.max(m, 1));
  return { best: new Float64Array(e), outside: new Uint8Array(Math.max(m, 1)), candKey, candBits: new Uint32Array(candKey.buffer) };
}

const LOW = LITTLE_ENDIAN ? 0 : 1;

/** Candidate counts up to this are sorted by insertion (see {@link clippedFront4}). */
const INSERTION_MAX = 96;

/**
 * The limit set of p against `rows` ({max(q, p)}, the WFG reduction of While, Bradstreet &
 * Barone 2012), reduced to rows whose union is the same as that of the whole set, written to
 * `out` (unchecked: minimisation, finite). Returns their count, or −1 when a row weakly
 * dominates p (p then adds no volume). Also leaves in `scratch.outside[a]` the number of
 * objectives in which row a exceeds p, with bit 7 set when p weakly dominates row a (callers
 * use it to evict such rows).
 *
 * The filter, cheapest first: a row that exceeds p in objective j only clips to a "slab" (p with
 * coordinate j raised); the lowest slab per objective dominates every clipped row whose raised
 * coordinates include j at a value ≥ it, which prunes most rows in O(e). The rest are added by
 * ascending coordinate sum (a row can only be dominated by one with a smaller sum), each checked
 * once against the rows kept so far, so no kept row is ever removed.
 *
 * @param skip - a row of `rows` to ignore (p itself), or −1
 * @param out - room for (number of non-skipped rows)·e values
 * @example
 * const out = new Float64Array(4);
 * clippedFront(Float64Array.of(1, 1), Float64Array.of(0, 2, 2, 0), 2, 2, -1, out, limitScratch(2, 2)); // 2
 * // out → [2, 1, 1, 2]
 */
export function clippedFront(
  p: Float64Array,
  rows: Float64Array,
  m: number,
  e: number,
  skip: number,
  out: Float64Array,
  scratch: LimitScratch,
): number {
  if (e === 4) return clippedFront4(p, rows, m, skip, out, scratch);
  const { best, outside, candKey, candBits } = scratch;
  best.fill(Infinity);
  for (let a = 0; a < m; a++) {
    if (a === skip) {
      outside[a] = 0;
      continue;
    }
    const off = a * e;
    // Branch-free tallies: these comparisons are data-dependent, and mispredicted branches
    // cost more than the arithmetic.
    let count = 0;
    let last = 0;
    let below = 0;
    for (let j = 0; j < e; j++) {
      const q = rows[off + j];
      const pj = p[j];
      const gt = +(q > pj);
      count += gt;
      last += gt * j;
      below |= +(q < pj);
    }
    if (count === 0) return -1;
    outside[a] = below === 0 ? count | 0x80 : count;
    if (count === 1 && rows[off + last] < best[last]) best[last] = rows[off + last];
  }
  let c = 0;
  for (let j = 0; j < e; j++) {
    if (best[j] === Infinity) continue;
    for (let t = 0; t < e; t++) out[c * e + t] = p[t];
    out[c * e + j] = best[j];
    c++;
  }
  // Candidate keys: the coordinate sum with the row's index in the low mantissa word, so a
  // native numeric sort orders them by sum. The perturbation can only swap nearly equal sums,
  // which costs a redundant row at worst, never a wrong volume.
  const strong = c;
  let nc = 0;
  for (let a = 0; a < m; a++) {
    if ((outside[a] & 0x7f) < 2) continue;
    const off = a * e;
    // best[j] > p[j], so q ≥ best[j] already implies that q exceeds p in objective j.
    let pruned = 0;
    let sum = 0;
    for (let j = 0; j < e; j++) {
      const q = rows[off + j];
      const pj = p[j];
      pruned |= +(q >= best[j]);
      sum += q > pj ? q : pj;
    }
    if (pruned !== 0) continue;
    candKey[nc] = sum;
    candBits[2 * nc + LOW] = a;
    nc++;
  }
  sortKeys(candKey, nc);
  for (let t = 0; t < nc; t++) {
    const off = candBits[2 * t + LOW] * e;
    const base = c * e;
    for (let j = 0; j < e; j++) {
      const q = rows[off + j];
      out[base + j] = q > p[j] ? q : p[j];
    }
    // The slabs already pruned every candidate they dominate.
    let covered = false;
    for (let a = strong; a < c && !covered; a++) {
      const ao = a * e;
      // Branch-free: which objective settles it is unpredictable.
      let above = 0;
      for (let j = 0; j < e; j++) above |= +(out[ao + j] > out[base + j]);
      covered = above === 0;
    }
    if (!covered) c++;
  }
  return c;
}

/**
 * {@link clippedFront} for e = 4 (the d = 5 sweep's level and the 4-D contributions), unrolled:
 * the coordinates of p, the four slab bounds and the candidate stay in locals instead of being
 * reloaded from arrays per objective, which halves the time of this filter, the dominant cost of
 * the d ≥ 5 sweep. Same result, row for row, as the general loop.
 */
function clippedFront4(
  p: Float64Array,
  rows: Float64Array,
  m: number,
  skip: number,
  out: Float64Array,
  scratch: LimitScratch,
): number {
  const { outside, candKey, candBits } = scratch;
  const p0 = p[0];
  const p1 = p[1];
  const p2 = p[2];
  const p3 = p[3];
  let b0 = Infinity;
  let b1 = Infinity;
  let b2 = Infinity;
  let b3 = Infinity;
  for (let a = 0; a < m; a++) {
    if (a === skip) {
      outside[a] = 0;
      continue;
    }
    const off = 4 * a;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const g0 = +(q0 > p0);
    const g1 = +(q1 > p1);
    const g2 = +(q2 > p2);
    const g3 = +(q3 > p3);
    const count = g0 + g1 + g2 + g3;
    if (count === 0) return -1;
    const below = +(q0 < p0) | +(q1 < p1) | +(q2 < p2) | +(q3 < p3);
    outside[a] = below === 0 ? count | 0x80 : count;
    if (count === 1) {
      if (g0 === 1) {
        if (q0 < b0) b0 = q0;
      } else if (g1 === 1) {
        if (q1 < b1) b1 = q1;
      } else if (g2 === 1) {
        if (q2 < b2) b2 = q2;
      } else if (q3 < b3) b3 = q3;
    }
  }
  let c = 0;
  if (b0 !== Infinity) c = slab(out, c, b0, p1, p2, p3);
  if (b1 !== Infinity) c = slab(out, c, p0, b1, p2, p3);
  if (b2 !== Infinity) c = slab(out, c, p0, p1, b2, p3);
  if (b3 !== Infinity) c = slab(out, c, p0, p1, p2, b3);
  const strong = c;
  let nc = 0;
  for (let a = 0; a < m; a++) {
    if ((outside[a] & 0x7f) < 2) continue;
    const off = 4 * a;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    if ((+(q0 >= b0) | +(q1 >= b1) | +(q2 >= b2) | +(q3 >= b3)) !== 0) continue;
    candKey[nc] = Math.max(q0, p0) + Math.max(q1, p1) + Math.max(q2, p2) + Math.max(q3, p3);
    candBits[2 * nc + LOW] = a;
    nc++;
  }
  sortKeys(candKey, nc);
  for (let t = 0; t < nc; t++) {
    const off = candBits[2 * t + LOW] * 4;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const c0 = Math.max(q0, p0);
    const c1 = Math.max(q1, p1);
    const c2 = Math.max(q2, p2);
    const c3 = Math.max(q3, p3);
    let covered = false;
    for (let ao = 4 * strong, end = 4 * c; ao < end; ao += 4) {
      // Branch-free: which objective settles it is unpredictable.
      if ((+(out[ao] <= c0) & +(out[ao + 1] <= c1) & +(out[ao + 2] <= c2) & +(out[ao + 3] <= c3)) !== 0) {
        covered = true;
        break;
      }
    }
    if (!covered) c = slab(out, c, c0, c1, c2, c3);
  }
  return c;
}

/** Writes the 4-D row (x0, x1, x2, x3) at row `c` of `out`; returns c + 1. */
function slab(out: Float64Array, c: number, x0: number, x1: number, x2: number, x3: number): number {
  const o = 4 * c;
  out[o] = x0;
  out[o + 1] = x1;
  out[o + 2] = x2;
  out[o + 3] = x3;
  return c + 1;
}

/**
 * Sorts the first `nc` keys ascending. The usual few dozen candidates take an insertion sort,
 * which beats the native sort's call and copy at that size.
 */
function sortKeys(keys: Float64Array, nc: number): void {
  if (nc > INSERTION_MAX) {
    keys.subarray(0, nc).sort();
    return;
  }
  for (let t = 1; t < nc; t++) {
    const key = keys[t];
    let u = t - 1;
    while (u >= 0 && keys[u] > key) {
      keys[u + 1] = keys[u];
      u--;
    }
    keys[u + 1] = key;
  }
}
