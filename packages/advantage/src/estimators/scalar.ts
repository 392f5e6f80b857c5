import { describeValue } from '@paretopo/pareto';
import { checkBatch, outputArray } from '../batch';
import { checkOptionKeys, enumOption, numberOption, resolveWeights } from '../options';
import { firstRunLength, layoutOf } from '../runs';
import { STD_MODES, throwIfNotFinite, whitenInPlace, type StdMode } from './moments';
import { groupScale, SCALE_LOO, SCALE_NONE, SCALE_STD, scalarGathered, type GroupScale } from './scalarGroups';
import { SCALAR_WASM_MAX_K, scalarRunsWasm, type BatchWhitening } from './scalarWasm';
import { wasmKernelsEnabled } from '../wasm/switch';

/** Options shared by every group estimator. */
export interface BatchOptions {
  /** Objectives per row. Default: `rewards.length / groupIds.length` (1 for an empty batch). */
  readonly k?: number;
  /** Write the n advantages here instead of a fresh array. */
  readonly out?: Float64Array;
}

/** Options of the estimators that work on a scalar reward. */
export interface ScalarOptions extends BatchOptions {
  /**
   * Weights that scalarise k > 1 objectives as `w · r` (the `grpo-ws` baseline). Default
   * `(0.6, 0.4)` for k = 2 (METHOD.md §1), uniform `1/k` otherwise; ignored in effect for k = 1.
   */
  readonly weights?: ArrayLike<number>;
}

/** Options of {@link grpoAdvantages}. */
export interface GrpoOptions extends ScalarOptions {
  /** Group std: `'sample'` (n−1, default, as verl/TRL), `'population'` (n), `'none'` (= Dr. GRPO). */
  readonly std?: StdMode;
  /** Added to the std before dividing. Default `1e-6` (verl's value). */
  readonly eps?: number;
}

/** Options of {@link opoAdvantages}. */
export interface OpoOptions extends ScalarOptions {
  /** Positive length (e.g. generated tokens) of each of the n responses. Required. */
  readonly lengths: ArrayLike<number>;
}

/** Options of {@link reinforcePlusPlusAdvantages}. */
export interface ReinforcePlusPlusOptions extends ScalarOptions {
  /** Std of the batch whitening: `'sample'` (n−1, default, as verl's `masked_whiten`) or `'population'`. */
  readonly std?: Exclude<StdMode, 'none'>;
  /** Added to the batch std. Default `1e-6`. */
  readonly eps?: number;
}

const SCALAR_KEYS = ['k', 'out', 'weights'] as const;
const GRPO_KEYS = [...SCALAR_KEYS, 'std', 'eps'];
const OPO_KEYS = [...SCALAR_KEYS, 'lengths'];
const NO_SCALE: GroupScale = { kind: SCALE_NONE, lengths: null, ddof: 0, eps: 0 };
const LOO_SCALE: GroupScale = { kind: SCALE_LOO, lengths: null, ddof: 0, eps: 0 };

/** Option keys, batch shape, weights and output, validated once at the public edge. */
function prepare<T extends ScalarOptions>(fn: string, rewards: Float64Array, groupIds: Int32Array, options: T | undefined, keys: readonly string[]) {
  const opts = checkOptionKeys<T>(fn, options, keys);
  const { n, k } = checkBatch(fn, rewards, groupIds, opts.k);
  const weights = resolveWeights(fn, opts.weights, k);
  const out = outputArray(fn, opts.out, n);
  return { opts, n, k, weights, out };
}

/**
 * The shared body of the GRPO family: the WebAssembly kernel when the ids look like equal runs
 * (it confirms the layout itself), else the JavaScript pass over any layout. On a thrown error
 * `out` may hold partial results.
 */
function scalarCore(
  fn: string,
  rewards: Float64Array,
  groupIds: Int32Array,
  k: number,
  w: Float64Array,
  scale: GroupScale,
  out: Float64Array,
  whiten: BatchWhitening | null = null,
): Float64Array {
  const G = firstRunLength(groupIds);
  // Equal runs go to the WebAssembly kernel (same numbers, bit for bit, whitening included); a
  // different layout, or no WebAssembly, takes the JavaScript pass below.
  if (G > 0 && wasmKernelsEnabled() && k <= SCALAR_WASM_MAX_K) {
    const std = scale.kind === SCALE_STD && G - scale.ddof >= 1;
    const fixed = scale.kind === SCALE_STD ? 0 : groupScale(G, 0, 0, 0, scale);
    const pass = { k, w, G, std, denom: G - scale.ddof, eps: scale.eps, fixed };
    const probe = scalarRunsWasm(rewards, groupIds, pass, scale.lengths, out, whiten);
    if (typeof probe === 'number') {
      throwIfNotFinite(fn, probe, rewards, k);
      return out;
    }
  }
  scalarGathered(fn, rewards, k, w, layoutOf(groupIds), scale, out);
  return whiten === null ? out : whitenInPlace(out, whiten.std, whiten.eps);
}

/**
 * GRPO group-normalised advantage (Shao et al. 2024, DeepSeekMath): `A = (r − mean_g)/(std_g + eps)`
 * of the scalar reward `r = w · r_vec` within each group.
 *
 * Singleton groups and groups whose rewards are all equal get exactly 0.
 *
 * @param rewards - n × k rewards, row-major (all maximised)
 * @param groupIds - the group (prompt) of each row; any int32 ids, any order
 * @param options - {@link GrpoOptions}: `std` default `'sample'`, `eps` default `1e-6`
 * @returns n advantages
 * @example
 * grpoAdvantages(Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0, 0, 0));
 * // Float64Array [0.8660239, -0.8660239, -0.8660239, 0.8660239]  (= ±0.5/(√(1/3) + 1e-6))
 */
export function grpoAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: GrpoOptions): Float64Array {
  const fn = 'grpoAdvantages';
  const { opts, k, weights, out } = prepare(fn, rewards, groupIds, options, GRPO_KEYS);
  const std = enumOption(fn, 'std', opts.std, 'sample', STD_MODES);
  const eps = numberOption(fn, 'eps', opts.eps, 1e-6, { min: 0 });
  const scale: GroupScale = std === 'none' ? NO_SCALE : { kind: SCALE_STD, lengths: null, ddof: std === 'sample' ? 1 : 0, eps };
  return scalarCore(fn, rewards, groupIds, k, weights, scale, out);
}

/**
 * Dr. GRPO advantage (Liu et al. 2025, "Understanding R1-Zero-Like Training"): `A = r − mean_g`,
 * GRPO without the std division, which biases updates towards easy and hard prompts.
 *
 * @param rewards - n × k rewards (scalarised with `weights` when k > 1)
 * @param groupIds - group of each row
 * @param options - {@link ScalarOptions}
 * @returns n advantages
 * @example
 * drGrpoAdvantages(Float64Array.of(1, 2, 3), Int32Array.of(0, 0, 0)); // Float64Array [-1, 0, 1]
 */
export function drGrpoAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: ScalarOptions): Float64Array {
  const fn = 'drGrpoAdvantages';
  const { k, weights, out } = prepare(fn, rewards, groupIds, options, SCALAR_KEYS);
  return scalarCore(fn, rewards, groupIds, k, weights, NO_SCALE, out);
}

/**
 * RLOO advantage (Ahmadian et al. 2024, REINFORCE leave-one-out): `A_i = r_i − mean of the other
 * members`, which equals `G/(G−1) · (r_i − mean_g)`. Singleton groups get 0 (no other member).
 *
 * @param rewards - n × k rewards (scalarised with `weights` when k > 1)
 * @param groupIds - group of each row
 * @param options - {@link ScalarOptions}
 * @returns n advantages
 * @example
 * rlooAdvantages(Float64Array.of(1, 2, 3), Int32Array.of(0, 0, 0)); // Float64Array [-1.5, 0, 1.5]
 */
export function rlooAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: ScalarOptions): Float64Array {
  const fn = 'rlooAdvantages';
  const { k, weights, out } = prepare(fn, rewards, groupIds, options, SCALAR_KEYS);
  return scalarCore(fn, rewards, groupIds, k, weights, LOO_SCALE, out);
}

/**
 * OPO advantage (Hao et al. 2025, "On-Policy RL with Optimal reward baseline"): the baseline is the
 * length-weighted group mean `b = Σ l_i r_i / Σ l_i`, the variance-optimal baseline when gradient
 * norms scale with response length; `A = r − b`.
 *
 * @param rewards - n × k rewards (scalarised with `weights` when k > 1)
 * @param groupIds - group of each row
 * @param options - {@link OpoOptions}; `lengths` (n positive finite numbers) is required
 * @returns n advantages
 * @example
 * opoAdvantages(Float64Array.of(1, 0), Int32Array.of(0, 0), { lengths: [1, 3] }); // Float64Array [0.75, -0.25]
 */
export function opoAdvantages(rewards: Float64Array, groupIds: Int32Array, options: OpoOptions): Float64Array {
  const fn = 'opoAdvantages';
  const { opts, n, k, weights, out } = prepare(fn, rewards, groupIds, options, OPO_KEYS);
  const lengths = opts.lengths;
  checkLengths(fn, lengths, n);
  return scalarCore(fn, rewards, groupIds, k, weights, { kind: SCALE_NONE, lengths, ddof: 0, eps: 0 }, out);
}

/** Throws unless `lengths` holds n positive finite numbers, naming the first bad entry. */
function checkLengths(fn: string, lengths: unknown, n: number): asserts lengths is ArrayLike<number> {
  if (lengths === null || typeof lengths !== 'object' || typeof (lengths as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: options.lengths must be an array of n = ${n} positive numbers (got ${describeValue(lengths)})`);
  }
  const ls = lengths as ArrayLike<unknown>;
  if (ls.length !== n) throw new RangeError(`${fn}: options.lengths must have length ${n} (got ${ls.length})`);
  // A typed array holds numbers only: one branch-free sweep (l > 0 and finite) answers the common case.
  if (ls instanceof Float64Array || ls instanceof Float32Array || ls instanceof Int32Array || ls instanceof Uint32Array) {
    let ok = 1;
    for (let i = 0; i < n; i++) {
      const l = ls[i];
      ok &= +(l > 0) & +(l - l === 0);
    }
    if (ok === 1) return;
  }
  for (let i = 0; i < n; i++) {
    const l = ls[i];
    if (typeof l !== 'number' || !Number.isFinite(l) || l <= 0) {
      throw new RangeError(`${fn}: options.lengths[${i}] must be a positive finite number (got ${describeValue(l)})`);
    }
  }
}

/**
 * REINFORCE++-baseline advantage (Hu et al. 2025): subtract the group mean (the baseline), then
 * whiten over the whole batch, `(a − mean_batch)/(std_batch + eps)`. Whitening is per response here;
 * verl whitens per token, which weights long responses more.
 *
 * The group stage sums to 0 per group, so the batch mean is 0 up to rounding: singleton and
 * all-equal groups stay 0 up to ~1e-16.
 *
 * @param rewards - n × k rewards (scalarised with `weights` when k > 1)
 * @param groupIds - group of each row
 * @param options - {@link ReinforcePlusPlusOptions}: batch `std` default `'sample'`, `eps` default `1e-6`
 * @returns n advantages
 * @example
 * reinforcePlusPlusAdvantages(Float64Array.of(1, 0, 2, 0), Int32Array.of(0, 0, 1, 1), { std: 'population', eps: 0 });
 * // Float64Array [0.6324555, -0.6324555, 1.2649111, -1.2649111]
 */
export function reinforcePlusPlusAdvantages(
  rewards: Float64Array,
  groupIds: Int32Array,
  options?: ReinforcePlusPlusOptions,
): Float64Array {
  const fn = 'reinforcePlusPlusAdvantages';
  const { opts, k, weights, out } = prepare(fn, rewards, groupIds, options, GRPO_KEYS);
  const std = enumOption(fn, 'std', opts.std, 'sample', ['sample', 'population'] as const);
  const eps = numberOption(fn, 'eps', opts.eps, 1e-6, { min: 0 });
  return scalarCore(fn, rewards, groupIds, k, weights, NO_SCALE, out, { std, eps });
}
