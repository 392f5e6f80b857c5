import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type StepRow } from './run/types';

// The CLI as users run it: the bundled dist/bin.js in child processes (build first; tsup takes seconds).
const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(app, 'dist', 'bin.js');
const MICRO = ['--model.layers', '1', '--model.dModel', '16', '--model.heads', '2', '--model.context', '128'];
const TASK = ['--task.sftCount', '32', '--task.rlCount', '32', '--task.validationCount', '4', '--task.testCount', '4', '--backend', 'js'];

let root: string;
let init: string;
// Children a failed test left running would keep both cores busy for the rest of the suite.
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });

beforeAll(() => {
  execFileSync(join(app, '..', '..', 'node_modules', '.bin', 'tsup'), { cwd: app, stdio: 'pipe' });
  root = mkdtempSync(join(tmpdir(), 'paretopo-cli-'));
  init = join(root, 'sft');
  const r = cli(['sft', '--env', 'arith', '--out', init, ...MICRO, ...TASK, '--steps', '2', '--batch-size', '2', '--quiet']);
  expect(r.status, r.stderr).toBe(0);
}, 120_000);

// A 400-step training run in a child process, stopped by `signal` once `rows` steps are logged.
async function stopTraining(out: string, signal: NodeJS.Signals, rows: number): Promise<{ code: number | null; stderr: string; metrics: string }> {
  const child = spawn(process.execPath, [bin, 'train', '--env', 'arith', '--init', init, '--out', out, ...TASK, '--steps', '400', '--prompts-per-step', '2', '--group-size', '2', '--eval.every', '400', '--quiet']);
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const metrics = join(out, RUN_FILES.metrics);
  for (let i = 0; i < 1800 && [...readJsonlSync(metrics, { missing: 'empty', tornTail: 'drop' })].length < rows; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill(signal);
  return { code: await exited, stderr, metrics };
}

describe('paretopo CLI', () => {
  it('prints usage, and exits 2 on an unknown command', () => {
    expect(cli(['help']).stdout).toMatch(/^paretopo: ParetoPO reference trainer/);
    // The bundled binary carries its version (package.json is inlined by the build).
    expect(cli(['--version']).stdout).toMatch(/^paretopo \d+\.\d+\.\d+\n$/);
    expect(cli(['demo', '--help']).stdout).toMatch(/^usage: paretopo demo/);
    const r = cli(['fly']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch("unknown command 'fly'");
  });

  it.each([
    [['train', '--env', 'arith', '--init', 'x', '--out', 'y', '--lrr', '1'], "unknown key 'lrr'"],
    [['train', '--env', 'arith', '--init', 'x', '--out', 'y', '--method', 'ppo'], 'method: must be one of "grpo-acc"'],
    [['train', '--env', 'math', '--init', 'x', '--out', 'y'], 'env: must be one of "arith", "kb"'],
    [['sft', '--env', 'arith'], 'out: '],
    [['compare', '--env', 'arith', '--out', 'z', '--seeds', '0'], 'seeds: '],
    [['report'], 'name at least one run or compare folder'],
  ])('config error %j → exit 2 naming the key', (args, message) => {
    const r = cli(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('Ctrl-C saves a checkpoint and exits 130; --resume finishes the run', async () => {
    const out = join(root, 'sigint');
    const { code, stderr, metrics } = await stopTraining(out, 'SIGINT', 2);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted at step (\d+): checkpoint saved/);
    const step = Number(/interrupted at step (\d+)/.exec(stderr)![1]);
    expect(JSON.parse(readFileSync(join(out, RUN_FILES.checkpoints, 'latest.json'), 'utf8')).step).toBe(step);
    expect(values(readJsonlSync<StepRow>(metrics)).length).toBe(step);
    // The saved config is the truth: --resume needs only --out.
    const resumed = cli(['train', '--resume', '--out', out, '--quiet']);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resume: ${out} from step ${step}`);
    expect(values(readJsonlSync<StepRow>(metrics)).map((r) => r.step)).toEqual(Array.from({ length: 400 }, (_, i) => i));
  }, 120_000);

  it('SIGTERM stops training as Ctrl-C does: a checkpoint, exit 130', async () => {
    const out = join(root, 'sigterm');
    const { code, stderr } = await stopTraining(out, 'SIGTERM', 1);
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGTERM: stopping after the current step/);
    const step = Number(/interrupted at step (\d+): checkpoint saved/.exec(stderr)![1]);
    expect(JSON.parse(readFileSync(join(out, RUN_FILES.checkpoints, 'latest.json'), 'utf8')).step).toBe(step);
  }, 120_000);

  it('Ctrl-C during the demo\'s SFT exits 130 and says nothing was saved', async () => {
    const out = join(root, 'demo-sigint');
    const micro = ['--sft.model.layers', '1', '--sft.model.dModel', '16', '--sft.model.heads', '2', '--sft.model.context', '128'];
    const child = spawn(process.execPath, [bin, 'demo', '--out', out, ...micro, '--sft.steps', '100000', '--sft.backend', 'js', '--quiet']);
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const losses = join(out, 'sft', 'sft.jsonl');
    for (let i = 0; i < 1800 && [...readJsonlSync(losses, { missing: 'empty', tornTail: 'drop' })].length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/sft: interrupted at step \d+ of 100000; nothing saved/);
    expect(existsSync(join(out, 'sft', 'model.safetensors'))).toBe(false);
  }, 120_000);

  it('--resume with a flag that contradicts the saved config is an error', () => {
    const out = join(root, 'contradict');
    expect(cli(['train', '--env', 'arith', '--init', init, '--out', out, ...TASK, '--steps', '1', '--group-size', '2', '--quiet']).status).toBe(0);
    const r = cli(['train', '--resume', '--env', 'arith', '--init', init, '--out', out, ...TASK, '--steps', '1', '--group-size', '3']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("resume: groupSize (3) contradicts the run's saved config");
    expect(r.stderr).toContain('--resume needs only --out');
  });

  it('compare runs methods × seeds in child processes and writes results.md, results.json and report.html', () => {
    const out = join(root, 'compare');
    const r = cli(['compare', '--env', 'arith', '--methods', 'grpo-ws,paretopo', '--seeds', '2', '--jobs', '2', '--out', out, '--init', init,
      '--train.steps', '2', '--train.promptsPerStep', '2', '--train.groupSize', '2', '--train.backend', 'js', '--train.task', '{"sftCount":32,"rlCount":32,"validationCount":4,"testCount":4}', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    for (const f of ['results.md', 'results.json', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
    for (const run of ['grpo-ws-s1', 'grpo-ws-s2', 'paretopo-s1', 'paretopo-s2']) expect(existsSync(join(out, 'runs', run, RUN_FILES.summary)), run).toBe(true);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/paretopo/);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/^- wall time: \S+, 4 runs trained here, 2 at a time$/m);
    expect(readFileSync(join(out, 'results.md'), 'utf8')).toMatch(/^- commit: `[0-9a-f]{12}`$/m);
    // A second call finds every run done and only rewrites the tables.
    const again = cli(['compare', '--env', 'arith', '--methods', 'grpo-ws,paretopo', '--seeds', '2', '--out', out, '--init', init,
      '--train.steps', '2', '--train.promptsPerStep', '2', '--train.groupSize', '2', '--train.backend', 'js', '--train.task', '{"sftCount":32,"rlCount":32,"validationCount":4,"testCount":4}', '--quiet']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain('4 runs (4 already done)');
  }, 120_000);

  it('study runs a 2-step pre-registered study in child processes; report recomputes its outputs byte for byte', () => {
    const results = join(root, 'docs', 'arith');
    mkdirSync(results, { recursive: true });
    const task = { seed: 3, sftCount: 32, rlCount: 32, validationCount: 4, testCount: 4 };
    const spec = {
      env: 'arith',
      arms: { 'grpo-acc': { method: 'grpo-acc' }, 'paretopo-s1-group': { method: 'paretopo-s1', config: { reward: { granularity: 'group' } } } },
      primary: 'paretopo-s1-group',
      claimBaselines: ['grpo-acc'],
      lrGrid: [0.0005],
      tuningSeeds: [1],
      finalSeeds: [11, 12],
      train: { steps: 2, promptsPerStep: 2, groupSize: 2, backend: 'js', task },
      sft: { model: { layers: 1, dModel: 16, heads: 2, context: 128 }, task, steps: 2, batchSize: 2, backend: 'js' },
    };
    const specPath = join(results, 'study.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const work = join(root, 'study-work');
    const plan = cli(['study', specPath, '--out', work, '--plan']);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/^study arith: 2 arms, 2 tuning runs, 4 final runs/);
    const r = cli(['study', specPath, '--out', work, '--jobs', '2', '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('study: chosen learning rates (max-mean-validation-oracle-hv): grpo-acc 0.0005, paretopo-s1-group 0.0005');
    const files = ['results.md', 'results.json', 'report.html'];
    const first = files.map((f) => readFileSync(join(results, f)));
    expect(first[0].toString()).toMatch(/^\*\*Verdict\.\*\* The claim (holds|does not hold) on arith/m);
    for (let i = 0; i < 2; i++) {
      const rep = cli(['report', results]);
      expect(rep.status, rep.stderr).toBe(0);
      files.forEach((f, k) => expect(readFileSync(join(results, f)).equals(first[k]), f).toBe(true));
    }
    const bad = cli(['study', specPath, '--jobs', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('study config: jobs: ');
  }, 240_000);
});

