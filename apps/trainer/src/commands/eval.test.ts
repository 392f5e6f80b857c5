import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataDir } from '@paretopo/envs';
import { createBackend, type Backend } from '@paretopo/kernels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalConfigSchema, sftConfigSchema, trainConfigSchema } from '../config/schema';
import { RUN_FILES } from '../run/types';
import { resolveCheckpointDir, runEval } from './eval';
import { runSft } from './sft';
import { runTrain } from './train';

const quiet = { progress: false as const, log: () => {} };
const TASK = { seed: 3, sftCount: 32, rlCount: 32, validationCount: 6, testCount: 6 };

// A stand-in OpenAI-compatible server whose "model" always uses the calculator once: it asks for
// the question's expression, then answers with the tool's result (text-tag protocol).
function startCalculatingModel(): Promise<{ server: Server; baseUrl: string; requests: number[] }> {
  const requests: number[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const { messages } = JSON.parse(body) as { messages: { role: string; content: string }[] };
      requests.push(messages.length);
      const last = messages[messages.length - 1].content;
      const res1 = /<res>([^<]*)<\/res>/.exec(last);
      const expr = /What is ([^?]+)\?/.exec(messages.find((m) => m.role === 'user')!.content)?.[1] ?? '0';
      const content = res1 ? `<ans>${res1[1]}</ans>` : `<calc>${expr}</calc>`;
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
  it('an OpenAI-compatible endpoint that calls the calculator scores every arith question with one call each', async () => {
    const out = join(root, 'endpoint');
    const row = await runEval(evalConfigSchema.parse({ env: 'arith', endpoint: model.baseUrl, model: 'calc', task: TASK, out }), quiet);
    expect(row).toMatchObject({ accuracy: 1, meanCalls: 1, toolProductivity: 1, n: 6 });
    expect(row.toolEfficiency).toBeCloseTo(Math.exp(-0.5), 12);
    expect(row.hv).toBeCloseTo(Math.exp(-0.5), 12);
    expect(model.requests.length).toBe(12);
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
    // The stand-in finds no "What is …?" in a word problem, so it calls the calculator on "0" and answers 0.
    expect(gsm).toMatchObject({ n: 3, meanCalls: 1 });
    const hotpot = await runEval(evalConfigSchema.parse({ env: 'hotpotqa', endpoint: model.baseUrl, model: 'calc', limit: 2, protocol: 'text' }), quiet);
    expect(hotpot).toMatchObject({ n: 2, accuracy: 0 });
  });

  it('a missing checkpoint is an error naming the file', async () => {
    await expect(runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: join(root, 'nothing'), task: TASK }), { ...quiet, backend })).rejects.toThrow(/nothing.*config\.json/);
  });
});
