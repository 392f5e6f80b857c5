import { checkBatch, outputArray } from '../batch';
import { maxGroupSize } from '../groups';
import { booleanOption, checkOptionKeys, enumOption, numberOption, resolveWeights } from '../options';
import { firstRunLength, layoutOf } from '../runs';
import { rankGroup, rankScratch } from './dominance';
import { throwIfNotFinite } from './moments';
import { groupRankAdvantages, type RankAdvantageOptions } from './rankAdvantages';
import { rankAdvantagesWasm, WASM_MAX_G, WASM_MAX_K } from './rankWasm';
import type { BatchOptions } from './scalar';
import { wasmKernelsEnabled } from '../wasm/switch';

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
  const ranks = new Int32Array(n);
  const { nGroups, starts, order } = layoutOf(groupIds);
  const s = rankScratch(maxGroupSize({ nGroups, starts, order }), k);
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const G = starts[g + 1] - st;
    // Contiguous groups are ranked in place; others are gathered first.
    let src = rewards;
    let base = st * k;
    if (order !== null) {
      gatherVectors(rewards, k, order, st, st + G, s.vec);
      src = s.vec;
      base = 0;
    }
    let probe = 0;
    for (let i = base; i < base + G * k; i++) probe += src[i] - src[i];
    if (probe !== 0) throwIfNotFinite(fn, probe, rewards, k);
    rankGroup(src, base, k, G, s);
    for (let a = 0; a < G; a++) ranks[order === null ? st + a : order[st + a]] = s.rank[a];
  }
  return ranks;
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
  // The usual layout (equal contiguous runs) goes to the WebAssembly kernel, which computes the
  // same numbers bit for bit; anything else, or no WebAssembly, takes the JavaScript path below.
  if (wasmKernelsEnabled() && k <= WASM_MAX_K) {
    const G = firstRunLength(groupIds);
    if (G >= 1 && G <= WASM_MAX_G) {
      const res = rankAdvantagesWasm(rewards, groupIds, k, G, w, beta, bySize, center, out);
      if (res === 'ok') return out;
      if (res === 'nonfinite') throwIfNotFinite(fn, NaN, rewards, k);
    }
  }
  const adv: RankAdvantageOptions = { w, beta, bySize, center };
  const { nGroups, starts, order } = layoutOf(groupIds);
  const s = rankScratch(maxGroupSize({ nGroups, starts, order }), k);
  for (let g = 0; g < nGroups; g++) {
    const st = starts[g];
    const G = starts[g + 1] - st;
    // Contiguous groups (the usual layout) are read in place; others are gathered first.
    let src = rewards;
    let base = st * k;
    if (order !== null) {
      gatherVectors(rewards, k, order, st, st + G, s.vec);
      src = s.vec;
      base = 0;
    }
    if (!groupRankAdvantages(src, base, k, G, adv, s, out, order, st)) throwIfNotFinite(fn, NaN, rewards, k);
  }
  return out;
}

/** Copies the group's vectors (rows `order[st .. e)`) into `vec`, contiguously. */
function gatherVectors(rewards: Float64Array, k: number, order: Int32Array, st: number, e: number, vec: Float64Array): void {
  for (let a = st; a < e; a++) {
    const o = order[a] * k;
    const v = (a - st) * k;
    for (let j = 0; j < k; j++) vec[v + j] = rewards[o + j];
  }
}
