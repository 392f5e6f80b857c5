import { randomUUID } from 'node:crypto';
import { requestAbort } from '@paretopo/envs';
import type { Credential } from './auth';
import type { BodyCodec, ResultKind } from './codec';
import { TinkerError } from './errors';

/** Settings of a {@link HttpTransport}, resolved once by the client. */
export interface TransportSettings {
  /** Server root, e.g. `http://127.0.0.1:8000` (the `/api/v1` prefix is added per call). */
  baseUrl: string;
  /** Sent as `X-API-Key`; never logged, never part of an error message. */
  apiKey: string | undefined;
  codec: BodyCodec;
  /** Limit of one attempt in ms. */
  timeoutMs: number;
  /** Attempts per call (1 = no retry). */
  maxAttempts: number;
  /** First retry delay in ms; doubles per attempt, with jitter. */
  backoffMs: number;
  /** Longest retry delay in ms (also caps `Retry-After`). */
  maxBackoffMs: number;
  /** Largest response body read, in bytes. */
  maxResponseBytes: number;
  /** Source of jitter in [0, 1). */
  random: () => number;
  /**
   * Whether every POST carries an `X-Idempotency-Key`, one per call and the same on each of its
   * attempts, as the official Python SDK sends it [false].
   */
  idempotencyKeys?: boolean;
}

/** Options of one {@link HttpTransport.call}. */
export interface CallOptions {
  /**
   * Whether repeating the call is harmless (reads, polls, heartbeats). Only such calls are
   * retried after a timeout, a dropped connection or a 5xx: a retried `forward_backward` whose
   * first copy reached the server would add its gradient twice. Every call is retried when the
   * server refused the connection or answered 429/503, since then it did not run.
   */
  idempotent: boolean;
  /** Limit of one attempt in ms instead of the transport's (long polls). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** What the answer holds (a future's result), for a codec that asks for it in another format. */
  result?: ResultKind;
  /** Headers of this call only. */
  headers?: Record<string, string>;
  /** Send the API key itself even where a {@link Credential} is in use (the JWT exchange). */
  apiKeyOnly?: boolean;
}

/** Waits `ms`, or rejects with an `aborted` error when `signal` fires first. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new TinkerError('aborted', 'Tinker: aborted'));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new TinkerError('aborted', 'Tinker: aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The server's `detail` (FastAPI's error field) or the start of the body, for error messages. */
function serverMessage(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 4000));
  try {
    const json = JSON.parse(text) as { detail?: unknown };
    if (json && typeof json === 'object' && json.detail !== undefined) {
      return typeof json.detail === 'string' ? json.detail : JSON.stringify(json.detail).slice(0, 500);
    }
  } catch {
    // Not JSON (a proxy's HTML page, a truncated body): the raw start says more than nothing.
  }
  return text.slice(0, 500);
}

/** Reads a body up to `cap` bytes; a longer one is an error, never a silent truncation. */
async function readCapped(res: Response, cap: number, what: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body?.cancel();
    throw new TinkerError('too-large', `${what}: the response declares ${declared} bytes, more than maxResponseBytes (${cap})`, { status: res.status });
  }
  if (res.body === null) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw new TinkerError('too-large', `${what}: the response is larger than maxResponseBytes (${cap} bytes)`, { status: res.status });
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The error code of a failed `fetch`'s connection, if it has one. */
function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: string } | undefined) : undefined;
  return cause?.code;
}

/**
 * Codes of a connection the server closed before answering: `fetch` reuses keep-alive sockets,
 * and a socket idle past the server's keep-alive (uvicorn's is 5 s; a Node process whose event
 * loop was blocked for seconds, e.g. building a tokenizer, does not drop its stale sockets in time)
 * is closed by the server as the request goes out. That request never ran.
 */
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

type RetryHint = TinkerError & { retryAfterMs?: number; refused?: boolean; dropped?: boolean; invalidToken?: boolean };

/**
 * One HTTP call to the Tinker API with a timeout per attempt, retries with exponential backoff
 * and equal jitter (honouring `Retry-After`), capped response bodies and the codec's encoding.
 * Internal to the client; exported for the client's own tests.
 */
export class HttpTransport {
  private credential: Credential | undefined;

  constructor(readonly settings: TransportSettings) {}

  /** Sends `credential`'s value as `X-API-Key` from now on instead of the API key (hosted Tinker's JWT auth). */
  useCredential(credential: Credential): void {
    this.credential = credential;
  }

  /**
   * Sends `body` (or nothing, for GET) to `path` and returns the decoded answer.
   *
   * @param method - `GET` or `POST`.
   * @param path - Route under the server root, e.g. `/api/v1/create_session`.
   * @param body - Request body (encoded by the codec); omitted for GET.
   * @param options - Idempotence, timeout, signal.
   * @returns The decoded body.
   */
  async call(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions): Promise<unknown> {
    const s = this.settings;
    const payload = method === 'POST' ? s.codec.encode(body, path) : undefined;
    // One key per call, the same on every attempt, so a server that deduplicates sees the repeats as one.
    const idempotency = s.idempotencyKeys === true && method === 'POST' ? { 'x-idempotency-key': `paretopo-retry-${randomUUID()}` } : undefined;
    // Built once: only a credential's key can change between attempts (a JWT replaced after a 401), set below.
    const headers: Record<string, string> = {
      accept: s.codec.accept?.(options.result) ?? s.codec.contentType,
      ...options.headers,
      ...(s.apiKey === undefined ? {} : { 'x-api-key': s.apiKey }),
      ...idempotency,
    };
    if (payload !== undefined) headers['content-type'] = s.codec.requestContentType?.(path) ?? s.codec.contentType;
    let last: RetryHint | undefined;
    const credential = options.apiKeyOnly === true ? undefined : this.credential;
    let key = credential === undefined ? undefined : await credential.get();
    let replayed = false;
    for (let attempt = 1; attempt <= s.maxAttempts; attempt++) {
      if (key !== undefined) headers['x-api-key'] = key;
      try {
        return await this.attempt(method, path, payload, options, headers);
      } catch (err) {
        if (!(err instanceof TinkerError)) throw err;
        const hint = err as RetryHint;
        // The server refused the JWT itself (401 invalid_token, e.g. revoked early): a new one, and
        // the request once more, as the SDK does; it did not run.
        if (hint.invalidToken === true && credential !== undefined && key !== undefined && !replayed) {
          replayed = true;
          key = await credential.replace(key);
          attempt--;
          continue;
        }
        const st = err.status;
        // A dropped connection is retried once, also for a call that is not idempotent: the server
        // closes a connection with a request in flight only when it dies, and then the retry is
        // refused; a drop on a later attempt is an error.
        const didNotRun = hint.refused === true || st === 429 || st === 503 || (hint.dropped === true && attempt === 1);
        const transient = err.code === 'timeout' || err.code === 'network' || (st !== undefined && st >= 500);
        if (!(didNotRun || (options.idempotent && transient))) throw err;
        last = hint;
      }
      if (attempt === s.maxAttempts) break;
      // Exponential backoff with "equal jitter" (half fixed, half random) so clients spread out.
      const exp = Math.min(s.maxBackoffMs, s.backoffMs * 2 ** (attempt - 1));
      const delay = last.retryAfterMs !== undefined ? Math.min(s.maxBackoffMs, last.retryAfterMs) : exp / 2 + (exp / 2) * s.random();
      await sleep(delay, options.signal);
    }
    throw new TinkerError(last!.code, `${last!.message} (after ${s.maxAttempts} attempts)`, { status: last!.status, cause: last });
  }

  private async attempt(method: string, path: string, payload: Uint8Array | undefined, options: CallOptions, headers: Record<string, string>): Promise<unknown> {
    const s = this.settings;
    const url = `${s.baseUrl}${path}`;
    const what = `Tinker: ${method} ${url}`;
    if (options.signal?.aborted) throw new TinkerError('aborted', `${what}: aborted`);
    const timeoutMs = options.timeoutMs ?? s.timeoutMs;
    const request = requestAbort(timeoutMs, options.signal);
    try {
      let res: Response;
      let bytes: Uint8Array;
      try {
        res = await fetch(url, { method, headers, body: payload, signal: request.signal });
        bytes = await readCapped(res, s.maxResponseBytes, what);
      } catch (err) {
        if (err instanceof TinkerError) throw err;
        if (request.timedOut()) throw new TinkerError('timeout', `${what} timed out after ${timeoutMs} ms`, { cause: err });
        if (options.signal?.aborted) throw new TinkerError('aborted', `${what}: aborted`, { cause: err });
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
        const e: RetryHint = new TinkerError('network', `${what} failed: ${cause} (is the Tinker server running and reachable?)`, { cause: err });
        const code = causeCode(err);
        e.refused = code === 'ECONNREFUSED';
        e.dropped = code !== undefined && DROPPED.has(code);
        throw e;
      }
      if (!res.ok) {
        const e: RetryHint = new TinkerError('http-status', `${what} failed with ${res.status}: ${serverMessage(bytes)}`, { status: res.status });
        e.invalidToken = res.status === 401 && /error="invalid_token"/.test(res.headers.get('www-authenticate') ?? '');
        const ra = Number(res.headers.get('retry-after'));
        if (res.headers.has('retry-after') && Number.isFinite(ra) && ra >= 0) e.retryAfterMs = ra * 1000;
        throw e;
      }
      try {
        return s.codec.decode(bytes, res.headers.get('content-type') ?? '', options.result);
      } catch (err) {
        throw new TinkerError('bad-response', `${what} answered a body that does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err, status: res.status });
      }
    } finally {
      request.done();
    }
  }
}
