import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataDir } from '@paretopo/envs';
import { createBackend, type Backend } from '@paretopo/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalConfigSchema, sftConfigSchema, trainConfigSchema } from '../config/schema';
import { createEnvironment } from '../environment';
import { RUN_FILES } from '../run/types';
import { resolveCheckpointDir, runEval } from './eval';
import { runSft } from './sft';
import { runTrain } from './train';

const quiet = { progress: false as const, log: () => {} };
const TASK = { seed: 3, sftCount: 32, rlCount: 32, validationCount: 6, testCount: 6 };

/**
 * The next operation of an expression in the calculator's order (innermost parentheses first,
 * then products, then sums, each leftmost), and how to put its result back.
 */
function nextOperation(expr: string): { body: string; put: (result: string) => string } | null {
  const group = /\((\d+)\)/.exec(expr);
  if (group) return nextOperation(expr.replace(group[0], group[1]));
  const inner = /\(([^()]*)\)/.exec(expr);
  const base = inner ? inner[1] : expr;
  const offset = inner ? inner.index + 1 : 0;
  const m = /(\d+)\*(\d+)/.exec(base) ?? /(\d+)[-+](\d+)/.exec(base);
  if (!m) return null;
  const at = offset + m.index;
  return { body: m[0], put: (r) => `${expr.slice(0, at)}${r}${expr.slice(at + m[0].length)}` };
}

// A stand-in OpenAI-compatible server whose "model" does every operation of an arith question with
// the one-operation calculator, one per turn, then answers the last result.
function startCalculatingModel(): Promise<{ server: Server; baseUrl: string; requests: number[] }> {
  const requests: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const { messages } = JSON.parse(body) as { messages: { role: string; content: string }[] };
      requests.push(messages.length);
      const question = messages.findIndex((m) => m.role === 'user');
      let expr = /What is ([^?]+)\?/.exec(messages[question].content)?.[1] ?? '0+0';
      // Tool results come after the question (the system prompt's examples hold <res> too).
      for (const m of messages.slice(question + 1)) for (const r of m.content.matchAll(/<res>([^<]*)<\/res>/g)) expr = nextOperation(expr)?.put(r[1]) ?? expr;
      const next = nextOperation(expr);
      const content = next === null ? `<ans>${expr}</ans>` : `<calc>${next.body}</calc>`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests })));
}

let backend: Backend;
let root: string;
let model: Awaited<ReturnType<typeof startCalculatingModel>>;

beforeAll(async () => {
  backend = await createBackend('js');
  root = mkdtempSync(join(tmpdir(), 'paretopo-eval-'));
  model = await startCalculatingModel();
});
afterAll(() => new Promise<void>((resolve) => model.server.close(() => resolve())));

describe('runEval', () => {
  it('an OpenAI-compatible endpoint that calls the one-operation calculator for every step is always right', async () => {
    const out = join(root, 'endpoint');
    const steps = createEnvironment('arith', TASK).test.map((t) => (t.meta as { steps: unknown[] }).steps.length);
    const row = await runEval(evalConfigSchema.parse({ env: 'arith', endpoint: model.baseUrl, model: 'calc', task: TASK, out }), quiet);
    const meanCalls = steps.reduce((a, b) => a + b, 0) / steps.length;
    expect(row).toMatchObject({ accuracy: 1, n: 6 });
    expect(row.meanCalls).toBeCloseTo(meanCalls, 12);
    expect(row.toolProductivity).toBeCloseTo(1 / meanCalls, 12); // correct answers per call
    expect(row.toolEfficiency).toBeCloseTo(steps.reduce((s, c) => s + Math.exp(-0.5 * c), 0) / steps.length, 12);
    expect(row.hv).toBeCloseTo(row.toolEfficiency, 12);
    expect(model.requests.length).toBe(steps.reduce((s, c) => s + c + 1, 0));
    expect(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'))).toMatchObject({ accuracy: 1, config: { endpoint: model.baseUrl } });
  });

  it('a checkpoint: an SFT folder, a run folder (its latest checkpoint) and a step directory give the same row', async () => {
    const sft = join(root, 'sft');
    await runSft(sftConfigSchema.parse({ env: 'arith', out: sft, model: { layers: 1, dModel: 16, heads: 2, context: 128 }, task: TASK, steps: 2, batchSize: 2 }), { ...quiet, backend });
    const run = join(root, 'run');
    await runTrain(trainConfigSchema.parse({ env: 'arith', init: sft, out: run, task: TASK, steps: 2, promptsPerStep: 2, groupSize: 2 }), { ...quiet, backend });
    expect(resolveCheckpointDir(run)).toBe(join(run, RUN_FILES.checkpoints, 'step-000002'));
    expect(resolveCheckpointDir(sft)).toBe(sft);
    const strip = <T extends { time: string }>({ time: _t, ...r }: T) => r;
    const a = strip(await runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: run, task: TASK }), { ...quiet, backend }));
    const b = strip(await runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: join(run, RUN_FILES.checkpoints, 'step-000002'), task: TASK }), { ...quiet, backend }));
    expect(a).toEqual(b);
    expect(a.n).toBe(6);
  });

  const data = findDataDir();
  if (data === null) console.warn('eval.test: real-benchmark tests skipped: no ../shared/data folder (set PARETOPO_DATA_DIR)');

  it.skipIf(data === null)('real benchmarks through an endpoint: GSM8K (calculator) and HotpotQA (each question its own search)', async () => {
    const gsm = await runEval(evalConfigSchema.parse({ env: 'gsm8k', endpoint: model.baseUrl, model: 'calc', limit: 3 }), quiet);
    // The stand-in finds no "What is …?" in a word problem, so it calls the calculator on "0+0" and answers 0.
    expect(gsm).toMatchObject({ n: 3, meanCalls: 1 });
    const hotpot = await runEval(evalConfigSchema.parse({ env: 'hotpotqa', endpoint: model.baseUrl, model: 'calc', limit: 2, protocol: 'text' }), quiet);
    expect(hotpot).toMatchObject({ n: 2, accuracy: 0 });
  });

  it('a missing checkpoint is an error naming the file', async () => {
    await expect(runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: join(root, 'nothing'), task: TASK }), { ...quiet, backend })).rejects.toThrow(/nothing.*config\.json/);
  });
});
