import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainConfigSchema } from '../config/schema';
import { runJobPool, runState, type TrainJob } from './jobs';
import { RUN_FILES } from './types';

const config = (out: string, patch: Record<string, unknown> = {}) => trainConfigSchema.parse({ env: 'arith', init: 'sft', out, steps: 4, ...patch });

describe('runState', () => {
  const root = mkdtempSync(join(tmpdir(), 'paretopo-jobs-'));
  const saved = (name: string, patch: Record<string, unknown> = {}, files: string[] = []) => {
    const out = join(root, name);
    mkdirSync(join(out, RUN_FILES.checkpoints), { recursive: true });
    writeFileSync(join(out, RUN_FILES.config), JSON.stringify({ command: 'train', ...config(out, patch) }));
    for (const f of files) writeFileSync(join(out, f), f === 'latest' ? '' : '{}');
    return out;
  };

  it('start for an absent folder; done with a summary; resume with a checkpoint pointer', () => {
    expect(runState(config(join(root, 'none')), 't')).toBe('start');
    const done = saved('done', {}, [RUN_FILES.summary]);
    expect(runState(config(done), 't')).toBe('done');
    const resume = saved('resume');
    writeFileSync(join(resume, RUN_FILES.checkpoints, 'latest.json'), JSON.stringify({ step: 2, dir: 'step-000002' }));
    expect(runState(config(resume), 't')).toBe('resume');
  });

  it('a folder of the same settings that stopped before its first checkpoint is started (runTrain clears it; only reads here)', () => {
    const out = saved('partial', {}, [RUN_FILES.metrics]);
    expect(runState(config(out), 't')).toBe('start');
    expect(existsSync(join(out, RUN_FILES.metrics))).toBe(true);
  });

  it('a moved folder (saved out elsewhere, or none) and a moved warm start (init) are the same run', () => {
    const out = saved('moved', { out: '/elsewhere/run', init: '/elsewhere/sft' }, [RUN_FILES.summary]);
    expect(runState(config(out), 't')).toBe('done');
    const bare = join(root, 'no-out');
    mkdirSync(bare);
    const { out: _o, ...settings } = config(bare);
    writeFileSync(join(bare, RUN_FILES.config), JSON.stringify({ command: 'train', ...settings }));
    expect(runState(config(bare), 't')).toBe('start');
  });

  it('a folder of other settings, or with an unreadable config, is an error naming it', () => {
    const out = saved('other', { lr: 1e-3 }, [RUN_FILES.summary]);
    expect(() => runState(config(out), 'study')).toThrow(`study: ${out} holds a run with other settings (lr differ)`);
    const bad = saved('bad');
    writeFileSync(join(bad, RUN_FILES.config), '{"env": ');
    expect(() => runState(config(bad), 'study')).toThrow(/is not readable JSON/);
  });
});

describe('runJobPool', () => {
  const jobs = (n: number): TrainJob[] => Array.from({ length: n }, (_, i) => ({ config: config(`r${i}`), resume: false, logFile: `r${i}.log` }));

  it('runs every job, at most `parallel` at once, and collects failures without stopping the rest', async () => {
    let running = 0;
    let peak = 0;
    const seen: string[] = [];
    const failures = await runJobPool(jobs(5), {
      parallel: 2,
      log: () => {},
      runJob: async (job) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        seen.push(job.config.out);
        if (job.config.out === 'r1') throw new Error('r1 broke');
      },
    });
    expect(seen.sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(peak).toBe(2);
    expect(failures.map((f) => f.message)).toEqual(['r1 broke']);
  });

  it('hands out no job once the signal is aborted', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    await runJobPool(jobs(4), {
      parallel: 1,
      log: () => {},
      signal: controller.signal,
      runJob: async (job) => {
        seen.push(job.config.out);
        controller.abort();
      },
    });
    expect(seen).toEqual(['r0']);
  });
});
