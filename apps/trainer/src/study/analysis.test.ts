import { describe, expect, it } from 'vitest';
import { pairedBootstrapCi } from '../report/stats';
import type { EvalRow, RunRecord } from '../run/types';
import { analyseStudy, selectLearningRates, studyMetricOf, type StudyRun } from './analysis';
import { finalRuns, runNameOf, studySpecSchema, tuningRuns, type StudyPhase } from './spec';

const spec = (finalSeeds: number[]) =>
  studySpecSchema.parse({
    env: 'arith',
    arms: { a: { method: 'grpo-acc' }, b: { method: 'grpo-ws' }, p: { method: 'paretopo' } },
    primary: 'p',
    claimBaselines: ['a', 'b'],
    lrGrid: [0.001, 0.0005, 0.002],
    tuningSeeds: [1, 2],
    finalSeeds,
    statistics: { resamples: 2000 },
  });

/** An evaluation row with oracle figures: two strata (0 and 1 oracle calls), 10 questions each. */
function row(accuracy: number, meanCalls: number, oracleHv = accuracy * 0.9): EvalRow {
  return {
    step: 4,
    accuracy,
    meanCalls,
    toolProductivity: accuracy / Math.max(1, meanCalls),
    toolEfficiency: Math.exp(-0.5 * meanCalls),
    hv: accuracy * Math.exp(-0.5 * meanCalls),
    n: 20,
    oracle: {
      meanOracleCalls: 0.5,
      excessCalls: Math.max(0, meanCalls - 0.5),
      missingCalls: Math.max(0, 0.5 - meanCalls),
      efficiency: 0.9,
      hv: oracleHv,
      strata: [
        { oracleCalls: 0, n: 10, accuracy, meanCalls: meanCalls / 2, excessCalls: meanCalls / 2, missingCalls: 0 },
        { oracleCalls: 1, n: 10, accuracy, meanCalls: (3 * meanCalls) / 2, excessCalls: Math.max(0, (3 * meanCalls) / 2 - 1), missingCalls: Math.max(0, 1 - (3 * meanCalls) / 2) },
      ],
    },
    time: 't',
  };
}

function record(method: string, seed: number, validation: EvalRow, test: EvalRow | null): RunRecord {
  const config = { command: 'train' as const, env: 'arith' as const, method: method as never, seed, steps: 4 };
  return { dir: 'x', config, steps: [], evals: [validation], summary: { env: 'arith', method: method as never, seed, steps: 4, switchStep: null, initial: validation, final: validation, test, seconds: 1 } };
}

const tuneRun = (arm: string, lr: number, seed: number, hv: number | null): StudyRun => ({
  phase: 'tune' as StudyPhase,
  arm,
  lr,
  seed,
  name: runNameOf('tune', arm, lr, seed),
  record: hv === null ? null : record(arm, seed, row(0.5, 1, hv), null),
});

describe('selectLearningRates', () => {
  it('picks the lr with the largest mean validation oracle HV over tuning seeds; a tie goes to the smaller lr', () => {
    const s = spec([11]);
    const hv: Record<string, Record<number, [number, number]>> = {
      a: { 0.0005: [0.3, 0.5], 0.001: [0.45, 0.45], 0.002: [0.2, 0.2] }, // 0.4 vs 0.45: 0.001
      b: { 0.0005: [0.5, 0.3], 0.001: [0.3, 0.5], 0.002: [0.1, 0.1] }, // tie at 0.4: the smaller, 0.0005
      p: { 0.0005: [0.1, 0.1], 0.001: [0.2, 0.2], 0.002: [0.6, 0.7] },
    };
    const tune = tuningRuns(s).map((r) => tuneRun(r.arm, r.lr, r.seed, hv[r.arm][r.lr][r.seed - 1]));
    const sweep = selectLearningRates(s, tune);
    expect(sweep.map((x) => [x.arm, x.chosenLr])).toEqual([['a', 0.001], ['b', 0.0005], ['p', 0.002]]);
    expect(sweep[0].points.map((p) => p.lr)).toEqual([0.0005, 0.001, 0.002]);
    expect(sweep[0].points[0]).toEqual({ lr: 0.0005, seeds: [1, 2], values: [0.3, 0.5], mean: 0.4 });
  });

  it('chooses nothing for an arm while one of its tuning runs is missing', () => {
    const s = spec([11]);
    const tune = tuningRuns(s).map((r) => tuneRun(r.arm, r.lr, r.seed, r.arm === 'b' && r.lr === 0.002 && r.seed === 2 ? null : 0.5));
    const sweep = selectLearningRates(s, tune);
    expect(sweep.find((x) => x.arm === 'b')!.chosenLr).toBeNull();
    expect(sweep.find((x) => x.arm === 'b')!.points[2]).toMatchObject({ lr: 0.002, seeds: [1], mean: null });
    expect(sweep.find((x) => x.arm === 'a')!.chosenLr).toBe(0.0005);
  });
});

/** Final runs in which the primary is better than both baselines by the given margins on every seed. */
function finals(seeds: number[], margin: (seed: number) => number, missing?: string): StudyRun[] {
  const s = spec(seeds);
  const chosen = new Map([['a', 0.001], ['b', 0.001], ['p', 0.001]]);
  return finalRuns(s, chosen).map((r) => {
    const m = margin(r.seed);
    const acc = r.arm === 'p' ? 0.8 : 0.8 - m - (r.arm === 'b' ? 0.01 : 0);
    const calls = r.arm === 'p' ? 1 : 1 + 2 * m;
    const test = row(acc + r.seed / 1000, calls);
    return { ...r, record: `${r.arm}-s${r.seed}` === missing ? null : record(r.arm, r.seed, row(0.5, 1), test) };
  });
}

const tuneAll = (seeds: number[]) => tuningRuns(spec(seeds)).map((r) => tuneRun(r.arm, r.lr, r.seed, r.lr === 0.001 ? 0.9 : 0.1));

describe('analyseStudy', () => {
  it('eight seeds all better on accuracy and calls: every one-sided p is 1/256, Holm ×4, the claim holds', () => {
    const seeds = [11, 12, 13, 14, 15, 16, 17, 18];
    const r = analyseStudy(spec(seeds), tuneAll(seeds), finals(seeds, (s) => 0.01 * (s - 10)), { validation: null, test: null });
    expect(r.claim.tests).toHaveLength(4);
    for (const t of r.claim.tests) {
      expect(t.p).toBe(1 / 256);
      expect(t.pHolm).toBe(4 / 256);
      expect(t.significant).toBe(true);
    }
    expect(r.claim.holds).toBe(true);
    expect(r.claim.verdict).toMatch(/^The claim holds on arith: all 4 one-sided tests significant \(largest Holm p 0\.0156\)\.$/);
    expect(r.missing).toEqual([]);
  });

  it('three seeds cannot reach significance (smallest p 1/8, ×4 after Holm): the claim does not hold', () => {
    const seeds = [11, 12, 13];
    const r = analyseStudy(spec(seeds), tuneAll(seeds), finals(seeds, () => 0.05), { validation: null, test: null });
    expect(r.claim.tests.map((t) => t.pHolm)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(r.claim.holds).toBe(false);
    expect(r.claim.verdict).toContain('not significant: accuracy vs a (Holm p 0.500)');
  });

  it('paired differences are baseline − primary per seed, with the bootstrap CI of their mean', () => {
    const seeds = [11, 12, 13, 14];
    const runs = finals(seeds, (s) => 0.01 * (s - 10));
    const r = analyseStudy(spec(seeds), tuneAll(seeds), runs, { validation: null, test: null });
    const test = (arm: string, seed: number) => runs.find((x) => x.arm === arm && x.seed === seed)!.record!.summary!.test!;
    const acc = r.comparisons[0].metrics.find((m) => m.metric === 'accuracy')!;
    const want = seeds.map((s) => test('a', s).accuracy - test('p', s).accuracy);
    expect(acc.diffs).toEqual(want);
    const ci = pairedBootstrapCi(want, { resamples: 2000, seed: 1 });
    expect([acc.mean, acc.lo, acc.hi]).toEqual([ci.mean, ci.lo, ci.hi]);
    const excess = r.comparisons[1].metrics.find((m) => m.metric === 'excessCalls')!;
    expect(excess.diffs).toEqual(seeds.map((s) => studyMetricOf(test('b', s), 'excessCalls', '') - studyMetricOf(test('p', s), 'excessCalls', '')));
    // Per-stratum calls are means over seeds.
    const pStrata = r.arms.find((a) => a.arm === 'p')!.strata;
    expect(pStrata.map((s) => [s.oracleCalls, s.n, s.meanCalls])).toEqual([[0, 10, 0.5], [1, 10, 1.5]]);
    expect(r.arms.map((a) => a.lr)).toEqual([0.001, 0.001, 0.001]);
  });

  it('a missing final run leaves the claim unchecked and lists the run', () => {
    const seeds = [11, 12];
    const r = analyseStudy(spec(seeds), tuneAll(seeds), finals(seeds, () => 0.1, 'a-s12'), { validation: null, test: null });
    expect(r.claim.holds).toBeNull();
    expect(r.claim.verdict).toMatch(/^The claim is not checked yet: final runs are missing/);
    expect(r.missing).toEqual(['final/a-s12']);
    expect(r.comparisons[0].seeds).toEqual([11]);
  });

  it('an oracle metric of a row without oracle figures is an error naming the run', () => {
    const { oracle: _o, ...bare } = row(0.5, 1);
    expect(() => studyMetricOf(bare, 'oracleHv', 'final/p-s11')).toThrow('studyMetricOf: final/p-s11 has no oracle figures');
  });
});
