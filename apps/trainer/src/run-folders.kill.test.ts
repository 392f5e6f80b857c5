import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@paretopo/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Options } from 'tsup';
import tsupConfig from '../tsup.config';
import { runSft } from './commands/sft';
import { MICRO_MODEL, MICRO_TASK, quiet } from './commands/test-fixtures';
import { sftConfigSchema } from './config/schema';
import { readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type StepRow } from './run/types';

// Issue 14, class 7: `paretopo train` SIGKILLed at seeded random moments (during start-up, the first
// evaluation, a step, a checkpoint write, the last evaluation). After every kill the folder must be
// resumable with `train --resume --out DIR` alone, or refused with a message saying what to do (and
// doing that must work): never a trap. Each run that finishes must end with the weights of an
// uninterrupted run, and no temporary file of a killed write may be left behind.
const KILLS = 8;
const SEED = 14;

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
// A private build (cli.e2e.test.ts rebuilds dist/ and may run at the same time); inside
// node_modules so the bundle's external packages resolve as from dist/.
const outDir = join(app, 'node_modules', '.cache', 'paretopo-kill-test');
const bin = join(outDir, 'bin.js');
const TASK = Object.entries(MICRO_TASK).flatMap(([k, v]) => [`--task.${k}`, String(v)]);

let root: string;
let init: string;
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

beforeAll(async () => {
  const { build } = await import('tsup');
  // tsup.config.ts builds the library and the binary; this test needs the binary alone.
  const binConfig = (tsupConfig as Options[]).find((c) => Array.isArray(c.entry) && c.entry.includes('src/bin.ts'));
  if (binConfig === undefined) throw new Error('tsup.config.ts has no build of src/bin.ts');
  await build({ ...binConfig, config: false, outDir, onSuccess: undefined, silent: true });
  root = mkdtempSync(join(tmpdir(), 'paretopo-kill-'));
  init = join(root, 'sft');
  await runSft(sftConfigSchema.parse({ env: 'arith', out: init, model: MICRO_MODEL, task: MICRO_TASK, steps: 2, batchSize: 2, backend: 'js' }), quiet);
}, 120_000);

// Non-default settings: `--resume --out DIR` must find every one of them in the folder.
const train = (out: string) => ['train', '--env', 'arith', '--init', init, '--out', out, ...TASK, '--backend', 'js', '--method', 'paretopo', '--lr', '0.001',
  '--steps', '8', '--prompts-per-step', '2', '--group-size', '2', '--eval.every', '4', '--checkpoint.every', '2', '--quiet'];
const resume = (out: string) => ['train', '--resume', '--out', out, '--quiet'];

interface Outcome {
  killed: boolean;
  code: number | null;
  stderr: string;
  ms: number;
}

// Runs the CLI; SIGKILLs it after `killAfterMs` unless it exited first.
function run(args: string[], killAfterMs = Infinity): Promise<Outcome> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = Number.isFinite(killAfterMs) ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : null;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code, stderr, ms: performance.now() - t0 });
    });
  });
}

function finalWeightsHash(dir: string): string {
  const latest = JSON.parse(readFileSync(join(dir, RUN_FILES.checkpoints, 'latest.json'), 'utf8')) as { dir: string };
  return createHash('sha256').update(readFileSync(join(dir, RUN_FILES.checkpoints, latest.dir, 'model.safetensors'))).digest('hex');
}

const untimed = (dir: string) => values(readJsonlSync<StepRow>(join(dir, RUN_FILES.metrics))).map(({ time: _t, tokensPerSecond: _k, seconds: _s, ...r }) => r);
const temps = (dir: string) => [dir, join(dir, RUN_FILES.checkpoints)].filter(existsSync).flatMap((d) => readdirSync(d).filter((f) => f.includes('.tmp-')));

// What a refusal must say: the command that gets the user out.
const WHAT_TO_DO = /without --resume|--resume --out|--init DIR|choose another --out|remove the folder/;

describe('train killed at random moments', () => {
  it(`after each of ${KILLS} SIGKILLs the folder resumes with --resume --out alone, or is refused saying what to do; finished runs equal an uninterrupted one`, async () => {
    const reference = join(root, 'reference');
    const ref = await run(train(reference));
    expect(ref.code, ref.stderr).toBe(0);
    const refHash = finalWeightsHash(reference);
    // Kill moments spread over a whole run (start-up included), measured on this machine now.
    const span = ref.ms * 1.1;
    const rng = Rng.derive(SEED, 0);
    const log: string[] = [];
    let folder = 0;
    let dir = join(root, `killed-${folder}`);
    let args = train(dir);
    let kills = 0;
    let finished = 0;
    for (let attempt = 0; kills < KILLS && attempt < 4 * KILLS; attempt++) {
      const delay = Math.round(rng.next() * span);
      const r = await run(args, delay);
      if (r.killed) {
        kills++;
        log.push(`killed ${args.includes('--resume') ? 'resume' : 'train'} after ${delay} ms`);
        args = resume(dir);
        continue;
      }
      if (r.code === 0) {
        // Finished before its kill: the run must equal the uninterrupted one; the next kills go to a new folder.
        expect(finalWeightsHash(dir), log.join('; ')).toBe(refHash);
        expect(untimed(dir)).toEqual(untimed(reference));
        expect(temps(dir)).toEqual([]);
        finished++;
        dir = join(root, `killed-${++folder}`);
        args = train(dir);
        continue;
      }
      // Refused: the message must say what to do, and doing it must work.
      log.push(`refused: ${r.stderr.trim()}`);
      expect(r.stderr, log.join('; ')).toMatch(WHAT_TO_DO);
      expect(r.stderr).toMatch(/without --resume/);
      args = train(dir);
    }
    expect(kills, log.join('; ')).toBe(KILLS);
    // The last folder, finished without a kill.
    let last = await run(resume(dir));
    if (last.code !== 0) {
      expect(last.stderr).toMatch(/without --resume/);
      last = await run(train(dir));
    }
    expect(last.code, last.stderr).toBe(0);
    expect(finalWeightsHash(dir), log.join('; ')).toBe(refHash);
    expect(untimed(dir)).toEqual(untimed(reference));
    expect(temps(dir)).toEqual([]);
  }, 240_000);
});
