/**
 * Pareto ranks inside one small group (all objectives maximised), from dominance bit masks:
 * each unordered pair of members is compared once (O(G²·k)), recording its dominators as bits,
 * and fronts are peeled by testing `domBy[a] & left` (one machine word when G ≤ 32). At the
 * group sizes RL uses (4–64) this beats the O(G log^(k−1) G) sorts: ties and duplicates make
 * a sort's branches unpredictable, while the mask arithmetic here has none.
 */

/** Reusable buffers of the ranking and advantage passes, sized for the largest group seen. */
export interface RankScratch {
  /** Capacity in members (G) and values per member (k). */
  readonly G: number;
  readonly k: number;
  /** A group's reward vectors, gathered contiguously (G × k) when the group is not one run. */
  readonly vec: Float64Array;
  /** `domBy[a·W + w]`: bit b set when member 32w + b dominates member a (W = ⌈G/32⌉ words). */
  readonly domBy: Int32Array;
  /** Members not yet assigned to a front, and the front being peeled (multi-word case). */
  readonly left: Int32Array;
  readonly front: Int32Array;
  /** 0-based rank of each member (or distinct vector). */
  readonly rank: Int32Array;
  /** For k = 2: the group's distinct vectors (D × 2), each member's index among them. */
  readonly dvec: Float64Array;
  readonly uniq: Int32Array;
  /** Scalar reward `w · r`, then the advantage, per member (or distinct vector). */
  readonly scalar: Float64Array;
  /** Per front: min scalar reward, and 1/span (0 for a front without spread). */
  readonly lo: Float64Array;
  readonly inv: Float64Array;
}

let cached: RankScratch | null = null;

/**
 * The module's {@link RankScratch}, reallocated only when a group larger than any before (or a
 * larger k) arrives, so the estimators allocate nothing per call in steady state.
 *
 * @example
 * rankScratch(16, 2).rank.length >= 16; // true
 */
export function rankScratch(G: number, k: number): RankScratch {
  if (cached !== null && cached.G >= G && cached.k >= k) return cached;
  const cap = Math.max(G, cached?.G ?? 32);
  const kk = Math.max(k, cached?.k ?? 1);
  const W = Math.ceil(cap / 32);
  cached = {
    G: cap,
    k: kk,
    vec: new Float64Array(cap * kk),
    domBy: new Int32Array(cap * W),
    left: new Int32Array(W),
    front: new Int32Array(cap),
    rank: new Int32Array(cap),
    dvec: new Float64Array(2 * cap),
    uniq: new Int32Array(cap),
    scalar: new Float64Array(cap),
    lo: new Float64Array(cap + 1),
    inv: new Float64Array(cap + 1),
  };
  return cached;
}

/**
 * Finds the distinct vectors of a k = 2 group of G ≤ 32 members: with binary correctness and a
 * handful of tool-call counts, a group of 16 typically holds about 8 distinct (r0, r1) pairs, and
 * equal vectors share a rank and an advantage, so the pair comparisons and the advantage
 * arithmetic can run on the D distinct ones. Writes them to `s.dvec` (D × 2) and member a's index
 * among them to `s.uniq[a]`; returns D, or −1 when a value is NaN or infinite (whose comparisons
 * would give silently wrong ranks; the test Σ (x − x) = 0 rides along in the same loop).
 * Branch-free (duplicates come and go unpredictably): a bit mask of the distinct vectors equal to
 * member a gives the lowest set bit, or else a new slot D, which is written unconditionally.
 *
 * @example
 * const s = rankScratch(3, 2);
 * dedupe2(Float64Array.of(1, 0, 0, 1, 1, 0), 0, 3, s); // 2; s.uniq = [0, 1, 0]
 */
export function dedupe2(src: Float64Array, base: number, G: number, s: RankScratch): number {
  const { dvec, uniq } = s;
  let D = 0;
  let probe = 0;
  for (let a = 0; a < G; a++) {
    const x = src[base + 2 * a];
    const y = src[base + 2 * a + 1];
    probe += x - x + (y - y);
    let match = 0;
    for (let d = 0; d < D; d++) match |= (+(dvec[2 * d] === x) & +(dvec[2 * d + 1] === y)) << d;
    const fresh = +(match === 0);
    const old = 31 - Math.clz32(match & -match);
    dvec[2 * D] = x;
    dvec[2 * D + 1] = y;
    uniq[a] = old + fresh * (D - old);
    D += fresh;
  }
  return probe === 0 ? D : -1;
}

/**
 * Fills `s.domBy` with the dominance masks of the G vectors `src[base .. base + G·k)`: bit b of
 * `domBy[a·W + ⌊b/32⌋]` is set when member b dominates member a (≥ everywhere, > somewhere).
 *
 * @example
 * const s = rankScratch(3, 2);
 * dominanceMasks(Float64Array.of(1, 1, 0, 1, 0, 0), 0, 2, 3, s); // s.domBy = [0, 0b001, 0b011]
 */
export function dominanceMasks(src: Float64Array, base: number, k: number, G: number, s: RankScratch): void {
  const { domBy } = s;
  const W = Math.ceil(G / 32);
  // A plain loop: at 16–64 words a native fill call costs more than the stores.
  for (let i = 0; i < G * W; i++) domBy[i] = 0;
  // Branch-free comparisons: ties and random rewards make dominance outcomes unpredictable, so
  // bits are computed as 0/1 integers and OR-ed in unconditionally.
  if (k === 2 && W === 1) {
    for (let a = 0; a < G; a++) {
      const x0 = src[base + 2 * a];
      const x1 = src[base + 2 * a + 1];
      // Bits of the members that dominate a stay in a register; a's own dominance goes to domBy[b].
      let mine = 0;
      for (let b = a + 1; b < G; b++) {
        const y0 = src[base + 2 * b];
        const y1 = src[base + 2 * b + 1];
        const ge = +(x0 >= y0) & +(x1 >= y1);
        const le = +(x0 <= y0) & +(x1 <= y1);
        domBy[b] |= (ge & (le ^ 1)) << a;
        mine |= (le & (ge ^ 1)) << b;
      }
      domBy[a] |= mine;
    }
  } else if ((k === 3 || k === 4) && W === 1) {
    // Unrolled as for k = 2 (a 4th objective of 0 when k = 3 compares equal and changes nothing).
    const four = k === 4;
    for (let a = 0; a < G; a++) {
      const oa = base + a * k;
      const x0 = src[oa];
      const x1 = src[oa + 1];
      const x2 = src[oa + 2];
      const x3 = four ? src[oa + 3] : 0;
      let mine = 0;
      for (let b = a + 1; b < G; b++) {
        const ob = base + b * k;
        const y0 = src[ob];
        const y1 = src[ob + 1];
        const y2 = src[ob + 2];
        const y3 = four ? src[ob + 3] : 0;
        const ge = +(x0 >= y0) & +(x1 >= y1) & +(x2 >= y2) & +(x3 >= y3);
        const le = +(x0 <= y0) & +(x1 <= y1) & +(x2 <= y2) & +(x3 <= y3);
        domBy[b] |= (ge & (le ^ 1)) << a;
        mine |= (le & (ge ^ 1)) << b;
      }
      domBy[a] |= mine;
    }
  } else {
    for (let a = 0; a < G; a++) {
      const oa = base + a * k;
      for (let b = a + 1; b < G; b++) {
        const ob = base + b * k;
        let ge = 1;
        let le = 1;
        for (let j = 0; j < k; j++) {
          const x = src[oa + j];
          const y = src[ob + j];
          ge &= +(x >= y);
          le &= +(x <= y);
        }
        domBy[b * W + (a >>> 5)] |= (ge & (le ^ 1)) << (a & 31);
        domBy[a * W + (b >>> 5)] |= (le & (ge ^ 1)) << (b & 31);
      }
    }
  }
}

/**
 * Peels the fronts of the G members whose masks {@link dominanceMasks} left in `s.domBy`: writes
 * each member's 0-based rank to `rank[0 .. G)` and returns the number of fronts. When `scalar` is
 * given, also records each front's min of `scalar` in `s.lo[r]` and 1/(max − min) in `s.inv[r]`
 * (0 when the front has no spread, or a subnormal one), read off while the front's members are at
 * hand instead of in a separate pass.
 *
 * @example
 * // after dominanceMasks on (1, 1), (0, 1), (0, 0):
 * peelFronts(3, s, s.rank, null); // 3; s.rank = [0, 1, 2]
 */
export function peelFronts(G: number, s: RankScratch, rank: Int32Array, scalar: Float64Array | null): number {
  if (G > 32) return peelWide(G, s, rank, scalar);
  const { domBy, lo, inv } = s;
  let left = G === 32 ? -1 : (1 << G) - 1;
  let r = 0;
  while (left !== 0) {
    // Membership of the current front without branches (dominance patterns are data-dependent).
    let front = 0;
    for (let a = 0; a < G; a++) front |= +((domBy[a] & left) === 0) << a;
    front &= left;
    left &= ~front;
    let min = Infinity;
    let max = -Infinity;
    while (front !== 0) {
      const low = front & -front;
      const a = 31 - Math.clz32(low);
      rank[a] = r;
      if (scalar !== null) {
        // Compare-and-select, not Math.min / Math.max: cheaper, and the WebAssembly kernel does the same.
        const v = scalar[a];
        min = v < min ? v : min;
        max = v > max ? v : max;
      }
      front ^= low;
    }
    const f = 1 / (max - min);
    lo[r] = min;
    inv[r] = f < Infinity ? f : 0;
    r++;
  }
  return r;
}

/** {@link peelFronts} for G > 32, over W-word masks. */
function peelWide(G: number, s: RankScratch, rank: Int32Array, scalar: Float64Array | null): number {
  const { domBy, left, front, lo, inv } = s;
  const W = Math.ceil(G / 32);
  left.fill(0, 0, W);
  for (let a = 0; a < G; a++) left[a >>> 5] |= 1 << (a & 31);
  let remaining = G;
  let r = 0;
  while (remaining > 0) {
    let f = 0;
    for (let a = 0; a < G; a++) {
      if ((left[a >>> 5] & (1 << (a & 31))) === 0) continue;
      let free = true;
      for (let w = 0; w < W; w++) {
        if ((domBy[a * W + w] & left[w]) !== 0) {
          free = false;
          break;
        }
      }
      if (free) front[f++] = a;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let q = 0; q < f; q++) {
      const a = front[q];
      rank[a] = r;
      left[a >>> 5] &= ~(1 << (a & 31));
      if (scalar !== null) {
        // Compare-and-select, not Math.min / Math.max: cheaper, and the WebAssembly kernel does the same.
        const v = scalar[a];
        min = v < min ? v : min;
        max = v > max ? v : max;
      }
    }
    const span = 1 / (max - min);
    lo[r] = min;
    inv[r] = span < Infinity ? span : 0;
    remaining -= f;
    r++;
  }
  return r;
}

/**
 * 0-based Pareto ranks of the G finite vectors `src[base .. base + G·k)`, written to
 * `s.rank[0 .. G)`; returns the number of fronts. For k = 2 and G ≤ 32 only the distinct vectors
 * are compared (see {@link dedupe2}).
 *
 * @example
 * const s = rankScratch(3, 2);
 * rankGroup(Float64Array.of(1, 0, 0, 1, 0, 0), 0, 2, 3, s); // 2; s.rank = [0, 0, 1]
 */
export function rankGroup(src: Float64Array, base: number, k: number, G: number, s: RankScratch): number {
  if (k !== 2 || G > 32) {
    dominanceMasks(src, base, k, G, s);
    return peelFronts(G, s, s.rank, null);
  }
  const D = dedupe2(src, base, G, s);
  dominanceMasks(s.dvec, 0, 2, D, s);
  // Ranks of the distinct vectors go to `front` (free in the one-word case), then to the members.
  const fronts = peelFronts(D, s, s.front, null);
  for (let a = 0; a < G; a++) s.rank[a] = s.front[s.uniq[a]];
  return fronts;
}
