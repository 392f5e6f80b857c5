import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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

describe('demo', () => {
  it('the table has the warm start and the trained policy with accuracy, calls, productivity and HV', () => {
    const t = demoTable(row(0.8, 1, 0.485), row(0.78, 0.98, 0.479)).split('\n');
    expect(t[0]).toMatch(/^\| policy +\| accuracy \| tool calls \| productivity \| +HV \|$/);
    expect(t[2]).toMatch(/^\| warm start \(SFT\) +\| +0\.800 \| +1\.00 \| +0\.800 \| 0\.485 \|$/);
    expect(t[3]).toMatch(/^\| after ParetoPO +\| +0\.780 \| +0\.98 \| +0\.780 \| 0\.479 \|$/);
  });

  it('runs SFT, then ParetoPO, writes the report, and reuses the warm start the second time', async () => {
    const out = mkdtempSync(join(tmpdir(), 'paretopo-demo-'));
    const task = { seed: 2, trainCount: 16, testCount: 3 };
    const overrides = {
      out,
      sft: { model: { layers: 1, dModel: 16, heads: 2, context: 128 }, task, steps: 2, batchSize: 2, backend: 'js' },
      train: { task, steps: 2, promptsPerStep: 2, groupSize: 2, backend: 'js' },
    };
    const lines: string[] = [];
    const first = await runDemo(overrides, { progress: false, log: (l) => lines.push(l) });
    expect(first?.report).toBe(join(out, 'report.html'));
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(first?.table).toContain('after ParetoPO');
    const again: string[] = [];
    await runDemo(overrides, { progress: false, log: (l) => again.push(l) });
    expect(again.some((l) => l.startsWith('demo: reusing the warm start'))).toBe(true);
  });
});
