import { afterEach, describe, expect, it } from 'vitest';
import { REC, startFakeTinker } from '../test/fake-server';
import { TinkerClient } from './client';
import { protobufCodec } from './codec';
import { episodeDatum } from './datum';
import { encodeForwardBackwardRequest } from './protobuf';

type Fake = Awaited<ReturnType<typeof startFakeTinker>>;
let fake: Fake | undefined;
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
