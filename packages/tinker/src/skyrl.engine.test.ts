import { createCalculator } from '@paretopo/envs';
import { rollout } from '@paretopo/rollout';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_REQUIRED, findEngine, startEngine, type RunningEngine } from '../test/engine';
import { ChatTemplate, hfTokenizer, readTokenizerFiles } from './chat';
import { TinkerClient } from './client';
import { clippedLossStep, clippedLossWeights } from './custom-loss';
import { episodeDatum, packedDatums } from './datum';
import { TinkerPolicy } from './policy';
import { TinkerError } from './errors';
import type { Datum } from './types';

/*
 * The client against a real SkyRL Tinker server (JAX backend on CPU, a random tiny Qwen3 built at
 * test time). Required in CI (PARETOPO_REQUIRE_ENGINE=1, after scripts/engine/setup.sh); skipped
 * with a message elsewhere. Every sequence stays under 32 tokens, SkyRL's smallest length bucket,
 * so the engine compiles each program once.
 */
const found = await findEngine();
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && ENGINE_REQUIRED) {
  throw new Error(`PARETOPO_REQUIRE_ENGINE=1 but SkyRL's Tinker server is not installed: ${missing}`);
}
if (missing !== undefined) {
  console.warn(`skipping the SkyRL engine suite: ${missing}`);
}

// A generous guard against a hang, not a performance bound: JAX compiles on a loaded 2-core CI box.
const SLOW = 600_000;
const PROMPT = Int32Array.of(151644, 872, 198, 3838, 374, 220, 17, 10, 18, 30, 151645, 198, 151644, 77091, 198);

describe.skipIf(missing !== undefined)('SkyRL Tinker server (JAX on CPU, tiny Qwen3)', () => {
  let engine: RunningEngine;
  let client: TinkerClient;
  let modelId: string;
  let sampled: { tokens: Int32Array; logprobs: Float32Array };
  let batch: Datum[];
  let stepped: Float32Array[];
  let samplerPath: string;

  beforeAll(async () => {
    engine = await startEngine((found as { dir: string }).dir);
    client = await TinkerClient.connect({ baseUrl: engine.baseUrl, maxAttempts: 3, backoffMs: 200, futureTimeoutMs: SLOW });
  }, SLOW);

  afterAll(async () => {
    client?.close();
    await engine?.stop();
  }, 60_000);

  const withLog = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- server log ---\n${engine.logTail()}`, { cause: err });
    }
  };

  it('sampler and learner agree on the log-probs of the same tokens', async () => {
    modelId = (await withLog(client.createModel({ baseModel: engine.baseModel, loraRank: 4, seed: 1 }))).modelId;
    const out = await withLog(client.sample({ baseModel: engine.baseModel }, PROMPT, { maxTokens: 8, seed: 7, temperature: 1 }, { numSamples: 1 }));
    const seq = out.sequences[0];
    expect(seq.tokens.length).toBeGreaterThan(0);
    expect(['length', 'stop']).toContain(seq.stopReason);
    sampled = seq;
    const tokens = Int32Array.from([...PROMPT, ...seq.tokens]);
    const mask = new Uint8Array(tokens.length).fill(1, PROMPT.length);
    const old = new Float32Array(tokens.length);
    old.set(seq.logprobs, PROMPT.length);
    const adv = new Float32Array(tokens.length).fill(1, PROMPT.length);
    batch = [episodeDatum({ tokens, lossMask: mask, oldLogprobs: old, advantages: adv })];
    // A fresh LoRA adapter starts as the identity (B = 0), so the learner is the base model here.
    const fwd = await withLog(client.forward(modelId, batch));
    const learner = fwd.outputs[0].logprobs.subarray(PROMPT.length - 1);
    expect(learner).toHaveLength(seq.logprobs.length);
    for (let i = 0; i < learner.length; i++) expect(Math.abs(learner[i] - seq.logprobs[i])).toBeLessThan(2e-3);
  }, SLOW);

  it('one forward_backward + optim_step on a fixed batch lowers that batch’s loss', async () => {
    const sft = batch.map((d) => ({ model_input: d.model_input, loss_fn_inputs: { target_tokens: d.loss_fn_inputs.target_tokens, weights: d.loss_fn_inputs.weights } }));
    const before = await withLog(client.forwardBackward(modelId, sft, 'cross_entropy'));
    const metrics = await withLog(client.optimStep(modelId, { learningRate: 0.02 }));
    expect(metrics['skyrl.ai/grad_norm']).toBeGreaterThan(0);
    const after = await withLog(client.forward(modelId, sft));
    const sum = (a: Float32Array) => a.reduce((s, x) => s + x, 0);
    const l0 = sum(before.outputs[0].elementwiseLoss);
    const l1 = sum(after.outputs[0].elementwiseLoss);
    expect(l0).toBeGreaterThan(0);
    expect(l1).toBeLessThan(l0);
    stepped = after.outputs.map((o) => o.logprobs);
  }, SLOW);

  it('new sampler weights change the sampled log-probs, and match the learner', async () => {
    const path = await withLog(client.saveWeightsForSampler(modelId, 'step-1'));
    expect(path).toMatch(/^tinker:\/\//);
    samplerPath = path;
    const tokens = Int32Array.from([...PROMPT, ...sampled.tokens]);
    const [base, tuned] = await withLog(
      Promise.all([
        client.sample({ baseModel: engine.baseModel }, tokens, { maxTokens: 1, seed: 7 }, { promptLogprobs: true }),
        client.sample({ modelPath: path }, tokens, { maxTokens: 1, seed: 7 }, { promptLogprobs: true }),
      ]),
    );
    const b = base.promptLogprobs!.subarray(PROMPT.length - 1);
    const t = tuned.promptLogprobs!.subarray(PROMPT.length - 1);
    let moved = 0;
    for (let i = 0; i < t.length; i++) {
      moved = Math.max(moved, Math.abs(t[i] - b[i]));
      // The sampler reads the weights the learner just stepped to.
      expect(Math.abs(t[i] - stepped[0][PROMPT.length - 1 + i])).toBeLessThan(2e-3);
    }
    expect(moved).toBeGreaterThan(1e-2);
  }, SLOW);

  it('a training checkpoint saved and loaded into a fresh model gives the same log-probs', async () => {
    const path = await withLog(client.saveWeights(modelId, 'ckpt-1'));
    const fresh = await withLog(client.createModel({ baseModel: engine.baseModel, loraRank: 4, seed: 2 }));
    await withLog(client.loadWeights(fresh.modelId, path));
    const sft = batch.map((d) => ({ model_input: d.model_input, loss_fn_inputs: { target_tokens: d.loss_fn_inputs.target_tokens } }));
    const loaded = await withLog(client.forward(fresh.modelId, sft));
    for (let i = 0; i < stepped[0].length; i++) expect(Math.abs(loaded.outputs[0].logprobs[i] - stepped[0][i])).toBeLessThan(1e-4);
    await withLog(client.unloadModel(fresh.modelId));
  }, SLOW);

  it('rollout runs on the engine sampler token for token, and a clipped-loss step through cross_entropy weights lowers that loss', async () => {
    const files = readTokenizerFiles(engine.baseModel);
    const tokenizer = hfTokenizer(files);
    // The sampler holds the learner's current weights (checked above), so old = current log-probs.
    const policy = new TinkerPolicy({ client, sampler: { modelPath: samplerPath }, tokenizer });
    const prompt = new ChatTemplate(files.tokenizerConfig).render([{ role: 'user', content: 'What is 2+3?' }]);
    const out = await withLog(rollout(policy, [{ id: 't', prompt, answer: '5' }], { groupSize: 2, tools: [createCalculator()], maxTurns: 2, maxTokens: 8, seed: 1 }));
    expect(out.episodes).toHaveLength(2);
    const p = tokenizer.encode(prompt);
    expect(Array.from(out.tokens.subarray(0, p.length))).toEqual(Array.from(p));
    const adv = new Float32Array(out.tokens.length);
    for (let e = 0; e < 2; e++) adv.fill(e === 0 ? 1 : -1, out.offsets[e], out.offsets[e + 1]);
    const datums = packedDatums(out, adv);
    const r = await withLog(clippedLossStep(client, modelId, datums, { betaKl: 0 }));
    // The engine's forward on the sampled tokens reproduces the sampler's log-probs (ρ = 1).
    expect(r.clipFraction).toBe(0);
    for (let e = 0; e < 2; e++) {
      const old = datums[e].loss_fn_inputs.logprobs!.data;
      const w = datums[e].loss_fn_inputs.weights!.data;
      const now = r.engine.outputs[e].logprobs;
      for (let i = 0; i < w.length; i++) if (w[i] === 1) expect(Math.abs(now[i] - old[i])).toBeLessThan(2e-3);
    }
    await withLog(client.optimStep(modelId, { learningRate: 0.02 }));
    const after = await withLog(client.forward(modelId, datums));
    const next = clippedLossWeights(datums, after.outputs.map((o) => o.logprobs), { betaKl: 0 });
    expect(next.loss).toBeLessThan(r.loss);
  }, SLOW);

  it('a killed server gives a clear error, not a hang', async () => {
    const pending = client.forward(modelId, batch);
    // Let the request reach the server and its poll start, then kill the whole process group.
    await new Promise((r) => setTimeout(r, 1000));
    process.kill(-engine.process.pid!, 'SIGKILL');
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TinkerError);
    expect((err as TinkerError).code).toBe('network');
    expect((err as TinkerError).message).toMatch(/is the Tinker server running and reachable\?/);
    await expect(client.heartbeat()).rejects.toThrow(/ECONNREFUSED|fetch failed|is the Tinker server running/);
  }, SLOW);
});
