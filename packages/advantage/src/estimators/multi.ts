import { checkBatch, outputArray } from '../batch';
import { checkOptionKeys, enumOption, numberOption, resolveWeights } from '../options';
import { firstRunLength, layoutOf } from '../runs';
import { STD_MODES, throwIfNotFinite, whitenInPlace, type StdMode } from './moments';
import { moGrpoGroup } from './multiGroups';
import { SCALE_NONE, SCALE_STD, type GroupScale } from './scalarGroups';
import { moGrpoRunsWasm, SCALAR_WASM_MAX_K, type BatchWhitening } from './scalarWasm';
import type { BatchOptions } from './scalar';
import { wasmKernelsEnabled } from '../wasm/switch';

/** Options of {@link moGrpoAdvantages} and {@link gdpoAdvantages}. */
export interface MoGrpoOptions extends BatchOptions {
  /** Objective weights `w` in `A = Σ_k w_k ẑ_k`. Default `(0.6, 0.4)` for k = 2, uniform `1/k` otherwise. */
  readonly weights?: ArrayLike<number>;
  /**
   * Std of the per-objective group z-score (and, for GDPO, of the batch z-score): `'sample'` (n−1,
   * default), `'population'`, or `'none'` (centring only; GDPO still whitens with `'sample'`).
   */
  readonly std?: StdMode;
  /** Added to every std before dividing. Default `1e-6`. */
  readonly eps?: number;
}

const KEYS = ['k', 'out', 'weights', 'std', 'eps'];

/**
 * Validates the options once, then runs {@link moGrpoGroup} on every group (or the WebAssembly
 * kernel on equal runs); GDPO (`gdpo` true) then whitens the batch.
 */
function moGrpoCore(fn: string, rewards: Float64Array, groupIds: Int32Array, options: MoGrpoOptions | undefined, gdpo: boolean): Float64Array {
  const opts = checkOptionKeys(fn, options, KEYS);
  const { n, k } = checkBatch(fn, rewards, groupIds, opts.k);
  const w = resolveWeights(fn, opts.weights, k);
  const std = enumOption(fn, 'std', opts.std, 'sample', STD_MODES);
  const eps = numberOption(fn, 'eps', opts.eps, 1e-6, { min: 0 });
  const out = outputArray(fn, opts.out, n);
  const ddof = std === 'sample' ? 1 : std === 'population' ? 0 : -1;
  // Equal runs go to the WebAssembly kernel (same numbers, bit for bit); anything else, or no
  // WebAssembly, to the JavaScript loop below.
  const G = firstRunLength(groupIds);
  // GDPO whitens with the sample std when the group stage has none.
  const batchStd: BatchWhitening['std'] = std === 'population' ? 'population' : 'sample';
  if (G > 0 && wasmKernelsEnabled() && k <= SCALAR_WASM_MAX_K) {
    const withStd = ddof >= 0 && G - ddof >= 1;
    const whiten = gdpo ? { std: batchStd, eps } : null;
    const pass = { k, w, G, std: withStd, denom: G - ddof, eps, fixed: ddof < 0 ? 1 : 0 };
    const probe = moGrpoRunsWasm(rewards, groupIds, pass, out, whiten);
    if (typeof probe === 'number') {
      throwIfNotFinite(fn, probe, rewards, k);
      return out;
    }
  }
  const { nGroups, starts, order } = layoutOf(groupIds);
  let probe = 0;
  const scale: GroupScale = { kind: ddof < 0 ? SCALE_NONE : SCALE_STD, lengths: null, ddof, eps };
  for (let g = 0; g < nGroups; g++) probe += moGrpoGroup(rewards, k, starts[g + 1] - starts[g], w, scale, out, order, starts[g]);
  throwIfNotFinite(fn, probe, rewards, k);
  return gdpo ? whitenInPlace(out, batchStd, eps) : out;
}

/**
 * MO-GRPO advantage (Ichihara et al. 2025): z-score every objective within its group, then combine,
 * `A = Σ_k w_k ẑ_k`. Normalising before summing stops the objective with the largest variance from
 * dominating the signal. With k = 1 and w = [1] it equals {@link grpoAdvantages}.
 *
 * An objective that is constant within a group contributes 0 there; singleton groups get 0.
 *
 * @param rewards - n × k rewards, row-major
 * @param groupIds - group of each row
 * @param options - {@link MoGrpoOptions}
 * @returns n advantages
 * @example
 * moGrpoAdvantages(Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0), { std: 'population', eps: 0 });
 * // Float64Array [0.2, -0.2]   (0.6·1 + 0.4·(−1), 0.6·(−1) + 0.4·1)
 */
export function moGrpoAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: MoGrpoOptions): Float64Array {
  return moGrpoCore('moGrpoAdvantages', rewards, groupIds, options, false);
}

/**
 * GDPO advantage (Liu et al. 2026, group reward-decoupled normalisation): {@link moGrpoAdvantages},
 * then a z-score over the whole batch so the advantage scale does not grow with k.
 *
 * The MO-GRPO stage sums to 0 per group, so singleton and all-equal groups stay 0 up to rounding.
 *
 * @param rewards - n × k rewards, row-major
 * @param groupIds - group of each row
 * @param options - {@link MoGrpoOptions}
 * @returns n advantages
 * @example
 * gdpoAdvantages(Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0), { std: 'population', eps: 0 });
 * // Float64Array [1, -1]
 */
export function gdpoAdvantages(rewards: Float64Array, groupIds: Int32Array, options?: MoGrpoOptions): Float64Array {
  return moGrpoCore('gdpoAdvantages', rewards, groupIds, options, true);
}
