import { afterEach, describe, expect, it, vi } from 'vitest';
import { REC, startFakeTinker, type FakeAnswer, type FakeTinker, type SeenRequest } from '../test/fake-server';
import recording from '../test/hosted-requests.json';
import { JwtCredential, jwtExpiry } from './auth';
import { HOSTED_SDK_VERSION, TinkerClient } from './client';
import { jsonCodec } from './codec';
import { TinkerError } from './errors';
import { decodeForwardBackwardRequest } from './protobuf';
import type { Datum } from './types';

let fake: FakeTinker | undefined;
let client: TinkerClient | undefined;
afterEach(async () => {
  client?.close();
  client = undefined;
  await fake?.close();
  fake = undefined;
});

const fast = { backoffMs: 1, maxBackoffMs: 5, heartbeatMs: 0, random: () => 0.5, apiKey: 'tml-not-a-real-key' };

/** A request of the SDK recording (test/record-hosted-requests.py). */
interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any;
  body_hex?: string;
}
const SDK = recording as unknown as { sdk: string; requests: Recorded[]; compressed_forward_backward: Recorded[] };
const SESSION = 'sess-0001';
const BASE = 'Qwen/Qwen3-4B-Instruct-2507';

/** Answers as the recorder's stand-in server does, so ids and paths match the recording. */
function sdkLikeServer(first?: (req: SeenRequest) => FakeAnswer | undefined): Promise<FakeTinker> {
  let self: FakeTinker;
  const answer = (req: SeenRequest): FakeAnswer | undefined => {
    const b = req.body;
    const a = first?.(req);
    if (a !== undefined) return a;
    switch (req.path) {
      case '/api/v1/create_session':
        return { json: { type: 'create_session', session_id: SESSION } };
      case '/api/v1/create_model': {
        const modelId = `${SESSION}:train:${b.model_seq_id}`;
        return { json: { ...(self.future({ type: 'create_model', model_id: modelId }).json as object), model_id: modelId } };
      }
      case '/api/v1/optim_step':
        return self.future({ metrics: { 'grad_norm:mean': 0.5 } });
      case '/api/v1/save_weights_for_sampler':
        return self.future({ type: 'save_weights_for_sampler', path: `tinker://${b.model_id}/sampler_weights/${b.path}` });
      case '/api/v1/save_weights':
        return self.future({ type: 'save_weights', path: `tinker://${b.model_id}/weights/${b.path}` });
      case '/api/v1/load_weights':
        return self.future({ type: 'load_weights', path: b.path, model_id: b.model_id });
      default:
        return undefined;
    }
  };
  return startFakeTinker((req) => answer(req)).then((f) => (self = f));
}

const datum = (tokens: number[], targets: number[], weights: number[]): Datum => ({
  model_input: { chunks: [{ type: 'encoded_text', tokens }] },
  loss_fn_inputs: { target_tokens: { data: targets, dtype: 'int64', shape: [targets.length] }, weights: { data: weights, dtype: 'float32', shape: [weights.length] } },
});

/** The recorded SDK flow (record-hosted-requests.py's main_flow), through TinkerClient in hosted mode. */
async function replaySdkFlow(c: TinkerClient): Promise<void> {
  const model = await c.createModel({ baseModel: BASE, loraRank: 16, seed: 0 });
  const data = [datum([1, 2, 3, 4], [2, 3, 4, 5], [0, 1, 1, 1]), datum([7, 8, 9], [8, 9, 10], [1, 1, 0.5])];
  await c.forwardBackward(model.modelId, data, 'cross_entropy');
  await c.optimStep(model.modelId, { learningRate: 1e-4 });
  await c.forward(model.modelId, data, 'cross_entropy');
  const path = await c.saveWeightsForSampler(model.modelId, 'step-1');
  const prompt = Int32Array.of(11, 12, 13, 14);
  await c.sample({ modelPath: path }, prompt, { maxTokens: 3, temperature: 0.7, seed: 5, stop: ['\n'] }, { numSamples: 2 });
  await c.sample({ modelPath: path }, prompt, { maxTokens: 2 }, { promptLogprobs: true });
  await c.sample({ baseModel: BASE }, prompt, { maxTokens: 2, topK: 20, topP: 0.9, stop: [151645] });
  const checkpoint = await c.saveWeights(model.modelId, 'ckpt-1');
  const second = await c.createModel({ baseModel: BASE, loraRank: 16 });
  await c.loadWeights(second.modelId, checkpoint, { optimizer: true });
  await c.optimStep(second.modelId, { learningRate: 1e-5, beta1: 0.8, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 });
  await c.heartbeat();
}

/**
 * Routes the SDK sends that this client does not: the periodically refreshed dynamic config, the
 * model info it fetches after create_model, the sampler lookup after create_sampling_session
 * (the SDK learns the base model so), telemetry.
 */
const NOT_SENT = /^\/api\/v1\/(client\/dynamic_config|get_info|samplers\/|telemetry)/;

/** A request's body for comparison: forward_backward decoded from its protobuf bytes, ids of futures masked. */
function comparable(path: string, body: any, hex?: string): unknown {
  if (path === '/api/v1/forward_backward') return hex === undefined ? body : decodeForwardBackwardRequest(Uint8Array.from(Buffer.from(hex, 'hex')));
  if (path === '/api/v1/retrieve_future') return { ...body, request_id: '<id>' };
  return body;
}

describe('TinkerClient in hosted mode against the tinker 0.38.0 SDK recording (test/hosted-requests.json)', () => {
  it('sends the routes, bodies and numbering the SDK sends, in its order', async () => {
    fake = await sdkLikeServer();
    // tags: the SDK sends TINKER_TAGS, none when unset (this client's default is ['paretopo']).
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast, tags: [] });
    await replaySdkFlow(client);

    const sdk = SDK.requests.filter((r) => !NOT_SENT.test(r.path));
    const ours = fake.requests;
    // Every route the client sends is one the SDK sends, the same number of times.
    const count = (xs: { path: string }[]) => xs.reduce<Record<string, number>>((m, r) => ((m[r.path] = (m[r.path] ?? 0) + 1), m), {});
    expect(count(ours)).toEqual(count(sdk));
    // The calls (all but the polls) in the same order with the same bodies: seq_id, model_seq_id,
    // sampling_session_seq_id, field names and values. The SDK pipelines optim_step behind
    // forward_backward before polling, so the polls interleave differently and are compared apart.
    const calls = (xs: { path: string; body: any; body_hex?: string }[]) =>
      xs.filter((r) => r.path !== '/api/v1/retrieve_future').map((r) => ({ path: r.path, body: comparable(r.path, r.body, r.body_hex) }));
    expect(calls(ours)).toEqual(calls(sdk));
    const polls = (xs: { path: string; body: any }[]) => xs.filter((r) => r.path === '/api/v1/retrieve_future').map((r) => comparable(r.path, r.body));
    expect(polls(ours)).toEqual(polls(sdk).map((p: any) => ({ ...p, allow_metadata_only: false })));
  });

  it('sends the content types, accepts and headers the SDK sends on each route', async () => {
    fake = await sdkLikeServer();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    await replaySdkFlow(client);
    const sdk = SDK.requests.filter((r) => !NOT_SENT.test(r.path));
    const view = (path: string, h: Record<string, unknown>) => ({
      path,
      'content-type': h['content-type'],
      'content-encoding': h['content-encoding'],
      'x-tinker-sampling-backpressure': h['x-tinker-sampling-backpressure'],
      idempotencyKey: typeof h['x-idempotency-key'] === 'string',
      apiKey: typeof h['x-api-key'] === 'string',
    });
    const nonPolls = (xs: { path: string; headers: Record<string, unknown> }[]) => xs.filter((r) => r.path !== '/api/v1/retrieve_future').map((r) => view(r.path, r.headers));
    expect(nonPolls(fake.requests)).toEqual(nonPolls(sdk));
    // Polls ask for protobuf exactly where the SDK does (forward and sample results), JSON elsewhere.
    const accepts = (xs: { path: string; headers: Record<string, unknown> }[]) => xs.filter((r) => r.path === '/api/v1/retrieve_future').map((r) => String(r.headers.accept)).sort();
    expect(accepts(fake.requests)).toEqual(accepts(sdk));
    expect(fake.requests.find((r) => r.path === '/api/v1/session_heartbeat')!.headers['x-api-key']).toBe('tml-not-a-real-key');
    // One idempotency key per call.
    const keys = fake.requests.map((r) => r.headers['x-idempotency-key']);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the recording is what the header of record-hosted-requests.py says it is', () => {
    expect(SDK.sdk).toBe(`tinker ${HOSTED_SDK_VERSION}`);
    expect(SDK.requests[0]).toMatchObject({ path: '/api/v1/client/config', body: { sdk_version: HOSTED_SDK_VERSION } });
    // No key value in the file.
    expect(JSON.stringify(recording)).not.toMatch(/tml-[A-Za-z0-9]/);
    // zstd only when the server's client config asks for it (proto_compress_fwdbwd); by default the SDK sends plain protobuf.
    expect(SDK.requests.every((r) => r.headers['content-encoding'] === undefined)).toBe(true);
    expect(SDK.compressed_forward_backward[0].headers['content-encoding']).toBe('zstd');
  });
});

describe('TinkerClient hosted mode: numbering, sampling sessions, failures', () => {
  it('numbers training requests per model from 1 and models per session from 0', async () => {
    fake = await sdkLikeServer();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    const a = await client.createModel({ baseModel: BASE, loraRank: 4 });
    const b = await client.createModel({ baseModel: BASE, loraRank: 4 });
    await client.optimStep(a.modelId, { learningRate: 1e-4 });
    await client.optimStep(b.modelId, { learningRate: 1e-4 });
    await client.optimStep(a.modelId, { learningRate: 1e-4 });
    await client.saveWeights(a.modelId, 'c');
    const models = fake.requests.filter((r) => r.path === '/api/v1/create_model').map((r) => r.body.model_seq_id);
    expect(models).toEqual([0, 1]);
    const seqs = fake.requests.filter((r) => r.body?.seq_id !== undefined).map((r) => [r.body.model_id, r.body.seq_id]);
    expect(seqs).toEqual([
      [a.modelId, 1],
      [b.modelId, 1],
      [a.modelId, 2],
      [a.modelId, 3],
    ]);
  });

  it('creates one sampling session per sampler and numbers its samples from 0; a failed creation is tried again', async () => {
    let creations = 0;
    fake = await startFakeTinker((req) => (req.path === '/api/v1/create_sampling_session' && creations++ === 0 ? { status: 400, json: { detail: 'no such checkpoint' } } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    const prompt = Int32Array.of(1, 2, 3);
    const err = await client.sample({ modelPath: 'tinker://m/sampler_weights/a' }, prompt, { maxTokens: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TinkerError);
    expect((err as TinkerError).message).toContain('no such checkpoint');
    await Promise.all([client.sample({ modelPath: 'tinker://m/sampler_weights/a' }, prompt, { maxTokens: 5 }), client.sample({ modelPath: 'tinker://m/sampler_weights/a' }, prompt, { maxTokens: 5 })]);
    await client.sample({ baseModel: BASE }, prompt, { maxTokens: 5 });
    const sessions = fake.requests.filter((r) => r.path === '/api/v1/create_sampling_session').map((r) => r.body);
    expect(sessions).toEqual([
      { session_id: REC.create_session.session_id, sampling_session_seq_id: 0, model_path: 'tinker://m/sampler_weights/a', type: 'create_sampling_session' },
      { session_id: REC.create_session.session_id, sampling_session_seq_id: 1, model_path: 'tinker://m/sampler_weights/a', type: 'create_sampling_session' },
      { session_id: REC.create_session.session_id, sampling_session_seq_id: 2, base_model: BASE, type: 'create_sampling_session' },
    ]);
    const samples = fake.requests.filter((r) => r.path === '/api/v1/asample').map((r) => [r.body.sampling_session_id, r.body.seq_id]);
    const s1 = `${REC.create_session.session_id}:sample:1`;
    expect(samples).toEqual([
      [s1, 0],
      [s1, 1],
      [`${REC.create_session.session_id}:sample:2`, 0],
    ]);
    for (const r of fake.requests.filter((q) => q.path === '/api/v1/asample')) {
      expect(r.body.base_model).toBeUndefined();
      expect(r.body.model_path).toBeUndefined();
    }
  });

  it("reads a future that failed with a 200 { error } as failed, naming the method and the server's message", async () => {
    fake = await startFakeTinker((req, n) => {
      if (req.path === '/api/v1/optim_step') return fake!.future('unused');
      if (req.path === '/api/v1/retrieve_future' && n > 0) return { json: { error: 'Model not found', category: 'user' } };
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    const err = (await client.optimStep('m', { learningRate: 1e-4 }).catch((e: unknown) => e)) as TinkerError;
    expect(err).toBeInstanceOf(TinkerError);
    expect(err.code).toBe('future-failed');
    expect(err.message).toMatch(/^TinkerClient\.optimStep: the server failed request \d+: Model not found \(category user\)$/);
  });

  it('refuses further training requests of a model whose numbered request may be lost, and names it', async () => {
    let failNext = false;
    fake = await sdkLikeServer((req) => {
      if (req.path === '/api/v1/optim_step' && failNext) {
        failNext = false;
        return { status: 500, json: { detail: 'internal' } };
      }
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast, maxAttempts: 1 });
    const a = await client.createModel({ baseModel: BASE, loraRank: 4 });
    const b = await client.createModel({ baseModel: BASE, loraRank: 4 });
    failNext = true;
    const first = (await client.optimStep(a.modelId, { learningRate: 1e-4 }).catch((e: unknown) => e)) as TinkerError;
    expect(first.status).toBe(500);
    const then = (await client.forwardBackward(a.modelId, [datum([1, 2], [2, 3], [1, 1])], 'cross_entropy').catch((e: unknown) => e)) as TinkerError;
    expect(then).toBeInstanceOf(TinkerError);
    expect(then.code).toBe('http-status');
    expect(then.message).toContain(`TinkerClient.forwardBackward: model ${a.modelId} cannot take more requests: its request with seq_id 1 (TinkerClient.optimStep) failed`);
    expect(then.message).toContain('create a new model');
    // Another model is not affected, and nothing was sent for the refused call.
    await client.optimStep(b.modelId, { learningRate: 1e-4 });
    expect(fake.requests.filter((r) => r.path === '/api/v1/forward_backward')).toHaveLength(0);
  });

  it.each([true, false])("splits a batch over the server's chunk limits into numbered requests, as the SDK does (parallel_fwdbwd_chunks %s)", async (parallel) => {
    const limits = { fwdbwd_max_chunk_len: 2, fwdbwd_max_chunk_bytes_count: 1000, parallel_fwdbwd_chunks: parallel };
    fake = await startFakeTinker((req) => (req.path === '/api/v1/client/config' ? { json: limits } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    expect(client.serverConfig).toEqual(limits);
    const d = (n: number) => datum(Array(n).fill(1), Array(n).fill(2), Array(n).fill(1));
    // 3 datums, at most 2 per request: two requests, seq_id 1 and 2, outputs back in batch order.
    const fb = await client.forwardBackward('m', [d(2), d(3), d(4)], 'cross_entropy');
    expect(fb.outputs.map((o) => o.logprobs.length)).toEqual([2, 3, 4]);
    // A datum over the byte limit (100 tokens: 1,600 bytes by the SDK's estimate) goes alone.
    const f = await client.forward('m', [d(2), d(100)], 'cross_entropy');
    expect(f.outputs.map((o) => o.logprobs.length)).toEqual([2, 100]);
    // Sorted by seq_id: parts sent at once may reach the server in either order.
    const sent = fake.requests.filter((r) => r.path === '/api/v1/forward_backward').sort((a, b) => a.body.seq_id - b.body.seq_id);
    expect(sent.map((r) => [r.body.seq_id, r.body.forward_backward_input.data.length, r.body.forward_only === true])).toEqual([
      [1, 2, false],
      [2, 1, false],
      [3, 1, true],
      [4, 1, true],
    ]);
  });

  it('stops the heartbeat when the server says the session is gone (410)', async () => {
    fake = await startFakeTinker((req) => (req.path === '/api/v1/session_heartbeat' ? { status: 410, json: { detail: 'session finished' } } : undefined));
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast, heartbeatMs: 10 });
    // Wait for the 410 to land (a loaded machine may delay it far past 10 ms), then for ten more periods.
    await vi.waitUntil(() => client!.heartbeatError !== undefined, { timeout: 20_000, interval: 10 });
    await new Promise((r) => setTimeout(r, 100));
    // One beat at a time: none was sent while the first was unanswered, and none after its 410.
    expect(fake.requests.filter((r) => r.path === '/api/v1/session_heartbeat')).toHaveLength(1);
    expect(client.heartbeatError?.status).toBe(410);
  });

  it('validates options.hosted, and a hosted sampler path must be a tinker:// path', async () => {
    await expect(TinkerClient.connect({ baseUrl: 'http://127.0.0.1:1', hosted: 'yes' as unknown as boolean })).rejects.toThrow(/^TinkerClient\.connect: options\.hosted must be a boolean \(got/);
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    await expect(client.sample({ modelPath: '/tmp/weights' }, Int32Array.of(1), { maxTokens: 1 })).rejects.toThrow(/^TinkerClient\.sample: from\.modelPath must be a tinker:\/\/ path/);
  });

  it('without hosted (SkyRL), sends none of it: no client config, no seq_id, no sampling session, no idempotency key', async () => {
    fake = await startFakeTinker();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast });
    const model = await client.createModel({ baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4 });
    await client.optimStep(model.modelId, { learningRate: 1e-4 });
    await client.sample({ baseModel: 'Qwen/Qwen3-0.6B' }, Int32Array.of(1, 2), { maxTokens: 5 });
    const paths = fake.requests.map((r) => r.path);
    expect(paths).not.toContain('/api/v1/client/config');
    expect(paths).not.toContain('/api/v1/create_sampling_session');
    for (const r of fake.requests) {
      expect(r.body?.seq_id).toBeUndefined();
      expect(r.headers['x-idempotency-key']).toBeUndefined();
    }
    expect(fake.requests.find((r) => r.path === '/api/v1/optim_step')!.body).toEqual({ model_id: model.modelId, adam_params: { learning_rate: 1e-4 } });
    // hosted with an explicit JSON codec keeps that codec.
    client.close();
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, ...fast, hosted: true, codec: jsonCodec });
    await client.forwardBackward(model.modelId, [datum([1, 2], [2, 3], [1, 1])], 'cross_entropy');
    expect(fake.requests.at(-2)!.headers['content-type']).toBe('application/json');
  });
});

/** An unsigned JWT with these claims (the client reads `exp`, never a signature). */
const jwt = (claims: Record<string, unknown>) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('TinkerClient hosted mode: JWT auth (pjwt_auth_enabled)', () => {
  it('exchanges the API key for a JWT and sends the JWT from then on, as the SDK recording does', async () => {
    const jwts: string[] = [];
    fake = await sdkLikeServer((req) => {
      if (req.path === '/api/v1/client/config') return { json: { pjwt_auth_enabled: true } };
      if (req.path === '/api/v1/auth/token') {
        jwts.push(jwt({ iat: Date.now() / 1000, exp: Date.now() / 1000 + 3600, n: jwts.length + 1 }));
        return { json: { jwt: jwts.at(-1) } };
      }
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast });
    const model = await client.createModel({ baseModel: BASE, loraRank: 8 });
    await client.optimStep(model.modelId, { learningRate: 1e-4 });
    const label = (v: unknown) => (v === fast.apiKey ? '<api key>' : jwts.includes(v as string) ? `<jwt ${jwts.indexOf(v as string) + 1} from /api/v1/auth/token>` : String(v));
    const recorded = (SDK as unknown as { jwt_auth: Recorded[] }).jwt_auth.filter((r) => !NOT_SENT.test(r.path));
    expect(fake.requests.map((r) => [r.path, label(r.headers['x-api-key'])])).toEqual(recorded.map((r) => [r.path, r.headers['x-api-key']]));
    expect(fake.requests.find((r) => r.path === '/api/v1/auth/token')!.body).toEqual({});
  });

  it('replaces a JWT the server rejects as invalid_token and sends the request once more', async () => {
    let exchanges = 0;
    let rejected = false;
    fake = await startFakeTinker((req) => {
      if (req.path === '/api/v1/client/config') return { json: { pjwt_auth_enabled: true } };
      if (req.path === '/api/v1/auth/token') return { json: { jwt: jwt({ exp: Date.now() / 1000 + 3600, n: ++exchanges }) } };
      if (req.path === '/api/v1/optim_step' && !rejected) {
        rejected = true;
        return { status: 401, json: { detail: 'token revoked' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
      }
      return undefined;
    });
    client = await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast, maxAttempts: 1 });
    await client.optimStep('m', { learningRate: 1e-4 });
    const optim = fake.requests.filter((r) => r.path === '/api/v1/optim_step');
    expect(optim).toHaveLength(2);
    expect(optim[0].headers['x-api-key']).not.toBe(optim[1].headers['x-api-key']);
    expect(optim[0].headers['x-idempotency-key']).toBe(optim[1].headers['x-idempotency-key']);
    expect(exchanges).toBe(2);
  });

  it('a 401 that is not invalid_token fails, and no key or JWT shows in the message', async () => {
    fake = await startFakeTinker((req) => {
      if (req.path === '/api/v1/client/config') return { json: { pjwt_auth_enabled: true } };
      if (req.path === '/api/v1/auth/token') return { status: 401, json: { detail: 'unknown API key' } };
      return undefined;
    });
    const err = (await TinkerClient.connect({ baseUrl: fake.baseUrl, hosted: true, ...fast }).catch((e: unknown) => e)) as TinkerError;
    expect(err).toBeInstanceOf(TinkerError);
    expect(err.status).toBe(401);
    expect(err.message).toContain('/api/v1/auth/token failed with 401: unknown API key');
    expect(err.message).not.toContain(fast.apiKey);
  });
});

describe('JwtCredential', () => {
  it('exchanges once, renews within a minute of exp, falls back to a valid JWT when renewal fails, and keeps one without exp', async () => {
    let now = 1000;
    let n = 0;
    let fail = false;
    const cred = new JwtCredential(async () => {
      if (fail) throw new Error('exchange down');
      n++;
      return jwt({ exp: 1000 + 120 * n });
    }, () => now);
    const a = await cred.get();
    expect(await Promise.all([cred.get(), cred.get()])).toEqual([a, a]);
    expect(n).toBe(1);
    now = 1000 + 61; // 59 s left: renew
    const b = await cred.get();
    expect(b).not.toBe(a);
    expect(n).toBe(2);
    now = 1000 + 240 - 30; // 30 s left, renewal fails: the current JWT is still valid
    fail = true;
    expect(await cred.get()).toBe(b);
    now = 1000 + 241; // expired, renewal fails: the failure
    await expect(cred.get()).rejects.toThrow('exchange down');
    // Concurrent rejections of one JWT cost one exchange.
    fail = false;
    const c = await cred.replace(b);
    expect(await cred.replace(b)).toBe(c);
    expect(n).toBe(3);
    expect(jwtExpiry('not.a-jwt')).toBe(Infinity);
    expect(jwtExpiry(jwt({ exp: 5 }))).toBe(5);
  });
});
