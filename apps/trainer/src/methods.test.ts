import { createBackend } from '@paretopo/kernels';
import { AdamW, paramLayout } from '@paretopo/policy';
import { expectAllClose, seededRandom } from '@paretopo/test-utils';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, MethodState, resolveMethodName, type EpisodeFactsBatch, type MethodName, type MethodOptions } from './methods';

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

  const robust: Partial<MethodOptions> = { toolGate: 'correct', nOptFallback: 'zero-reward', nOptRule: 'recent', nOptWindow: 2, nOptSupport: 2, granularity: 'group' };
  it.each<[MethodName, Partial<MethodOptions>]>([
    ['paretopo', {}],
    ['paretopo-s1', {}],
    ['otc-grpo', {}],
    ['paretopo', robust],
    ['gdpo', robust],
  ])('%s %o resumes exactly from JSON', (name, extra) => {
    const better: EpisodeFactsBatch = { ...facts, correct: [true, true, true, true], calls: [1, 1, 1, 1] };
    const run = (m: MethodState, batches: EpisodeFactsBatch[]) => batches.map((b) => m.step(b));
    const a = run(new MethodState(name, { totalSteps: 4, ...extra }), [facts, better, facts, better]);
    const first = new MethodState(name, { totalSteps: 4, ...extra });
    run(first, [facts, better]);
    const resumed = MethodState.fromJSON(JSON.parse(JSON.stringify(first)));
    expect(resumed.stepCount).toBe(2);
    expect(run(resumed, [facts, better])).toEqual(a.slice(2));
    if (name.startsWith('paretopo')) expect(a[1].log.rPareto).toBeGreaterThan(0.5); // the better batch grew the archive's HV
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

  it('toolGate correct: wrong answers get r_tool 0 (r_tool ← r_task · r_tool) in every method that reads r_tool', () => {
    const gated = new MethodState('drgrpo', { totalSteps: 4, toolGate: 'correct' }).step(facts);
    [1, 1, 0, 0, 1, e, 1, 1].forEach((v, i) => expect(gated.rewards[i]).toBeCloseTo(v, 12));
    // Dr. GRPO on w·r: group 0 is now 1 vs 0 (spread 1), group 1 unchanged.
    [0.5, -0.5, -d1, d1].forEach((v, i) => expect(gated.advantages[i]).toBeCloseTo(v, 12));
    for (const name of METHOD_NAMES) {
      const on = new MethodState(name, { totalSteps: 4, toolGate: 'correct' }).step(facts).advantages;
      const off = new MethodState(name, { totalSteps: 4 }).step(facts).advantages;
      // grpo-acc never reads r_tool; OTC-GRPO already multiplies its tool reward by r_task; in
      // stage 2 the ranks of this batch do not change ((1, 1) dominates either way).
      const same = name === 'grpo-acc' || name === 'otc-grpo' || name === 'paretopo-s2';
      expect(Array.from(on).every((v, i) => v === off[i]), name).toBe(same);
    }
  });

  it('toolGate correct puts a wrong answer at N_opt calls below a right one with an extra call in stage 2 (issue 11)', () => {
    // Question q, N_opt = 1: right at 1 call (1, 1); wrong at 1 call (0, 1); right at 2 calls (1, e^−0.5).
    const trio: EpisodeFactsBatch = { correct: [true, false, true], calls: [1, 1, 2], taskIds: ['q', 'q', 'q'], groupIds: Int32Array.of(0, 0, 0) };
    const raw = (gate: 'none' | 'correct') => Array.from(new MethodState('paretopo-s2', { totalSteps: 4, center: false, toolGate: gate }).step(trio).advantages);
    // Ungated: (0, 1) and (1, e^−0.5) do not dominate each other: both rank 2 of 2, split only by β·(r̂_w − 0.5).
    expect(raw('none')).toEqual([2, 0.75, 1.25]);
    // Gated: (0, 0) is dominated by (1, e^−0.5): three fronts.
    expect(raw('correct')).toEqual([3, 1, 2]);
  });

  it('nOptFallback zero-reward: no efficiency reward on a question without a correct trajectory', () => {
    const unsolved: EpisodeFactsBatch = { correct: [false, false], calls: [0, 3], taskIds: ['u', 'u'], groupIds: Int32Array.of(0, 0) };
    const value = new MethodState('grpo-ws', { totalSteps: 2 }).step(unsolved);
    expect(Array.from(value.rewards)).toEqual([0, 1, 0, Math.exp(-1.5)]);
    expect(value.advantages[0]).toBeGreaterThan(0); // fewer calls preferred on a question the policy cannot answer
    const zero = new MethodState('grpo-ws', { totalSteps: 2, nOptFallback: 'zero-reward' }).step(unsolved);
    expect(Array.from(zero.rewards)).toEqual([0, 0, 0, 0]);
    expect(Array.from(zero.advantages)).toEqual([0, 0]);
    expect(Array.from(new MethodState('grpo-ws', { totalSteps: 2, fallbackNOpt: 3 }).step(unsolved).rewards)).toEqual([0, Math.exp(-1.5), 0, 1]);
  });

  it('nOptRule recent forgets a lucky guess after nOptWindow appearances; min keeps it for good', () => {
    const lucky: EpisodeFactsBatch = { correct: [true, false], calls: [0, 2], taskIds: ['q', 'q'], groupIds: Int32Array.of(0, 0) };
    const honest: EpisodeFactsBatch = { correct: [true, false], calls: [2, 0], taskIds: ['q', 'q'], groupIds: Int32Array.of(0, 0) };
    const rTool = (extra: Partial<MethodOptions>) => {
      const m = new MethodState('drgrpo', { totalSteps: 4, ...extra });
      return [lucky, honest, honest].map((b) => m.step(b).rewards[1]);
    };
    // Correct at 2 calls: min keeps N_opt = 0 (r_tool e^−1); recent (window 1) has N_opt = 2 (r_tool 1) from the next appearance.
    expect(rTool({})).toEqual([1, Math.exp(-1), Math.exp(-1)]);
    expect(rTool({ nOptRule: 'recent', nOptWindow: 1 })).toEqual([1, 1, 1]);
    expect(rTool({ nOptRule: 'recent', nOptWindow: 2 })).toEqual([1, Math.exp(-1), 1]);
    // Support 2: one correct trajectory is not enough (its r_tool uses the fallback N_opt 0); the
    // second correct one makes N_opt the 2nd smallest count.
    const m2 = new MethodState('drgrpo', { totalSteps: 4, nOptSupport: 2 });
    expect(m2.step(lucky).log.nOptKnown).toBe(0);
    expect(m2.step(honest).rewards[1]).toBe(1);
    expect(m2.nOpt('q')).toBe(2);
  });

  it('a saved state whose N_opt tracker disagrees with its options is refused', () => {
    const json = new MethodState('drgrpo', { totalSteps: 2, nOptRule: 'recent' }).toJSON();
    expect(() => MethodState.fromJSON({ ...json, options: { ...json.options, nOptRule: 'min' } })).toThrow(/nOpt was saved with .*recent/);
    // Checkpoints of earlier releases: no new options, a version-1 tracker.
    const { toolGate: _g, nOptFallback: _f, nOptRule: _r, nOptWindow: _w, nOptSupport: _s, ...old } = json.options;
    const restored = MethodState.fromJSON({ ...json, options: { ...old, nOptRule: undefined }, nOpt: { version: 1, nOpt: { q: 1 } } });
    expect(restored.options).toMatchObject({ toolGate: 'none', nOptFallback: 'value', nOptRule: 'min', nOptSupport: 1 });
    expect(restored.nOpt('q')).toBe(1);
  });

  it('rejects bad options and mismatched facts', () => {
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, toolGate: 'wrong' as never })).toThrow('options.toolGate must be one of none, correct (got wrong)');
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, nOptFallback: 'one' as never })).toThrow('options.nOptFallback must be one of value, zero-reward');
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, nOptRule: 'max' as never })).toThrow('options.nOptRule must be one of min, recent');
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, nOptWindow: 0 })).toThrow('MethodState: options.nOptWindow must be an integer ≥ 1 (got 0)');
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, nOptSupport: 1.5 })).toThrow('MethodState: options.nOptSupport must be an integer ≥ 1 (got 1.5)');
    expect(() => new MethodState('grpo-ws', { totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => new MethodState('grpo-ws', { totalSteps: 2, weights: [0.6, Number.NaN] })).toThrow(/weights/);
    expect(() => new MethodState('grpo-ws', { totalSteps: 2 }).step({ ...facts, calls: [1] })).toThrow(/one entry per episode/);
    expect(() => MethodState.fromJSON({ type: 'other' })).toThrow(/method-state/);
  });
});

// METHOD.md §2: what stage 1's r_pareto can do to an AdamW update. Each episode i gets a fixed
// random "gradient of its log-probability" x_i, so the step's gradient is Σ_i A_i·x_i, as in the
// policy-gradient loss without clipping or KL.
describe('stage 1 r_pareto under AdamW', () => {
  // Step 0 calibrates. Step 1: group 0 ('a') improves on every archived group vector; group 1 ('b')
  // is all wrong, so the batch mean (0.5, 0.83) lies outside the step archive's reference box
  // ((0.75, 0.80) − 0.1) and the step-level r_pareto stays exactly 0.5.
  const step1: EpisodeFactsBatch = {
    correct: [true, true, true, false, false, false],
    calls: [1, 1, 2, 1, 3, 1],
    taskIds: ['a', 'a', 'a', 'b', 'b', 'b'],
    groupIds: Int32Array.of(0, 0, 0, 1, 1, 1),
  };
  const layout = paramLayout({ layers: 1, dModel: 8, heads: 2, context: 4, vocab: 5, mlpRatio: 1 });
  const rand = seededRandom(11);
  const episodeGrads = [facts, step1].map((b) => Array.from({ length: b.calls.length }, () => Float32Array.from({ length: layout.size }, () => rand() - 0.5)));

  async function train(name: MethodName, extra: Partial<MethodOptions>) {
    const backend = await createBackend('reference');
    const method = new MethodState(name, { totalSteps: 4, ...extra });
    // eps 1e-12: some entries of Σ A_i·x_i nearly cancel, and at the default 1e-8 eps would be
    // visible there; the eps-level difference itself is covered in @paretopo/policy's optim tests.
    const opt = new AdamW(backend, layout, { lr: 0.01, weightDecay: 0, clipNorm: 0, eps: 1e-12 });
    const params = new Float32Array(layout.size);
    const advantages: Float64Array[] = [];
    for (const [t, b] of [facts, step1].entries()) {
      const out = method.step(b);
      advantages.push(out.advantages);
      const g = new Float32Array(layout.size);
      out.advantages.forEach((a, i) => episodeGrads[t][i].forEach((x, j) => (g[j] += a * x)));
      await opt.step(params, g);
    }
    return { params, advantages };
  }

  it('per step: the advantages are 0.5 × Dr. GRPO’s at both steps, and AdamW makes the same update up to eps', async () => {
    const dr = await train('drgrpo', {});
    const s1 = await train('paretopo-s1', {});
    for (let t = 0; t < 2; t++) s1.advantages[t].forEach((a, i) => expect(a).toBeCloseTo(0.5 * dr.advantages[t][i], 15));
    expectAllClose(s1.params, dr.params, { abs: 1e-6, rel: 1e-6 });
  });

  it('per group: group 0 gets a larger factor than group 1 at step 1, and the AdamW update changes', async () => {
    const dr = await train('drgrpo', {});
    const byGroup = await train('paretopo-s1', { granularity: 'group' });
    const ratio = (i: number) => byGroup.advantages[1][i] / dr.advantages[1][i];
    expect(ratio(2)).toBeGreaterThan(0.5);
    expect(ratio(4)).toBeCloseTo(0.5, 12);
    let maxDiff = 0;
    byGroup.params.forEach((p, j) => (maxDiff = Math.max(maxDiff, Math.abs(p - dr.params[j]))));
    expect(maxDiff).toBeGreaterThan(1e-4); // 100× the per-step bound above
  });
});
