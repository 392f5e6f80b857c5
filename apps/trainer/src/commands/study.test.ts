import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBackend, type Backend } from '@paretopo/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load';
import { Interrupted } from '../run/interrupted';
import type { TrainJob } from '../run/jobs';
import { RUN_FILES } from '../run/types';
import type { StudyResults } from '../study/analysis';
import { STUDY_FILES } from '../study/folder';
import { loadStudySpec } from '../study/spec';
import { runStudy, writeStudyOutputs } from './study';
import { runTrain } from './train';

// A micro model and tiny pools: these tests check the study's wiring, not learning.
const MODEL = { layers: 1, dModel: 16, heads: 2, context: 128 };
const TASK = { seed: 3, sftCount: 32, rlCount: 32, validationCount: 4, testCount: 4 };
const SPEC = {
  env: 'arith',
  arms: {
    'grpo-acc': { method: 'grpo-acc' },
    paretopo: { method: 'paretopo' },
    'paretopo-s1-group': { method: 'paretopo-s1', config: { reward: { granularity: 'group' } } },
  },
  primary: 'paretopo',
  claimBaselines: ['grpo-acc', 'paretopo-s1-group'],
  lrGrid: [0.001, 0.0005],
  tuningSeeds: [1],
  finalSeeds: [11, 12],
  statistics: { resamples: 500 },
  train: { steps: 2, promptsPerStep: 2, groupSize: 2, backend: 'js', task: TASK, checkpoint: { every: 1 } },
  sft: { model: MODEL, task: TASK, steps: 2, batchSize: 2, backend: 'js' },
};

let backend: Backend;
beforeAll(async () => {
  backend = await createBackend('js');
});

function specFile(spec: object = SPEC): { results: string; spec: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'paretopo-study-'));
  const results = join(root, 'results', 'arith');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, STUDY_FILES.spec), JSON.stringify(spec, null, 2));
  return { results, spec: join(results, STUDY_FILES.spec), work: join(root, 'work') };
}

const inProcess = (jobs: TrainJob[]) => async (job: TrainJob) => {
  jobs.push(job);
  const r = await runTrain(job.config, { resume: job.resume, progress: false, log: () => {}, backend });
  if (r.status !== 'finished') throw new Error(`run ${job.config.out} did not finish`);
};

describe('study spec', () => {
  it.each<[string, object, string]>([
    ['a primary that is not an arm', { ...SPEC, primary: 'ppo' }, 'primary: must be one of the arms (grpo-acc, paretopo, paretopo-s1-group; got "ppo")'],
    ['a claim baseline that is the primary', { ...SPEC, claimBaselines: ['paretopo'] }, 'claimBaselines.0: must not be the primary arm'],
    ['final seeds shared with tuning', { ...SPEC, finalSeeds: [1, 2] }, 'finalSeeds: must be disjoint from tuningSeeds (both hold 1)'],
    ['a repeated learning rate', { ...SPEC, lrGrid: [0.001, 0.001] }, 'lrGrid: must not repeat a value'],
    ['an arm that sets its own lr', { ...SPEC, arms: { ...SPEC.arms, paretopo: { method: 'paretopo', config: { lr: 1 } } } }, 'arms.paretopo.config.lr: is set by the study'],
    ['shared overrides that set eval.test', { ...SPEC, train: { ...SPEC.train, eval: { test: true } } }, 'train.eval.test: is set by the study'],
    ['an unknown key in an arm', { ...SPEC, arms: { ...SPEC.arms, paretopo: { method: 'paretopo', config: { reward: { gatee: 1 } } } } }, "study arm paretopo config: unknown key 'reward.gatee'"],
    ['an unknown top-level key', { ...SPEC, seeds: 3 }, "unknown key 'seeds'"],
  ])('%s is a ConfigError naming the key', (_name, spec, message) => {
    const { spec: path } = specFile(spec);
    expect(() => loadStudySpec(path)).toThrow(ConfigError);
    expect(() => loadStudySpec(path)).toThrow(message);
  });

  it("the README's example spec is valid and every arm resolves as a train config", () => {
    const readme = readFileSync(join(fileURLToPath(new URL('../../README.md', import.meta.url))), 'utf8');
    const block = /## study[\s\S]*?```json\n([\s\S]*?)```/.exec(readme);
    expect(block, 'a json block under ## study').not.toBeNull();
    const { spec: path } = specFile(JSON.parse(block![1]));
    const spec = loadStudySpec(path);
    expect(spec.primary).toBe('paretopo');
    expect(spec.finalSeeds).toHaveLength(8);
  });
});

describe('runStudy', () => {
  it('--plan lists every tuning run and an estimate, and runs nothing', async () => {
    const f = specFile();
    const printed: string[] = [];
    const jobs: TrainJob[] = [];
    const r = await runStudy(f.spec, { out: f.work, plan: true, runJob: inProcess(jobs), print: (t) => printed.push(t), log: () => {} });
    expect(jobs).toEqual([]);
    expect(existsSync(join(f.work, 'sft'))).toBe(false);
    const text = printed.join('\n');
    expect(r.plan).toBe(text);
    expect(text).toMatch(/^study arith: 3 arms, 6 tuning runs, 6 final runs/);
    expect(text.match(/^tune /gm)).toHaveLength(6);
    expect(text).toContain('final  3 arms × seeds 11, 12: learning rates chosen after tuning (max-mean-validation-oracle-hv)');
    expect(text).toMatch(/estimated time: \S+ \(\d+ RL episodes left/);
  });

  it('runs SFT, tuning, selection and final runs; the report from the logs alone is byte-identical; a second call trains nothing', async () => {
    const f = specFile();
    const jobs: TrainJob[] = [];
    const bars: string[] = [];
    const first = await runStudy(f.spec, { out: f.work, runJob: inProcess(jobs), progress: { write: (t: string) => bars.push(t) }, log: () => {}, command: 'paretopo study test' });
    // One bar from the warm start to the last final run.
    expect(bars[0]).toMatch(/^study arith \[.*\| phase sft runs 0\/12\n$/);
    expect(bars.at(-1)).toMatch(/^study arith \[#{20}\] (\d+)\/\1 100% .*\| phase final runs 12\/12\n$/);
    expect(first.written.map((p) => p.slice(f.results.length + 1))).toEqual(['results.md', 'results.json', 'report.html']);
    expect(jobs).toHaveLength(12);
    const tune = jobs.filter((j) => j.config.out.includes(`${join(f.work, 'tune')}`));
    const final = jobs.filter((j) => j.config.out.includes(`${join(f.work, 'final')}`));
    expect(tune).toHaveLength(6);
    expect(final).toHaveLength(6);
    // The test pool is never evaluated while choosing; every final run is evaluated on it once.
    for (const j of tune) {
      expect(j.config.eval.test).toBe(false);
      expect(existsSync(join(j.config.out, RUN_FILES.test))).toBe(false);
    }
    for (const j of final) expect(JSON.parse(readFileSync(join(j.config.out, RUN_FILES.test), 'utf8')).pool).toBe('test');
    // The arm's overrides reach its runs; the study sets env, method, lr and seed.
    expect(jobs.find((j) => j.config.out.endsWith('paretopo-s1-group-s11'))!.config).toMatchObject({ method: 'paretopo-s1', seed: 11, reward: { granularity: 'group' } });

    const results = JSON.parse(readFileSync(join(f.results, STUDY_FILES.resultsJson), 'utf8')) as StudyResults & { provenance: { command: string } };
    expect(results.provenance.command).toBe('paretopo study test');
    expect(results.missing).toEqual([]);
    for (const s of results.sweep) {
      expect(s.points.map((p) => p.lr)).toEqual([0.0005, 0.001]);
      const best = Math.max(...s.points.map((p) => p.mean!));
      expect(s.chosenLr).toBe(s.points.find((p) => p.mean === best)!.lr);
      // Final runs ran at the chosen lr.
      for (const j of final.filter((x) => x.config.out.endsWith(`/${s.arm}-s11`) || x.config.out.endsWith(`/${s.arm}-s12`))) expect(j.config.lr).toBe(s.chosenLr);
    }
    expect(results.arms.map((a) => a.seeds)).toEqual([[11, 12], [11, 12], [11, 12]]);
    expect(results.comparisons.map((c) => c.baseline)).toEqual(['grpo-acc', 'paretopo-s1-group']);
    expect(results.claim.tests).toHaveLength(4);
    expect(typeof results.claim.holds).toBe('boolean');
    // Paired: seed 11's test accuracy difference is the two runs' difference.
    const acc = (arm: string, seed: number) => JSON.parse(readFileSync(join(f.work, 'final', `${arm}-s${seed}`, RUN_FILES.test), 'utf8')).accuracy as number;
    expect(results.comparisons[0].metrics.find((m) => m.metric === 'accuracy')!.diffs).toEqual([acc('grpo-acc', 11) - acc('paretopo', 11), acc('grpo-acc', 12) - acc('paretopo', 12)]);

    // Compact logs: no checkpoints; tuning runs without per-step metrics, final runs with them gzipped.
    const log = (phase: string, name: string, file: string) => existsSync(join(f.results, 'runs', phase, name, file));
    expect(log('tune', 'paretopo-lr0.001-s1', RUN_FILES.summary)).toBe(true);
    expect(log('tune', 'paretopo-lr0.001-s1', `${RUN_FILES.metrics}.gz`)).toBe(false);
    expect(log('final', 'paretopo-s11', `${RUN_FILES.metrics}.gz`)).toBe(true);
    expect(log('final', 'paretopo-s11', RUN_FILES.checkpoints)).toBe(false);
    expect(log('sft', '', RUN_FILES.test)).toBe(true);

    const bytes = () => [STUDY_FILES.resultsMd, STUDY_FILES.resultsJson, STUDY_FILES.report].map((x) => readFileSync(join(f.results, x)));
    const before = bytes();
    writeStudyOutputs(f.results);
    const after = bytes();
    for (let i = 0; i < before.length; i++) expect(after[i].equals(before[i]), `file ${i}`).toBe(true);

    const md = readFileSync(join(f.results, STUDY_FILES.resultsMd), 'utf8');
    expect(md).toMatch(/^\*\*Verdict\.\*\* The claim (holds|does not hold) on arith: /m);
    for (const h of ['## The claim', '## Test pool: each arm at its chosen learning rate', '## Calls per oracle stratum (test pool)', '## Paired differences (baseline − paretopo)', '## Validation sweep']) expect(md).toContain(h);

    const again: TrainJob[] = [];
    const lines: string[] = [];
    await runStudy(f.spec, { out: f.work, runJob: inProcess(again), progress: false, log: (l) => lines.push(l) });
    expect(again).toEqual([]);
    expect(lines).toContain('study: tuning: 6 runs (6 already done), 1 at a time; logs in ' + join(f.work, 'logs'));
  });

  it('Ctrl-C stops handing out runs and throws Interrupted; the next call resumes and finishes', async () => {
    const f = specFile({ ...SPEC, arms: { 'grpo-acc': SPEC.arms['grpo-acc'], paretopo: SPEC.arms.paretopo }, claimBaselines: ['grpo-acc'] });
    const controller = new AbortController();
    const jobs: TrainJob[] = [];
    const run = inProcess(jobs);
    const stopAfterFirst = async (job: TrainJob) => {
      await run(job);
      controller.abort();
    };
    await expect(runStudy(f.spec, { out: f.work, runJob: stopAfterFirst, jobs: 1, progress: false, log: () => {}, signal: controller.signal })).rejects.toThrow(Interrupted);
    expect(jobs).toHaveLength(1);
    expect(existsSync(join(f.results, STUDY_FILES.resultsMd))).toBe(false);
    const rest: TrainJob[] = [];
    await runStudy(f.spec, { out: f.work, runJob: inProcess(rest), progress: false, log: () => {} });
    expect(rest).toHaveLength(3 + 4);
    expect(existsSync(join(f.results, STUDY_FILES.resultsMd))).toBe(true);
  });

  it('a run resumed from a checkpoint older than its metrics rows never makes the bar count backwards', async () => {
    const f = specFile({ ...SPEC, arms: { 'grpo-acc': SPEC.arms['grpo-acc'], paretopo: SPEC.arms.paretopo }, claimBaselines: ['grpo-acc'] });
    const controller = new AbortController();
    const first: TrainJob[] = [];
    const run = inProcess(first);
    const stopAfterFirst = async (job: TrainJob) => {
      await run(job);
      controller.abort();
    };
    await expect(runStudy(f.spec, { out: f.work, runJob: stopAfterFirst, jobs: 1, progress: false, log: () => {}, signal: controller.signal })).rejects.toThrow(Interrupted);
    // As a run killed between two checkpoints leaves it: 2 metrics rows, the latest checkpoint at step 1.
    const dir = first[0].config.out;
    rmSync(join(dir, RUN_FILES.summary));
    writeFileSync(join(dir, RUN_FILES.checkpoints, 'latest.json'), JSON.stringify({ step: 1, dir: 'step-000001' }));
    const bars: string[] = [];
    const rest: TrainJob[] = [];
    const train = inProcess(rest);
    // The resumed run drops its row after the checkpoint first; the bar ticks (every second) before it logs again.
    const slowResume = async (job: TrainJob) => {
      if (job.resume) {
        const metrics = join(job.config.out, RUN_FILES.metrics);
        writeFileSync(metrics, readFileSync(metrics, 'utf8').split('\n')[0] + '\n');
        await new Promise((r) => setTimeout(r, 1500));
      }
      await train(job);
    };
    await runStudy(f.spec, { out: f.work, runJob: slowResume, jobs: 1, progress: { write: (t: string) => bars.push(t) }, log: () => {} });
    expect(rest[0]).toMatchObject({ resume: true });
    const counts = bars.join('').match(/\] -?\d+\/\d+/g) ?? [];
    expect(counts.length).toBeGreaterThan(0);
    expect(counts.filter((c) => c.includes('-'))).toEqual([]);
    expect(counts.at(-1)).toMatch(/\] (\d+)\/\1$/);
  });

  it('a run folder trained with other settings, or runs without their warm start, are errors, never reused', async () => {
    const f = specFile({ ...SPEC, arms: { 'grpo-acc': SPEC.arms['grpo-acc'], paretopo: SPEC.arms.paretopo }, claimBaselines: ['grpo-acc'] });
    await runStudy(f.spec, { out: f.work, runJob: inProcess([]), progress: false, log: () => {} });
    const sft = join(f.work, 'sft');
    renameSync(sft, `${sft}-moved`);
    await expect(runStudy(f.spec, { out: f.work, runJob: inProcess([]), progress: false, log: () => {} })).rejects.toThrow(/holds tune and final runs but no warm start/);
    renameSync(`${sft}-moved`, sft);
    writeFileSync(f.spec, JSON.stringify({ ...JSON.parse(readFileSync(f.spec, 'utf8')), train: { ...SPEC.train, groupSize: 3 } }));
    await expect(runStudy(f.spec, { out: f.work, runJob: inProcess([]), progress: false, log: () => {} })).rejects.toThrow(/holds a run with other settings \(groupSize differ\)/);
  });
});
