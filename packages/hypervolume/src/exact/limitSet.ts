import { LITTLE_ENDIAN } from '@paretopo/pareto/order';

/** Reusable buffers of {@link clippedFront} for up to `m` rows of `e` objectives. */
export interface LimitScratch {
  /** best[j]: smallest q_j over rows that exceed p in objective j only. */
  readonly best: Float64Array;
  /** Per row: how many objectives exceed p's (bit 7 set when the row is ≥ p everywhere). */
  readonly outside: Uint8Array;
  readonly candKey: Float64Array;
  readonly candBits: Uint32Array;
  /** How many rows p weakly dominates (bit 7 of outside), set by every call that returns ≥ 0. */
  evicted: number;
  /** Per objective set (a 4-bit mask), the first kept row with that set, or −1 (e = 4 only). */
  readonly head: Int32Array;
  /** Per kept row, the next kept row with the same objective set, or −1 (e = 4 only). */
  readonly next: Int32Array;
  /** Candidate keys regrouped by objective set, and their index bits (e = 4 only). */
  readonly groupKey: Float64Array;
  readonly groupBits: Uint32Array;
  /** Per candidate, its objective set (e = 4 only). */
  readonly candMask: Uint8Array;
  /** Per objective set, the end of its group in groupKey (e = 4 only). */
  readonly groupEnd: Int32Array;
}

/**
 * Buffers for {@link clippedFront} on up to `m` rows of `e` objectives.
 *
 * @example
 * limitScratch(100, 4).outside.length; // 100
 */
export function limitScratch(m: number, e: number): LimitScratch {
  const candKey = new Float64Array(Math.max(m, 1));
  const groupKey = new Float64Array(e === 4 ? m : 0);
  return {
    best: new Float64Array(e),
    outside: new Uint8Array(Math.max(m, 1)),
    candKey,
    candBits: new Uint32Array(candKey.buffer),
    evicted: 0,
    head: new Int32Array(16),
    next: new Int32Array(e === 4 ? m + e : 0),
    groupKey,
    groupBits: new Uint32Array(groupKey.buffer),
    candMask: new Uint8Array(e === 4 ? m : 0),
    groupEnd: new Int32Array(16),
  };
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
  let evicted = 0;
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
    evicted += +(below === 0);
    if (count === 1 && rows[off + last] < best[last]) best[last] = rows[off + last];
  }
  scratch.evicted = evicted;
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
  sortRange(candKey, 0, nc);
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
 * p's coordinates, the slab bounds and the candidate stay in locals instead of being reloaded
 * from arrays per objective. The candidates that survive the slabs are grouped by the set of
 * objectives in which they exceed p (a 4-bit mask): a candidate is checked only against kept
 * rows whose set is a subset of its own, and only the small groups are sorted by sum. The same
 * union as the general loop (the rows may come in another order).
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
  let evicted = 0;
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
    evicted += +(below === 0);
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
  scratch.evicted = evicted;
  const best = scratch.best;
  best[0] = b0;
  best[1] = b1;
  best[2] = b2;
  best[3] = b3;
  let c = 0;
  for (let j = 0; j < 4; j++) {
    if (best[j] === Infinity) continue;
    out.set(p, 4 * c);
    out[4 * c + j] = best[j];
    c++;
  }
  const { head, next, groupKey, groupBits, candMask, groupEnd } = scratch;
  head.fill(-1);
  groupEnd.fill(0);
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
    const mask = +(q0 > p0) | (+(q1 > p1) << 1) | (+(q2 > p2) << 2) | (+(q3 > p3) << 3);
    candMask[nc] = mask;
    groupEnd[mask]++;
    nc++;
  }
  // Candidates grouped by the set of objectives in which they exceed p, smaller sets first, and
  // by ascending sum within a group: a row can only be covered by one whose set is a subset of
  // its own, so no kept row is covered by a later one, and sorting a dozen small groups costs a
  // tenth of sorting all the candidates at once.
  let at = 0;
  for (let g = 0; g < BY_SIZE.length; g++) {
    const mask = BY_SIZE[g];
    at += groupEnd[mask];
    groupEnd[mask] = at - groupEnd[mask];
  }
  for (let t = 0; t < nc; t++) groupKey[groupEnd[candMask[t]]++] = candKey[t];
  let from = 0;
  for (let g = 0; g < BY_SIZE.length; g++) {
    const to = groupEnd[BY_SIZE[g]];
    sortRange(groupKey, from, to);
    from = to;
  }
  for (let t = 0; t < nc; t++) {
    const off = groupBits[2 * t + LOW] * 4;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const c0 = Math.max(q0, p0);
    const c1 = Math.max(q1, p1);
    const c2 = Math.max(q2, p2);
    const c3 = Math.max(q3, p3);
    // The objectives in which the candidate exceeds p. A kept row can only cover it if its own
    // set is a subset (elsewhere the candidate sits at p, below any raised coordinate), so only
    // the lists of those subsets are searched: a quarter of the pairs on the benchmark fronts.
    // Singletons are the slabs, which have already pruned every candidate they cover.
    const mask = +(q0 > p0) | (+(q1 > p1) << 1) | (+(q2 > p2) << 2) | (+(q3 > p3) << 3);
    let covered = false;
    for (let sub = mask; sub !== 0 && !covered; sub = (sub - 1) & mask) {
      if ((sub & (sub - 1)) === 0) continue;
      for (let r = head[sub]; r >= 0; r = next[r]) {
        const ao = 4 * r;
        // Branch-free: which objective settles it is unpredictable.
        if ((+(out[ao] <= c0) & +(out[ao + 1] <= c1) & +(out[ao + 2] <= c2) & +(out[ao + 3] <= c3)) !== 0) {
          covered = true;
          break;
        }
      }
    }
    if (covered) continue;
    next[c] = head[mask];
    head[mask] = c;
    const o = 4 * c;
    out[o] = c0;
    out[o + 1] = c1;
    out[o + 2] = c2;
    out[o + 3] = c3;
    c++;
  }
  return c;
}


/**
 * Sorts keys[from, to) ascending. The usual few dozen candidates take an insertion sort, which
 * beats the native sort's call and copy at that size.
 */
function sortRange(keys: Float64Array, from: number, to: number): void {
  if (to - from > INSERTION_MAX) {
    keys.subarray(from, to).sort();
    return;
  }
  for (let t = from + 1; t < to; t++) {
    const key = keys[t];
    let u = t - 1;
    while (u >= from && keys[u] > key) {
      keys[u + 1] = keys[u];
      u--;
    }
    keys[u + 1] = key;
  }
}

/** The 4-bit sets of two or more objectives, smaller sets first (see {@link clippedFront4}). */
const BY_SIZE = Uint8Array.of(3, 5, 6, 9, 10, 12, 7, 11, 13, 14, 15);
