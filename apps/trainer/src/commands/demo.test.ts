import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../run/interrupted';
import { row } from '../study/test-fixtures';
import { demoStrataTable, demoTable, runDemo } from './demo';

/** A demo small enough for a test: a micro model, tiny pools, `sftSteps` SFT and 2 RL steps. */
function microDemo(sftSteps: number) {
  const out = mkdtempSync(join(tmpdir(), 'paretopo-demo-'));
  const task = { seed: 2, sftCount: 16, rlCount: 16, validationCount: 3, testCount: 3 };
  const overrides = {
    out,
    sft: { model: { layers: 1, dModel: 16, heads: 2, context: 128 }, task, steps: sftSteps, batchSize: 2, backend: 'js' },
    train: { task, steps: 2, promptsPerStep: 2, groupSize: 2, backend: 'js' },
  };
  return { out, overrides };
}

describe('demo', () => {
  it('the tables put warm start, grpo-acc and ParetoPO beside the oracle, overall and per stratum', () => {
    const policies = [
      { name: 'warm start (SFT)', test: row(0.8, 1.5, 0.5, [[0, 1.0, 0.9], [1, 2.0, 0.7]]) },
      { name: 'grpo-acc', test: row(0.82, 1.6, 0.48, [[0, 1.1, 0.92], [1, 2.1, 0.72]]) },
      { name: 'ParetoPO', test: row(0.81, 1.0, 0.7, [[0, 0.2, 0.9], [1, 1.8, 0.72]]) },
    ];
    const t = demoTable(policies).split('\n');
    expect(t[0]).toMatch(/^\| policy +\| accuracy \| tool calls \| excess \| missing \| oracle HV \|$/);
    expect(t[2]).toMatch(/^\| warm start \(SFT\) +\| +0\.800 \| +1\.50 \| +1\.00 \| +0\.00 \| +0\.500 \|$/);
    expect(t[4]).toMatch(/^\| ParetoPO +\| +0\.810 \| +1\.00 \| +0\.50 \| +0\.00 \| +0\.700 \|$/);
    expect(t[5]).toMatch(/^\| oracle \(minimum calls\) +\| +– \| +0\.50 \| +0\.00 \| +0\.00 \| +– \|$/);
    const s = demoStrataTable(policies).split('\n');
    expect(s[0]).toMatch(/^\| oracle calls \| questions \| warm start \(SFT\) \| grpo-acc +\| ParetoPO +\|$/);
    expect(s[2]).toMatch(/^\| +0 \| +10 \| +1\.00 \(0\.90\) \| +1\.10 \(0\.92\) \| +0\.20 \(0\.90\) \|$/);
    expect(s[3]).toMatch(/^\| +1 \| +10 \| +2\.00 \(0\.70\) \| +2\.10 \(0\.72\) \| +1\.80 \(0\.72\) \|$/);
  });

  it('runs SFT, then grpo-acc and ParetoPO from it, labels the stages, says which configuration, and reuses everything the second time', async () => {
    const { out, overrides } = microDemo(2);
    const lines: string[] = [];
    const progress: string[] = [];
    const first = await runDemo(overrides, { progress: { write: (t: string) => progress.push(t) }, log: (l) => lines.push(l) });
    expect(first.report).toBe(join(out, 'report.html'));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(first.table.split('\n').filter((_, i) => i !== 1).map((l) => l.split('|')[1].trim())).toEqual(['policy', 'warm start (SFT)', 'grpo-acc', 'ParetoPO', 'oracle (minimum calls)']);
    expect(first.strata).toMatch(/^\| oracle calls \| questions \| warm start \(SFT\) \| grpo-acc/);
    expect(lines).toContain('demo: 2/3 grpo-acc (accuracy only), 2 steps');
    expect(lines.some((l) => l.startsWith('demo: ParetoPO configuration: '))).toBe(true);
    // The bar says which run it is; its figures say the stage.
    expect(progress.some((p) => p.startsWith('demo 2/3 grpo-acc'))).toBe(true);
    expect(progress.some((p) => p.startsWith('demo 3/3 ParetoPO') && / stage 2 /.test(p))).toBe(true);
    // Both runs start from the one warm start with the same seed (so the same prompts), each evaluated once on the test pool.
    const saved = (run: string) => JSON.parse(readFileSync(join(out, run, 'config.json'), 'utf8')) as { init: string; seed: number; method: string };
    expect(saved('grpo-acc')).toMatchObject({ init: join(out, 'sft'), seed: 1, method: 'grpo-acc' });
    expect(saved('paretopo')).toMatchObject({ init: join(out, 'sft'), seed: 1, method: 'paretopo' });
    for (const run of ['grpo-acc', 'paretopo']) expect(existsSync(join(out, run, 'test.json')), run).toBe(true);
    const again: string[] = [];
    await runDemo(overrides, { progress: false, log: (l) => again.push(l) });
    expect(again.some((l) => l.startsWith('demo: reusing the warm start'))).toBe(true);
    expect(again).toContain('demo: 3/3 ParetoPO, 2 steps (already trained, reused)');
    // A warm start trained with other settings (here: fewer SFT steps) is trained again, and so are the runs from it.
    const other: string[] = [];
    await runDemo({ ...overrides, sft: { ...overrides.sft, steps: 1 } }, { progress: false, log: (l) => other.push(l) });
    expect(other).toContain(`demo: the warm start in ${join(out, 'sft')} was trained with other settings (steps differ); training it again`);
    expect(other).toContain('demo: 3/3 ParetoPO, 2 steps');
  });

  it('Ctrl-C throws Interrupted: during SFT nothing is kept; during RL the next demo resumes', async () => {
    const { out, overrides } = microDemo(3);
    const aborted = AbortSignal.abort();
    const inSft = runDemo(overrides, { progress: false, log: () => {}, signal: aborted });
    await expect(inSft).rejects.toBeInstanceOf(Interrupted);
    await expect(inSft).rejects.toThrow('sft: interrupted at step 0 of 3; nothing saved');
    expect(existsSync(join(out, 'sft', 'model.safetensors'))).toBe(false);

    // Abort as the RL stage starts: its first step saves a checkpoint and stops.
    const controller = new AbortController();
    const log = (line: string) => {
      if (line.startsWith('demo: 2/3')) controller.abort();
    };
    await expect(runDemo(overrides, { progress: false, log, signal: controller.signal })).rejects.toThrow(/^demo: interrupted; `paretopo demo` with the same --out continues/);
    const lines: string[] = [];
    const done = await runDemo(overrides, { progress: false, log: (l) => lines.push(l) });
    expect(lines).toContain('demo: 2/3 grpo-acc (accuracy only), 2 steps (resuming)');
    expect(done.table).toContain('ParetoPO');
  });
});
