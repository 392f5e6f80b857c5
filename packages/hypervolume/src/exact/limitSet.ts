import { LITTLE_ENDIAN } from '@paretopo/pareto/order';

/** Reusable buffers of {@link clippedFront} for up to `m` rows of `e` objectives. */
export interface LimitScratch {
  /** best[j]: smallest q_j over rows that exceed p in objective j only. */
  readonly best: Float64Array;
  /** Per row: how many objectives exceed p's (not set by {@link clippedFrontSorted4}). */
  readonly outside: Uint8Array;
  readonly candKey: Float64Array;
  readonly candBits: Uint32Array;
  /** The rows p weakly dominates, ascending: the first `evicted` entries. */
  readonly evictedRows: Int32Array;
  /** How many rows p weakly dominates, set by every call that returns ≥ 0. */
  evicted: number;
  /**
   * How many leading rows the call examined (and reports in evictedRows): m, except for
   * {@link clippedFrontSorted4}, which stops early.
   */
  scanned: number;
  /** Per objective set (a 4-bit mask), the range of output rows with that set (e = 4 only). */
  readonly rowStart: Int32Array;
  readonly rowEnd: Int32Array;
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
    evictedRows: new Int32Array(Math.max(m, 1)),
    evicted: 0,
    scanned: 0,
    rowStart: new Int32Array(16),
    rowEnd: new Int32Array(16),
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
  const { best, outside, candKey, candBits, evictedRows } = scratch;
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
    outside[a] = count;
    if (below === 0) evictedRows[evicted++] = a;
    if (count === 1 && rows[off + last] < best[last]) best[last] = rows[off + last];
  }
  scratch.evicted = evicted;
  scratch.scanned = m;
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
    if (outside[a] < 2) continue;
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
  const outside = scratch.outside;
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
    outside[a] = count;
    if ((+(q0 >= p0) & +(q1 >= p1) & +(q2 >= p2) & +(q3 >= p3)) !== 0) scratch.evictedRows[evicted++] = a;
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
  scratch.scanned = m;
  scratch.groupEnd.fill(0);
  let nc = 0;
  for (let a = 0; a < m; a++) {
    if (outside[a] < 2) continue;
    const off = 4 * a;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    if ((+(q0 >= b0) | +(q1 >= b1) | +(q2 >= b2) | +(q3 >= b3)) !== 0) continue;
    const key = Math.max(q0, p0) + Math.max(q1, p1) + Math.max(q2, p2) + Math.max(q3, p3);
    addCandidate(scratch, nc++, a, key, +(q0 > p0) | (+(q1 > p1) << 1) | (+(q2 > p2) << 2) | (+(q3 > p3) << 3));
  }
  const best = scratch.best;
  best[0] = b0;
  best[1] = b1;
  best[2] = b2;
  best[3] = b3;
  return front4(p, rows, nc, 0, out, scratch);
}

/**
 * {@link clippedFront} for e = 4 (no skipped row) when `rows` are sorted by ascending objective 0,
 * as the d = 5 sweep keeps them: the same union, from a scan of fewer rows. Every row that weakly
 * dominates p, and every slab of objectives 1–3, has q0 ≤ p0, so lies in the prefix. Past it, the
 * first row that exceeds p in objective 0 only is the lowest slab of objective 0, and every later
 * row has q0 ≥ that bound: it is pruned by the slab, or is a higher slab, so the scan stops there.
 * `scratch.scanned` says how many leading rows were examined; the evicted rows are only among
 * those, so rows that p dominates further on stay (they change no union: p's own row covers
 * theirs).
 *
 * @example
 * const out = new Float64Array(8);
 * clippedFrontSorted4(Float64Array.of(1, 1, 1, 1), Float64Array.of(0, 2, 2, 0, 2, 0, 0, 0), 2, out, limitScratch(2, 4)); // 2
 * // out → [2, 1, 1, 1, 1, 2, 2, 1]
 */
export function clippedFrontSorted4(
  p: Float64Array,
  rows: Float64Array,
  m: number,
  out: Float64Array,
  scratch: LimitScratch,
): number {
  const evictedRows = scratch.evictedRows;
  const p0 = p[0];
  const p1 = p[1];
  const p2 = p[2];
  const p3 = p[3];
  let b1 = Infinity;
  let b2 = Infinity;
  let b3 = Infinity;
  let evicted = 0;
  let a = 0;
  // The prefix q0 ≤ p0: dominators, evictions (q0 = p0 only) and the slabs of objectives 1–3.
  for (; a < m; a++) {
    const off = 4 * a;
    const q0 = rows[off];
    if (q0 > p0) break;
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const g1 = +(q1 > p1);
    const g2 = +(q2 > p2);
    const g3 = +(q3 > p3);
    const count = g1 + g2 + g3;
    if (count === 0) return -1;
    if (count === 1) {
      if (g1 === 1) {
        if (q1 < b1) b1 = q1;
      } else if (g2 === 1) {
        if (q2 < b2) b2 = q2;
      } else if (q3 < b3) b3 = q3;
    }
    if (q0 === p0 && (+(q1 >= p1) & +(q2 >= p2) & +(q3 >= p3)) !== 0) evictedRows[evicted++] = a;
  }
  const split = a;
  scratch.groupEnd.fill(0);
  let nc = 0;
  // The prefix's candidates, against the final slab bounds (q0 ≤ p0 < b0 there).
  for (let t = 0; t < split; t++) {
    const off = 4 * t;
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const g1 = +(q1 > p1);
    const g2 = +(q2 > p2);
    const g3 = +(q3 > p3);
    if (g1 + g2 + g3 < 2 || (+(q1 >= b1) | +(q2 >= b2) | +(q3 >= b3)) !== 0) continue;
    const key = p0 + Math.max(q1, p1) + Math.max(q2, p2) + Math.max(q3, p3);
    addCandidate(scratch, nc++, t, key, (g1 << 1) | (g2 << 2) | (g3 << 3));
  }
  // The suffix up to the lowest slab of objective 0. b1..b3 are final here, and q0 ≤ b0 (a tie
  // with b0 leaves a redundant row, never a wrong union).
  let b0 = Infinity;
  for (; a < m; a++) {
    const off = 4 * a;
    const q0 = rows[off];
    const q1 = rows[off + 1];
    const q2 = rows[off + 2];
    const q3 = rows[off + 3];
    const g1 = +(q1 > p1);
    const g2 = +(q2 > p2);
    const g3 = +(q3 > p3);
    if ((+(q1 >= p1) & +(q2 >= p2) & +(q3 >= p3)) !== 0) evictedRows[evicted++] = a;
    if ((g1 | g2 | g3) === 0) {
      b0 = q0;
      a++;
      break;
    }
    if ((+(q1 >= b1) | +(q2 >= b2) | +(q3 >= b3)) !== 0) continue;
    const key = q0 + Math.max(q1, p1) + Math.max(q2, p2) + Math.max(q3, p3);
    addCandidate(scratch, nc++, a, key, 1 | (g1 << 1) | (g2 << 2) | (g3 << 3));
  }
  scratch.scanned = a;
  scratch.evicted = evicted;
  const best = scratch.best;
  best[0] = b0;
  best[1] = b1;
  best[2] = b2;
  best[3] = b3;
  // The suffix's candidates went in by ascending q0, which already orders each group with
  // objective 0 raised (up to ties in q0, which can leave a redundant row, never a wrong union).
  return front4(p, rows, nc, 1, out, scratch);
}

/**
 * Records row `a` as candidate `t` of {@link front4}: its coordinate-sum key, with the row index
 * in the low mantissa word (see {@link clippedFront}), and its objective set, counted per set.
 */
function addCandidate(scratch: LimitScratch, t: number, a: number, key: number, mask: number): void {
  scratch.candKey[t] = key;
  scratch.candBits[2 * t + LOW] = a;
  scratch.candMask[t] = mask;
  scratch.groupEnd[mask]++;
}

/**
 * The common end of {@link clippedFront4} and {@link clippedFrontSorted4}: writes the slabs
 * (p with objective j raised to best[j], for each finite one; the bounds pass through
 * `scratch.best` because doubles passed to a call that is not inlined are boxed), then the
 * candidates (left in candKey, candBits and candMask, with their group sizes in groupEnd) that no
 * earlier row covers; returns the row count. Groups whose set meets `ordered` (a mask of
 * objectives) are already in an order where a row comes after any that covers it, and are not
 * sorted.
 */
function front4(
  p: Float64Array,
  rows: Float64Array,
  nc: number,
  ordered: number,
  out: Float64Array,
  scratch: LimitScratch,
): number {
  const p0 = p[0];
  const p1 = p[1];
  const p2 = p[2];
  const p3 = p[3];
  const best = scratch.best;
  let c = 0;
  for (let j = 0; j < 4; j++) {
    if (best[j] === Infinity) continue;
    const o = 4 * c;
    out[o] = p0;
    out[o + 1] = p1;
    out[o + 2] = p2;
    out[o + 3] = p3;
    out[o + j] = best[j];
    c++;
  }
  const { candKey, groupKey, groupBits, candMask, groupEnd, rowStart, rowEnd } = scratch;
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
  // The kept rows of one set are contiguous in `out` (the groups come one after the other), so
  // rowStart/rowEnd hold each set's range; empty until its group runs.
  rowStart.fill(0);
  rowEnd.fill(0);
  let from = 0;
  for (let g = 0; g < BY_SIZE.length; g++) {
    const mask = BY_SIZE[g];
    const to = groupEnd[mask];
    if (from === to) continue;
    if ((mask & ordered) === 0) sortRange(groupKey, from, to);
    rowStart[mask] = c;
    for (let t = from; t < to; t++) {
      const off = groupBits[2 * t + LOW] * 4;
      const c0 = Math.max(rows[off], p0);
      const c1 = Math.max(rows[off + 1], p1);
      const c2 = Math.max(rows[off + 2], p2);
      const c3 = Math.max(rows[off + 3], p3);
      // A kept row can only cover the candidate if its set is a subset of the candidate's
      // (elsewhere the candidate sits at p, below any raised coordinate), so only those ranges
      // are searched: a quarter of the pairs on the benchmark fronts. Singletons are the slabs,
      // which have already pruned every candidate they cover. The own set's range is the rows
      // kept so far in this group, newest first.
      rowEnd[mask] = c;
      let covered = false;
      for (let sub = mask; sub !== 0 && !covered; sub = (sub - 1) & mask) {
        if ((sub & (sub - 1)) === 0) continue;
        const lo = rowStart[sub];
        for (let r = rowEnd[sub] - 1; r >= lo; r--) {
          const ao = 4 * r;
          // Branch-free: which objective settles it is unpredictable.
          if ((+(out[ao] <= c0) & +(out[ao + 1] <= c1) & +(out[ao + 2] <= c2) & +(out[ao + 3] <= c3)) !== 0) {
            covered = true;
            break;
          }
        }
      }
      if (covered) continue;
      const o = 4 * c;
      out[o] = c0;
      out[o + 1] = c1;
      out[o + 2] = c2;
      out[o + 3] = c3;
      c++;
    }
    rowEnd[mask] = c;
    from = to;
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
