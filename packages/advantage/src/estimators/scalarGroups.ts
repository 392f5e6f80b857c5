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
 * `w · r` of the row starting at `rewards[o]`, summed left to right. The unrolled expressions of
 * {@link scalarRuns} (`w0 * r0 + w1 * r1 + …`) add in the same order, so they match it bit for bit.
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
 * The GRPO-family pass over n / G equal contiguous runs (see `firstRunLength`), checking the
 * layout as it goes: each run's ids are compared with its first id in the same loop that reads its
 * rewards (at n = 65,536 a separate sweep over the ids measured 0.05 ms, a quarter of the pass;
 * fused, the test costs 0.01–0.03 ms). Returns false as soon as the ids do not form such runs, and
 * the caller then takes the general path, which overwrites every row of `out`.
 *
 * @returns true when the layout held and `out` holds the advantages
 * @throws RangeError for a non-finite reward (after the pass, which is why `out` may be partial)
 * @example
 * const out = new Float64Array(4);
 * const scale = { kind: SCALE_STD, lengths: null, ddof: 0, eps: 0 };
 * scalarRuns('grpo', Float64Array.of(1, 0, 3, 5), Int32Array.of(7, 7, 9, 9), 1, Float64Array.of(1), 2, scale, out);
 * // true; out = [1, -1, -1, 1]
 */
export function scalarRuns(
  fn: string,
  rewards: Float64Array,
  groupIds: Int32Array,
  k: number,
  w: Float64Array,
  G: number,
  scale: GroupScale,
  out: Float64Array,
): boolean {
  const n = groupIds.length;
  const w0 = w[0];
  const w1 = k > 1 ? w[1] : 0;
  const w2 = k > 2 ? w[2] : 0;
  const w3 = k > 3 ? w[3] : 0;
  // Rows handled four at a time: V8 checks an array's shape once per loop iteration and its
  // bounds once per access, so four rows per iteration share the first cost (25 % faster at k = 2).
  const G4 = G & ~3;
  const kind = scale.kind;
  const ddof = scale.ddof;
  const eps = scale.eps;
  const lengths = scale.lengths;
  // The factor of the kinds without a spread term is the same for every group.
  const fixed = kind === SCALE_STD ? 0 : groupScale(G, 0, 0, 0, scale);
  let probe = 0;
  for (let s = 0; s < n; s += G) {
    const e = s + G;
    const e4 = s + G4;
    const id = groupIds[s];
    if (s > 0 && id <= groupIds[s - 1]) return false;
    const first = weightedRow(rewards, s * k, k, w);
    // Even and odd members are summed apart (see the file comment).
    let S0 = 0;
    let S1 = 0;
    let Q0 = 0;
    let Q1 = 0;
    let bad = 0;
    let a = s;
    // One loop per k, so no objective loop runs per row.
    if (k === 2) {
      for (; a < e4; a += 4) {
        bad |= (groupIds[a] ^ id) | (groupIds[a + 1] ^ id) | (groupIds[a + 2] ^ id) | (groupIds[a + 3] ^ id);
        const o = 2 * a;
        const d0 = w0 * rewards[o] + w1 * rewards[o + 1] - first;
        const d1 = w0 * rewards[o + 2] + w1 * rewards[o + 3] - first;
        const d2 = w0 * rewards[o + 4] + w1 * rewards[o + 5] - first;
        const d3 = w0 * rewards[o + 6] + w1 * rewards[o + 7] - first;
        out[a] = d0;
        out[a + 1] = d1;
        out[a + 2] = d2;
        out[a + 3] = d3;
        S0 += d0;
        Q0 += d0 * d0;
        S1 += d1;
        Q1 += d1 * d1;
        S0 += d2;
        Q0 += d2 * d2;
        S1 += d3;
        Q1 += d3 * d3;
      }
      for (; a < e; a++) {
        bad |= groupIds[a] ^ id;
        const d = w0 * rewards[2 * a] + w1 * rewards[2 * a + 1] - first;
        out[a] = d;
        if (((a - s) & 1) === 0) {
          S0 += d;
          Q0 += d * d;
        } else {
          S1 += d;
          Q1 += d * d;
        }
      }
    } else if (k === 1) {
      for (; a < e4; a += 4) {
        bad |= (groupIds[a] ^ id) | (groupIds[a + 1] ^ id) | (groupIds[a + 2] ^ id) | (groupIds[a + 3] ^ id);
        const d0 = w0 * rewards[a] - first;
        const d1 = w0 * rewards[a + 1] - first;
        const d2 = w0 * rewards[a + 2] - first;
        const d3 = w0 * rewards[a + 3] - first;
        out[a] = d0;
        out[a + 1] = d1;
        out[a + 2] = d2;
        out[a + 3] = d3;
        S0 += d0;
        Q0 += d0 * d0;
        S1 += d1;
        Q1 += d1 * d1;
        S0 += d2;
        Q0 += d2 * d2;
        S1 += d3;
        Q1 += d3 * d3;
      }
      for (; a < e; a++) {
        bad |= groupIds[a] ^ id;
        const d = w0 * rewards[a] - first;
        out[a] = d;
        if (((a - s) & 1) === 0) {
          S0 += d;
          Q0 += d * d;
        } else {
          S1 += d;
          Q1 += d * d;
        }
      }
    } else if (k === 3) {
      for (; a < e4; a += 4) {
        bad |= (groupIds[a] ^ id) | (groupIds[a + 1] ^ id) | (groupIds[a + 2] ^ id) | (groupIds[a + 3] ^ id);
        const o = 3 * a;
        const d0 = w0 * rewards[o] + w1 * rewards[o + 1] + w2 * rewards[o + 2] - first;
        const d1 = w0 * rewards[o + 3] + w1 * rewards[o + 4] + w2 * rewards[o + 5] - first;
        const d2 = w0 * rewards[o + 6] + w1 * rewards[o + 7] + w2 * rewards[o + 8] - first;
        const d3 = w0 * rewards[o + 9] + w1 * rewards[o + 10] + w2 * rewards[o + 11] - first;
        out[a] = d0;
        out[a + 1] = d1;
        out[a + 2] = d2;
        out[a + 3] = d3;
        S0 += d0;
        Q0 += d0 * d0;
        S1 += d1;
        Q1 += d1 * d1;
        S0 += d2;
        Q0 += d2 * d2;
        S1 += d3;
        Q1 += d3 * d3;
      }
      for (; a < e; a++) {
        bad |= groupIds[a] ^ id;
        const o = 3 * a;
        const d = w0 * rewards[o] + w1 * rewards[o + 1] + w2 * rewards[o + 2] - first;
        out[a] = d;
        if (((a - s) & 1) === 0) {
          S0 += d;
          Q0 += d * d;
        } else {
          S1 += d;
          Q1 += d * d;
        }
      }
    } else if (k === 4) {
      for (; a < e4; a += 4) {
        bad |= (groupIds[a] ^ id) | (groupIds[a + 1] ^ id) | (groupIds[a + 2] ^ id) | (groupIds[a + 3] ^ id);
        const o = 4 * a;
        const d0 = w0 * rewards[o] + w1 * rewards[o + 1] + w2 * rewards[o + 2] + w3 * rewards[o + 3] - first;
        const d1 = w0 * rewards[o + 4] + w1 * rewards[o + 5] + w2 * rewards[o + 6] + w3 * rewards[o + 7] - first;
        const d2 = w0 * rewards[o + 8] + w1 * rewards[o + 9] + w2 * rewards[o + 10] + w3 * rewards[o + 11] - first;
        const d3 = w0 * rewards[o + 12] + w1 * rewards[o + 13] + w2 * rewards[o + 14] + w3 * rewards[o + 15] - first;
        out[a] = d0;
        out[a + 1] = d1;
        out[a + 2] = d2;
        out[a + 3] = d3;
        S0 += d0;
        Q0 += d0 * d0;
        S1 += d1;
        Q1 += d1 * d1;
        S0 += d2;
        Q0 += d2 * d2;
        S1 += d3;
        Q1 += d3 * d3;
      }
      for (; a < e; a++) {
        bad |= groupIds[a] ^ id;
        const o = 4 * a;
        const d = w0 * rewards[o] + w1 * rewards[o + 1] + w2 * rewards[o + 2] + w3 * rewards[o + 3] - first;
        out[a] = d;
        if (((a - s) & 1) === 0) {
          S0 += d;
          Q0 += d * d;
        } else {
          S1 += d;
          Q1 += d * d;
        }
      }
    } else {
      for (; a < e; a++) {
        bad |= groupIds[a] ^ id;
        const d = weightedRow(rewards, a * k, k, w) - first;
        out[a] = d;
        if (((a - s) & 1) === 0) {
          S0 += d;
          Q0 += d * d;
        } else {
          S1 += d;
          Q1 += d * d;
        }
      }
    }
    if (bad !== 0) return false;
    const S = S0 + S1;
    const Q = Q0 + Q1;
    probe += S;
    let m = S / G;
    // groupScale, inlined with the options in locals: measured 25 % of the pass when called.
    const ssd = Q - S * m;
    const f = kind === SCALE_STD ? (G - ddof < 1 || !(ssd > 0) ? 0 : 1 / (Math.sqrt(ssd / (G - ddof)) + eps)) : fixed;
    if (lengths !== null) {
      m = lengthWeightedMean(out, lengths, s, e, null);
      probe += m;
    }
    for (a = s; a < e4; a += 4) {
      const y0 = out[a];
      const y1 = out[a + 1];
      const y2 = out[a + 2];
      const y3 = out[a + 3];
      out[a] = (y0 - m) * f;
      out[a + 1] = (y1 - m) * f;
      out[a + 2] = (y2 - m) * f;
      out[a + 3] = (y3 - m) * f;
    }
    for (; a < e; a++) out[a] = (out[a] - m) * f;
  }
  throwIfNotFinite(fn, probe, rewards, k);
  return true;
}

/**
 * The GRPO-family pass for any layout: {@link scalarRuns}'s arithmetic, reading each group's rows
 * through `layout.order` (or in place when the groups are contiguous runs of unequal sizes).
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
