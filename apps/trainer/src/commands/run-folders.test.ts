import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '@paretopo/kernels';
import { loadCheckpoint } from '@paretopo/policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load';
import { evalConfigSchema, sftConfigSchema, trainConfigSchema, type TrainConfig } from '../config/schema';
import { paramsHash, TrainCheckpointError } from '../run/checkpoint';
import { readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type StepRow } from '../run/types';
import { runEval } from './eval';
import { runSft } from './sft';
import { MICRO_MODEL, MICRO_TASK, quiet } from './test-fixtures';
import { resumeConfig, runTrain } from './train';

// Issue 14, class 7: every folder state a crash or a wrong --out can leave is resumable, or refused
// with a message saying what to do. The kill-at-random-moments loop is src/run-folders.kill.test.ts.
const MODEL = MICRO_MODEL;
const TASK = MICRO_TASK;

let backend: Backend;
let root: string;
let init: string;
let reference: string;

// Non-default settings throughout: omitted flags on --resume must not count as contradictions.
const settings = { env: 'arith', method: 'otc-grpo', lr: 1e-3, task: TASK, steps: 4, promptsPerStep: 2, groupSize: 3, eval: { every: 2 }, checkpoint: { every: 2 } };
const config = (out: string, patch: Record<string, unknown> = {}): TrainConfig => trainConfigSchema.parse({ ...settings, init, out, ...patch });
const untimed = (rows: StepRow[]) => rows.map(({ time: _t, tokensPerSecond: _k, seconds: _s, ...r }) => r);
const finalWeights = async (dir: string) => paramsHash((await loadCheckpoint(join(dir, RUN_FILES.checkpoints, 'step-000004'), backend)).model.params);

// A run interrupted after its first checkpoint (step 2).
async function interrupted(out: string): Promise<void> {
  const controller = new AbortController();
  const stream = { isTTY: true, columns: 200, write: (t: string) => (t.includes(' 2/4 ') ? controller.abort() : undefined) };
  const r = await runTrain(config(out), { progress: stream, log: () => {}, backend, signal: controller.signal });
  expect(r).toMatchObject({ status: 'interrupted', step: 2 });
}

beforeAll(async () => {
  backend = await createBackend('js');
  root = mkdtempSync(join(tmpdir(), 'paretopo-folders-'));
  init = join(root, 'sft');
  await runSft(sftConfigSchema.parse({ env: 'arith', out: init, model: MODEL, task: TASK, steps: 2, batchSize: 2 }), { ...quiet, backend });
  reference = join(root, 'reference');
  await runTrain(config(reference), { ...quiet, backend });
});

describe('a run that stopped before its first checkpoint', () => {
  // What a crash leaves: config.json and a few rows (and at most a complete checkpoint directory without its pointer).
  const leftover = (name: string) => {
    const out = join(root, name);
    cpSync(reference, out, { recursive: true });
    rmSync(join(out, RUN_FILES.summary));
    rmSync(join(out, RUN_FILES.checkpoints, 'latest.json'));
    writeFileSync(join(out, RUN_FILES.metrics), readFileSync(join(out, RUN_FILES.metrics), 'utf8').split('\n')[0] + '\n{"ste');
    return out;
  };

  it.each([false, true])('starts over, with or without --resume (resume: %s), and ends as an uninterrupted run', async (resume) => {
    const out = leftover(`early-${resume}`);
    const lines: string[] = [];
    const c = resume ? resumeConfig(out, {}) : config(out);
    await expect(runTrain(c, { progress: false, log: (l) => lines.push(l), backend, resume })).resolves.toMatchObject({ status: 'finished' });
    expect(lines).toContain(`train: ${out} stopped before its first checkpoint; starting it from step 0`);
    expect(untimed(values(readJsonlSync<StepRow>(join(out, RUN_FILES.metrics))))).toEqual(untimed(values(readJsonlSync<StepRow>(join(reference, RUN_FILES.metrics)))));
    expect(await finalWeights(out)).toBe(await finalWeights(reference));
  });

  it('with other settings it is refused, naming the keys and what to do', async () => {
    const out = leftover('early-other');
    await expect(runTrain(config(out, { lr: 5e-4 }), { ...quiet, backend })).rejects.toThrow(/holds a run with other settings \(lr differ\); remove the folder or restore the settings/);
  });

  it('a folder with no config (killed before it was written) is started by train and refused by --resume saying so', async () => {
    const out = join(root, 'no-config');
    await expect(runTrain(config(out), { ...quiet, backend, resume: true })).rejects.toThrow(/holds no run to resume .*without --resume/);
    expect(() => resumeConfig(out, {})).toThrow(/holds no run to resume .*start it without --resume/);
  });
});

describe('--resume needs only --out', () => {
  it('the saved settings are the truth; omitted flags are fine, equal ones too, a contradicting one is the error', async () => {
    const out = join(root, 'only-out');
    await interrupted(out);
    expect(() => resumeConfig(out, { lr: 5e-4 })).toThrow(ConfigError);
    expect(() => resumeConfig(out, { lr: 5e-4, method: 'grpo-acc' })).toThrow(
      /^resume: method \("grpo-acc"\), lr \(0.0005\) contradict the run's saved config in .*config\.json \(method "otc-grpo", lr 0.001\); --resume needs only --out/,
    );
    expect(resumeConfig(out, { env: 'arith', lr: 1e-3 })).toEqual(config(out));
    await expect(runTrain(resumeConfig(out, {}), { ...quiet, backend, resume: true })).resolves.toMatchObject({ status: 'finished' });
    expect(await finalWeights(out)).toBe(await finalWeights(reference));
  });

  it('a plain train on a checkpointed run is refused, saying how to continue it', async () => {
    const out = join(root, 'plain');
    await interrupted(out);
    await expect(runTrain(config(out), { ...quiet, backend })).rejects.toThrow(`train: ${out} already holds a run; continue it with \`paretopo train --resume --out ${out}\``);
  });
});

describe('a moved run folder and a moved warm start', () => {
  it('a moved run resumes from its new place; config.json holds no path of the folder', async () => {
    const from = join(root, 'before-move');
    await interrupted(from);
    expect(JSON.parse(readFileSync(join(from, RUN_FILES.config), 'utf8'))).not.toHaveProperty('out');
    const to = join(root, 'after-move');
    renameSync(from, to);
    await expect(runTrain(resumeConfig(to, {}), { ...quiet, backend, resume: true })).resolves.toMatchObject({ status: 'finished' });
    expect(await finalWeights(to)).toBe(await finalWeights(reference));
  });

  it('a missing warm start names --init; a new --init is checked by its weights and recorded', async () => {
    const out = join(root, 'moved-init');
    await interrupted(out);
    const moved = join(root, 'sft-moved');
    cpSync(init, moved, { recursive: true });
    const saved = readFileSync(join(out, RUN_FILES.config), 'utf8');
    writeFileSync(join(out, RUN_FILES.config), saved.replace(JSON.stringify(init), JSON.stringify(join(root, 'sft-gone'))));
    await expect(runTrain(resumeConfig(out, {}), { ...quiet, backend, resume: true })).rejects.toThrow(/warm start .*sft-gone is missing \(the path saved in .*config\.json; .*\); pass --init DIR pointing at it/);
    // Another warm start at the new path is refused by its weights hash.
    const other = join(root, 'sft-other');
    await runSft(sftConfigSchema.parse({ env: 'arith', out: other, model: MODEL, task: TASK, steps: 1, batchSize: 2, seed: 9 }), { ...quiet, backend });
    await expect(runTrain(resumeConfig(out, { init: other }), { ...quiet, backend, resume: true })).rejects.toThrow(/is not the one this run started from \(weights hash differs\); pass --init DIR/);
    await expect(runTrain(resumeConfig(out, { init: moved }), { ...quiet, backend, resume: true })).resolves.toMatchObject({ status: 'finished' });
    expect(JSON.parse(readFileSync(join(out, RUN_FILES.config), 'utf8')).init).toBe(moved);
    expect(await finalWeights(out)).toBe(await finalWeights(reference));
  });
});

describe('a hand-edited config.json', () => {
  it.each([
    ['method', (c: Record<string, unknown>) => ({ ...c, method: 'grpo-ws' }), /method \(otc-grpo in the checkpoint, grpo-ws in the config\)/],
    ['a reward option', (c: Record<string, unknown>) => ({ ...c, reward: { ...(c.reward as object), toolGate: 'correct' } }), /reward\.toolGate \("none" in the checkpoint\)/],
  ])('%s changed: resume is refused, the checkpoint is never run under other settings', async (_, edit, message) => {
    const out = join(root, `edited-${String(_).replace(/ /g, '-')}`);
    await interrupted(out);
    const path = join(out, RUN_FILES.config);
    writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')))));
    const run = () => runTrain(resumeConfig(out, {}), { ...quiet, backend, resume: true });
    await expect(run()).rejects.toThrow(TrainCheckpointError);
    await expect(run()).rejects.toThrow(message);
    await expect(run()).rejects.toThrow(/restore the settings the run was started with, or start a new run in another folder/);
  });
});

describe('a folder of another command', () => {
  it('train --out <sft folder> is refused and the warm start is untouched', async () => {
    const before = readFileSync(join(init, 'config.json'));
    await expect(runTrain(config(init), { ...quiet, backend })).rejects.toThrow(/^train: .*sft is an SFT warm start \(paretopo sft\), not a training run; choose another --out/);
    expect(() => resumeConfig(init, {})).toThrow(/is an SFT warm start/);
    expect(readFileSync(join(init, 'config.json')).equals(before)).toBe(true);
    expect(existsSync(join(init, RUN_FILES.metrics))).toBe(false);
  });

  it('sft --out <run> is refused and the run still resumes', async () => {
    const out = join(root, 'run-not-sft');
    await interrupted(out);
    const sft = (dir: string) => runSft(sftConfigSchema.parse({ env: 'arith', out: dir, model: MODEL, task: TASK, steps: 1, batchSize: 2 }), { ...quiet, backend });
    await expect(sft(out)).rejects.toThrow(/^sft: .* is a training run \(paretopo train\), not an SFT warm start; choose another --out/);
    await expect(runTrain(resumeConfig(out, {}), { ...quiet, backend, resume: true })).resolves.toMatchObject({ status: 'finished' });
  });

  it("eval --out <warm start> is refused before evaluating; the warm start's own eval.json stays", async () => {
    const before = readFileSync(join(init, 'eval.json'));
    await expect(runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: init, out: init, task: TASK }), { log: () => {}, backend })).rejects.toThrow(
      /^eval: .*sft is an SFT warm start \(paretopo sft\), not an evaluation; choose another --out/,
    );
    expect(readFileSync(join(init, 'eval.json')).equals(before)).toBe(true);
    const out = join(root, 'eval-out');
    await runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: init, out, task: TASK }), { log: () => {}, backend });
    await expect(runTrain(config(out), { ...quiet, backend })).rejects.toThrow(/is an evaluation \(paretopo eval --out\), not a training run/);
  });

  it('sft --out <existing warm start> is refused instead of replacing its weights', async () => {
    const before = readFileSync(join(init, 'model.safetensors'));
    await expect(runSft(sftConfigSchema.parse({ env: 'arith', out: init, model: MODEL, task: TASK, steps: 1, batchSize: 2, seed: 5 }), { ...quiet, backend })).rejects.toThrow(
      /already holds a warm start \(model\.safetensors\); .*choose another --out, or remove the folder/,
    );
    expect(readFileSync(join(init, 'model.safetensors')).equals(before)).toBe(true);
  });
});
