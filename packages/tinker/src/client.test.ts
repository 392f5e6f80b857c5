import { afterEach, describe, expect, it, vi } from 'vitest';
import { REC, startFakeTinker, type FakeTinker } from '../test/fake-server';
import { TinkerClient } from './client';
import { protobufCodec } from './codec';
import { episodeDatum } from './datum';
import { TinkerError } from './errors';
import { encodeForwardBackwardRequest } from './protobuf';

let fake: FakeTinker | undefined;
let client: TinkerClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

const fast = { backoffMs: 1, maxBackoffMs: 5, heartbeatMs: 0, random: () => 0.5 };
const datum = () =>
  episodeDatum({
    tokens: Int32Array.of(100, 200, 300, 400, 500, 600),
    lossMask: Uint8Array.of(0, 0, 0, 1, 1, 1),
    oldLogprobs: Float32Array.of(0, 0, 0, -11, -11, -11),
    advantages: Float32Array.of(0, 0, 0, 1, 1, 1),
  });

async function errorOf(p: Promise<unknown>): Promise<TinkerError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TinkerError);
    return err as TinkerError;
  }
  throw new Error('expected a TinkerError, got success');
}

describe('TinkerClient against a fake server (recorded SkyRL 0.3.0 bodies)', () => {
  it('opens a session with the API key from TINKER_API_KEY and never shows the key in errors', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/optim_step' ? { status: 422, json: { detail: 'bad adam' } } : undefined));
    const old = process.env.TINKER_API_KEY;
    process.env.TINKER_API_KEY = 'tml-secret-key-123';
    try {
      client = await TinkerClient.connect({ baseUrl: `${fake.baseUrl}/api/v1/`, ...fast });
    } finally {
      if (old === undefined) delete process.env.TINKER_API_KEY;
      else process.env.TINKER_API_KEY = old;
    }
    expect(client.sessionId).toBe(REC.create_session.session_id);
    expect(fake.requests[0].path).toBe('/api/v1/create_session');
    expect(fake.requests[0].headers['x-api-key']).toBe('tml-secret-key-123');
    expect(fake.requests[0].body.tags).toEqual(['paretopo']);
    const err = await errorOf(client.optimStep('model_1', { learningRate: 1e-3 }));
    expect(err.status).toBe(422);
    expect(err.message).toContain('bad adam');
    expect(`${err.message} ${String(err.cause)}`).not.toContain('tml-secret');
  });

  it('creates a model and polls its future through 408 answers', async () => {
    let polls = 0;
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' && polls++ < 2 ? { status: 408, json: REC.timeout_408 } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const model = await client.createModel({ baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4, seed: 1 });
    expect(model).toEqual({ modelId: REC.create_model.model_id, baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4 });
    const create = fake.requests.find((r) => r.path === '/api/v1/create_model')!;
    expect(create.body).toEqual({ session_id: REC.create_session.session_id, base_model: 'Qwen/Qwen3-0.6B', lora_config: { rank: 4, seed: 1 } });
    expect(fake.requests.filter((r) => r.path === '/api/v1/retrieve_future')).toHaveLength(3);
  });

  it("polls again on hosted Tinker's 200 { type: 'try_again' } answers, and times out on them like on 408", async () => {
    let polls = 0;
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' && polls++ < 2 ? { json: { type: 'try_again', request_id: 'x', queue_state: 'active' } } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const model = await client.createModel({ baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4 });
    expect(model.modelId).toBe(REC.create_model.model_id);
    expect(fake.requests.filter((r) => r.path === '/api/v1/retrieve_future')).toHaveLength(3);
    client.close();
    await fake.close();
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' ? { json: { type: 'try_again' } } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, futureTimeoutMs: 50 });
    await expect(client.createModel({ baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4 })).rejects.toMatchObject({ code: 'future-timeout' });
  });

  it('sends datums and Adam parameters as the API defines them and reads the recorded results', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const fwd = await client.forward('model_1', [datum()]);
    expect(Array.from(fwd.outputs[0].logprobs)).toEqual(Array.from(Float32Array.from(REC.forward_future.loss_fn_outputs[0].logprobs.data)));
    const fb = await client.forwardBackward('model_1', [datum()], 'ppo', { clipLow: 0.8, clipHigh: 1.2 });
    expect(fb.outputs[0].elementwiseLoss).toHaveLength(5);
    const sent = fake.requests.find((r) => r.path === '/api/v1/forward_backward')!.body;
    expect(sent.model_id).toBe('model_1');
    expect(sent.forward_backward_input.loss_fn).toBe('ppo');
    expect(sent.forward_backward_input.loss_fn_config).toEqual({ clip_low_threshold: 0.8, clip_high_threshold: 1.2 });
    expect(sent.forward_backward_input.data[0]).toEqual({
      model_input: { chunks: [{ type: 'encoded_text', tokens: [100, 200, 300, 400, 500] }] },
      loss_fn_inputs: {
        target_tokens: { data: [200, 300, 400, 500, 600], dtype: 'int64' },
        weights: { data: [0, 0, 1, 1, 1], dtype: 'float32' },
        logprobs: { data: [0, 0, -11, -11, -11], dtype: 'float32' },
        advantages: { data: [0, 0, 1, 1, 1], dtype: 'float32' },
      },
    });
    const metrics = await client.optimStep('model_1', { learningRate: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 });
    expect(metrics['skyrl.ai/grad_norm']).toBeCloseTo(5.7675, 3);
    expect(fake.requests.find((r) => r.path === '/api/v1/optim_step')!.body.adam_params).toEqual({ learning_rate: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0 });
  });

  it('saves sampler weights, samples tokens with log-probs and stop reasons, saves and loads checkpoints', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const path = await client.saveWeightsForSampler('model_1', 's1');
    expect(path).toBe(REC.save_weights_for_sampler_future.path);
    const out = await client.sample({ modelPath: path }, Int32Array.of(1, 2, 3), { maxTokens: 5, seed: 3, stop: ['</calc>'] }, { numSamples: 2 });
    expect(out.sequences.map((s) => [Array.from(s.tokens), s.stopReason])).toEqual(REC.sample_future.sequences.map((s: any) => [s.tokens, s.stop_reason]));
    expect(out.sequences[1].logprobs[0]).toBeCloseTo(-11.896, 3);
    expect(out.promptLogprobs).toBeNull();
    const body = fake.requests.find((r) => r.path === '/api/v1/asample')!.body;
    expect(body).toMatchObject({ num_samples: 2, model_path: path, prompt: { chunks: [{ type: 'encoded_text', tokens: [1, 2, 3] }] }, sampling_params: { max_tokens: 5, seed: 3, stop: ['</calc>'], temperature: 1 } });
    const scored = await client.sample({ baseModel: 'm' }, Int32Array.of(1, 2, 3, 4, 5, 6), { maxTokens: 5 }, { promptLogprobs: true });
    expect(scored.promptLogprobs).toHaveLength(5);
    const ckpt = await client.saveWeights('model_1', 'c1');
    expect(ckpt).toBe('tinker://model_299fc331/weights/c1');
    await client.loadWeights('model_2', ckpt, { optimizer: true });
    expect(fake.requests.find((r) => r.path === '/api/v1/load_weights')!.body).toMatchObject({ model_id: 'model_2', path: ckpt, optimizer: true });
    await client.unloadModel('model_2');
  });

  it('reports a failed future with the server message', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' ? { status: 400, json: REC.failed_future } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const err = await errorOf(client.optimStep('model_7092e865', { learningRate: 1e-3 }));
    expect(err.code).toBe('future-failed');
    expect(err.message).toBe(`TinkerClient.optimStep: the server failed request 100: ${REC.failed_future.detail}`);
  });

  it('retries 503 after Retry-After and 429, but not a 500 on a mutating call', async () => {
    let n503 = 0;
    fake = await startFakeTinker((req) => {
      if (req.path === '/api/v1/save_weights' && n503++ < 1) return { status: 503, json: { detail: 'busy' }, headers: { 'retry-after': '0' } };
      if (req.path === '/api/v1/optim_step') return { status: 500, json: { detail: 'boom' } };
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    expect(await client.saveWeights('model_1', 'c1')).toContain('weights/c1');
    expect(fake.requests.filter((r) => r.path === '/api/v1/save_weights')).toHaveLength(2);
    const err = await errorOf(client.optimStep('model_1', { learningRate: 1e-3 }));
    expect(err.status).toBe(500);
    expect(fake.requests.filter((r) => r.path === '/api/v1/optim_step')).toHaveLength(1);
  });

  it('sends a mutating call again once when the server dropped the connection without an answer, not twice', async () => {
    let drops = 0;
    fake = await startFakeTinker((req) => {
      if (req.path === '/api/v1/create_model' && drops++ < 1) return { drop: true };
      if (req.path === '/api/v1/optim_step') return { drop: true };
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, maxAttempts: 4 });
    expect((await client.createModel({ baseModel: 'm', loraRank: 4 })).modelId).toBe(REC.create_model.model_id);
    expect(fake.requests.filter((r) => r.path === '/api/v1/create_model')).toHaveLength(2);
    const err = await errorOf(client.optimStep('model_1', { learningRate: 1e-3 }));
    expect(err.code).toBe('network');
    expect(fake.requests.filter((r) => r.path === '/api/v1/optim_step')).toHaveLength(2);
  });

  it('retries a poll that failed with 502 (reads are safe to repeat) and gives up after maxAttempts', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' ? { status: 502, json: { detail: 'bad gateway' } } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, maxAttempts: 3 });
    const err = await errorOf(client.saveWeights('model_1', 'c1'));
    expect(err.message).toMatch(/502: bad gateway \(after 3 attempts\)$/);
    expect(fake.requests.filter((r) => r.path === '/api/v1/retrieve_future')).toHaveLength(3);
  });

  it('times out a hung server per attempt', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/optim_step' ? { hang: true } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, timeoutMs: 200 });
    const err = await errorOf(client.optimStep('model_1', { learningRate: 1e-3 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('timed out after 200 ms');
  });

  it('fails fast with a clear error when nothing listens', async () => {
    fake = await startFakeTinker();
    const url = fake.baseUrl;
    await fake.close();
    fake = undefined;
    const err = await errorOf(TinkerClient.connect({ baseUrl: url, ...fast, maxAttempts: 2 }));
    expect(err.code).toBe('network');
    expect(err.message).toContain(`POST ${url}/api/v1/create_session failed`);
    expect(err.message).toContain('is the Tinker server running');
  });

  it('caps response bodies', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/retrieve_future' ? { raw: JSON.stringify({ path: 'x'.repeat(5000) }) } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, maxResponseBytes: 1000 });
    const err = await errorOf(client.saveWeights('model_1', 'c1'));
    expect(err.code).toBe('too-large');
    expect(err.message).toContain('maxResponseBytes (1000');
  });

  it('names a protobuf answer instead of failing on JSON.parse, and rejects malformed bodies', async () => {
    fake = await startFakeTinker((req) => {
      if (req.path === '/api/v1/retrieve_future' && req.body.request_id === '100') return { raw: '\u0008\u0001', headers: { 'content-type': 'application/x-protobuf' } };
      if (req.path === '/api/v1/retrieve_future') return { json: { sequences: [{ tokens: [1, 'x'], logprobs: [0, 0], stop_reason: 'stop' }] } };
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const proto = await errorOf(client.forward('model_1', [datum()]));
    expect(proto.code).toBe('bad-response');
    expect(proto.message).toContain('needs a protobuf codec');
    const malformed = await errorOf(client.sample({ baseModel: 'm' }, Int32Array.of(1), { maxTokens: 2 }));
    expect(malformed.message).toBe('TinkerClient.sample: the server\'s answer has "x" at index 1 of a list of integers');
  });

  it('sends heartbeats on its timer and stops on close', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, heartbeatMs: 20 });
    // Wait for the first beat to land (a loaded machine may delay it far past 20 ms).
    await vi.waitUntil(() => fake!.requests.some((r) => r.path === '/api/v1/session_heartbeat'), { timeout: 20_000, interval: 10 });
    client.close();
    const beats = fake.requests.filter((r) => r.path === '/api/v1/session_heartbeat');
    expect(beats.length).toBeGreaterThan(0);
    expect(beats[0].body).toEqual({ session_id: REC.create_session.session_id, type: 'session_heartbeat' });
    // A beat already in flight at close() may still land; after that, none.
    await new Promise((r) => setTimeout(r, 60));
    const settled = fake.requests.filter((r) => r.path === '/api/v1/session_heartbeat').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.requests.filter((r) => r.path === '/api/v1/session_heartbeat')).toHaveLength(settled);
  });

  it('sends one heartbeat at a time: none while the last is unanswered', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/session_heartbeat' ? { hang: true } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, heartbeatMs: 10 });
    // Wait for the first beat to land (a loaded machine may delay it far past 10 ms).
    await vi.waitUntil(() => fake!.requests.some((r) => r.path === '/api/v1/session_heartbeat'), { timeout: 20_000, interval: 10 });
    // Twenty periods with the first beat unanswered: a timer that fired regardless would have sent about twenty.
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.requests.filter((r) => r.path === '/api/v1/session_heartbeat')).toHaveLength(1);
  });

  it.each([
    ['a relative URL', { baseUrl: 'localhost:8000' }, /options.baseUrl must be an absolute http\(s\) URL \(got "localhost:8000"\)/],
    ['credentials in the URL', { baseUrl: 'http://u:p@127.0.0.1:1' }, /must not hold credentials/],
    ['a zero timeout', { baseUrl: 'http://127.0.0.1:1', timeoutMs: 0 }, /options.timeoutMs must be an integer >= 1 \(got 0\)/],
  ])('rejects %s', async (_name, options, message) => {
    await expect(TinkerClient.connect(options as any)).rejects.toThrow(message);
  });

  it('validates arguments before sending', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const n = fake.requests.length;
    await expect(client.createModel({ baseModel: 'm', loraRank: 0 })).rejects.toThrow('TinkerClient.createModel: spec.loraRank must be an integer >= 1 (got 0)');
    await expect(client.forwardBackward('m', [episodeDatum({ tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(0, 1) })], 'importance_sampling')).rejects.toThrow(
      "lossFn 'importance_sampling' needs loss_fn_inputs.logprobs and .advantages (datums[0] lacks them)",
    );
    await expect(client.sample({ baseModel: 'm' }, Int32Array.of(1), { maxTokens: 4, stop: ['a', 3] as any })).rejects.toThrow('params.stop must be all non-empty strings or all token ids');
    await expect(client.saveWeights('m', '../x')).rejects.toThrow("TinkerClient.saveWeights: name must be 1–255 letters, digits, '_' or '-' (got \"../x\")");
    await expect(client.optimStep('m', { learningRate: Number.NaN })).rejects.toThrow('TinkerClient.optimStep: adam.learningRate must be a finite number (got NaN)');
    expect(fake.requests.length).toBe(n);
  });
});

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

describe('TinkerClient with protobufCodec against a fake server (hosted Tinker routes)', () => {
  it('sends forward_backward as protobuf, asks for results as protobuf and reads them', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, codec: protobufCodec, ...fast });
    const session = fake.requests[0];
    expect(session.headers['content-type']).toBe('application/json');
    expect(session.headers.accept).toBe('application/json');

    const fb = await client.forwardBackward('model_1', [datum()], 'ppo', { clipLow: 0.8, clipHigh: 1.2 });
    const sent = fake.requests.find((r) => r.path === '/api/v1/forward_backward')!;
    expect(sent.headers['content-type']).toBe('application/x-protobuf');
    expect(sent.headers.accept).toBe('application/json');
    const body = { model_id: 'model_1', forward_backward_input: { data: [datum()], loss_fn: 'ppo', loss_fn_config: { clip_low_threshold: 0.8, clip_high_threshold: 1.2 } } };
    expect(Buffer.from(sent.bytes).equals(Buffer.from(encodeForwardBackwardRequest(body)))).toBe(true);
    expect(sent.body.forward_backward_input.data[0].model_input.chunks[0].tokens).toEqual([100, 200, 300, 400, 500]);
    const poll = fake.requests.filter((r) => r.path === '/api/v1/retrieve_future').at(-1)!;
    expect(poll.headers.accept).toBe('application/x-protobuf');
    expect(fb.outputs[0].logprobs).toBeInstanceOf(Float32Array);
    expect(Array.from(fb.outputs[0].logprobs)).toEqual(f32(REC.forward_future.loss_fn_outputs[0].logprobs.data));
    expect(Array.from(fb.outputs[0].elementwiseLoss)).toEqual(f32(REC.forward_future.loss_fn_outputs[0].elementwise_loss.data));
  });

  it('runs forward as forward_backward with forward_only (hosted Tinker has no /forward)', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, codec: protobufCodec, ...fast });
    const fwd = await client.forward('model_1', [datum()]);
    expect(fake.requests.some((r) => r.path === '/api/v1/forward')).toBe(false);
    const sent = fake.requests.find((r) => r.path === '/api/v1/forward_backward')!;
    expect(sent.body.forward_only).toBe(true);
    expect(sent.body.forward_backward_input.loss_fn).toBe('cross_entropy');
    expect(Array.from(fwd.outputs[0].logprobs)).toEqual(f32(REC.forward_future.loss_fn_outputs[0].logprobs.data));
  });

  it('samples (request JSON, result protobuf) and keeps optim_step JSON', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, codec: protobufCodec, ...fast });
    const s = await client.sample({ baseModel: 'Qwen/Qwen3-0.6B' }, Int32Array.of(1, 2, 3), { maxTokens: 5 }, { numSamples: 2 });
    const asample = fake.requests.find((r) => r.path === '/api/v1/asample')!;
    expect(asample.headers['content-type']).toBe('application/json');
    expect(fake.requests.filter((r) => r.path === '/api/v1/retrieve_future').at(-1)!.headers.accept).toBe('application/x-protobuf');
    expect(s.sequences[0].tokens).toBeInstanceOf(Int32Array);
    expect(Array.from(s.sequences[1].tokens)).toEqual(REC.sample_future.sequences[1].tokens);
    expect(Array.from(s.sequences[0].logprobs)).toEqual(f32(REC.sample_future.sequences[0].logprobs));
    expect(s.sequences[0].stopReason).toBe('length');
    expect(s.promptLogprobs).toBeNull();
    const withPrompt = await client.sample({ baseModel: 'Qwen/Qwen3-0.6B' }, Int32Array.of(1, 2, 3), { maxTokens: 5 }, { promptLogprobs: true });
    expect(Array.from(withPrompt.promptLogprobs!)).toEqual(f32(REC.sample_prompt_logprobs_future.prompt_logprobs.filter((x: unknown) => x !== null)));

    await client.optimStep('model_1', { learningRate: 1e-4 });
    const n = fake.requests.findIndex((r) => r.path === '/api/v1/optim_step');
    expect(fake.requests[n].headers['content-type']).toBe('application/json');
    expect(fake.requests[n + 1].headers.accept).toBe('application/json');
  });

  it('the JSON codec (the default) never asks for protobuf', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    await client.forwardBackward('model_1', [datum()], 'importance_sampling');
    await client.sample({ baseModel: 'Qwen/Qwen3-0.6B' }, Int32Array.of(1, 2, 3), { maxTokens: 5 });
    for (const r of fake.requests) {
      expect(r.headers.accept).toBe('application/json');
      expect(r.headers['content-type']).toBe('application/json');
    }
  });
});
