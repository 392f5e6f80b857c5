import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataDir, readJsonlSync } from '@paretopo/envs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The engine harness of @paretopo/tinker's own real-engine suite (one shared way to start SkyRL).
import { ENGINE_REQUIRED, findEngine, startEngine, type RunningEngine } from '../../../../packages/tinker/test/engine';
import { EXIT, main } from '../cli';
import { loadConfig } from '../config/load';
import { trainConfigSchema } from '../config/schema';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type StepRow } from '../run/types';
import { runTrain } from './train';

/*
 * `paretopo train --engine tinker` against a real SkyRL Tinker server (JAX on CPU, a random tiny
 * Qwen3 built at test time): required with PARETOPO_REQUIRE_ENGINE=1, skipped with a message
 * otherwise. One engine start is shared by the cases.
 */
const found = await findEngine();
const missing = 'missing' in found ? found.missing : undefined;
if (missing !== undefined && ENGINE_REQUIRED) {
  throw new Error(`PARETOPO_REQUIRE_ENGINE=1 but SkyRL's Tinker server is not installed: ${missing}`);
}
if (missing !== undefined) console.warn(`skipping paretopo train --engine tinker: ${missing}`);

const gsm8kMissing = findDataDir() === null;
if (gsm8kMissing) console.warn('skipping eval --engine tinker --env gsm8k: no shared data folder (../shared/data or $PARETOPO_DATA_DIR; see its NOTICE.md)');

// A guard against a hang, not a performance bound: JAX compiles on a loaded 2-core box.
const SLOW = 600_000;

describe.skipIf(missing !== undefined)('paretopo train --engine tinker (SkyRL, JAX on CPU, tiny Qwen3)', () => {
  let engine: RunningEngine;
  let work: string;
  // A tiny run: 1 prompt × G 2 per step, 8 new tokens, one validation question, no test pool.
  const flags = (out: string) => [
    '--env', 'arith', '--method', 'paretopo', '--out', out,
    '--engine', 'tinker', '--engine.url', engine.baseUrl, '--engine.baseModel', engine.baseModel, '--engine.loraRank', '4',
    '--steps', '3', '--prompts-per-step', '1', '--group-size', '2', '--max-tokens', '8', '--max-turns', '2', '--lr', '0.01',
    '--task', '{"sftCount":8,"rlCount":8,"validationCount":1,"testCount":1}', '--eval.every', '100', '--eval.test', 'false', '--quiet',
  ];

  beforeAll(async () => {
    engine = await startEngine((found as { dir: string }).dir);
    work = mkdtempSync(join(tmpdir(), 'paretopo-train-tinker-'));
  }, SLOW);

  afterAll(async () => {
    await engine?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const rowsOf = (out: string) => values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics)));

  // One run serves both checks (an engine step costs ~20 s here): three steps of ParetoPO end to end,
  // stopped by Ctrl-C after its first step and continued with `paretopo train --resume`.
  it('three steps end to end with metrics rows; Ctrl-C saves the engine checkpoint and the method state; --resume continues the run', async () => {
    const out = join(work, 'run');
    const { config } = loadConfig(trainConfigSchema, flags(out).filter((f) => f !== '--quiet'), 'train');
    const stop = new AbortController();
    const lines: string[] = [];
    // Ctrl-C (the CLI aborts this signal on SIGINT/SIGTERM) once the first step's row is written.
    // A log not written yet, or a row being appended, is not an error while polling.
    const watch = setInterval(() => {
      if ([...readJsonlSync(join(out, RUN_FILES.metrics), { missing: 'empty', tornTail: 'drop' })].length >= 1) stop.abort();
    }, 100);
    const first = await runTrain(config, { signal: stop.signal, progress: false, log: (l) => lines.push(l) }).finally(() => clearInterval(watch));
    expect(first.status).toBe('interrupted');
    expect(first.step).toBeGreaterThanOrEqual(1);
    expect(first.step).toBeLessThan(3);
    expect(lines[0]).toMatch(/^engine: tinker \(http:\/\/127\.0\.0\.1:\d+, base model .*, LoRA rank 4\)$/);
    expect(existsSync(join(out, RUN_FILES.checkpoints, `step-00000${first.step}`, 'engine-state.json'))).toBe(true);
    // The saved config is the truth: --resume needs only --out.
    const code = await main(['train', '--resume', '--out', out, '--quiet']);
    expect(code, engine.logTail()).toBe(EXIT.ok);
    const rows = rowsOf(out);
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2]);
    // The method state came back: ParetoPO switches to stage 2 at step ⌊0.5 · 3⌋ = 1 across the resume.
    expect(rows.map((r) => r.stage)).toEqual([1, 2, 2]);
    for (const r of rows) {
      expect(r.episodes).toBe(2);
      expect(Number.isFinite(r.loss)).toBe(true);
      expect(r.gradNorm).toBeGreaterThanOrEqual(0);
      expect(r.generatedTokens).toBeGreaterThan(0);
      expect(r.lr).toBeGreaterThan(0);
      expect(r.entropy).toBeNull(); // not reported by the engine (NaN → null in JSON)
    }
    for (const f of [RUN_FILES.config, RUN_FILES.evals, RUN_FILES.summary]) expect(existsSync(join(out, f))).toBe(true);
    expect(existsSync(join(out, RUN_FILES.checkpoints, 'step-000003', 'engine-state.json'))).toBe(true);
    console.log(`train --engine tinker: step seconds ${rows.map((r) => r.seconds.toFixed(1)).join(', ')}`);
  }, SLOW);

  // The engine's flags as the README shows them; two SFT questions and batch 2, so every step trains
  // on the same batch and the loss must fall.
  const engineFlags = () => ['--engine', 'tinker', '--engine.url', engine.baseUrl, '--engine.baseModel', engine.baseModel, '--engine.loraRank', '4'];
  const tinyTask = '{"sftCount":2,"rlCount":2,"validationCount":1,"testCount":1}';

  it('paretopo sft --engine tinker: a few cross_entropy steps lower the SFT loss; the warm start is saved with checksums', async () => {
    const out = join(work, 'sft');
    const t0 = performance.now();
    const code = await main(['sft', '--env', 'arith', '--out', out, ...engineFlags(), '--steps', '3', '--batch-size', '2', '--lr', '0.01', '--warmup-steps', '0',
      '--max-tokens', '8', '--max-turns', '2', '--task', tinyTask, '--eval-test', 'false', '--quiet']);
    expect(code, engine.logTail()).toBe(EXIT.ok);
    const rows = values(readJsonlSync<{ step: number; loss: number; tokens: number }>(join(out, 'sft.jsonl')));
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2]);
    expect(new Set(rows.map((r) => r.tokens)).size).toBe(1); // the same batch every step
    expect(rows[2].loss).toBeLessThan(rows[0].loss);
    for (const f of ['engine-sft.json', 'checksums.json', 'eval.json']) expect(existsSync(join(out, f))).toBe(true);
    console.log(`sft --engine tinker: losses ${rows.map((r) => r.loss.toFixed(3)).join(', ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }, SLOW);

  it('paretopo eval --engine tinker --checkpoint <engine SFT>: a well-formed row on a tiny pool', async () => {
    const out = join(work, 'eval');
    const t0 = performance.now();
    const code = await main(['eval', '--env', 'arith', '--split', 'validation', ...engineFlags(), '--checkpoint', join(work, 'sft'),
      '--max-tokens', '8', '--max-turns', '2', '--task', tinyTask, '--out', out]);
    expect(code, engine.logTail()).toBe(EXIT.ok);
    const row = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    expect(row.n).toBe(1);
    expect(row.accuracy).toBeGreaterThanOrEqual(0);
    expect(row.accuracy).toBeLessThanOrEqual(1);
    for (const k of ['meanCalls', 'toolProductivity', 'toolEfficiency', 'hv']) expect(Number.isFinite(row[k]), k).toBe(true);
    expect(row.oracle.strata).toHaveLength(1);
    expect(row.config.engine.name).toBe('tinker');
    console.log(`eval --engine tinker: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }, SLOW);

  // RL on a real benchmark's tools and answer rule, on the engine: GSM8K's format with the calculator.
  // The questions are written here (the shared data folder is not needed, and is never copied).
  it('paretopo train --engine tinker --env gsm8k: one RL step on GSM8K-format questions with the calculator', async () => {
    const question = (i: number) => JSON.stringify({ question: `Ann has ${i + 2} apples and buys ${i + 3} more. How many apples does she have?`, answer: `She has ${i + 2} + ${i + 3} = <<${i + 2}+${i + 3}=${2 * i + 5}>>${2 * i + 5} apples.\n#### ${2 * i + 5}` });
    const evalFile = join(work, 'gsm8k-eval.jsonl');
    const trainFile = join(work, 'gsm8k-train.jsonl');
    writeFileSync(evalFile, [0, 1].map(question).join('\n') + '\n');
    writeFileSync(trainFile, [2, 3, 4].map(question).join('\n') + '\n');
    const out = join(work, 'gsm8k');
    const lines: string[] = [];
    const t0 = performance.now();
    const { config } = loadConfig(trainConfigSchema, ['--env', 'gsm8k', '--method', 'paretopo', '--out', out, ...engineFlags(), '--data.eval', evalFile, '--data.train', trainFile,
      '--steps', '1', '--prompts-per-step', '1', '--group-size', '2', '--max-tokens', '8', '--max-turns', '2', '--lr', '0.01',
      '--task', '{"validationCount":1,"testCount":1}', '--eval.every', '100', '--eval.test', 'false'], 'train');
    const r = await runTrain(config, { progress: false, log: (l) => lines.push(l) });
    expect([r.status, r.step, r.summary?.env], engine.logTail()).toEqual(['finished', 1, 'gsm8k']);
    expect(lines.find((l) => l.startsWith('data: '))).toBe(`data: gsm8k: RL 3 questions from ${trainFile}; validation 1, test 1 from ${evalFile}, split by a hash of each id`);
    const rows = rowsOf(out);
    expect(rows.map((x) => [x.step, x.episodes])).toEqual([[0, 2]]);
    expect(Number.isFinite(rows[0].loss)).toBe(true);
    expect(rows[0].generatedTokens).toBeGreaterThan(0);
    console.log(`train --engine tinker --env gsm8k: one step in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }, SLOW);

  // A real benchmark on the engine's base model: one GSM8K question with the calculator (skipped without the data folder).
  it.skipIf(gsm8kMissing)('paretopo eval --engine tinker --env gsm8k --limit 1: the base model on a real benchmark', async () => {
    const out = join(work, 'eval-gsm8k');
    const t0 = performance.now();
    const code = await main(['eval', '--env', 'gsm8k', '--limit', '1', ...engineFlags(), '--max-tokens', '8', '--max-turns', '2', '--out', out]);
    expect(code, engine.logTail()).toBe(EXIT.ok);
    const row = JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8'));
    expect(row.n).toBe(1);
    for (const k of ['accuracy', 'meanCalls', 'toolEfficiency', 'hv']) expect(Number.isFinite(row[k]), k).toBe(true);
    console.log(`eval --engine tinker --env gsm8k: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }, SLOW);
});
