import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, MethodState, resolveMethodName, type EpisodeFactsBatch, type MethodName } from './methods';

// Two groups of two: task 'a' (correct with 1 call, wrong with 0), task 'b' (correct with 2 and 1 calls).
// N_opt(a) = 1, N_opt(b) = 1 after the batch, so r_tool = exp(−0.5·|N − 1|):
// rewards (1, 1), (0, e^−0.5), (1, e^−0.5), (1, 1); w·r = 1, 0.4e^−0.5, 0.6 + 0.4e^−0.5, 1.
const facts: EpisodeFactsBatch = {
  correct: [true, false, true, true],
  calls: [1, 0, 2, 1],
  taskIds: ['a', 'a', 'b', 'b'],
  groupIds: Int32Array.of(0, 0, 1, 1),
};
const e = Math.exp(-0.5);
const d0 = (1 - 0.4 * e) / 2; // half the spread of w·r in group 0
const d1 = (1 - (0.6 + 0.4 * e)) / 2; // in group 1
// GRPO z-score of a member at deviation dev in a group of two: sample std = |dev|·√2, eps 1e-6.
const z = (dev: number) => dev / (Math.abs(dev) * Math.SQRT2 + 1e-6);
const dt = (1 - e) / 2; // half the r_tool spread
const dOtc = (1 - Math.sin((2 * Math.PI) / 3)) / 2; // half the OTC reward spread in group 1
const mo = [0.6 * z(0.5) + 0.4 * z(dt), -(0.6 * z(0.5) + 0.4 * z(dt)), -0.4 * z(dt), 0.4 * z(dt)];
const moStd = Math.sqrt(mo.reduce((acc, v) => acc + v * v, 0) / 3); // batch mean is 0

describe('MethodState', () => {
  it('builds (r_task, r_tool) with N_opt from the batch itself', () => {
    const out = new MethodState('drgrpo', { totalSteps: 4 }).step(facts);
    const want = [1, 1, 0, e, 1, e, 1, 1];
    want.forEach((v, i) => expect(out.rewards[i]).toBeCloseTo(v, 12));
  });

  it.each<[MethodName, number[]]>([
    ['grpo-acc', [z(0.5), -z(0.5), 0, 0]],
    ['grpo-ws', [z(d0), -z(d0), -z(d1), z(d1)]],
    ['drgrpo', [d0, -d0, -d1, d1]],
    ['rloo', [2 * d0, -2 * d0, -2 * d1, 2 * d1]],
    // OTC: f(1,1) = 1 → sin(π/2) = 1; f(2,1) = 4/3 → sin(2π/3) = 0.866 < 1, so ep 2 is below ep 3.
    ['otc-grpo', [z(0.5), -z(0.5), -z(dOtc), z(dOtc)]],
    // MO-GRPO: Σ_k w_k z_k; in group 1 r_task is flat (z = 0) and only r_tool counts.
    ['mo-grpo', mo],
    // GDPO: the MO-GRPO values z-scored over the whole batch (sample std, eps 1e-6).
    ['gdpo', mo.map((v) => v / (moStd + 1e-6))],
    // Stage 1 at step 0: calibration step, r_pareto = 0.5, Dr. GRPO on 0.5·w·r.
    ['paretopo-s1', [d0 / 2, -d0 / 2, -d1 / 2, d1 / 2]],
    // Stage 2: (1,1) dominates the other member in both groups: A_base 2 vs 1, centred ±0.5.
    ['paretopo-s2', [0.5, -0.5, -0.5, 0.5]],
    ['paretopo', [d0 / 2, -d0 / 2, -d1 / 2, d1 / 2]],
  ])('%s advantages by hand', (name, want) => {
    const out = new MethodState(name, { totalSteps: 4 }).step(facts);
    want.forEach((v, i) => expect(out.advantages[i]).toBeCloseTo(v, 9));
  });

  it('logs the stage: paretopo switches at ⌊0.5·totalSteps⌋, s1 never, s2 from step 0', () => {
    const stages = (name: MethodName) => {
      const m = new MethodState(name, { totalSteps: 4 });
      return Array.from({ length: 4 }, () => m.step(facts).log.stage);
    };
    expect(stages('paretopo')).toEqual([1, 1, 2, 2]);
    expect(stages('paretopo-s1')).toEqual([1, 1, 1, 1]);
    expect(stages('paretopo-s2')).toEqual([2, 2, 2, 2]);
    expect(stages('grpo-ws')).toEqual([1, 1, 1, 1]);
    const switchSteps = (name: MethodName) => {
      const m = new MethodState(name, { totalSteps: 4 });
      return Array.from({ length: 4 }, () => m.step(facts).log.switchStep);
    };
    expect(switchSteps('paretopo')).toEqual([null, 2, 2, 2]);
    expect(switchSteps('paretopo-s1')).toEqual([null, null, null, null]);
    expect(switchSteps('paretopo-s2')).toEqual([0, 0, 0, 0]);
  });

  it('logs r_pareto, ΔHV̄ and the archive for ParetoPO variants only', () => {
    const p = new MethodState('paretopo', { totalSteps: 4 }).step(facts).log;
    expect(p).toMatchObject({ step: 0, rPareto: 0.5, deltaHvSmoothed: 0, archiveSize: 1, weights: [0.6, 0.4], nOptKnown: 2 });
    const g = new MethodState('grpo-ws', { totalSteps: 4 }).step(facts).log;
    expect(g).toMatchObject({ rPareto: null, deltaHvSmoothed: null, archiveSize: null, switchStep: null });
  });

  it.each<MethodName>(['paretopo', 'paretopo-s1', 'otc-grpo'])('%s resumes exactly from JSON', (name) => {
    const better: EpisodeFactsBatch = { ...facts, correct: [true, true, true, true], calls: [1, 1, 1, 1] };
    const run = (m: MethodState, batches: EpisodeFactsBatch[]) => batches.map((b) => m.step(b));
    const a = run(new MethodState(name, { totalSteps: 4 }), [facts, better, facts, better]);
    const first = new MethodState(name, { totalSteps: 4 });
    run(first, [facts, better]);
    const resumed = MethodState.fromJSON(JSON.parse(JSON.stringify(first)));
    expect(resumed.stepCount).toBe(2);
    expect(run(resumed, [facts, better])).toEqual(a.slice(2));
    if (name !== 'otc-grpo') expect(a[1].log.rPareto).toBeGreaterThan(0.5); // the better batch grew the archive's HV
  });

  it('per-group r_pareto (granularity group): one factor per prompt group, and the step advantages follow it', () => {
    const byStep = new MethodState('paretopo-s1', { totalSteps: 4 }).step(facts);
    const byGroup = new MethodState('paretopo-s1', { totalSteps: 4, granularity: 'group' }).step(facts);
    expect(byGroup.log.stage).toBe(1);
    // The first step's factors are 0.5 (ΔHV of the first vector against its own reference is 0), so
    // both modes agree at step 0; the archive then holds one vector per group instead of the batch mean.
    expect(Array.from(byGroup.advantages)).toEqual(Array.from(byStep.advantages));
    expect(byGroup.log.archiveSize).toBeGreaterThanOrEqual(1);
  });

  it('plateau switch: leaves stage 1 after switchPatience steps with ΔHV̄ < switchEpsilon', () => {
    const m = new MethodState('paretopo', { totalSteps: 100, switchPolicy: 'plateau', switchEpsilon: 1, switchPatience: 3 });
    const stages = Array.from({ length: 5 }, () => m.step(facts).log.stage);
    expect(stages).toEqual([1, 1, 1, 2, 2]);
    expect(m.toJSON().stage?.switchStep).toBe(3);
    const patient = new MethodState('paretopo', { totalSteps: 100, switchPolicy: 'plateau', switchEpsilon: 1, switchPatience: 10 });
    expect(Array.from({ length: 5 }, () => patient.step(facts).log.stage)).toEqual([1, 1, 1, 1, 1]);
  });

  it('N_rank = G and raw (uncentred) Pareto-rank advantages are options', () => {
    const centred = new MethodState('paretopo-s2', { totalSteps: 4 }).step(facts).advantages;
    const raw = new MethodState('paretopo-s2', { totalSteps: 4, center: false }).step(facts).advantages;
    // Group 0: (1, 1) dominates (0, e^−0.5): ranks 1 and 2 of 2 fronts → A_base 2 and 1; ties within a rank get β·0 offsets.
    expect(raw[0]).toBeCloseTo(2, 12);
    expect(raw[1]).toBeCloseTo(1, 12);
    expect(centred[0] + centred[1]).toBeCloseTo(0, 12);
    const bigG = new MethodState('paretopo-s2', { totalSteps: 4, center: false, nRank: 'group-size' }).step(facts).advantages;
    expect(bigG[0]).toBeCloseTo(2, 12);
  });

  it('a fixed reference point is used as given', () => {
    const m = new MethodState('paretopo-s1', { totalSteps: 4, reference: 'fixed', referencePoint: [0, 0] });
    const out = m.step(facts);
    // Against (0, 0) the first batch-mean vector already adds HV, so r_pareto > 0.5 at step 0.
    expect(out.log.rPareto!).toBeGreaterThan(0.5);
    expect(MethodState.fromJSON(JSON.parse(JSON.stringify(m.toJSON()))).options.referencePoint).toEqual([0, 0]);
  });

  it('knows all 10 names; unknown names throw listing them', () => {
    expect(METHOD_NAMES).toEqual(['grpo-acc', 'grpo-ws', 'drgrpo', 'rloo', 'otc-grpo', 'mo-grpo', 'gdpo', 'paretopo-s1', 'paretopo-s2', 'paretopo']);
    for (const n of METHOD_NAMES) expect(resolveMethodName(n)).toBe(n);
    expect(() => new MethodState('ppo' as MethodName, { totalSteps: 1 })).toThrow(/unknown method "ppo" \(known: grpo-acc, grpo-ws, .*paretopo\)/);
  });

  it('rejects an option value outside its set, naming it', () => {
    expect(() => new MethodState('paretopo', { totalSteps: 4, switchPolicy: 'soon' as never })).toThrow('options.switchPolicy must be one of fixed, plateau, stall (got soon)');
    expect(() => new MethodState('paretopo', { totalSteps: 4, granularity: 'token' as never })).toThrow('options.granularity must be one of step, group');
  });

  it('rejects bad options and mismatched facts', () => {
    expect(() => new MethodState('grpo-ws', { totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, weights: [0.6, Number.NaN] })).toThrow(/weights/);
    expect(() => new MethodState('grpo-ws', { totalSteps: 2 }).step({ ...facts, calls: [1] })).toThrow(/one entry per episode/);
    expect(() => MethodState.fromJSON({ type: 'other' })).toThrow(/method-state/);
  });
});
