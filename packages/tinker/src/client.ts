import { describeValue } from '@paretopo/pareto';
import { JwtCredential } from './auth';
import { combineForwardResults, splitDatums } from './chunks';
import { jsonCodec, protobufCodec, type BodyCodec, type ResultKind } from './codec';
import { TinkerError } from './errors';
import { HttpTransport, type CallOptions } from './http';
import type { AdamParams, Datum, ForwardResult, LossFn, LossFnOutput, SampleResult, SampledSequence, SamplerRef, SamplingParams } from './types';
import { assertFiniteNumber, assertInt, assertString } from './validate';

/** Options of {@link TinkerClient.connect}. Defaults in brackets. */
export interface TinkerClientOptions {
  /** Server root: `http://127.0.0.1:8000` for SkyRL, the hosted service's URL for Tinker. */
  baseUrl: string;
  /**
   * API key, sent as `X-API-Key` [`process.env.TINKER_API_KEY`; none when unset]. Kept in memory
   * only: never written to disk, never part of a message.
   */
  apiKey?: string;
  /**
   * Speak hosted Tinker's protocol, as the official Python SDK `tinker` 0.38.0 sends it [false:
   * SkyRL's]. Asks the server for its client config first; numbers each model's training requests
   * (`seq_id` from 1) and each session's models (`model_seq_id` from 0); samples through sampling
   * sessions (`create_sampling_session`, then `asample` with the session's `seq_id` from 0); fills in
   * the SDK's Adam defaults; sends an `X-Idempotency-Key` per call; reads a future that failed with a
   * 200 `{ "error": … }` as failed; exchanges the API key for a JWT at `/api/v1/auth/token` when the
   * config says `pjwt_auth_enabled`. Implies `codec: protobufCodec` unless a codec is given.
   * Checked against the SDK's requests (`test/hosted-requests.json`), not against the service.
   */
  hosted?: boolean;
  /** Body encoding [{@link jsonCodec}; {@link protobufCodec} with `hosted`]. */
  codec?: BodyCodec;
  /** Limit of one ordinary request in ms [60 000]. */
  timeoutMs?: number;
  /**
   * Limit of one `retrieve_future` poll in ms [330 000]: SkyRL holds a poll open up to 300 s
   * before answering 408, so this must be longer.
   */
  pollTimeoutMs?: number;
  /** Longest wait for one future, over all its polls, in ms [3 600 000]. */
  futureTimeoutMs?: number;
  /** Attempts per request (1 = no retry) [4]. */
  maxAttempts?: number;
  /** First retry delay in ms, doubled per attempt with jitter [250]. */
  backoffMs?: number;
  /** Longest retry delay in ms, also the cap on `Retry-After` [8000]. */
  maxBackoffMs?: number;
  /** Largest response body in bytes [268 435 456]. */
  maxResponseBytes?: number;
  /** Heartbeat period of the session in ms; 0 = none [10 000]. */
  heartbeatMs?: number;
  /** Session tags [`['paretopo']`]. */
  tags?: string[];
  /** Source of retry jitter [Math.random]. */
  random?: () => number;
}

/** A LoRA model the engine trains, as {@link TinkerClient.createModel} returns it. */
export interface TrainingModel {
  modelId: string;
  baseModel: string;
  loraRank: number;
}

const API = '/api/v1';

/** The SDK release whose wire format `hosted` mode speaks (sent as `sdk_version`, as the SDK sends its own). */
export const HOSTED_SDK_VERSION = '0.38.0';

/** The SDK's `AdamParams` defaults, sent in full in hosted mode as the SDK sends them. */
const SDK_ADAM = { beta1: 0.9, beta2: 0.95, eps: 1e-12, weight_decay: 0, grad_clip_norm: 0 };

/** The config's `key` where it is a positive integer, else `dflt`. */
function configLimit(config: Record<string, unknown>, key: string, dflt: number): number {
  const v = config[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : dflt;
}

/** Per-session and per-model counters of hosted Tinker's request numbering. */
interface HostedState {
  /** The server's client config (`/api/v1/client/config`), as it answered. */
  config: Record<string, unknown>;
  /** Most datums and bytes of one forward/backward request: the config's `fwdbwd_max_chunk_len` and `fwdbwd_max_chunk_bytes_count`, or the defaults. */
  chunkLimits: { datums: number; bytes: number };
  /** `model_seq_id` of the next `create_model` (per session, from 0). */
  nextModelSeq: number;
  /** `sampling_session_seq_id` of the next sampling session (per session, from 0). */
  nextSamplingSeq: number;
  /** Last `seq_id` sent per model (the first training request of a model is 1). */
  lastSeq: Map<string, number>;
  /** Models whose numbering broke (a request with a `seq_id` may not have reached the server), with that failure. */
  broken: Map<string, { message: string; error: TinkerError }>;
  /** Sampling sessions by sampler (`base:…` / `path:…`), with the `seq_id` of their next sample. */
  samplers: Map<string, Promise<{ id: string; next: number }>>;
}

function posInt(name: string, v: number | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  assertInt('TinkerClient.connect', `options.${name}`, v, min);
  return v;
}

function bad(what: string, detail: string): TinkerError {
  return new TinkerError('bad-response', `${what}: the server's answer ${detail}`);
}

function field(what: string, body: unknown, key: string): unknown {
  if (body === null || typeof body !== 'object' || !(key in body)) throw bad(what, `has no "${key}" (got ${describeValue(body)})`);
  return (body as Record<string, unknown>)[key];
}

function stringField(what: string, body: unknown, key: string): string {
  const v = field(what, body, key);
  if (typeof v !== 'string') throw bad(what, `has a non-string "${key}" (got ${describeValue(v)})`);
  return v;
}

/** A list of numbers (or a typed array, as the protobuf codec decodes) as a typed array; linear, and every element checked. */
function numbers<T extends Float32Array | Int32Array>(what: string, v: unknown, make: new (n: number) => T, integer: boolean): T {
  if (v instanceof make) return v as T;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) v = Array.from(v as unknown as ArrayLike<number>);
  if (!Array.isArray(v)) throw bad(what, `has a non-list where numbers belong (got ${describeValue(v)})`);
  const out = new make(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || (integer && !Number.isInteger(x))) throw bad(what, `has ${describeValue(x)} at index ${i} of a list of ${integer ? 'integers' : 'numbers'}`);
    out[i] = x;
  }
  return out;
}

function tensor(what: string, v: unknown): Float32Array {
  return numbers(what, field(what, v, 'data'), Float32Array, false);
}

function parseForward(what: string, body: unknown, count: number): ForwardResult {
  const outs = field(what, body, 'loss_fn_outputs');
  if (!Array.isArray(outs) || outs.length !== count) throw bad(what, `has ${describeValue(outs)} loss_fn_outputs for ${count} datums`);
  const outputs: LossFnOutput[] = outs.map((o) => ({ logprobs: tensor(what, field(what, o, 'logprobs')), elementwiseLoss: tensor(what, field(what, o, 'elementwise_loss')) }));
  return { outputs, metrics: parseMetrics(what, body) };
}

function parseMetrics(what: string, body: unknown): Record<string, number> {
  const m = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).metrics : undefined;
  const out: Record<string, number> = {};
  if (m === undefined || m === null) return out;
  if (typeof m !== 'object') throw bad(what, `has non-object metrics (got ${describeValue(m)})`);
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') out[k] = v;
  return out;
}

function parseSample(what: string, body: unknown): SampleResult {
  const seqs = field(what, body, 'sequences');
  if (!Array.isArray(seqs)) throw bad(what, `has non-list sequences (got ${describeValue(seqs)})`);
  const sequences: SampledSequence[] = seqs.map((s) => {
    const tokens = numbers(what, field(what, s, 'tokens'), Int32Array, true);
    const logprobs = numbers(what, field(what, s, 'logprobs'), Float32Array, false);
    if (logprobs.length !== tokens.length) throw bad(what, `has ${logprobs.length} log-probs for ${tokens.length} sampled tokens`);
    return { tokens, logprobs, stopReason: stringField(what, s, 'stop_reason') };
  });
  const pl = (body as Record<string, unknown>).prompt_logprobs;
  let promptLogprobs: Float32Array | null = null;
  if (pl instanceof Float32Array) {
    // The protobuf codec's form (float32 bytes on the wire, no placeholder for the first token).
    promptLogprobs = pl;
  } else if (Array.isArray(pl)) {
    // Some servers put null first (no log-prob for the first prompt token); the rest are numbers.
    promptLogprobs = numbers(what, pl[0] === null ? pl.slice(1) : pl, Float32Array, false);
  }
  return { sequences, promptLogprobs };
}

function checkDatums(fn: string, datums: readonly Datum[]): void {
  if (!Array.isArray(datums) || datums.length === 0) throw new TypeError(`${fn}: datums must be a non-empty array (got ${describeValue(datums)})`);
  for (let i = 0; i < datums.length; i++) {
    const d = datums[i];
    const chunks = d?.model_input?.chunks;
    const targets = d?.loss_fn_inputs?.target_tokens?.data;
    if (!Array.isArray(chunks) || !Array.isArray(targets)) {
      throw new TypeError(`${fn}: datums[${i}] must have model_input.chunks and loss_fn_inputs.target_tokens (got ${describeValue(d)})`);
    }
    let n = 0;
    for (const c of chunks) n += c.tokens.length;
    if (n !== targets.length) throw new RangeError(`${fn}: datums[${i}] reads ${n} tokens but has ${targets.length} target tokens (they must match)`);
    for (const key of ['weights', 'logprobs', 'advantages'] as const) {
      const v = d.loss_fn_inputs[key];
      if (v !== undefined && v.data.length !== n) throw new RangeError(`${fn}: datums[${i}].loss_fn_inputs.${key} has ${v.data.length} values for ${n} positions`);
    }
  }
}

/** A `retrieve_future` answer that says the future has not finished yet (hosted Tinker's form). */
function isTryAgain(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && !ArrayBuffer.isView(answer) && (answer as { type?: unknown }).type === 'try_again';
}

/** A `retrieve_future` answer that says the request failed (hosted Tinker's 200 `{ "error": … }`). */
function failedFuture(answer: unknown): string | undefined {
  if (typeof answer !== 'object' || answer === null || ArrayBuffer.isView(answer)) return undefined;
  const e = (answer as { error?: unknown; category?: unknown }).error;
  if (typeof e !== 'string') return undefined;
  const category = (answer as { category?: unknown }).category;
  return typeof category === 'string' && category !== '' ? `${e} (category ${category})` : e;
}

/**
 * A client of the Tinker training API (hosted Tinker, SkyRL's Tinker server). One instance holds
 * one session, kept alive by a heartbeat. Every mutating call returns once its future finished
 * (`retrieve_future`: 408 = poll again, 400 = failed with the server's message). Requests time out
 * per attempt; transient failures are retried with backoff where a repeat is harmless.
 *
 * @example
 * const client = await TinkerClient.connect({ baseUrl: 'http://127.0.0.1:8000' });
 * const model = await client.createModel({ baseModel: 'Qwen/Qwen3-4B-Instruct-2507', loraRank: 32 });
 * await client.forwardBackward(model.modelId, packedDatums(batch, tokenAdvantages), 'importance_sampling');
 * await client.optimStep(model.modelId, { learningRate: 1e-5 });
 * const path = await client.saveWeightsForSampler(model.modelId, 'step-1'); // 'tinker://model_…/step-1'
 * (await client.sample({ modelPath: path }, promptTokens, { maxTokens: 64 })).sequences[0].tokens; // Int32Array
 * client.close();
 */
export class TinkerClient {
  /** The session this client opened. */
  readonly sessionId: string;
  /** The last heartbeat failure, if the latest heartbeat failed (cleared by the next success). */
  heartbeatError: TinkerError | undefined;
  private readonly http: HttpTransport;
  private readonly pollTimeoutMs: number;
  private readonly futureTimeoutMs: number;
  /** The heartbeat's pending or last-fired timer; undefined once closed (the loop then stops). */
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly hosted: HostedState | undefined;

  private constructor(http: HttpTransport, sessionId: string, pollTimeoutMs: number, futureTimeoutMs: number, hosted: HostedState | undefined) {
    this.http = http;
    this.sessionId = sessionId;
    this.pollTimeoutMs = pollTimeoutMs;
    this.futureTimeoutMs = futureTimeoutMs;
    this.hosted = hosted;
  }

  /**
   * With `hosted`: the server's client config (`POST /api/v1/client/config`), as it answered
   * (feature flags such as `proto_compress_fwdbwd`, `fwdbwd_max_chunk_len`, `pjwt_auth_enabled`);
   * undefined otherwise.
   */
  get serverConfig(): Readonly<Record<string, unknown>> | undefined {
    return this.hosted?.config;
  }

  /**
   * Opens a session on the server and starts its heartbeat.
   *
   * @param options - See {@link TinkerClientOptions}.
   * @returns A connected client.
   * @throws TinkerError when the server cannot be reached or refuses the session.
   */
  static async connect(options: TinkerClientOptions): Promise<TinkerClient> {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`TinkerClient.connect: options must be an object (got ${describeValue(options)})`);
    }
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`TinkerClient.connect: options.baseUrl must be an absolute http(s) URL (got ${describeValue(options.baseUrl)})`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`TinkerClient.connect: options.baseUrl must be an absolute http(s) URL (got ${describeValue(options.baseUrl)})`);
    }
    if (base.username !== '' || base.password !== '') {
      // Credentials in the URL would show up in every error message.
      throw new TypeError('TinkerClient.connect: options.baseUrl must not hold credentials; pass options.apiKey or set TINKER_API_KEY');
    }
    const apiKey = options.apiKey ?? (process.env.TINKER_API_KEY || undefined);
    if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '' || /[\r\n]/.test(apiKey))) {
      throw new TypeError('TinkerClient.connect: options.apiKey must be a non-empty single-line string');
    }
    if (options.hosted !== undefined && typeof options.hosted !== 'boolean') {
      throw new TypeError(`TinkerClient.connect: options.hosted must be a boolean (got ${describeValue(options.hosted)})`);
    }
    const hosted = options.hosted === true;
    const http = new HttpTransport({
      baseUrl: options.baseUrl.replace(/\/+$/, '').replace(/\/api\/v1$/, ''),
      apiKey,
      codec: options.codec ?? (hosted ? protobufCodec : jsonCodec),
      idempotencyKeys: hosted,
      timeoutMs: posInt('timeoutMs', options.timeoutMs, 60_000),
      maxAttempts: posInt('maxAttempts', options.maxAttempts, 4),
      backoffMs: posInt('backoffMs', options.backoffMs, 250, 0),
      maxBackoffMs: posInt('maxBackoffMs', options.maxBackoffMs, 8000, 0),
      maxResponseBytes: posInt('maxResponseBytes', options.maxResponseBytes, 256 * 1024 * 1024),
      random: options.random ?? Math.random,
    });
    const heartbeatMs = posInt('heartbeatMs', options.heartbeatMs, 10_000, 0);
    const what = 'TinkerClient.connect';
    let state: HostedState | undefined;
    if (hosted) {
      // As the SDK does before anything else: the server's feature flags for this client.
      const config = await http.call('POST', `${API}/client/config`, { sdk_version: HOSTED_SDK_VERSION }, { idempotent: true });
      if (config === null || typeof config !== 'object' || Array.isArray(config) || ArrayBuffer.isView(config)) throw bad(what, `to client/config is not an object (got ${describeValue(config)})`);
      const cfg = config as Record<string, unknown>;
      const chunkLimits = { datums: configLimit(cfg, 'fwdbwd_max_chunk_len', 1024), bytes: configLimit(cfg, 'fwdbwd_max_chunk_bytes_count', 5_000_000) };
      state = { config: cfg, chunkLimits, nextModelSeq: 0, nextSamplingSeq: 0, lastSeq: new Map(), broken: new Map(), samplers: new Map() };
      if (state.config.pjwt_auth_enabled === true && apiKey !== undefined) {
        // The server wants a JWT: the key is exchanged for one (renewed near expiry), as the SDK does.
        http.useCredential(
          new JwtCredential(async () => stringField('TinkerClient: the JWT exchange', await http.call('POST', `${API}/auth/token`, {}, { idempotent: true, apiKeyOnly: true }), 'jwt')),
        );
      }
    }
    const tags = options.tags ?? ['paretopo'];
    const sessionBody = hosted
      ? { tags, user_metadata: {}, sdk_version: HOSTED_SDK_VERSION, type: 'create_session' }
      : { tags, sdk_version: 'paretopo-0.1.0', type: 'create_session' };
    const body = await http.call('POST', `${API}/create_session`, sessionBody, { idempotent: false });
    const err = (body as { error_message?: unknown } | null)?.error_message;
    if (typeof err === 'string' && err !== '') throw new TinkerError('http-status', `${what}: the server refused the session: ${err}`);
    const client = new TinkerClient(http, stringField(what, body, 'session_id'), posInt('pollTimeoutMs', options.pollTimeoutMs, 330_000), posInt('futureTimeoutMs', options.futureTimeoutMs, 3_600_000), state);
    if (heartbeatMs > 0) {
      client.scheduleHeartbeat(heartbeatMs, heartbeatMs);
    }
    return client;
  }

  /**
   * One beat at a time, as the SDK's heartbeat loop: the next is due `periodMs` after the last one
   * started, and never while one is in flight (a slow answer on a loaded machine would otherwise
   * let beats pile up, and a 410 arrive while more were already sent).
   */
  private scheduleHeartbeat(periodMs: number, delayMs: number): void {
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.heartbeat()
        .catch(() => undefined)
        .finally(() => {
          if (this.timer !== undefined) this.scheduleHeartbeat(periodMs, Math.max(0, periodMs - (Date.now() - started)));
        });
    }, delayMs);
    // The heartbeat alone must not keep a finished process alive.
    this.timer.unref();
  }

  /** Stops the heartbeat. The session ends on the server when its heartbeats stop. */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Tells the server the session is alive (the heartbeat timer calls this).
   *
   * @returns Resolves when the server acknowledged; records and rethrows a failure.
   */
  async heartbeat(): Promise<void> {
    try {
      await this.http.call('POST', `${API}/session_heartbeat`, { session_id: this.sessionId, type: 'session_heartbeat' }, { idempotent: true });
      this.heartbeatError = undefined;
    } catch (err) {
      this.heartbeatError = err instanceof TinkerError ? err : new TinkerError('network', String(err), { cause: err });
      // 410: the session has ended on the server; the SDK stops its heartbeat then.
      if (this.hosted !== undefined && err instanceof TinkerError && err.status === 410) this.close();
      throw err;
    }
  }

  /**
   * Waits for a future: polls `retrieve_future` until it completes (408, or a 200
   * `{ "type": "try_again" }`, = not yet).
   *
   * @param requestId - The `request_id` a mutating call returned.
   * @param what - Name of the calling method, for messages.
   * @param signal - Aborts the wait.
   * @param result - What the result holds, so a protobuf codec can ask for it as protobuf.
   * @returns The future's result body.
   * @throws TinkerError `future-failed` with the server's message (400/500 on the future), `future-timeout` past `futureTimeoutMs`.
   */
  async retrieveFuture(requestId: string, what = 'TinkerClient.retrieveFuture', signal?: AbortSignal, result?: ResultKind): Promise<unknown> {
    assertString(what, 'requestId', requestId);
    const deadline = Date.now() + this.futureTimeoutMs;
    // Not done yet (SkyRL's 408, or hosted Tinker's 200 `{ "type": "try_again" }`): poll again until the deadline.
    const notYet = (cause?: unknown) => {
      if (Date.now() > deadline) throw new TinkerError('future-timeout', `${what}: request ${requestId} did not finish within ${this.futureTimeoutMs} ms`, cause === undefined ? undefined : { cause });
    };
    // Hosted: the SDK's body; with allow_metadata_only false the server answers the whole result.
    const poll = this.hosted === undefined ? { request_id: requestId } : { request_id: requestId, allow_metadata_only: false };
    for (;;) {
      try {
        const answer = await this.http.call('POST', `${API}/retrieve_future`, poll, { idempotent: true, timeoutMs: this.pollTimeoutMs, signal, result });
        if (this.hosted !== undefined) {
          const failed = failedFuture(answer);
          if (failed !== undefined) throw new TinkerError('future-failed', `${what}: the server failed request ${requestId}: ${failed}`);
        }
        if (!isTryAgain(answer)) return answer;
        notYet();
      } catch (err) {
        if (!(err instanceof TinkerError) || err.code !== 'http-status') throw err;
        if (err.status === 408) {
          notYet(err);
          continue;
        }
        if (err.status === 400 || err.status === 500) {
          throw new TinkerError('future-failed', `${what}: the server failed request ${requestId}: ${err.message.replace(/^.*? failed with \d+: /, '')}`, { status: err.status, cause: err });
        }
        throw err;
      }
    }
  }

  /**
   * Sends a mutating request and waits for its future. With `seqModel` (hosted mode), the body gets
   * that model's next `seq_id`; if the request fails, later training requests of the model are
   * refused, since the server orders them by `seq_id` and would wait for the one that may be lost.
   */
  private async submit(what: string, path: string, body: Record<string, unknown>, options: Partial<CallOptions> = {}, result?: ResultKind, seqModel?: string): Promise<unknown> {
    const h = this.hosted;
    const sequenced = h !== undefined && seqModel !== undefined;
    let sent = body;
    let seq = 0;
    if (sequenced) {
      const broken = h.broken.get(seqModel);
      if (broken !== undefined) {
        const { message, error } = broken;
        throw new TinkerError(error.code, `${what}: model ${seqModel} cannot take more requests: ${message}. Hosted Tinker runs a model's requests in seq_id order, so it would wait for that one; create a new model (or load a checkpoint into one)`, { status: error.status, cause: error });
      }
      seq = (h.lastSeq.get(seqModel) ?? 0) + 1;
      h.lastSeq.set(seqModel, seq);
      sent = { ...body, seq_id: seq };
    }
    let answer: unknown;
    try {
      answer = await this.http.call('POST', `${API}${path}`, sent, { idempotent: false, ...options });
    } catch (err) {
      // Only a request that took a seq_id leaves a gap the server would wait on.
      if (sequenced && err instanceof TinkerError) h.broken.set(seqModel, { message: `its request with seq_id ${seq} (${what}) failed: ${err.message}`, error: err });
      throw err;
    }
    return this.retrieveFuture(stringField(what, answer, 'request_id'), what, options.signal, result);
  }

  /**
   * The requests one forward/backward call of `datums` takes: one, except in hosted mode, where a
   * batch over the server's chunk limits (`fwdbwd_max_chunk_len` datums,
   * `fwdbwd_max_chunk_bytes_count` bytes by the SDK's estimate) is split as the SDK splits it.
   */
  private requestParts(datums: readonly Datum[]): readonly (readonly Datum[])[] {
    const h = this.hosted;
    return h === undefined ? [datums] : splitDatums(datums, h.chunkLimits.datums, h.chunkLimits.bytes);
  }

  /**
   * Sends a forward/backward batch as {@link requestParts} says and merges the parts' results.
   * The parts go out at once, as the SDK sends them unless the server's config says
   * `parallel_fwdbwd_chunks: false`: `submit` takes each part's seq_id before its first await, so
   * they are numbered in batch order, and the server runs them in that order.
   */
  private async forwardParts(what: string, datums: readonly Datum[], send: (part: readonly Datum[]) => Promise<unknown>): Promise<ForwardResult> {
    const parts = this.requestParts(datums);
    let bodies: unknown[];
    if (parts.length === 1 || this.hosted?.config.parallel_fwdbwd_chunks !== false) bodies = await Promise.all(parts.map(send));
    else {
      bodies = [];
      for (const part of parts) bodies.push(await send(part));
    }
    return combineForwardResults(bodies.map((body, i) => parseForward(what, body, parts[i].length)));
  }

  /**
   * Creates a LoRA model on a base model and waits until the engine has it.
   *
   * @param spec - `baseModel` (a name the server serves), `loraRank`, optional `seed` of the adapter's initialisation.
   * @returns The model's id and spec.
   */
  async createModel(spec: { baseModel: string; loraRank: number; seed?: number }): Promise<TrainingModel> {
    const what = 'TinkerClient.createModel';
    assertString(what, 'spec.baseModel', spec?.baseModel);
    assertInt(what, 'spec.loraRank', spec.loraRank, 1);
    if (spec.seed !== undefined) assertInt(what, 'spec.seed', spec.seed, 0);
    const lora: Record<string, number | boolean> = { rank: spec.loraRank };
    if (spec.seed !== undefined) lora.seed = spec.seed;
    const h = this.hosted;
    if (h !== undefined) {
      // The SDK's body: the model's number within the session, every LoRA target, AdamW.
      Object.assign(lora, { train_unembed: true, train_mlp: true, train_attn: true });
      const body = { session_id: this.sessionId, model_seq_id: h.nextModelSeq++, base_model: spec.baseModel, lora_config: lora, optimizer_config: { type: 'adamw' }, type: 'create_model' };
      const answer = await this.http.call('POST', `${API}/create_model`, body, { idempotent: false });
      const result = await this.retrieveFuture(stringField(what, answer, 'request_id'), what);
      // The SDK reads the id from the future's result; the first answer may carry it too.
      const fromResult = result !== null && typeof result === 'object' && typeof (result as { model_id?: unknown }).model_id === 'string';
      const modelId = fromResult ? stringField(what, result, 'model_id') : stringField(what, answer, 'model_id');
      return { modelId, baseModel: spec.baseModel, loraRank: spec.loraRank };
    }
    const answer = await this.http.call('POST', `${API}/create_model`, { session_id: this.sessionId, base_model: spec.baseModel, lora_config: lora }, { idempotent: false });
    const modelId = stringField(what, answer, 'model_id');
    await this.retrieveFuture(stringField(what, answer, 'request_id'), what);
    return { modelId, baseModel: spec.baseModel, loraRank: spec.loraRank };
  }

  /**
   * Unloads a model and frees its adapter slot.
   *
   * @param modelId - The model.
   */
  async unloadModel(modelId: string): Promise<void> {
    const what = 'TinkerClient.unloadModel';
    assertString(what, 'modelId', modelId);
    await this.submit(what, '/unload_model', { model_id: modelId, type: 'unload_model' });
  }

  /**
   * Runs the model on `datums` without gradients: per-position log-probs and losses.
   *
   * @param modelId - The model.
   * @param datums - Training examples ({@link episodeDatum}).
   * @param lossFn - Loss whose per-position values come back [`cross_entropy`].
   * @returns Per-datum log-probs of the targets and elementwise losses.
   */
  async forward(modelId: string, datums: readonly Datum[], lossFn: LossFn = 'cross_entropy', signal?: AbortSignal): Promise<ForwardResult> {
    const what = 'TinkerClient.forward';
    assertString(what, 'modelId', modelId);
    checkDatums(what, datums);
    // Hosted Tinker runs a forward as forward_backward with forward_only (it has no /forward).
    const viaForwardBackward = this.http.settings.codec.forwardViaForwardBackward;
    return this.forwardParts(what, datums, (data) =>
      viaForwardBackward
        ? this.submit(what, '/forward_backward', { model_id: modelId, forward_backward_input: { data, loss_fn: lossFn }, forward_only: true }, { signal }, 'forward', modelId)
        : this.submit(what, '/forward', { model_id: modelId, forward_input: { data, loss_fn: lossFn } }, { signal }, 'forward'),
    );
  }

  /**
   * Computes the loss on `datums` and adds its gradient to the model's accumulated gradient
   * (applied by the next {@link optimStep}). Losses are sums over positions.
   *
   * @param modelId - The model.
   * @param datums - Training examples; the RL losses need `logprobs` and `advantages`.
   * @param lossFn - `cross_entropy`, `importance_sampling` or `ppo`.
   * @param config - For `ppo`: `clipLow` / `clipHigh`, the ratio bounds (e.g. 0.8 and 1.2).
   * @returns Per-datum log-probs and elementwise losses, server metrics.
   */
  async forwardBackward(modelId: string, datums: readonly Datum[], lossFn: LossFn, config?: { clipLow?: number; clipHigh?: number }, signal?: AbortSignal): Promise<ForwardResult> {
    const what = 'TinkerClient.forwardBackward';
    assertString(what, 'modelId', modelId);
    checkDatums(what, datums);
    if (lossFn !== 'cross_entropy' && lossFn !== 'importance_sampling' && lossFn !== 'ppo') {
      throw new TypeError(`${what}: lossFn must be 'cross_entropy', 'importance_sampling' or 'ppo' (got ${describeValue(lossFn)})`);
    }
    if (lossFn !== 'cross_entropy') {
      for (let i = 0; i < datums.length; i++) {
        if (datums[i].loss_fn_inputs.logprobs === undefined || datums[i].loss_fn_inputs.advantages === undefined) {
          throw new TypeError(`${what}: lossFn '${lossFn}' needs loss_fn_inputs.logprobs and .advantages (datums[${i}] lacks them)`);
        }
      }
    }
    const input: Record<string, unknown> = { loss_fn: lossFn };
    if (config !== undefined) {
      if (lossFn !== 'ppo') throw new TypeError(`${what}: config applies to 'ppo' only (got lossFn ${describeValue(lossFn)})`);
      const cfg: Record<string, number> = {};
      if (config.clipLow !== undefined) {
        assertFiniteNumber(what, 'config.clipLow', config.clipLow);
        cfg.clip_low_threshold = config.clipLow;
      }
      if (config.clipHigh !== undefined) {
        assertFiniteNumber(what, 'config.clipHigh', config.clipHigh);
        cfg.clip_high_threshold = config.clipHigh;
      }
      input.loss_fn_config = cfg;
    }
    return this.forwardParts(what, datums, (data) => this.submit(what, '/forward_backward', { model_id: modelId, forward_backward_input: { data, ...input } }, { signal }, 'forward', modelId));
  }

  /**
   * Applies the accumulated gradient with Adam and clears it.
   *
   * @param modelId - The model.
   * @param adam - Learning rate and, optionally, betas, eps and weight decay.
   * @returns Server metrics (SkyRL: `skyrl.ai/grad_norm`, `skyrl.ai/learning_rate`).
   */
  async optimStep(modelId: string, adam: AdamParams, signal?: AbortSignal): Promise<Record<string, number>> {
    const what = 'TinkerClient.optimStep';
    assertString(what, 'modelId', modelId);
    assertFiniteNumber(what, 'adam.learningRate', adam?.learningRate);
    if (adam.learningRate < 0) throw new RangeError(`${what}: adam.learningRate must be >= 0 (got ${adam.learningRate})`);
    const params: Record<string, number> = { learning_rate: adam.learningRate };
    const rest: [keyof AdamParams, string, number, number][] = [
      ['beta1', 'beta1', 0, 1],
      ['beta2', 'beta2', 0, 1],
      ['eps', 'eps', 0, Infinity],
      ['weightDecay', 'weight_decay', 0, Infinity],
    ];
    for (const [key, wire, lo, hi] of rest) {
      const v = adam[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !(v >= lo && v < hi)) throw new RangeError(`${what}: adam.${key} must be a number in [${lo}, ${hi}) (got ${describeValue(v)})`);
      params[wire] = v;
    }
    // Hosted: every Adam field, the SDK's defaults where left out (as the SDK sends them).
    const adamParams = this.hosted === undefined ? params : { learning_rate: adam.learningRate, ...SDK_ADAM, ...params };
    const body = await this.submit(what, '/optim_step', { model_id: modelId, adam_params: adamParams, ...(this.hosted ? { type: 'optim_step' } : {}) }, { signal }, undefined, modelId);
    return parseMetrics(what, body);
  }

  /**
   * Saves the current weights where the sampler reads them (the weight sync of an RL step).
   *
   * @param modelId - The model.
   * @param name - Checkpoint name: letters, digits, `_` and `-`.
   * @returns The `tinker://` path to pass to {@link sample} as `modelPath`.
   */
  async saveWeightsForSampler(modelId: string, name: string): Promise<string> {
    const what = 'TinkerClient.saveWeightsForSampler';
    assertString(what, 'modelId', modelId);
    checkName(what, name);
    const extra = this.hosted === undefined ? {} : { kind: 'snapshot' };
    const body = await this.submit(what, '/save_weights_for_sampler', { model_id: modelId, path: name, ...extra, type: 'save_weights_for_sampler' }, {}, undefined, modelId);
    return stringField(what, body, 'path');
  }

  /**
   * Saves weights and optimiser state as a training checkpoint.
   *
   * @param modelId - The model.
   * @param name - Checkpoint name: letters, digits, `_` and `-`; unique per model.
   * @returns The `tinker://…/weights/…` path for {@link loadWeights}.
   */
  async saveWeights(modelId: string, name: string): Promise<string> {
    const what = 'TinkerClient.saveWeights';
    assertString(what, 'modelId', modelId);
    checkName(what, name);
    const extra = this.hosted === undefined ? {} : { overwrite: false };
    const body = await this.submit(what, '/save_weights', { model_id: modelId, path: name, ...extra, type: 'save_weights' }, {}, undefined, modelId);
    return stringField(what, body, 'path');
  }

  /**
   * Loads a training checkpoint into a model. The server accepts this only as a fresh model's first
   * request: create a model, then load.
   *
   * @param modelId - A freshly created model of the same base and rank.
   * @param path - A path {@link saveWeights} returned.
   * @param options - `optimizer`: also restore Adam's state [true].
   */
  async loadWeights(modelId: string, path: string, options: { optimizer?: boolean } = {}): Promise<void> {
    const what = 'TinkerClient.loadWeights';
    assertString(what, 'modelId', modelId);
    assertString(what, 'path', path);
    if (!path.startsWith('tinker://')) throw new TypeError(`${what}: path must be a tinker:// path from saveWeights (got ${describeValue(path)})`);
    await this.submit(what, '/load_weights', { model_id: modelId, path, optimizer: options.optimizer ?? true, type: 'load_weights' }, {}, undefined, modelId);
  }

  /**
   * Hosted: the sampling session of a sampler, created on first use (`create_sampling_session` with
   * the session's next `sampling_session_seq_id`) and kept for the client's life.
   */
  private samplingSession(what: string, ref: { base_model: string } | { model_path: string }): Promise<{ id: string; next: number }> {
    const h = this.hosted!;
    const key = 'base_model' in ref ? `base:${ref.base_model}` : `path:${ref.model_path}`;
    let session = h.samplers.get(key);
    if (session === undefined) {
      const body = { session_id: this.sessionId, sampling_session_seq_id: h.nextSamplingSeq++, ...ref, type: 'create_sampling_session' };
      session = this.http.call('POST', `${API}/create_sampling_session`, body, { idempotent: false }).then((answer) => ({ id: stringField(what, answer, 'sampling_session_id'), next: 0 }));
      h.samplers.set(key, session);
      // A failed creation is not kept: the next sample tries again (with the next number).
      session.catch(() => h.samplers.delete(key));
    }
    return session;
  }

  /**
   * Samples continuations of a prompt, with the sampler's log-prob of every generated token.
   *
   * @param from - `{ baseModel }` or `{ modelPath }` (a path {@link saveWeightsForSampler} returned).
   * @param prompt - Prompt token ids.
   * @param params - `maxTokens` and optional temperature, seed, stop, top-k, top-p.
   * @param options - `numSamples` (default 1); `promptLogprobs` (default false): also score the prompt.
   * @returns The sequences and, when asked, the prompt's log-probs.
   */
  async sample(from: SamplerRef, prompt: Int32Array, params: SamplingParams, options: { numSamples?: number; promptLogprobs?: boolean; signal?: AbortSignal } = {}): Promise<SampleResult> {
    const what = 'TinkerClient.sample';
    if (!(prompt instanceof Int32Array) || prompt.length === 0) throw new TypeError(`${what}: prompt must be a non-empty Int32Array (got ${describeValue(prompt)})`);
    assertInt(what, 'params.maxTokens', params?.maxTokens, 1);
    const numSamples = options.numSamples ?? 1;
    assertInt(what, 'options.numSamples', numSamples, 1);
    const sp: Record<string, unknown> = { max_tokens: params.maxTokens, temperature: params.temperature ?? 1 };
    if (params.temperature !== undefined) {
      assertFiniteNumber(what, 'params.temperature', params.temperature);
      if (params.temperature < 0) throw new RangeError(`${what}: params.temperature must be >= 0 (got ${params.temperature})`);
    }
    if (params.seed !== undefined) {
      assertInt(what, 'params.seed', params.seed, 0);
      sp.seed = params.seed;
    }
    if (params.stop !== undefined && params.stop.length > 0) {
      const allStrings = params.stop.every((s) => typeof s === 'string' && s !== '');
      const allIds = params.stop.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0);
      if (!allStrings && !allIds) throw new TypeError(`${what}: params.stop must be all non-empty strings or all token ids, not mixed`);
      sp.stop = [...params.stop];
    }
    if (params.topK !== undefined) {
      assertInt(what, 'params.topK', params.topK, -1);
      sp.top_k = params.topK;
    }
    if (params.topP !== undefined) {
      assertFiniteNumber(what, 'params.topP', params.topP);
      sp.top_p = params.topP;
    }
    const body: Record<string, unknown> = { num_samples: numSamples, prompt: { chunks: [{ type: 'encoded_text', tokens: Array.from(prompt) }] }, sampling_params: sp, type: 'sample' };
    let ref: { base_model: string } | { model_path: string };
    if (from !== null && typeof from === 'object' && 'baseModel' in from) {
      assertString(what, 'from.baseModel', from.baseModel);
      ref = { base_model: from.baseModel };
    } else if (from !== null && typeof from === 'object' && 'modelPath' in from) {
      assertString(what, 'from.modelPath', from.modelPath);
      if (this.hosted !== undefined && !from.modelPath.startsWith('tinker://')) {
        throw new TypeError(`${what}: from.modelPath must be a tinker:// path from saveWeightsForSampler (got ${describeValue(from.modelPath)})`);
      }
      ref = { model_path: from.modelPath };
    } else {
      throw new TypeError(`${what}: from must be { baseModel } or { modelPath } (got ${describeValue(from)})`);
    }
    let headers: Record<string, string> | undefined;
    if (this.hosted !== undefined) {
      // The SDK's body: the sampler is a sampling session, each sample numbered within it; every
      // optional field explicit, sampling parameters with their defaults.
      sp.top_k ??= -1;
      sp.top_p ??= 1;
      const session = await this.samplingSession(what, ref);
      Object.assign(body, {
        sampling_session_id: session.id,
        seq_id: session.next++,
        prompt_logprobs: options.promptLogprobs === true,
        topk_prompt_logprobs: 0,
        topk_sample_logprobs: 0,
        prompt_alt_tokens_k: 0,
        record_stability_info: false,
      });
      // The SDK asks for 429 (back off and send again) rather than a queue when sampling is busy.
      headers = { 'x-tinker-sampling-backpressure': '1' };
    } else {
      Object.assign(body, ref);
      if (options.promptLogprobs) body.prompt_logprobs = true;
    }
    const result = parseSample(what, await this.submit(what, '/asample', body, { signal: options.signal, headers }, 'sample'));
    if (result.sequences.length !== numSamples) throw bad(what, `has ${result.sequences.length} sequences for ${numSamples} samples`);
    return result;
  }
}

function checkName(fn: string, name: string): void {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
    throw new TypeError(`${fn}: name must be 1–255 letters, digits, '_' or '-' (got ${describeValue(name)})`);
  }
}
