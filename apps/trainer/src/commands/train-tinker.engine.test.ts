import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The engine harness of @paretopo/tinker's own real-engine suite (one shared way to start SkyRL).
import { ENGINE_REQUIRED, findEngine, startEngine, type RunningEngine } from '../../../../packages/tinker/test/engine';
import { EXIT, main } from '../cli';
import { loadConfig } from '../config/load';
import { trainConfigSchema } from '../config/schema';
import { readJsonlSync } from '@paretopo/envs';
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
});
