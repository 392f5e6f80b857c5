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
    scalar: new Float64Array(G),
    lo: new Float64Array(G),
    hi: new Float64Array(G),
  };
}

/**
 * Gathers the group's vectors into `s.vec` and returns a finiteness probe (Σ (x − x), NaN when a
 * value is NaN or infinite, whose comparisons would otherwise give silently wrong ranks).
 */
function gatherVectors(rewards: Float64Array, k: number, order: Int32Array | null, st: number, e: number, vec: Float64Array): number {
  let probe = 0;
  for (let a = st; a < e; a++) {
    const o = (order === null ? a : order[a]) * k;
    const v = (a - st) * k;
    for (let j = 0; j < k; j++) {
      const x = rewards[o + j];
      probe += x - x;
      vec[v + j] = x;
    }
  }
  return probe;
}

/**
 * 0-based Pareto ranks (all objectives maximised) of the G vectors in `s.vec`, written to
 * `s.rank[0 .. G)`; returns the number of fronts.
 *
 * Each unordered pair is compared once (O(G²·k)), recording dominators as bit masks; fronts are then
 * peeled by testing `domBy[a] & left` (O(G·W) per front; one machine word when G ≤ 32). At the group sizes RL uses (4–64) this
 * beats the O(G log^(k−1) G) sorts, and it allocates nothing.
 */
function rankGroup(k: number, G: number, s: RankScratch): number {
  const { vec, domBy, rank } = s;
  const W = Math.ceil(G / 32);
  domBy.fill(0, 0, G * W);
  // Branch-free comparisons: ties and random rewards make dominance outcomes unpredictable, so
  // bits are computed as 0/1 integers and OR-ed in unconditionally.
  if (k === 2 && W === 1) {
    for (let a = 0; a < G; a++) {
      const x0 = vec[2 * a];
      const x1 = vec[2 * a + 1];
      // Bits of the members that dominate a stay in a register; a's own dominance goes to domBy[b].
      let mine = 0;
      for (let b = a + 1; b < G; b++) {
        const y0 = vec[2 * b];
        const y1 = vec[2 * b + 1];
        const ge = +(x0 >= y0) & +(x1 >= y1);
        const le = +(x0 <= y0) & +(x1 <= y1);
        domBy[b] |= (ge & (le ^ 1)) << a;
        mine |= (le & (ge ^ 1)) << b;
      }
      domBy[a] |= mine;
    }
  } else {
    for (let a = 0; a < G; a++) {
      const oa = a * k;
      for (let b = a + 1; b < G; b++) {
        const ob = b * k;
        let ge = 1;
        let le = 1;
        for (let j = 0; j < k; j++) {
          const x = vec[oa + j];
          const y = vec[ob + j];
          ge &= +(x >= y);
          le &= +(x <= y);
        }
        domBy[b * W + (a >>> 5)] |= (ge & (le ^ 1)) << (a & 31);
        domBy[a * W + (b >>> 5)] |= (le & (ge ^ 1)) << (b & 31);
      }
    }
  }
  return G <= 32 ? peelOneWord(G, domBy, rank) : peelWide(G, W, s);
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
function peelWide(G: number, W: number, s: RankScratch): number {
  const { domBy, left, front, rank } = s;
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
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const G = starts[g + 1] - st;
    probe += gatherVectors(rewards, k, order, st, st + G, scratch.vec);
    rankGroup(k, G, scratch);
    for (let a = 0; a < G; a++) ranks[order === null ? st + a : order[st + a]] = scratch.rank[a];
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return ranks;
}

function allSameVector(vec: Float64Array, k: number, G: number): boolean {
  for (let a = 1; a < G; a++) for (let j = 0; j < k; j++) if (vec[a * k + j] !== vec[j]) return false;
  return true;
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
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const e = starts[g + 1];
    const G = e - st;
    probe += gatherVectors(rewards, k, order, st, e, vec);
    if (allSameVector(vec, k, G)) {
      scalar.fill(0, 0, G);
      scatterGroup(out, order, st, e, scalar);
      continue;
    }
    const fronts = rankGroup(k, G, s);
    const nRank = bySize ? G : fronts;
    for (let r = 0; r < fronts; r++) {
      lo[r] = Infinity;
      hi[r] = -Infinity;
    }
    for (let a = 0; a < G; a++) {
      let v = 0;
      for (let j = 0; j < k; j++) v += w[j] * vec[a * k + j];
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
    if (center) {
      const mean = sum / G;
      for (let a = 0; a < G; a++) scalar[a] -= mean;
    }
    scatterGroup(out, order, st, e, scalar);
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return out;
}
