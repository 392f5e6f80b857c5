// Classes 4, 5 and 6 of issue 14 (docs/RELIABILITY.md): the endpoint's API key comes from the
// environment or a key file and never reaches a file or a log line; `--apiKey` is refused; the
// request limits are config keys; an empty evaluation is an error.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calculate } from '@paretopo/envs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load';
import { evalConfigSchema } from '../config/schema';
import { MAX_API_KEY_FILE_BYTES, readApiKey, runEval } from './eval';

const KEY = 'sk-test-7f3a9c21e5b84d06';
const TASK = { seed: 3, sftCount: 4, rlCount: 4, validationCount: 3, testCount: 3 };

// Answers only requests that carry the key; otherwise a 401 that echoes the header it got (as
// some proxies do), so a leak through error messages would show.
let server: Server;
let baseUrl: string;
let hung: Server;
let hungUrl: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== `Bearer ${KEY}`) {
        res.writeHead(401).end(JSON.stringify({ error: { message: `bad key: ${req.headers.authorization ?? 'none'}` } }));
        return;
      }
      const { messages } = JSON.parse(body) as { messages: { role: string; content: string }[] };
      const q = /What is ([^?]+)\?/.exec(messages.find((m) => m.role === 'user')?.content ?? '')?.[1] ?? '0';
      // A model that knows arithmetic: it answers at once, so the row's accuracy shows every request went through.
      const content = `<ans>${calculate(q).output}</ans>`;
      res.end(JSON.stringify({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
    });
  });
  hung = createServer(() => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const s of [server, hung]) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });

describe('eval and the endpoint API key', () => {
  const root = mkdtempSync(join(tmpdir(), 'paretopo-eval-key-'));

  it.each(['environment', 'key file'])('a key from the %s reaches the server and no file or log line', async (from) => {
    const out = join(root, from.replace(' ', '-'));
    const keyFile = join(root, 'key.txt');
    writeFileSync(keyFile, `${KEY}\n`);
    const lines: string[] = [];
    const config = evalConfigSchema.parse({ env: 'arith', endpoint: baseUrl, model: 'm', task: TASK, out, ...(from === 'key file' ? { apiKeyFile: keyFile } : {}) });
    const row = await runEval(config, { log: (l) => lines.push(l), env: from === 'environment' ? { OPENAI_API_KEY: KEY } : {} });
    expect(row).toMatchObject({ accuracy: 1, n: 3 });
    const written = filesUnder(out);
    expect(written.length).toBeGreaterThan(0);
    for (const f of written) expect(readFileSync(f, 'utf8')).not.toContain(KEY);
    for (const l of lines) expect(l).not.toContain(KEY);
  });

  it('a server that echoes the key into its error does not get it into the error message', async () => {
    const wrong = 'sk-wrong-0123456789abcdef';
    const err = await runEval(evalConfigSchema.parse({ env: 'arith', endpoint: baseUrl, model: 'm', task: TASK }), { log: () => {}, env: { OPENAI_API_KEY: wrong } }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/401.*bad key: Bearer \[redacted\]/);
    expect((err as Error).message).not.toContain(wrong);
  });

  it.each([
    [['--apiKey', KEY]],
    [['--api-key', KEY]],
    [[`--apiKey=${KEY}`]],
  ])('%j on the command line is refused, saying what to use, without repeating the key', (flag) => {
    const run = () => loadConfig(evalConfigSchema, ['--env', 'arith', '--endpoint', baseUrl, '--model', 'm', ...flag], 'eval');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/apiKey: refused: .*set OPENAI_API_KEY in the environment or pass --api-key-file FILE/);
    expect(() => run()).not.toThrow(new RegExp(KEY));
  });

  it('a key file that is too big, empty or several words is an error naming the file, never its contents', () => {
    const big = join(root, 'big.txt');
    writeFileSync(big, 'k'.repeat(MAX_API_KEY_FILE_BYTES + 1));
    expect(() => readApiKey({ apiKeyFile: big }, {})).toThrow(`eval: cannot use --api-key-file ${big}: it is 4097 bytes, over the 4096-byte cap for a key file`);
    const two = join(root, 'two.txt');
    writeFileSync(two, 'sk-a sk-b');
    expect(() => readApiKey({ apiKeyFile: two }, {})).toThrow(/must hold one key on one line$/);
    expect(() => readApiKey({ apiKeyFile: join(root, 'none.txt') }, {})).toThrow(/cannot use --api-key-file .*none\.txt/);
    expect(readApiKey({ apiKeyFile: undefined }, { OPENAI_API_KEY: '  ' })).toBeUndefined();
  });
});

describe('eval request limits and empty evaluations', () => {
  it('--timeout-ms, --deadline-ms and --max-attempts bound a hung endpoint', async () => {
    const { config } = loadConfig(evalConfigSchema, ['--env', 'arith', '--endpoint', hungUrl, '--model', 'm', '--timeout-ms', '150', '--deadline-ms', '400', '--max-attempts', '3'], 'eval');
    expect(config).toMatchObject({ timeoutMs: 150, deadlineMs: 400, maxAttempts: 3 });
    const err = await runEval({ ...config, task: TASK }, { log: () => {}, env: {} }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/timed out after \d+ ms/);
  });

  it('request limits have defaults and caps named in the error', () => {
    expect(evalConfigSchema.parse({ env: 'arith', endpoint: baseUrl, model: 'm' })).toMatchObject({ timeoutMs: 60_000, deadlineMs: 120_000, maxAttempts: 4 });
    expect(() => loadConfig(evalConfigSchema, ['--env', 'arith', '--endpoint', baseUrl, '--model', 'm', '--max-attempts', '1e6'], 'eval')).toThrow(/maxAttempts: .*100/);
  });

  it('an empty data file is an error, not accuracy 0', async () => {
    const empty = join(mkdtempSync(join(tmpdir(), 'paretopo-eval-empty-')), 'gsm8k.jsonl');
    writeFileSync(empty, '');
    await expect(runEval(evalConfigSchema.parse({ env: 'gsm8k', data: empty, endpoint: baseUrl, model: 'm' }), { log: () => {}, env: {} })).rejects.toThrow(
      `eval: no questions to evaluate in the gsm8k data file ${empty}; an empty evaluation has no accuracy`,
    );
  });
});
