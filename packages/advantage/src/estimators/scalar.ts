import { describeValue } from '@paretopo/pareto';
import { checkBatch, outputArray } from '../batch';
import { gatherGroup, groupLayout, maxGroupSize, scatterGroup } from '../groups';
import { checkOptionKeys, enumOption, numberOption, resolveWeights } from '../options';
import { STD_MODES, inverseScale, throwIfNotFinite, whitenInPlace, type StdMode } from './moments';

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

function prepare<T extends ScalarOptions>(fn: string, rewards: Float64Array, groupIds: Int32Array, options: T | undefined, keys: readonly string[]) {
  const opts = checkOptionKeys<T>(fn, options, keys);
  const { n, k } = checkBatch(fn, rewards, groupIds, opts.k);
  const weights = resolveWeights(fn, opts.weights, k);
  const out = outputArray(fn, opts.out, n);
  const layout = groupLayout(groupIds);
  return { opts, n, k, weights, layout, out, buf: new Float64Array(maxGroupSize(layout)) };
}

/**
 * The shared per-group loop of the scalar estimators: gather `w · r` of the group, centre it on
 * the (exact, shifted) group mean, scale, scatter. On a thrown error `out` may hold partial results.
 */
function scalarCore(
  fn: string,
  rewards: Float64Array,
  k: number,
  weights: Float64Array,
  layout: ReturnType<typeof groupLayout>,
  buf: Float64Array,
  out: Float64Array,
  leaveOneOut: boolean,
  std: StdMode,
  eps: number,
): Float64Array {
  const { nGroups, starts, order } = layout;
  if (order === null) return contiguousCore(fn, rewards, k, weights, starts, nGroups, buf, out, leaveOneOut, std, eps);
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const s = starts[g];
    const e = starts[g + 1];
    const c = e - s;
    const sum = gatherGroup(rewards, k, weights, 0, order, s, e, buf);
    probe += sum;
    const mean = buf[0] + sum / c;
    const inv = leaveOneOut ? (c > 1 ? c / (c - 1) : 0) : inverseScale(buf, c, mean, std, eps);
    if (order === null) for (let a = 0; a < c; a++) out[s + a] = (buf[a] - mean) * inv;
    else for (let a = 0; a < c; a++) out[order[s + a]] = (buf[a] - mean) * inv;
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return out;
}

/**
 * {@link scalarCore} for the usual trainer layout (each group one contiguous run of rows): the
 * scalarisation `w · r`, the shifted sum and the finiteness probe are one loop over the
 * group's rows read in place, with no gather through an index array and no call per group. The
 * arithmetic is the general path's, operation for operation (same shifted mean, same two-pass
 * variance over `buf`), so both paths give bit-identical results.
 */
function contiguousCore(
  fn: string,
  rewards: Float64Array,
  k: number,
  weights: Float64Array,
  starts: Int32Array,
  nGroups: number,
  buf: Float64Array,
  out: Float64Array,
  leaveOneOut: boolean,
  std: StdMode,
  eps: number,
): Float64Array {
  const w0 = weights[0];
  const w1 = k > 1 ? weights[1] : 0;
  const w2 = k > 2 ? weights[2] : 0;
  const w3 = k > 3 ? weights[3] : 0;
  const ddof = std === 'sample' ? 1 : 0;
  const scaled = !leaveOneOut && std !== 'none';
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const s = starts[g];
    const e = starts[g + 1];
    const c = e - s;
    let sum = 0;
    if (k === 2) {
      const first = w0 * rewards[2 * s] + w1 * rewards[2 * s + 1];
      for (let a = s; a < e; a++) {
        const v = w0 * rewards[2 * a] + w1 * rewards[2 * a + 1];
        buf[a - s] = v;
        sum += v - first;
      }
    } else if (k === 1) {
      const first = w0 * rewards[s];
      for (let a = s; a < e; a++) {
        const v = w0 * rewards[a];
        buf[a - s] = v;
        sum += v - first;
      }
    } else if (k === 4) {
      let first = 0;
      for (let a = s; a < e; a++) {
        const o = 4 * a;
        let acc = 0;
        acc += w0 * rewards[o];
        acc += w1 * rewards[o + 1];
        acc += w2 * rewards[o + 2];
        acc += w3 * rewards[o + 3];
        if (a === s) first = acc;
        buf[a - s] = acc;
        sum += acc - first;
      }
    } else {
      for (let a = s; a < e; a++) {
        const o = a * k;
        let acc = 0;
        for (let j = 0; j < k; j++) acc += weights[j] * rewards[o + j];
        buf[a - s] = acc;
        sum += acc - buf[0];
      }
    }
    probe += sum;
    const mean = buf[0] + sum / c;
    let inv = 1;
    if (leaveOneOut) inv = c > 1 ? c / (c - 1) : 0;
    else if (scaled) {
      // inverseScale, inlined: two-pass sum of squared deviations (no cancellation).
      let ssd = 0;
      for (let a = 0; a < c; a++) {
        const d = buf[a] - mean;
        ssd += d * d;
      }
      inv = c - ddof < 1 || !(ssd > 0) ? 0 : 1 / (Math.sqrt(ssd / (c - ddof)) + eps);
    }
    for (let a = 0; a < c; a++) out[s + a] = (buf[a] - mean) * inv;
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return out;
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
  const { opts, k, weights, layout, out, buf } = prepare(fn, rewards, groupIds, options, GRPO_KEYS);
  const std = enumOption(fn, 'std', opts.std, 'sample', STD_MODES);
  const eps = numberOption(fn, 'eps', opts.eps, 1e-6, { min: 0 });
  return scalarCore(fn, rewards, k, weights, layout, buf, out, false, std, eps);
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
  const { k, weights, layout, out, buf } = prepare(fn, rewards, groupIds, options, SCALAR_KEYS);
  return scalarCore(fn, rewards, k, weights, layout, buf, out, false, 'none', 0);
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
  const { k, weights, layout, out, buf } = prepare(fn, rewards, groupIds, options, SCALAR_KEYS);
  return scalarCore(fn, rewards, k, weights, layout, buf, out, true, 'none', 0);
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
  const { opts, n, k, weights, layout, out, buf } = prepare(fn, rewards, groupIds, options, OPO_KEYS);
  const lengths = opts.lengths;
  if (lengths === null || typeof lengths !== 'object' || typeof lengths.length !== 'number') {
    throw new TypeError(`${fn}: options.lengths must be an array of n = ${n} positive numbers (got ${describeValue(lengths)})`);
  }
  if (lengths.length !== n) throw new RangeError(`${fn}: options.lengths must have length ${n} (got ${lengths.length})`);
  for (let i = 0; i < n; i++) {
    const l = lengths[i];
    if (typeof l !== 'number' || !Number.isFinite(l) || l <= 0) {
      throw new RangeError(`${fn}: options.lengths[${i}] must be a positive finite number (got ${describeValue(l)})`);
    }
  }
  const { nGroups, starts, order } = layout;
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const s = starts[g];
    const e = starts[g + 1];
    const c = e - s;
    gatherGroup(rewards, k, weights, 0, order, s, e, buf);
    // Length-weighted mean, shifted by the first value so that a constant group is exactly 0.
    const first = buf[0];
    let num = 0;
    let den = 0;
    for (let a = 0; a < c; a++) {
      const l = lengths[order === null ? s + a : order[s + a]];
      num += l * (buf[a] - first);
      den += l;
    }
    probe += num;
    const baseline = first + num / den;
    for (let a = 0; a < c; a++) buf[a] -= baseline;
    scatterGroup(out, order, s, e, buf);
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return out;
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
  const { opts, k, weights, layout, out, buf } = prepare(fn, rewards, groupIds, options, GRPO_KEYS);
  const std = enumOption(fn, 'std', opts.std, 'sample', ['sample', 'population'] as const);
  const eps = numberOption(fn, 'eps', opts.eps, 1e-6, { min: 0 });
  scalarCore(fn, rewards, k, weights, layout, buf, out, false, 'none', 0);
  return whitenInPlace(out, std, eps);
}
