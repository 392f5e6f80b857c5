import { arithTasks, arithTeacher, createCalculator } from '@paretopo/envs';
import { createBackend } from '@paretopo/kernels';
import { AdamW, TagTokenizer, TinyGPT, asRolloutPolicy } from '@paretopo/policy';
import { rollout } from '@paretopo/rollout';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES, MethodState, type MethodName } from './methods';
import { callSpread, frozenReference, policyGradient, rlStep, type RlMetricsRow, type RlParts } from './rl-step';
import { sft } from './sft';

const tok = TagTokenizer.create();
const CONFIG = { layers: 1, dModel: 32, heads: 2, context: 128, vocab: tok.size, mlpRatio: 4 };
const TASKS = arithTasks({ seed: 3, count: 2, mix: [1, 0, 0, 0] });
const STEP = { groupSize: 4, maxTurns: 2, maxTokens: 24, seed: 5 };

// A micro policy with a short SFT warm start, so rollouts contain calls and answers.
async function warmModel(): Promise<TinyGPT> {
  const backend = await createBackend('js');
  const model = TinyGPT.create(CONFIG, backend, { seed: 1 });
  const traces = arithTeacher(arithTasks({ seed: 1, count: 32 }), { seed: 2 });
  await sft(model, new AdamW(backend, model.layout, { lr: 1e-2 }), tok, traces, { steps: 10, batchSize: 8 });
  return model;
}

function partsFor(model: TinyGPT, name: MethodName, totalSteps: number): RlParts {
  const copy = TinyGPT.fromParams(model.config, model.backend, model.params.slice());
  return {
    model: copy,
    reference: frozenReference(copy),
    tokenizer: tok,
    optimizer: new AdamW(copy.backend, copy.layout, { lr: 1e-3 }),
    method: new MethodState(name, { totalSteps }),
    tools: [createCalculator()],
  };
}

const timeless = (r: RlMetricsRow) => ({ ...r, seconds: 0, tokensPerSecond: 0 });

describe('rlStep', () => {
  it('every method runs 2 steps with finite metrics and the right stage', async () => {
    const model = await warmModel();
    for (const name of METHOD_NAMES) {
      const parts = partsFor(model, name, 2);
      const before = parts.model.params.slice();
      const rows = [await rlStep(parts, TASKS, STEP), await rlStep(parts, TASKS, STEP)];
      const want = name === 'paretopo' ? [1, 2] : name === 'paretopo-s2' ? [2, 2] : [1, 1];
      expect(rows.map((r) => r.stage), name).toEqual(want);
      expect(rows.map((r) => r.step)).toEqual([0, 1]);
      for (const r of rows) {
        for (const [key, v] of Object.entries(r)) {
          if (typeof v === 'number') expect(Number.isFinite(v), `${name}.${key}`).toBe(true);
        }
        expect(r.episodes).toBe(8);
        expect(r.accuracy).toBeGreaterThanOrEqual(0);
        expect(r.accuracy).toBeLessThanOrEqual(1);
        expect(r.hv).toBeCloseTo(r.accuracy * r.meanToolReward, 12);
        expect(r.generatedTokens).toBeGreaterThan(0);
        expect(r.clipFraction).toBeGreaterThanOrEqual(0);
        expect(r.kl).toBeGreaterThanOrEqual(0);
      }
      expect(rows[0].kl).toBeCloseTo(0, 5); // the first update starts at π_ref
      if (name.startsWith('paretopo')) expect(rows[1].archiveSize).toBeGreaterThanOrEqual(1);
      else expect(rows[1].rPareto).toBeNull();
      expect(parts.model.params).not.toEqual(before); // AdamW moved the weights (decay at least)
    }
  });

  it('is deterministic: same seed, same rows for 2 steps', async () => {
    const model = await warmModel();
    const run = async () => {
      const parts = partsFor(model, 'paretopo', 2);
      return [timeless(await rlStep(parts, TASKS, STEP)), timeless(await rlStep(parts, TASKS, STEP))];
    };
    const a = await run();
    expect(await run()).toEqual(a);
  });
});

describe('frozenReference', () => {
  it('copies the parameters: later updates of the policy leave it unchanged', async () => {
    const model = TinyGPT.create(CONFIG, await createBackend('js'), { seed: 4 });
    const ref = frozenReference(model);
    const before = ref.params.slice();
    model.params.fill(0);
    expect(ref.params).toEqual(before);
    expect(ref.config).toEqual(model.config);
  });
});

describe('policyGradient', () => {
  it('zero advantages and a KL reference equal to the policy give an exactly zero gradient', async () => {
    const model = await warmModel();
    const traj = await rollout(asRolloutPolicy(model, tok), TASKS, { groupSize: 4, tools: [createCalculator()], maxTurns: 2, maxTokens: 24, seed: 1 });
    const grads = new Float32Array(model.params.length).fill(1);
    const zero = new Float32Array(traj.tokens.length);
    const opts = { epsLow: 0.2, epsHigh: 0.2, betaKl: 0.001, aggregation: 'token-mean' as const };
    // k3's gradient is 1 − exp(−(logπθ − logπref)) = 0 at π_ref = πθ; without the KL it is 0 anyway.
    const stats = await policyGradient(model, frozenReference(model), traj, zero, opts, grads);
    expect(grads.every((g) => g === 0)).toBe(true);
    expect(stats.kl).toBeCloseTo(0, 6);
    await policyGradient(model, null, traj, zero, opts, grads);
    expect(grads.every((g) => g === 0)).toBe(true);
    // Zero gradient and no weight decay: AdamW leaves every parameter where it was.
    const before = model.params.slice();
    await new AdamW(model.backend, model.layout, { weightDecay: 0 }).step(model.params, grads);
    expect(model.params).toEqual(before);
    // A non-zero advantage on the generated tokens does move the gradient.
    const adv = Float32Array.from(traj.lossMask, (m) => m);
    const s2 = await policyGradient(model, null, traj, adv, opts, grads);
    expect(grads.some((g) => g !== 0)).toBe(true);
    expect(s2.loss).toBeCloseTo(-1, 5); // ρ = 1, A = 1 on every token: L = −mean(ρA) = −1
  });
});

describe('callSpread', () => {
  it('known values: groups whose calls differ, and groups whose correct episodes differ', () => {
    // group 0: calls 2, 2, 1 (varying), correct ones 2 and 1 (varying); group 1: calls 0, 3 but one correct.
    const r = callSpread([true, false, true, true, false], [2, 2, 1, 0, 3], Int32Array.of(0, 0, 0, 1, 1));
    expect(r).toEqual({ varying: 1, correctVarying: 0.5 });
    expect(callSpread([true, true, true, true], [2, 2, 2, 2], Int32Array.of(0, 0, 1, 1))).toEqual({ varying: 0, correctVarying: 0 });
    expect(callSpread([], [], new Int32Array(0))).toEqual({ varying: 0, correctVarying: 0 });
  });

  it('laws: correct-varying ≤ varying, both in [0, 1], and the order of episodes does not matter', () => {
    const episodes = fc.array(fc.record({ correct: fc.boolean(), calls: fc.integer({ min: 0, max: 4 }), group: fc.integer({ min: 0, max: 3 }) }), { maxLength: 24 });
    fc.assert(
      fc.property(episodes, (eps) => {
        const of = (list: typeof eps) => callSpread(list.map((e) => e.correct), list.map((e) => e.calls), Int32Array.from(list.map((e) => e.group)));
        const r = of(eps);
        expect(r.correctVarying).toBeLessThanOrEqual(r.varying);
        expect(r.varying).toBeGreaterThanOrEqual(0);
        expect(r.varying).toBeLessThanOrEqual(1);
        expect(of([...eps].reverse())).toEqual(r);
      }),
    );
  });

  it('refuses arrays of different lengths, naming the function and the lengths', () => {
    expect(() => callSpread([true], [1, 2], Int32Array.of(0, 0))).toThrow('callSpread: correct, calls and groupIds must have one entry per episode (got 1, 2, 2)');
  });
});
