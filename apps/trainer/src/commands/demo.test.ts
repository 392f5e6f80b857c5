import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Interrupted } from '../run/interrupted';
import type { EvalRow } from '../run/types';
import { demoTable, runDemo } from './demo';

const row = (accuracy: number, meanCalls: number, hv: number): EvalRow => ({
  step: 0,
  accuracy,
  meanCalls,
  toolProductivity: accuracy / Math.max(meanCalls, 1),
  toolEfficiency: hv / accuracy,
  hv,
  n: 200,
  time: '',
});

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
  it('the table has the warm start and the trained policy with accuracy, calls, productivity and HV', () => {
    const t = demoTable(row(0.8, 1, 0.485), row(0.78, 0.98, 0.479)).split('\n');
    expect(t[0]).toMatch(/^\| policy +\| accuracy \| tool calls \| productivity \| +HV \|$/);
    expect(t[2]).toMatch(/^\| warm start \(SFT\) +\| +0\.800 \| +1\.00 \| +0\.800 \| 0\.485 \|$/);
    expect(t[3]).toMatch(/^\| after ParetoPO +\| +0\.780 \| +0\.98 \| +0\.780 \| 0\.479 \|$/);
  });

  it('runs SFT, then ParetoPO, writes the report, and reuses the warm start the second time', async () => {
    const { out, overrides } = microDemo(2);
    const lines: string[] = [];
    const first = await runDemo(overrides, { progress: false, log: (l) => lines.push(l) });
    expect(first.report).toBe(join(out, 'report.html'));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(first.table).toContain('after ParetoPO');
    const again: string[] = [];
    await runDemo(overrides, { progress: false, log: (l) => again.push(l) });
    expect(again.some((l) => l.startsWith('demo: reusing the warm start'))).toBe(true);
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
      if (line.startsWith('demo: 2/2')) controller.abort();
    };
    await expect(runDemo(overrides, { progress: false, log, signal: controller.signal })).rejects.toThrow(/^demo: interrupted; `paretopo demo` with the same --out continues/);
    const lines: string[] = [];
    const done = await runDemo(overrides, { progress: false, log: (l) => lines.push(l) });
    expect(lines).toContain('demo: 2/2 ParetoPO RL, 2 steps (resuming)');
    expect(done.table).toContain('after ParetoPO');
  });
});
