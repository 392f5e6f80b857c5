import { onAbort, requestAbort } from '@paretopo/envs';
import { describeValue } from '@paretopo/pareto';
import { RolloutError } from './errors';
import { ConcurrencyLimiter } from './limiter';
import type { ChatCompleteOptions, ChatMessage, ChatPolicy, ChatReply, ChatToolCall } from './types';

/** Options of {@link OpenAIChatPolicy}. */
export interface OpenAIChatPolicyOptions {
  /** Server base URL including the version path, e.g. `'http://localhost:8000/v1'` (vLLM) or `'http://localhost:11434/v1'` (Ollama). */
  baseUrl: string;
  /** Model name as the server knows it. */
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set; replaced by `[redacted]` wherever a server echoes it into an error. */
  apiKey?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Most requests in flight (servers batch concurrent requests). Default 8. */
  concurrency?: number;
  /** Per-attempt time limit in ms, reading the whole body included (AbortController). Default 60000. */
  timeoutMs?: number;
  /**
   * Time limit of one request in ms, all attempts and waits between them included: a hung server
   * costs at most this per request. Default 120000.
   */
  deadlineMs?: number;
  /** Attempts per request, the first included (429, 5xx, network errors and timeouts are retried). Default 4, at most 100. */
  maxAttempts?: number;
  /**
   * Largest response body accepted, in bytes after decompression (a bigger or endless body, or a
   * compression bomb, is a `'bad-response'` error as soon as it passes this). Default 8 MiB.
   */
  maxResponseBytes?: number;
  /** First retry delay in ms; doubles per attempt, with jitter. Default 250. */
  backoffMs?: number;
  /** Longest retry delay in ms (also caps `Retry-After`). Default 8000. */
  maxBackoffMs?: number;
  /** Extra fields merged into every request body (e.g. `{ top_p: 0.95 }` or vLLM's `{ skip_special_tokens: false }`). */
  extraBody?: Record<string, unknown>;
  /** Uniform [0, 1) source for jitter. Default `Math.random`. */
  random?: () => number;
}

/** An HTTP status error that carries the server's `Retry-After`, in ms. */
type StatusError = RolloutError & { retryAfterMs?: number };

function positiveInt(name: string, value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new RangeError(`OpenAIChatPolicy: options.${name} must be an integer in [1, ${max}] (got ${describeValue(value)})`);
  }
  return value;
}

/** Longest server message quoted in an error, in characters. */
const MAX_MESSAGE_CHARS = 500;
/** Bytes of an error response read for its message (the rest is never read). */
const MAX_ERROR_BODY_BYTES = 65_536;
/** Most completion tokens believed from a server's `usage` (larger is a broken server). */
const MAX_USAGE_TOKENS = 1e9;

/**
 * The delay a `Retry-After` header asks for, in ms: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3); `undefined` when absent or unreadable. A date in the past means "now".
 *
 * @param value - The header value, or `null`.
 * @param now - The current time in ms since the epoch.
 * @returns The delay in ms, or `undefined`.
 * @example
 * retryAfterMs('2', 0); // 2000
 * retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 0); // 5000
 */
export function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const t = value.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  // An HTTP date starts with a weekday: IMF ('Wed, 21 Oct 2015 07:28:00 GMT'), RFC 850, asctime.
  if (t.length > 64 || !/^[A-Za-z]{3,9},? /.test(t)) return undefined;
  const at = Date.parse(t);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Reads a response body as text, never holding more than `maxBytes` of it (decoded, so a gzip
 * bomb stops at the cap too).
 *
 * @returns The text and whether the body was cut at the cap.
 */
async function readCapped(res: Response, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  const declared = Number(res.headers.get('content-length'));
  const reader = res.body?.getReader();
  if (reader === undefined) return { text: '', cut: false };
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    // A declared length over the cap is refused before any of it is read (unless compressed:
    // the declared length is then of the compressed body).
    if (!res.headers.has('content-encoding') && Number.isFinite(declared) && declared > maxBytes) return { text: '', cut: true };
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - bytes;
      if (value.byteLength > room) {
        text += decoder.decode(value.subarray(0, room), { stream: true });
        return { text, cut: true };
      }
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
    return { text: text + decoder.decode(), cut: false };
  } finally {
    // Stops the download (and the decompression) of anything left.
    reader.cancel().catch(() => {});
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new RolloutError('aborted', 'OpenAIChatPolicy: aborted'));
      return;
    }
    const timer = setTimeout(() => {
      stop?.();
      resolve();
    }, ms);
    const stop =
      signal &&
      onAbort(signal, () => {
        clearTimeout(timer);
        reject(new RolloutError('aborted', 'OpenAIChatPolicy: aborted'));
      });
  });
}

const clip = (text: string): string => (text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}… (${text.length - MAX_MESSAGE_CHARS} more characters)` : text);

function serverMessage(body: string): string {
  try {
    const json = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    const m = typeof json.error === 'string' ? json.error : (json.error?.message ?? json.message ?? json.detail);
    if (typeof m === 'string') return clip(m);
    if (m !== undefined) return clip(JSON.stringify(m));
  } catch {
    // Not JSON: show the raw text.
  }
  return clip(body);
}

function parseReply(url: string, json: unknown): ChatReply {
  const choice = (json as { choices?: unknown[] } | null)?.choices?.[0] as
    | { message?: { content?: unknown; tool_calls?: unknown }; finish_reason?: unknown; stop_reason?: unknown }
    | undefined;
  if (choice === undefined || choice === null || typeof choice !== 'object' || typeof choice.message !== 'object' || choice.message === null) {
    throw new RolloutError('bad-response', `OpenAIChatPolicy: ${url} answered without choices[0].message`);
  }
  const content = choice.message.content;
  const rawCalls = Array.isArray(choice.message.tool_calls) ? choice.message.tool_calls : [];
  const toolCalls: ChatToolCall[] = rawCalls.map((c: unknown, i: number) => {
    const fn = (c as { function?: { name?: unknown; arguments?: unknown } })?.function;
    if (typeof fn?.name !== 'string') {
      throw new RolloutError('bad-response', `OpenAIChatPolicy: ${url} answered a tool call without function.name (tool_calls[${i}])`);
    }
    const args = fn.arguments;
    const id = (c as { id?: unknown }).id;
    return {
      id: typeof id === 'string' ? id : `call_${i}`,
      name: fn.name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    };
  });
  const fr = choice.finish_reason;
  const finish: ChatReply['finish'] = fr === 'length' ? 'length' : fr === 'tool_calls' || toolCalls.length > 0 ? 'tool_calls' : 'stop';
  const reply: ChatReply = { text: typeof content === 'string' ? content : '', toolCalls, finish };
  if (typeof choice.stop_reason === 'string') reply.stop = choice.stop_reason;
  const tokens = (json as { usage?: { completion_tokens?: unknown } }).usage?.completion_tokens;
  if (tokens !== undefined && tokens !== null) {
    if (typeof tokens !== 'number' || !Number.isInteger(tokens) || tokens < 0 || tokens > MAX_USAGE_TOKENS) {
      throw new RolloutError('bad-response', `OpenAIChatPolicy: ${url} answered usage.completion_tokens = ${clip(String(JSON.stringify(tokens)))} (expected an integer in [0, ${MAX_USAGE_TOKENS}])`);
    }
    reply.completionTokens = tokens;
  }
  return reply;
}

/**
 * A {@link ChatPolicy} over an OpenAI-compatible chat-completions server (vLLM, SGLang,
 * llama.cpp, Ollama, OpenAI). Keeps at most `concurrency` requests in flight, times each attempt
 * out with an AbortController, retries 429, 5xx, network errors and timeouts with exponential
 * backoff and jitter (honouring `Retry-After`), and fails fast on other 4xx with the status and
 * the server's message.
 *
 * @example
 * const policy = new OpenAIChatPolicy({ baseUrl: 'http://localhost:8000/v1', model: 'Qwen/Qwen2.5-1.5B-Instruct' });
 * (await policy.complete([{ role: 'user', content: 'What is 2+3?' }], { maxTokens: 32 })).text; // e.g. '<ans>5</ans>'
 */
export class OpenAIChatPolicy implements ChatPolicy {
  readonly url: string;
  readonly model: string;
  private readonly headers: Record<string, string>;
  private readonly limiter: ConcurrencyLimiter;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly maxAttempts: number;
  private readonly maxResponseBytes: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly extraBody: Record<string, unknown>;
  private readonly random: () => number;
  private readonly apiKey: string | undefined;

  /** @param options - See {@link OpenAIChatPolicyOptions}. */
  constructor(options: OpenAIChatPolicyOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`OpenAIChatPolicy: options must be an object (got ${describeValue(options)})`);
    }
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new TypeError(`OpenAIChatPolicy: options.baseUrl must be an absolute http(s) URL (got ${describeValue(options.baseUrl)})`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`OpenAIChatPolicy: options.baseUrl must be an absolute http(s) URL (got ${describeValue(options.baseUrl)})`);
    }
    if (typeof options.model !== 'string' || options.model === '') {
      throw new TypeError(`OpenAIChatPolicy: options.model must be a non-empty string (got ${describeValue(options.model)})`);
    }
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.model = options.model;
    this.headers = { 'content-type': 'application/json', ...(options.headers ?? {}) };
    if (base.username !== '' || base.password !== '') {
      throw new TypeError('OpenAIChatPolicy: options.baseUrl must not hold credentials (they would show in every error and log); pass options.apiKey');
    }
    if (options.apiKey !== undefined) this.headers.authorization = `Bearer ${options.apiKey}`;
    this.apiKey = options.apiKey === '' ? undefined : options.apiKey;
    const hour = 3_600_000;
    this.limiter = new ConcurrencyLimiter(positiveInt('concurrency', options.concurrency, 8, 1024));
    this.timeoutMs = positiveInt('timeoutMs', options.timeoutMs, 60_000, hour);
    this.deadlineMs = positiveInt('deadlineMs', options.deadlineMs, 120_000, 24 * hour);
    this.maxAttempts = positiveInt('maxAttempts', options.maxAttempts, 4, 100);
    this.maxResponseBytes = positiveInt('maxResponseBytes', options.maxResponseBytes, 8 * 1048576, 1024 * 1048576);
    this.backoffMs = positiveInt('backoffMs', options.backoffMs, 250, hour);
    this.maxBackoffMs = positiveInt('maxBackoffMs', options.maxBackoffMs, 8000, hour);
    this.extraBody = options.extraBody ?? {};
    this.random = options.random ?? Math.random;
  }

  /** Requests in flight now. */
  get inFlight(): number {
    return this.limiter.inFlight;
  }

  /**
   * Sends one chat-completions request (with retries) and maps the first choice.
   *
   * @param messages - The conversation.
   * @param options - `maxTokens`, `stop`, `tools`, `temperature`, `seed`, `signal`.
   * @returns Text, native tool calls, finish reason, matched stop (vLLM) and completion tokens.
   */
  complete(messages: readonly ChatMessage[], options: ChatCompleteOptions): Promise<ChatReply> {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new TypeError(`OpenAIChatPolicy.complete: messages must be a non-empty array (got ${describeValue(messages)})`);
    }
    const body: Record<string, unknown> = { model: this.model, messages, max_tokens: options.maxTokens, ...this.extraBody };
    if (options.temperature !== undefined) body.temperature = options.temperature;
    if (options.seed !== undefined) body.seed = options.seed;
    if (options.stop !== undefined && options.stop.length > 0) body.stop = options.stop;
    if (options.tools !== undefined && options.tools.length > 0) {
      body.tools = options.tools;
      body.tool_choice = 'auto';
    }
    const payload = JSON.stringify(body);
    return this.limiter.run(() => this.send(payload, options.signal));
  }

  private async send(payload: string, signal: AbortSignal | undefined): Promise<ChatReply> {
    let lastError: RolloutError | undefined;
    const deadline = performance.now() + this.deadlineMs;
    let attempt = 1;
    for (; attempt <= this.maxAttempts; attempt++) {
      let wait: number | undefined;
      try {
        return await this.attempt(payload, signal, Math.max(1, Math.min(this.timeoutMs, Math.ceil(deadline - performance.now()))));
      } catch (err) {
        if (!(err instanceof RolloutError)) throw err;
        const s = err.status;
        const retryable = err.code === 'network' || err.code === 'timeout' || s === 429 || (s !== undefined && s >= 500);
        if (!retryable) throw err;
        lastError = err;
        wait = (err as StatusError).retryAfterMs;
      }
      if (attempt === this.maxAttempts) break;
      // Exponential backoff with "equal jitter" (half fixed, half random) so clients spread out.
      const exp = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
      const delay = wait !== undefined ? Math.min(this.maxBackoffMs, wait) : exp / 2 + (exp / 2) * this.random();
      if (performance.now() + delay >= deadline) {
        throw new RolloutError(lastError!.code, `${lastError!.message} (gave up after ${attempt} attempts: the request deadline of ${this.deadlineMs} ms would pass)`, {
          status: lastError!.status,
          cause: lastError,
        });
      }
      await sleep(delay, signal);
    }
    throw new RolloutError(lastError!.code, `${lastError!.message} (after ${this.maxAttempts} attempts)`, {
      status: lastError!.status,
      cause: lastError,
    });
  }

  // A server (or a proxy) may echo the request's headers into an error message.
  private redact(text: string): string {
    return this.apiKey === undefined ? text : text.split(this.apiKey).join('[redacted]');
  }

  private async attempt(payload: string, signal: AbortSignal | undefined, timeoutMs: number): Promise<ChatReply> {
    if (signal?.aborted) throw new RolloutError('aborted', 'OpenAIChatPolicy: aborted');
    const request = requestAbort(timeoutMs, signal);
    try {
      let res: Response;
      let body: { text: string; cut: boolean };
      try {
        res = await fetch(this.url, { method: 'POST', headers: this.headers, body: payload, signal: request.signal });
        body = await readCapped(res, res.ok ? this.maxResponseBytes : MAX_ERROR_BODY_BYTES);
      } catch (err) {
        if (request.timedOut()) throw new RolloutError('timeout', `OpenAIChatPolicy: POST ${this.url} timed out after ${timeoutMs} ms`, { cause: err });
        if (signal?.aborted) throw new RolloutError('aborted', 'OpenAIChatPolicy: aborted', { cause: err });
        const msg = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
        throw new RolloutError('network', `OpenAIChatPolicy: POST ${this.url} failed: ${msg}`, { cause: err });
      }
      const { text } = body;
      if (!res.ok) {
        const err: StatusError = new RolloutError(
          'http-status',
          `OpenAIChatPolicy: POST ${this.url} failed with ${res.status}${res.statusText ? ` ${clip(this.redact(res.statusText))}` : ''}: ${serverMessage(this.redact(text))}`,
          { status: res.status },
        );
        err.retryAfterMs = retryAfterMs(res.headers.get('retry-after'), Date.now());
        throw err;
      }
      if (body.cut) {
        throw new RolloutError('bad-response', `OpenAIChatPolicy: ${this.url} answered a body over maxResponseBytes (${this.maxResponseBytes} bytes)`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new RolloutError('bad-response', `OpenAIChatPolicy: ${this.url} answered invalid JSON: ${serverMessage(this.redact(text)).slice(0, 200)}`, { cause: err });
      }
      return parseReply(this.url, json);
    } finally {
      request.done();
    }
  }
}
