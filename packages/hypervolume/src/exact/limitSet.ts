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
  if (nc > 1) candKey.subarray(0, nc).sort();
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
      covered = true;
      for (let j = 0; j < e; j++) {
        if (out[ao + j] > out[base + j]) {
          covered = false;
          break;
        }
      }
    }
    if (!covered) c++;
  }
  return c;
}
