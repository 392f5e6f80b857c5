import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '@paretopo/kernels';
import { CHECKPOINT_FILES, checksumManifest, loadCheckpoint } from '@paretopo/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load';
import { sftConfigSchema, trainConfigSchema, type TrainConfig } from '../config/schema';
import { createEnvironment } from '../environment';
import { METHOD_NAMES } from '../methods';
import { TrainCheckpointError } from '../run/checkpoint';
import { readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type EvalRow, type RunSummary, type StepRow } from '../run/types';
import { runSft } from './sft';
import { MICRO_MODEL, MICRO_TASK, quiet } from './test-fixtures';
import { runTrain, stepTasks } from './train';

const MODEL = MICRO_MODEL;
const TASK = MICRO_TASK;

let backend: Backend;
let root: string;
let init: string;

beforeAll(async () => {
  backend = await createBackend('js');
  root = mkdtempSync(join(tmpdir(), 'paretopo-train-'));
  init = join(root, 'sft');
  await runSft(sftConfigSchema.parse({ env: 'arith', out: init, model: MODEL, task: TASK, steps: 3, batchSize: 4 }), { ...quiet, backend });
});

const config = (patch: Omit<Partial<TrainConfig>, 'eval'> & { out: string; eval?: Partial<TrainConfig['eval']> }): TrainConfig =>
  trainConfigSchema.parse({ env: 'arith', init, task: TASK, steps: 3, promptsPerStep: 2, groupSize: 3, eval: { every: 2 }, checkpoint: { every: 2 }, ...patch });

// Timing fields differ between any two runs; everything else must not.
const untimed = <T extends { time?: string }>(rows: T[]) =>
  rows.map((r) => {
    const { time: _t, seconds: _s, tokensPerSecond: _k, ...rest } = r as T & { seconds?: number; tokensPerSecond?: number };
    return rest;
  });

describe('stepTasks', () => {
  it('draws distinct prompts, reproducibly per (seed, step)', () => {
    const pool = Array.from({ length: 50 }, (_, i) => i);
    const a = stepTasks(pool, 8, 1, 5);
    expect(new Set(a).size).toBe(8);
    expect(stepTasks(pool, 8, 1, 5)).toEqual(a);
    expect(stepTasks(pool, 8, 1, 6)).not.toEqual(a);
    expect(stepTasks(pool, 80, 1, 0).length).toBe(50);
  });
});

describe('runTrain', () => {
  it.each(METHOD_NAMES.map((m) => [m]))('%s: a few steps write the run folder with finite metrics', async (method) => {
    const out = join(root, `smoke-${method}`);
    const r = await runTrain(config({ method, out }), { ...quiet, backend });
    expect(r.status).toBe('finished');
    const saved = JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8'));
    expect(saved).toMatchObject({ command: 'train', method, env: 'arith', steps: 3 });
    const steps = values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics)));
    expect(steps.map((s) => s.step)).toEqual([0, 1, 2]);
    for (const s of steps) {
      for (const k of ['accuracy', 'meanCalls', 'meanToolReward', 'hv', 'loss', 'kl', 'entropy', 'clipFraction', 'gradNorm', 'lr', 'tokensPerSecond'] as const) {
        expect(Number.isFinite(s[k]), `${method} step ${s.step} ${k}`).toBe(true);
      }
      expect(s.episodes).toBe(6);
      expect(s.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    // paretopo switches at ⌊0.5 · 3⌋ = 1; paretopo-s2 runs stage 2 throughout; the rest stay in stage 1.
    const stages = steps.map((s) => s.stage);
    expect(stages).toEqual(method === 'paretopo' ? [1, 2, 2] : method === 'paretopo-s2' ? [2, 2, 2] : [1, 1, 1]);
    expect(steps[0].rPareto === null).toBe(!method.startsWith('paretopo'));
    const evals = values(readJsonlSync<EvalRow>(join(out, RUN_FILES.evals)));
    expect(evals.map((e) => e.step)).toEqual([0, 2, 3]);
    for (const e of evals) {
      expect(e.pool).toBe('validation');
      expect(e.n).toBe(4);
      expect(e.hv).toBeCloseTo(e.accuracy * e.toolEfficiency, 12);
    }
    const test = JSON.parse(readFileSync(join(out, RUN_FILES.test), 'utf8')) as EvalRow;
    expect(test).toMatchObject({ pool: 'test', step: 3, n: 4 });
    const summary = JSON.parse(readFileSync(join(out, RUN_FILES.summary), 'utf8')) as RunSummary;
    expect(summary).toMatchObject({ env: 'arith', method, seed: 1, steps: 3, initial: evals[0], final: evals[2], test });
    expect(summary.switchStep).toBe(method === 'paretopo' ? 1 : method === 'paretopo-s2' ? 0 : null);
    expect(existsSync(join(out, RUN_FILES.checkpoints, 'step-000003', 'model.safetensors'))).toBe(true);
  });

  it('evaluates the validation pool periodically and the test pool once, or never with eval.test false', async () => {
    const out = join(root, 'no-test');
    await runTrain(config({ method: 'grpo-acc', out, steps: 2, eval: { every: 1, test: false } }), { ...quiet, backend });
    expect(values(readJsonlSync<EvalRow>(join(out, RUN_FILES.evals))).map((e) => [e.pool, e.step])).toEqual([['validation', 0], ['validation', 1], ['validation', 2]]);
    expect(existsSync(join(out, RUN_FILES.test))).toBe(false);
    expect((JSON.parse(readFileSync(join(out, RUN_FILES.summary), 'utf8')) as RunSummary).test).toBeNull();
    // The pools hold different questions, so the same policy is scored on other items.
    const env = createEnvironment('arith', TASK);
    const ids = (pool: readonly { id: string }[]) => new Set(pool.map((t) => t.id));
    const validation = ids(env.validation);
    expect([...ids(env.test)].some((id) => validation.has(id))).toBe(false);
  });

  // Each new method option (METHOD.md, issue 11) through a real 2-step run: recorded in config.json, wired through.
  it.each<[string, Partial<TrainConfig>]>([
    ['toolGate correct', { method: 'paretopo', reward: { toolGate: 'correct' } as TrainConfig['reward'] }],
    ['nOptFallback zero-reward', { method: 'grpo-ws', reward: { nOptFallback: 'zero-reward' } as TrainConfig['reward'] }],
    ['nOptRule recent, support 2', { method: 'paretopo-s2', reward: { nOptRule: 'recent', nOptWindow: 2, nOptSupport: 2 } as TrainConfig['reward'] }],
    ['per-group r_pareto', { method: 'paretopo-s1', reward: { granularity: 'group' } as TrainConfig['reward'] }],
    ['cosine schedule', { method: 'drgrpo', lrSchedule: 'cosine', warmupSteps: 1 }],
    ['constant schedule', { method: 'drgrpo', lrSchedule: 'constant', warmupSteps: 1 }],
  ])('%s: a 2-step run records the option and uses it', async (name, patch) => {
    const out = join(root, `option-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    const c = config({ ...patch, out, steps: 2 });
    const r = await runTrain(c, { ...quiet, backend });
    expect(r.status).toBe('finished');
    const saved = JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8'));
    expect(saved).toMatchObject({ ...patch, reward: c.reward, warmupSteps: c.warmupSteps, lrSchedule: c.lrSchedule });
    const steps = values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics)));
    expect(steps.length).toBe(2);
    if (name === 'toolGate correct') for (const s of steps) expect(s.meanToolReward).toBeLessThanOrEqual(s.accuracy);
    if (name === 'nOptFallback zero-reward') for (const s of steps) if (s.accuracy === 0) expect(s.meanToolReward).toBe(0);
    if (name === 'per-group r_pareto') expect(steps.every((s) => s.rPareto !== null && s.stage === 1)).toBe(true);
    // lr 5e-4, warmup 1: step 1 at the peak; step 2 is the cosine's end (lr/10) or still the peak.
    if (name === 'cosine schedule') expect(steps.map((s) => s.lr)).toEqual([5e-4, expect.closeTo(5e-5, 15)]);
    if (name === 'constant schedule') expect(steps.map((s) => s.lr)).toEqual([5e-4, 5e-4]);
  });

  it('defaults: 10 warmup steps, then a constant learning rate', async () => {
    const out = join(root, 'warmup');
    await runTrain(config({ method: 'grpo-acc', out, steps: 2 }), { ...quiet, backend });
    expect(values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics))).map((s) => s.lr)).toEqual([5e-5, 1e-4]);
  });

  // The config parse fills the rest of `reward`; the second case runs every non-default method option at once.
  const robust = { toolGate: 'correct', nOptRule: 'recent', nOptWindow: 2, nOptSupport: 2, nOptFallback: 'zero-reward', granularity: 'group' } as TrainConfig['reward'];
  it.each<[string, string, Partial<TrainConfig>]>([
    ['defaults', 'resume-a', {}],
    ['gated, recent N_opt with support 2, zero-reward fallback, per-group r_pareto, cosine', 'resume-b', { reward: robust, lrSchedule: 'cosine', warmupSteps: 2 }],
  ])('resume after an interruption gives the same metrics, evaluations and weights as an uninterrupted run (%s)', async (_, name, options) => {
    const full = join(root, `${name}-full`);
    const cut = join(root, `${name}-cut`);
    const base = { method: 'paretopo' as const, steps: 5, eval: { every: 2 }, checkpoint: { every: 2, keep: 2 }, ...options };
    await runTrain(config({ ...base, out: full }), { ...quiet, backend });
    const controller = new AbortController();
    // Abort once the third step is done: the run saves a checkpoint at step 3 (not a multiple of every).
    const stream = { isTTY: true, columns: 200, write: (t: string) => (t.includes(' 3/5 ') ? controller.abort() : undefined) };
    const first = await runTrain(config({ ...base, out: cut }), { progress: stream, log: () => {}, backend, signal: controller.signal });
    expect(first).toMatchObject({ status: 'interrupted', step: 3, summary: null });
    expect(values(readJsonlSync(join(cut, RUN_FILES.metrics))).length).toBe(3);
    const second = await runTrain(config({ ...base, out: cut }), { ...quiet, backend, resume: true });
    expect(second.status).toBe('finished');
    expect(untimed(values(readJsonlSync<StepRow>(join(cut, RUN_FILES.metrics))))).toEqual(untimed(values(readJsonlSync<StepRow>(join(full, RUN_FILES.metrics)))));
    expect(untimed(values(readJsonlSync<EvalRow>(join(cut, RUN_FILES.evals))))).toEqual(untimed(values(readJsonlSync<EvalRow>(join(full, RUN_FILES.evals)))));
    const testOf = (dir: string) => untimed([JSON.parse(readFileSync(join(dir, RUN_FILES.test), 'utf8')) as EvalRow]);
    expect(testOf(cut)).toEqual(testOf(full));
    const a = await loadCheckpoint(join(full, RUN_FILES.checkpoints, 'step-000005'), backend);
    const b = await loadCheckpoint(join(cut, RUN_FILES.checkpoints, 'step-000005'), backend);
    expect(Buffer.from(b.model.params.buffer).equals(Buffer.from(a.model.params.buffer))).toBe(true);
  });

  it('resume drops rows written after the checkpoint (a crash between checkpoint and rows)', async () => {
    const out = join(root, 'crash');
    await runTrain(config({ method: 'grpo-ws', out, steps: 2, checkpoint: { every: 1, keep: 1 } }), { ...quiet, backend });
    // Pretend step 2 had been written before a crash, but the run goes back to its last checkpoint.
    const ref = join(root, 'crash-ref');
    await runTrain(config({ method: 'grpo-ws', out: ref, steps: 2, checkpoint: { every: 1, keep: 1 } }), { ...quiet, backend });
    writeFileSync(join(out, RUN_FILES.checkpoints, 'latest.json'), JSON.stringify({ step: 2, dir: 'step-000002' }));
    rmSync(join(out, RUN_FILES.summary));
    const r = await runTrain(config({ method: 'grpo-ws', out, steps: 2, checkpoint: { every: 1, keep: 1 } }), { ...quiet, backend, resume: true });
    expect(r.step).toBe(2);
    expect(untimed(values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics))))).toEqual(untimed(values(readJsonlSync<StepRow>(join(ref, RUN_FILES.metrics)))));
  });

  it('refuses to overwrite a run folder without --resume', async () => {
    const out = join(root, 'twice');
    await runTrain(config({ method: 'rloo', out, steps: 1 }), { ...quiet, backend });
    await expect(runTrain(config({ method: 'rloo', out, steps: 1 }), { ...quiet, backend })).rejects.toThrow(ConfigError);
    await expect(runTrain(config({ method: 'rloo', out, steps: 1 }), { ...quiet, backend })).rejects.toThrow('already holds a finished run; choose another --out');
  });

  describe('a corrupt or missing checkpoint is a clear error, never a silent restart', () => {
    const prepared = async (name: string) => {
      const out = join(root, name);
      await runTrain(config({ method: 'drgrpo', out, steps: 2, checkpoint: { every: 1, keep: 2 } }), { ...quiet, backend });
      rmSync(join(out, RUN_FILES.summary));
      return out;
    };
    const resume = (out: string) => runTrain(config({ method: 'drgrpo', out, steps: 2, checkpoint: { every: 1, keep: 2 } }), { ...quiet, backend, resume: true });

    it('no checkpoint', async () => {
      await expect(resume(join(root, 'never-ran'))).rejects.toThrow(/never-ran holds no run to resume .*run the same command without --resume/);
    });

    it('a truncated weights file', async () => {
      const out = await prepared('trunc');
      truncateSync(join(out, RUN_FILES.checkpoints, 'step-000002', 'model.safetensors'), 100);
      await expect(resume(out)).rejects.toThrow(TrainCheckpointError);
      await expect(resume(out)).rejects.toThrow(/checkpoint .*step-000002 is corrupt: .*model\.safetensors/);
    });

    it('a corrupt pointer', async () => {
      const out = await prepared('pointer');
      writeFileSync(join(out, RUN_FILES.checkpoints, 'latest.json'), '{"step": 2, "dir": ');
      await expect(resume(out)).rejects.toThrow(/latest\.json is corrupt/);
    });

    it('a state file that is not a training state', async () => {
      const out = await prepared('state');
      const dir = join(out, RUN_FILES.checkpoints, 'step-000002');
      writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, rng: null, extra: { hello: 1 } }));
      // Without a matching checksum the integrity check refuses it first; resealed, the state check does.
      await expect(resume(out)).rejects.toThrow(/state\.json: 44 bytes but .*checksums\.json records/);
      const names = readdirSync(dir).filter((f) => f !== CHECKPOINT_FILES.checksums);
      writeFileSync(join(dir, CHECKPOINT_FILES.checksums), checksumManifest(names.map((name) => ({ name, data: readFileSync(join(dir, name)) }))));
      await expect(resume(out)).rejects.toThrow('does not hold a paretopo training state');
    });

    it('one flipped byte in the weights, the optimiser state or the method state refuses to resume, naming the file', async () => {
      const out = await prepared('flip');
      const dir = join(out, RUN_FILES.checkpoints, 'step-000002');
      const saved = join(root, 'flip-saved');
      cpSync(dir, saved, { recursive: true });
      for (const file of [CHECKPOINT_FILES.weights, CHECKPOINT_FILES.optimizer, CHECKPOINT_FILES.state]) {
        const bytes = readFileSync(join(saved, file));
        // A byte in the middle: tensor data for the safetensors files, the method state for state.json.
        bytes[bytes.length >> 1] ^= 0x10;
        writeFileSync(join(dir, file), bytes);
        await expect(resume(out)).rejects.toThrow(new RegExp(`step-000002 is corrupt: .*${file.replace('.', '\\.')}: SHA-256`));
        writeFileSync(join(dir, file), readFileSync(join(saved, file)));
      }
      await expect(resume(out)).resolves.toMatchObject({ status: 'finished' });
    });

    it('a different warm start', async () => {
      const out = await prepared('other-init');
      const other = join(root, 'sft-other');
      await runSft(sftConfigSchema.parse({ env: 'arith', out: other, model: MODEL, task: TASK, steps: 1, batchSize: 2, seed: 9 }), { ...quiet, backend });
      await expect(runTrain(config({ method: 'drgrpo', out, init: other, steps: 2, checkpoint: { every: 1, keep: 2 } }), { ...quiet, backend, resume: true })).rejects.toThrow('is not the one this run started from');
    });
  });
});
