import { checkBatch, outputArray } from '../batch';
import { groupLayout, maxGroupSize, scatterGroup } from '../groups';
import { booleanOption, checkOptionKeys, enumOption, numberOption, resolveWeights } from '../options';
import { throwIfNotFinite } from './moments';
import type { BatchOptions } from './scalar';

/** `N_rank` in `A_base = N_rank − ρ + 1`: the number of fronts in the group, or the group size G. */
export type NRankMode = 'fronts' | 'group-size';

/** Options of {@link paretoRankAdvantages}. */
export interface ParetoRankOptions extends BatchOptions {
  /** Weights of the within-rank scalar reward `r_w = w · r`. Default `(0.6, 0.4)` for k = 2, uniform otherwise. */
  readonly weights?: ArrayLike<number>;
  /** Weight of the within-rank tie-breaker, `0 ≤ β < 1` so dominance stays a hard constraint. Default `0.5`. */
  readonly beta?: number;
  /** `'fronts'` (default) or `'group-size'`. */
  readonly nRank?: NRankMode;
  /** Mean-centre the advantages within each group. Default `true`; `false` gives the paper's raw values. */
  readonly center?: boolean;
}

/**
 * Per-call scratch for the in-group sort, sized by the largest group G (W = ⌈G/32⌉ mask words),
 * reused across groups so the loop over groups allocates nothing.
 */
interface RankScratch {
  /** The group's reward vectors, gathered contiguously (G × k). */
  vec: Float64Array;
  /** `domBy[a·W + w]`: bit b set when member 32w + b dominates member a. */
  domBy: Int32Array;
  /** Members not yet assigned to a front, as a bit set (W words). */
  left: Int32Array;
  /** Members of the front being peeled. */
  front: Int32Array;
  /** 0-based rank of each member. */
  rank: Int32Array;
  /** For k = 2: the group's distinct vectors (D × 2), each member's index among them, their ranks. */
  dvec: Float64Array;
  uniq: Int32Array;
  drank: Int32Array;
  /** For k = 2: the scalar reward, then the advantage, of each distinct vector. */
  dadv: Float64Array;
  /** Scalar reward `w · r` of each member, and per-rank min / max of it. */
  scalar: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

function makeScratch(G: number, k: number): RankScratch {
  const W = Math.max(1, Math.ceil(G / 32));
  return {
    vec: new Float64Array(G * k),
    domBy: new Int32Array(G * W),
    left: new Int32Array(W),
    front: new Int32Array(G),
    rank: new Int32Array(G),
    dvec: new Float64Array(2 * G),
    uniq: new Int32Array(G),
    drank: new Int32Array(G),
    dadv: new Float64Array(G),
    scalar: new Float64Array(G),
    lo: new Float64Array(G),
    hi: new Float64Array(G),
  };
}

/** Copies the group's vectors (rows `order[st .. e)`) into `vec`, contiguously. */
function gatherVectors(rewards: Float64Array, k: number, order: Int32Array, st: number, e: number, vec: Float64Array): void {
  for (let a = st; a < e; a++) {
    const o = order[a] * k;
    const v = (a - st) * k;
    for (let j = 0; j < k; j++) vec[v + j] = rewards[o + j];
  }
}

/**
 * Finiteness probe of the group's values `src[base .. base + G·k)`: Σ (x − x), NaN when a value is
 * NaN or infinite (whose comparisons would otherwise give silently wrong ranks). Or-ed into the
 * same pass: `scan[0]` becomes 1 when some vector differs from the first, else 0.
 */
function probeGroup(src: Float64Array, base: number, k: number, G: number, scan: Int32Array): number {
  let probe = 0;
  let differ = 0;
  for (let a = 0; a < G; a++) {
    const o = base + a * k;
    for (let j = 0; j < k; j++) {
      const x = src[o + j];
      probe += x - x;
      differ |= +(x !== src[base + j]);
    }
  }
  scan[0] = differ;
  return probe;
}

/**
 * Finds the distinct vectors of a k = 2 group of G ≤ 32 members: with binary correctness and a
 * handful of tool-call counts, a group of 16 typically holds about 8 distinct (r0, r1) pairs, and
 * equal vectors share a rank and an advantage, so the O(D²) pair comparisons and the advantage
 * arithmetic run on the D distinct ones. Writes them to `s.dvec` (D × 2), member a's index among
 * them to `s.uniq[a]`, and D to `scan[0]`; returns the finiteness probe Σ (x − x) of the group.
 * Branch-free (duplicates come and go unpredictably): a bit mask of the distinct vectors equal to
 * member a gives the lowest set bit, or else a new slot D, which is written unconditionally.
 */
function dedupe2(src: Float64Array, base: number, G: number, s: RankScratch, scan: Int32Array): number {
  const { dvec, uniq } = s;
  let probe = 0;
  let D = 0;
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
  scan[0] = D;
  return probe;
}

/**
 * 0-based Pareto ranks (all objectives maximised) of the G vectors `src[base .. base + G·k)`,
 * written to `s.rank[0 .. G)`; returns the number of fronts. For k = 2 and G ≤ 32 only the
 * distinct vectors are compared (see {@link dedupe2}).
 *
 * Otherwise each unordered pair is compared once (O(G²·k)), recording dominators as bit masks;
 * fronts are then peeled by testing `domBy[a] & left` (O(G·W) per front; one machine word when
 * G ≤ 32). At the group sizes RL uses (4–64) this beats the O(G log^(k−1) G) sorts, and it
 * allocates nothing.
 */
function rankGroup(src: Float64Array, base: number, k: number, G: number, s: RankScratch, scan: Int32Array): number {
  if (k !== 2 || G > 32) return rankPairs(src, base, k, G, s, s.rank);
  dedupe2(src, base, G, s, scan);
  const fronts = rankPairs(s.dvec, 0, 2, scan[0], s, s.drank);
  for (let a = 0; a < G; a++) s.rank[a] = s.drank[s.uniq[a]];
  return fronts;
}

/** The pairwise bit-mask ranking of {@link rankGroup}, writing the ranks to `rank[0 .. G)`. */
function rankPairs(src: Float64Array, base: number, k: number, G: number, s: RankScratch, rank: Int32Array): number {
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
  return G <= 32 ? peelOneWord(G, domBy, rank) : peelWide(G, W, s, rank);
}

/**
 * Front peeling for G ≤ 32: every mask fits one int32. Membership of the current front is computed
 * without branches (dominance patterns are data-dependent), then ranks are written per set bit.
 */
function peelOneWord(G: number, domBy: Int32Array, rank: Int32Array): number {
  let left = G === 32 ? -1 : (1 << G) - 1;
  let r = 0;
  while (left !== 0) {
    let front = 0;
    for (let a = 0; a < G; a++) front |= +((domBy[a] & left) === 0) << a;
    front &= left;
    left &= ~front;
    while (front !== 0) {
      const low = front & -front;
      rank[31 - Math.clz32(low)] = r;
      front ^= low;
    }
    r++;
  }
  return r;
}

/** Front peeling for G > 32 over W-word masks. */
function peelWide(G: number, W: number, s: RankScratch, rank: Int32Array): number {
  const { domBy, left, front } = s;
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
    for (let q = 0; q < f; q++) {
      const a = front[q];
      rank[a] = r;
      left[a >>> 5] &= ~(1 << (a & 31));
    }
    remaining -= f;
    r++;
  }
  return r;
}

/**
 * Pareto rank of every row within its group: 0 for the group's non-dominated rows, 1 for rows
 * dominated only by rank-0 rows, and so on. All objectives are maximised; equal vectors share a rank.
 *
 * @param rewards - n × k rewards, row-major
 * @param groupIds - group of each row
 * @param options - `k` (default inferred)
 * @returns Int32Array of n 0-based ranks
 * @example
 * groupParetoRanks(Float64Array.of(1, 0, 0, 1, 0, 0, 1, 1), Int32Array.of(0, 0, 0, 1));
 * // Int32Array [0, 0, 1, 0]
 */
export function groupParetoRanks(rewards: Float64Array, groupIds: Int32Array, options?: { k?: number }): Int32Array {
  const fn = 'groupParetoRanks';
  const opts = checkOptionKeys(fn, options, ['k']);
  const { n, k } = checkBatch(fn, rewards, groupIds, opts.k);
  const { nGroups, starts, order } = groupLayout(groupIds);
  const scratch = makeScratch(maxGroupSize({ nGroups, starts, order }), k);
  const ranks = new Int32Array(n);
  const scan = new Int32Array(1);
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const G = starts[g + 1] - st;
    // Contiguous groups are ranked in place; others are gathered first.
    let src = rewards;
    let base = st * k;
    if (order !== null) {
      gatherVectors(rewards, k, order, st, st + G, scratch.vec);
      src = scratch.vec;
      base = 0;
    }
    probe += probeGroup(src, base, k, G, scan);
    rankGroup(src, base, k, G, scratch, scan);
    for (let a = 0; a < G; a++) ranks[order === null ? st + a : order[st + a]] = scratch.rank[a];
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return ranks;
}

/**
 * The advantages of one k = 2 group from its D > 1 distinct vectors (after {@link dedupe2}):
 * ranks, scalar rewards and per-rank min / max are computed once per distinct vector, then each
 * member takes its vector's advantage. The arithmetic is the general path's, value for value, so
 * the results are identical; only repeated work on equal vectors is skipped. Writes the G
 * advantages to `s.scalar`.
 */
function distinctAdvantages2(
  D: number,
  G: number,
  w0: number,
  w1: number,
  beta: number,
  bySize: boolean,
  center: boolean,
  s: RankScratch,
): void {
  const { dvec, uniq, drank, dadv, lo, hi, scalar } = s;
  const fronts = rankPairs(dvec, 0, 2, D, s, drank);
  const nRank = bySize ? G : fronts;
  for (let r = 0; r < fronts; r++) {
    lo[r] = Infinity;
    hi[r] = -Infinity;
  }
  for (let d = 0; d < D; d++) {
    let v = 0;
    v += w0 * dvec[2 * d];
    v += w1 * dvec[2 * d + 1];
    dadv[d] = v;
    const r = drank[d];
    lo[r] = Math.min(lo[r], v);
    hi[r] = Math.max(hi[r], v);
  }
  for (let r = 0; r < fronts; r++) {
    const inv = 1 / (hi[r] - lo[r]);
    hi[r] = inv < Infinity ? inv : 0;
  }
  for (let d = 0; d < D; d++) {
    const r = drank[d];
    const inv = hi[r];
    const unit = (dadv[d] - lo[r]) * inv + (inv === 0 ? 0.5 : 0);
    dadv[d] = nRank - r + beta * (unit - 0.5);
  }
  let sum = 0;
  for (let a = 0; a < G; a++) {
    const adv = dadv[uniq[a]];
    scalar[a] = adv;
    sum += adv;
  }
  if (center) {
    const mean = sum / G;
    for (let a = 0; a < G; a++) scalar[a] -= mean;
  }
}

/**
 * ParetoPO stage-2 Pareto-rank advantage (Li et al. 2026, METHOD.md §3). Within each group:
 * non-dominated sorting of the reward vectors (all maximised) gives 1-based ranks ρ;
 * `A_base = N_rank − ρ + 1`; within each rank the scalar reward `r_w = w · r` is min–max normalised
 * to `r̂` (0.5 when the rank's values are all equal); `A = A_base + β(r̂ − 0.5)`; then, by default,
 * the group mean is subtracted.
 *
 * Because `0 ≤ β < 1`, any member of a better front gets a strictly larger advantage than every
 * member of a worse front. A group whose members all share one vector (including a singleton)
 * gets 0, centred or not.
 *
 * @param rewards - n × k rewards, row-major, every objective maximised
 * @param groupIds - group of each row
 * @param options - {@link ParetoRankOptions}: `beta` 0.5, `nRank` `'fronts'`, `center` true
 * @returns n advantages
 * @example
 * // one group: (1,0) and (0,1) form front 1, (0,0) front 2; N_rank = 2
 * paretoRankAdvantages(Float64Array.of(1, 0, 0, 1, 0, 0), Int32Array.of(0, 0, 0), { center: false });
 * // Float64Array [2.25, 1.75, 1]   (r_w = 0.6, 0.4 within front 1 → r̂ = 1, 0)
 */
export function paretoRankAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: ParetoRankOptions): Float64Array {
  const fn = 'paretoRankAdvantages';
  const opts = checkOptionKeys(fn, options, ['k', 'out', 'weights', 'beta', 'nRank', 'center']);
  const beta = numberOption(fn, 'beta', opts.beta, 0.5, { min: 0, max: 1, maxOpen: true });
  const bySize = enumOption(fn, 'nRank', opts.nRank, 'fronts', ['fronts', 'group-size'] as const) === 'group-size';
  const center = booleanOption(fn, 'center', opts.center, true);
  const { n, k } = checkBatch(fn, rewards, groupIds, opts.k);
  const w = resolveWeights(fn, opts.weights, k);
  const out = outputArray(fn, opts.out, n);
  const { nGroups, starts, order } = groupLayout(groupIds);
  const s = makeScratch(maxGroupSize({ nGroups, starts, order }), k);
  const { vec, rank, scalar, lo, hi } = s;
  const scan = new Int32Array(1);
  const w0 = w[0];
  const w1 = k > 1 ? w[1] : 0;
  const w2 = k > 2 ? w[2] : 0;
  const w3 = k > 3 ? w[3] : 0;
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const e = starts[g + 1];
    const G = e - st;
    // Contiguous groups (the usual layout) are read in place; others are gathered first.
    let src = rewards;
    let base = st * k;
    if (order !== null) {
      gatherVectors(rewards, k, order, st, e, vec);
      src = vec;
      base = 0;
    }
    let same: boolean;
    if (k === 2 && G <= 32) {
      probe += dedupe2(src, base, G, s, scan);
      same = scan[0] === 1;
      if (!same) {
        distinctAdvantages2(scan[0], G, w0, w1, beta, bySize, center, s);
        if (order === null) for (let a = 0; a < G; a++) out[st + a] = scalar[a];
        else scatterGroup(out, order, st, e, scalar);
        continue;
      }
    } else {
      probe += probeGroup(src, base, k, G, scan);
      same = scan[0] === 0;
    }
    if (same) {
      // Every member shares one vector (a singleton included): exactly 0, centred or not.
      if (order === null) for (let a = st; a < e; a++) out[a] = 0;
      else for (let a = st; a < e; a++) out[order[a]] = 0;
      continue;
    }
    const fronts = rankGroup(src, base, k, G, s, scan);
    const nRank = bySize ? G : fronts;
    for (let r = 0; r < fronts; r++) {
      lo[r] = Infinity;
      hi[r] = -Infinity;
    }
    for (let a = 0; a < G; a++) {
      const o = base + a * k;
      let v = 0;
      if (k === 4) {
        v += w0 * src[o];
        v += w1 * src[o + 1];
        v += w2 * src[o + 2];
        v += w3 * src[o + 3];
      } else for (let j = 0; j < k; j++) v += w[j] * src[o + j];
      scalar[a] = v;
      const r = rank[a];
      lo[r] = Math.min(lo[r], v);
      hi[r] = Math.max(hi[r], v);
    }
    // hi[r] becomes 1/span (0 for a rank whose values are all equal, or a subnormal span), lo[r] the offset, so that
    // r̂ = (v − lo)·inv + (0.5 when span = 0) needs no branch per member.
    for (let r = 0; r < fronts; r++) {
      const inv = 1 / (hi[r] - lo[r]);
      hi[r] = inv < Infinity ? inv : 0;
    }
    let sum = 0;
    for (let a = 0; a < G; a++) {
      const r = rank[a];
      const inv = hi[r];
      const unit = (scalar[a] - lo[r]) * inv + (inv === 0 ? 0.5 : 0);
      // A_base = N_rank − ρ + 1 with 1-based ρ, i.e. N_rank − r for the 0-based r used here.
      const adv = nRank - r + beta * (unit - 0.5);
      scalar[a] = adv;
      sum += adv;
    }
    const mean = center ? sum / G : 0;
    if (order === null) for (let a = 0; a < G; a++) out[st + a] = scalar[a] - mean;
    else {
      if (center) for (let a = 0; a < G; a++) scalar[a] -= mean;
      scatterGroup(out, order, st, e, scalar);
    }
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return out;
}
