// Classes 3, 5 and 9 of issue 14 (docs/RELIABILITY.md): a misbehaving OpenAI-compatible server on
// 127.0.0.1 (slow drip, huge, endless and compressed bodies, a 429 with an HTTP date, invalid JSON,
// a 5 MB error message, negative token counts, a server that never answers) always ends in a
// clear, bounded error.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RolloutError } from './errors';
import { OpenAIChatPolicy, type OpenAIChatPolicyOptions, retryAfterMs } from './openai-chat';
import { chatBody, startChatServer, type ScriptedResponse } from '../test/server';

const user = [{ role: 'user' as const, content: 'What is 2+3?' }];
let closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

async function serve(reply: (n: number) => ScriptedResponse, max = 50) {
  const s = await startChatServer((_req, n) => reply(n), max);
  closers.push(s.close);
  return s;
}

const client = (baseUrl: string, opts: Partial<OpenAIChatPolicyOptions> = {}) =>
  new OpenAIChatPolicy({ baseUrl, model: 'm', backoffMs: 1, maxBackoffMs: 5, random: () => 0.5, ...opts });

const failure = async (p: Promise<unknown>): Promise<RolloutError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RolloutError);
  return err as RolloutError;
};

/** Writes `chunk` every `everyMs` until the client goes away. */
const drip = (chunk: string | Buffer, everyMs: number, headers: Record<string, string> = {}) => (res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  const timer = setInterval(() => res.write(chunk), everyMs);
  res.on('close', () => clearInterval(timer));
};

describe('OpenAIChatPolicy against a misbehaving server', () => {
  it('a slow drip ends at the per-attempt time limit, the body read included', async () => {
    const s = await serve(() => ({ raw: drip(' ', 20) }));
    const err = await failure(client(s.baseUrl, { timeoutMs: 300, maxAttempts: 1 }).complete(user, { maxTokens: 8 }));
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/timed out after 300 ms/);
  });

  it('a body over maxResponseBytes is refused, whether declared, endless or compressed', async () => {
    const cap = 65_536;
    const huge = JSON.stringify(chatBody('x'.repeat(4 * cap)));
    const bomb = gzipSync(Buffer.alloc(64 * 1048576, 32)); // 64 MiB of spaces in about 64 kB
    expect(bomb.length).toBeLessThan(200_000);
    const cases: ScriptedResponse[] = [
      { text: huge },
      { raw: drip(Buffer.alloc(16_384, 32), 1) },
      { raw: (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(bomb) },
    ];
    for (const c of cases) {
      const s = await serve(() => c);
      const err = await failure(client(s.baseUrl, { maxResponseBytes: cap, maxAttempts: 1, timeoutMs: 30_000 }).complete(user, { maxTokens: 8 }));
      expect(err.code).toBe('bad-response');
      expect(err.message).toMatch(/body over maxResponseBytes \(65536 bytes\)/);
    }
  });

  it('a 5 MB error message is cut to 500 characters in the error', async () => {
    const s = await serve(() => ({ status: 400, json: { error: { message: 'e'.repeat(5_000_000) } } }));
    const err = await failure(client(s.baseUrl).complete(user, { maxTokens: 8 }));
    expect(err.status).toBe(400);
    expect(err.message.length).toBeLessThan(1000);
    expect(err.message).toMatch(/… \(\d+ more characters\)$/);
  });

  it('invalid JSON is a bad-response error (not retried)', async () => {
    const s = await serve(() => ({ text: '{"choices": [' }));
    const err = await failure(client(s.baseUrl).complete(user, { maxTokens: 8 }));
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/invalid JSON/);
    expect(s.requests.length).toBe(1);
  });

  it.each([-3, 1.5, 1e12, 'many'])('usage.completion_tokens = %j is a bad-response error naming the field', async (tokens) => {
    const body = { ...chatBody('ok'), usage: { completion_tokens: tokens } };
    const s = await serve(() => ({ json: body }));
    const err = await failure(client(s.baseUrl).complete(user, { maxTokens: 8 }));
    expect(err.code).toBe('bad-response');
    expect(err.message).toMatch(/usage\.completion_tokens = .* \(expected an integer in \[0, 1000000000\]\)/);
  });

  it('a 429 with Retry-After as an HTTP date waits until that date', async () => {
    let firstAt = 0;
    const s = await serve((n) => {
      if (n > 0) return { json: chatBody('ok') };
      firstAt = Date.now();
      // HTTP dates have whole seconds: two seconds ahead is at least one second of wait.
      return { status: 429, headers: { 'retry-after': new Date(firstAt + 2000).toUTCString() }, json: {} };
    });
    const reply = await client(s.baseUrl, { maxBackoffMs: 10_000 }).complete(user, { maxTokens: 8 });
    expect(reply.text).toBe('ok');
    expect(Date.now() - firstAt).toBeGreaterThanOrEqual(1000);
  });

  it('a server that never answers costs at most deadlineMs per request, however many attempts are allowed', async () => {
    const s = await serve(() => ({ raw: () => {} }), 1000);
    const err = await failure(client(s.baseUrl, { timeoutMs: 200, deadlineMs: 600, maxAttempts: 100 }).complete(user, { maxTokens: 8 }));
    expect(err.code).toBe('timeout');
    expect(s.requests.length).toBeLessThanOrEqual(4);
    expect(err.message).toMatch(/deadline of 600 ms|after \d+ attempts/);
  });

  it('options outside their range are refused, naming the range', () => {
    expect(() => client('http://127.0.0.1:1/v1', { maxAttempts: 1e9 })).toThrow('OpenAIChatPolicy: options.maxAttempts must be an integer in [1, 100] (got 1000000000)');
    expect(() => client('http://127.0.0.1:1/v1', { maxResponseBytes: 0 })).toThrow(/options\.maxResponseBytes must be an integer in \[1, 1073741824\]/);
    expect(() => client('http://127.0.0.1:1/v1', { deadlineMs: Number.NaN })).toThrow(/options\.deadlineMs/);
    expect(() => client('http://user:sk-secret@127.0.0.1:1/v1')).toThrow(/must not hold credentials/);
    expect(() => client('http://user:sk-secret@127.0.0.1:1/v1')).not.toThrow(/sk-secret/);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['0', 0],
    ['7', 7000],
    [' 12 ', 12_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wednesday, 31-Dec-25 23:59:00 GMT', 0],
    ['-1', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['Thu, 99 Foo 2026 00:00:30 GMT', undefined],
    [null, undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(retryAfterMs(value, now)).toBe(expected);
  });
});
