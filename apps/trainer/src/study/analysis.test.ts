import { describe, expect, it } from 'vitest';
import { pairedBootstrapCi } from '../report/stats';
import type { StepRow } from '../run/types';
import { analyseStudy, selectLearningRates, studyMetricOf, trainingFigures } from './analysis';
import { tuningRuns } from './spec';
import { finals, row, spec, tuneAll, tuneRun } from './test-fixtures';

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
    expect(r.claim.statement).toBe("p has higher accuracy and lower mean calls than each of a, b on the test pool, every one-sided paired sign-flip test significant after Holm's correction across all 4 tests at family-wise α = 0.05");
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

describe('trainingFigures', () => {
  const steps = (n: number, f: (i: number) => Partial<StepRow>) => Array.from({ length: n }, (_, i) => ({ step: i, accuracy: 0, meanCalls: 0, entropy: 1, ...f(i) }) as unknown as StepRow);

  it('means over the first and last tenth of the steps, then over runs; absent fields are null', () => {
    // 20 steps: windows of 2. Run a: calls 0..19, run b: calls 2× that.
    const a = steps(20, (i) => ({ meanCalls: i, accuracy: i / 20, callsVaryingGroups: i < 10 ? 1 : 0, correctCallsVaryingGroups: 0.5 }) as Partial<StepRow>);
    const b = steps(20, (i) => ({ meanCalls: 2 * i, accuracy: i / 20, callsVaryingGroups: 0, correctCallsVaryingGroups: 0 }) as Partial<StepRow>);
    const t = trainingFigures([a, b])!;
    expect(t.window).toBe(2);
    expect(t.meanCalls).toEqual({ first: (0.5 + 1) / 2, last: (18.5 + 37) / 2 });
    expect(t.accuracy).toEqual({ first: 0.025, last: 0.925 });
    expect(t.entropy).toEqual({ first: 1, last: 1 });
    expect(t.callsVaryingGroups).toEqual({ first: 0.5, last: 0 });
    expect(t.correctCallsVaryingGroups).toEqual({ first: 0.25, last: 0.25 });
    // Rows of runs trained before the call-spread fields existed: null, not 0.
    expect(trainingFigures([steps(5, () => ({}))])).toMatchObject({ window: 1, callsVaryingGroups: null, correctCallsVaryingGroups: null });
    // An engine logs no entropy (NaN, null in JSON).
    expect(trainingFigures([steps(5, () => ({ entropy: null }) as unknown as Partial<StepRow>)])!.entropy).toBeNull();
    expect(trainingFigures([[]])).toBeNull();
  });
});
