import type { GroupLayout } from '../groups';
import { throwIfNotFinite } from './moments';

/**
 * The per-group passes of the scalar estimators (GRPO, Dr. GRPO, RLOO, OPO, REINFORCE++'s group
 * stage), once for equal contiguous runs (rows read in place) and once for any layout. Both do
 * the same operations in the same order on every group, so they give bit-identical results.
 *
 * Per group of c values `v = w · r`: `d = v − v₀` (shifted by the first member, so a constant
 * group has d = 0 exactly and its advantages are exactly 0), `S = Σ d`, `Q = Σ d²` in one pass,
 * then `A = (d − m) · f` in a second pass, with `d` kept in `out` in between. The sums run over
 * the even and the odd members separately (`S = S₀ + S₁`, each in member order): two independent
 * chains of additions instead of one, and the order the WebAssembly kernel (`scalarWasm.ts`)
 * reproduces bit for bit. The centre m is
 * `S / c`, or for OPO the length-weighted `Σ l·d / Σ l` (Hao et al. 2025); f is 1/(std + eps),
 * c/(c − 1) or 1. The spread comes from the shifted one-pass formula `Σ (d − m)² = Q − S·m`:
 * because v₀ is a member, |m| is at most the group's range R while the sum of squares is at least
 * R²/2, so the cancellation costs at most a factor of about 4c in relative error (1e-14 for
 * c = 16), and the sum is exactly 0 only for a constant group. This saves the separate variance
 * pass of the two-pass formula.
 */

/** {@link GroupScale} kinds, as small integers so the per-group test is one compare. */
export const SCALE_STD = 0;
export const SCALE_LOO = 1;
export const SCALE_NONE = 2;

/** How a group's values are centred and scaled. */
export interface GroupScale {
  /** {@link SCALE_STD}: 1/(std + eps); {@link SCALE_LOO}: c/(c − 1) (RLOO); {@link SCALE_NONE}: 1 (Dr. GRPO, OPO). */
  readonly kind: number;
  /** OPO's positive response lengths, one per row: centre on `Σ l·d / Σ l`. Null: the plain mean. */
  readonly lengths: ArrayLike<number> | null;
  /** 1 for the sample std, 0 for the population std. */
  readonly ddof: number;
  readonly eps: number;
}

/**
 * `w · r` of the row starting at `rewards[o]`, summed left to right (the WebAssembly kernel's order).
 *
 * @example
 * weightedRow(Float64Array.of(1, 0, 0, 1), 2, 2, Float64Array.of(0.6, 0.4)); // 0.4
 */
export function weightedRow(rewards: Float64Array, o: number, k: number, w: Float64Array): number {
  let v = w[0] * rewards[o];
  for (let j = 1; j < k; j++) v += w[j] * rewards[o + j];
  return v;
}

/**
 * The factor applied to `d − m` in a group of c members with shifted sums S, Q and mean shift m:
 * 0 when the group has no spread (or too few members for the sample std), so those rows come out
 * exactly 0.
 *
 * @example
 * groupScale(2, 1, 0.5, 1, { kind: SCALE_STD, lengths: null, ddof: 0, eps: 0 }); // 2  (values 0, 1: std 0.5)
 */
export function groupScale(c: number, S: number, m: number, Q: number, scale: GroupScale): number {
  if (scale.kind === SCALE_LOO) return c > 1 ? c / (c - 1) : 0;
  if (scale.kind === SCALE_NONE) return 1;
  const ssd = Q - S * m;
  return c - scale.ddof < 1 || !(ssd > 0) ? 0 : 1 / (Math.sqrt(ssd / (c - scale.ddof)) + scale.eps);
}

/**
 * The GRPO-family pass in JavaScript, for any layout: each group's rows are read through
 * `layout.order`, or in place when the groups are contiguous runs (equal runs usually go to the
 * WebAssembly kernel, `scalarWasm.ts`, which does the same arithmetic).
 *
 * @throws RangeError for a non-finite reward (after the pass: `out` may be partial)
 * @example
 * const out = new Float64Array(4);
 * const scale = { kind: SCALE_NONE, lengths: null, ddof: 0, eps: 0 };
 * scalarGathered('drgrpo', Float64Array.of(1, 3, 0, 5), 1, Float64Array.of(1), groupLayout(Int32Array.of(9, 4, 9, 4)), scale, out);
 * // out = [0.5, -1, -0.5, 1]
 */
export function scalarGathered(
  fn: string,
  rewards: Float64Array,
  k: number,
  w: Float64Array,
  layout: GroupLayout,
  scale: GroupScale,
  out: Float64Array,
): void {
  const { nGroups, starts, order } = layout;
  let probe = 0;
  for (let g = 0; g < nGroups; g++) {
    const s = starts[g];
    const e = starts[g + 1];
    const c = e - s;
    const first = weightedRow(rewards, (order === null ? s : order[s]) * k, k, w);
    let S0 = 0;
    let S1 = 0;
    let Q0 = 0;
    let Q1 = 0;
    for (let a = s; a < e; a++) {
      const row = order === null ? a : order[a];
      const d = weightedRow(rewards, row * k, k, w) - first;
      out[row] = d;
      if (((a - s) & 1) === 0) {
        S0 += d;
        Q0 += d * d;
      } else {
        S1 += d;
        Q1 += d * d;
      }
    }
    const S = S0 + S1;
    const Q = Q0 + Q1;
    probe += S;
    let m = S / c;
    const f = groupScale(c, S, m, Q, scale);
    if (scale.lengths !== null) {
      m = lengthWeightedMean(out, scale.lengths, s, e, order);
      probe += m;
    }
    for (let a = s; a < e; a++) {
      const row = order === null ? a : order[a];
      out[row] = (out[row] - m) * f;
    }
  }
  throwIfNotFinite(fn, probe, rewards, k);
}

/**
 * OPO's baseline for the group's rows `st .. e − 1` (through `order` when given): `Σ l·d / Σ l`
 * over the shifted values d that the first pass left in `out`. Callers add it to the finiteness
 * probe, so an overflowing `l·d` throws instead of giving infinite advantages.
 *
 * @example
 * lengthWeightedMean(Float64Array.of(0, -1), [1, 3], 0, 2, null); // -0.75
 */
export function lengthWeightedMean(out: Float64Array, lengths: ArrayLike<number>, st: number, e: number, order: Int32Array | null): number {
  // Even and odd members apart, as the group sums (and the WebAssembly kernel) do.
  let num0 = 0;
  let num1 = 0;
  let den0 = 0;
  let den1 = 0;
  for (let a = st; a < e; a++) {
    const row = order === null ? a : order[a];
    const l = lengths[row];
    if (((a - st) & 1) === 0) {
      num0 += l * out[row];
      den0 += l;
    } else {
      num1 += l * out[row];
      den1 += l;
    }
  }
  return (num0 + num1) / (den0 + den1);
}
