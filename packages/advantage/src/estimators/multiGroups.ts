import { groupScale, type GroupScale } from './scalarGroups';

/**
 * MO-GRPO's per-group pass (Ichihara et al. 2025): `A = Σ_j w_j ẑ_j`, each objective z-scored
 * within the group. Objective by objective over the group's rows, read in place (rows
 * `st .. st + c − 1`, or `order[st ..]` for a group that is not one run): one pass for the shifted
 * sums `S = Σ d`, `Q = Σ d²` (even and odd members apart, then added) with `d = r_j − r_j(first member)` (the one-pass spread of
 * `scalarGroups.ts`, exact 0 for a constant objective), one pass adding `(d − S/c) · w_j / (std + eps)`
 * to `out`. For k = 1 and w = [1] this is GRPO's arithmetic exactly.
 *
 * @param std - the per-objective scale: `SCALE_STD` with the std's ddof and eps, or `SCALE_NONE`
 *   (centring only)
 * @returns the finiteness probe Σ S over the objectives (non-finite when a reward is)
 * @example
 * const out = new Float64Array(2);
 * moGrpoGroup(Float64Array.of(1, 0, 0, 1), 2, 2, Float64Array.of(0.6, 0.4), { kind: SCALE_STD, lengths: null, ddof: 0, eps: 0 }, out, null, 0);
 * // out = [0.2, -0.2]
 */
export function moGrpoGroup(
  rewards: Float64Array,
  k: number,
  c: number,
  w: Float64Array,
  std: GroupScale,
  out: Float64Array,
  order: Int32Array | null,
  st: number,
): number {
  const e = st + c;
  let probe = 0;
  for (let j = 0; j < k; j++) {
    const first = rewards[(order === null ? st : order[st]) * k + j];
    // Even and odd members summed apart, as GRPO's pass does (`scalarGroups.ts`).
    let S0 = 0;
    let S1 = 0;
    let Q0 = 0;
    let Q1 = 0;
    let a = st;
    for (; a + 1 < e; a += 2) {
      const d0 = rewards[(order === null ? a : order[a]) * k + j] - first;
      const d1 = rewards[(order === null ? a + 1 : order[a + 1]) * k + j] - first;
      S0 += d0;
      Q0 += d0 * d0;
      S1 += d1;
      Q1 += d1 * d1;
    }
    if (a < e) {
      const d = rewards[(order === null ? a : order[a]) * k + j] - first;
      S0 += d;
      Q0 += d * d;
    }
    const S = S0 + S1;
    const Q = Q0 + Q1;
    probe += S;
    const m = S / c;
    const scale = w[j] * groupScale(c, S, m, Q, std);
    // An objective without spread in the group adds exactly 0 (its d − m is 0), as it should.
    if (j === 0) {
      for (let a = st; a < e; a++) {
        const row = order === null ? a : order[a];
        out[row] = 0 + (rewards[row * k] - first - m) * scale;
      }
    } else {
      for (let a = st; a < e; a++) {
        const row = order === null ? a : order[a];
        out[row] += (rewards[row * k + j] - first - m) * scale;
      }
    }
  }
  return probe;
}
