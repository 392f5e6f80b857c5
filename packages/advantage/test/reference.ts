/**
 * Slow, obviously-correct reference implementations used as oracles by the tests. Plain arrays,
 * one Map of groups, formulas written as in METHOD.md; no attempt at speed.
 */
import { nondominatedRanksDeb } from '@paretopo/pareto';

/** Row indices of each group, in order of first appearance. */
export function groupsOf(groupIds: ArrayLike<number>): number[][] {
  const m = new Map<number, number[]>();
  for (let i = 0; i < groupIds.length; i++) {
    const list = m.get(groupIds[i]) ?? [];
    list.push(i);
    m.set(groupIds[i], list);
  }
  return [...m.values()];
}

/** Row-major flat rewards as an array of rows. */
export function rowsOf(rewards: ArrayLike<number>, k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < rewards.length / k; i++) rows.push(Array.from({ length: k }, (_, j) => rewards[i * k + j]));
  return rows;
}

/** `w · r` of every row. */
export function scalarRef(rewards: ArrayLike<number>, k: number, w: number[]): number[] {
  return rowsOf(rewards, k).map((r) => r.reduce((acc, x, j) => acc + w[j] * x, 0));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const allEqual = (xs: number[]) => xs.every((x) => x === xs[0]);

function stdOf(xs: number[], mode: 'sample' | 'population'): number {
  const m = mean(xs);
  const ss = xs.reduce((a, x) => a + (x - m) ** 2, 0);
  return Math.sqrt(ss / (xs.length - (mode === 'sample' ? 1 : 0)));
}

/** Group z-score (0 for singletons and constant groups); `'none'` only centres. */
export function zscoreRef(xs: number[], mode: 'sample' | 'population' | 'none', eps: number): number[] {
  if (xs.length === 1 || allEqual(xs)) return xs.map(() => 0);
  const m = mean(xs);
  if (mode === 'none') return xs.map((x) => x - m);
  const sd = stdOf(xs, mode);
  return xs.map((x) => (x - m) / (sd + eps));
}

/** GRPO / Dr. GRPO advantages by the formula. */
export function grpoRef(values: number[], groupIds: ArrayLike<number>, mode: 'sample' | 'population' | 'none', eps: number): number[] {
  const out = new Array<number>(values.length).fill(0);
  for (const idx of groupsOf(groupIds)) {
    const z = zscoreRef(idx.map((i) => values[i]), mode, eps);
    idx.forEach((i, a) => (out[i] = z[a]));
  }
  return out;
}

/** RLOO: each value minus the mean of the others, literally. */
export function rlooRef(values: number[], groupIds: ArrayLike<number>): number[] {
  const out = new Array<number>(values.length).fill(0);
  for (const idx of groupsOf(groupIds)) {
    if (idx.length === 1) continue;
    for (const i of idx) {
      const others = idx.filter((j) => j !== i).map((j) => values[j]);
      out[i] = values[i] - mean(others);
    }
  }
  return out;
}

/** OPO: value minus the length-weighted group mean. */
export function opoRef(values: number[], groupIds: ArrayLike<number>, lengths: number[]): number[] {
  const out = new Array<number>(values.length).fill(0);
  for (const idx of groupsOf(groupIds)) {
    const num = idx.reduce((a, i) => a + lengths[i] * values[i], 0);
    const den = idx.reduce((a, i) => a + lengths[i], 0);
    for (const i of idx) out[i] = values[i] - num / den;
  }
  return out;
}

/** Batch z-score (zeros for a constant batch or one row under the sample std). */
export function whitenRef(xs: number[], mode: 'sample' | 'population', eps: number): number[] {
  if (xs.length === 0) return [];
  if (allEqual(xs) || (mode === 'sample' && xs.length < 2)) return xs.map(() => 0);
  const m = mean(xs);
  const sd = stdOf(xs, mode);
  return xs.map((x) => (x - m) / (sd + eps));
}

/** MO-GRPO: Σ_j w_j · per-objective group z-score. */
export function moGrpoRef(
  rewards: ArrayLike<number>,
  k: number,
  groupIds: ArrayLike<number>,
  w: number[],
  mode: 'sample' | 'population' | 'none',
  eps: number,
): number[] {
  const rows = rowsOf(rewards, k);
  const out = new Array<number>(rows.length).fill(0);
  for (const idx of groupsOf(groupIds)) {
    for (let j = 0; j < k; j++) {
      const z = zscoreRef(idx.map((i) => rows[i][j]), mode, eps);
      idx.forEach((i, a) => (out[i] += w[j] * z[a]));
    }
  }
  return out;
}

/** METHOD.md §3 literally, with pareto's Deb sort (maximize: true) for the ranks. */
export function paretoRankRef(
  rewards: ArrayLike<number>,
  k: number,
  groupIds: ArrayLike<number>,
  w: number[],
  beta: number,
  nRankMode: 'fronts' | 'group-size',
  center: boolean,
): number[] {
  const rows = rowsOf(rewards, k);
  const out = new Array<number>(rows.length).fill(0);
  for (const idx of groupsOf(groupIds)) {
    const vecs = idx.map((i) => rows[i]);
    if (vecs.every((v) => v.every((x, j) => x === vecs[0][j]))) continue;
    const ranks = ranksRef(vecs);
    const fronts = Math.max(...ranks);
    const nRank = nRankMode === 'fronts' ? fronts : idx.length;
    const rw = vecs.map((v) => v.reduce((a, x, j) => a + w[j] * x, 0));
    const adv = idx.map((_, a) => {
      const same = rw.filter((_, b) => ranks[b] === ranks[a]);
      const lo = Math.min(...same);
      const hi = Math.max(...same);
      const hat = hi === lo ? 0.5 : (rw[a] - lo) / (hi - lo);
      return nRank - ranks[a] + 1 + beta * (hat - 0.5);
    });
    const m = center ? mean(adv) : 0;
    idx.forEach((i, a) => (out[i] = adv[a] - m));
  }
  return out;
}

/** 1-based Pareto ranks (maximisation) of a list of vectors, from pareto's Deb sort. */
export function ranksRef(vecs: number[][]): number[] {
  const d = vecs[0].length;
  const r = nondominatedRanksDeb({ data: Float64Array.from(vecs.flat()), n: vecs.length, d }, { maximize: true });
  return Array.from(r, (x) => x + 1);
}

/** GAE as the direct sum over masked-in tokens of each sequence. */
export function gaeRef(
  rewards: number[],
  values: number[],
  offsets: number[],
  gamma: number,
  lambda: number,
  last: number[] | undefined,
  mask: number[] | undefined,
): { adv: number[]; ret: number[] } {
  const adv = new Array<number>(rewards.length).fill(0);
  const ret = new Array<number>(rewards.length).fill(0);
  for (let s = 0; s + 1 < offsets.length; s++) {
    const ts: number[] = [];
    for (let t = offsets[s]; t < offsets[s + 1]; t++) if (mask === undefined || mask[t] !== 0) ts.push(t);
    // Direct sum A_t = Σ_l (γλ)^l δ_{t+l} over the masked-in tokens.
    const delta = ts.map((t, a) => rewards[t] + gamma * (a + 1 < ts.length ? values[ts[a + 1]] : (last?.[s] ?? 0)) - values[t]);
    ts.forEach((t, a) => {
      let acc = 0;
      for (let l = 0; a + l < ts.length; l++) acc += (gamma * lambda) ** l * delta[a + l];
      adv[t] = acc;
      ret[t] = acc + values[t];
    });
  }
  return { adv, ret };
}
