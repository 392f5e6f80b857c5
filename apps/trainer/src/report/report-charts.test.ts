import { fromRows, isNondominated } from '@paretopo/pareto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MethodName } from '../methods';
import type { RunRecord } from '../run/types';
import { buildReportCharts, finalEvalOf, methodColor, paletteColor, switchStepOf, type ChartSpec } from './report-charts';
import { syntheticCompare, syntheticRun } from './test-fixtures';

const runs = syntheticCompare(['grpo-ws', 'paretopo'], 2);
const charts = buildReportCharts(runs);
const byId = (id: string): ChartSpec => charts.find((c) => c.id === id)!;

describe('buildReportCharts', () => {
  it('gives the five charts in order', () => {
    expect(charts.map((c) => c.id)).toEqual(['hv', 'accuracy', 'calls', 'train-hv', 'front']);
  });

  it('plots the mean over seeds of each eval metric at each eval step', () => {
    const acc = byId('accuracy').datasets.find((d) => d.label === 'paretopo')!;
    const [s0, s1] = runs.filter((r) => r.config.method === 'paretopo');
    expect(acc.points.map((p) => p.x)).toEqual([0, 10, 20, 30, 40]);
    acc.points.forEach((p, i) => expect(p.y).toBeCloseTo((s0.evals[i].accuracy + s1.evals[i].accuracy) / 2, 14));
    expect(byId('calls').datasets[0]).toMatchObject({ label: 'grpo-ws', role: 'series', color: methodColor('grpo-ws') });
  });

  it('averages only the seeds that have a step', () => {
    const short = syntheticRun({ method: 'rloo', seed: 0, accuracy: 0.5, calls: 1, steps: 20 });
    const long = syntheticRun({ method: 'rloo', seed: 1, accuracy: 0.5, calls: 1, steps: 40 });
    const hv = buildReportCharts([short, long])[0].datasets[0];
    expect(hv.points.map((p) => p.x)).toEqual([0, 10, 20, 30, 40]);
    expect(hv.points[4].y).toBe(long.evals[4].hv);
  });

  it('marks the paretopo stage switch on every step chart', () => {
    for (const id of ['hv', 'accuracy', 'calls', 'train-hv']) {
      const markers = byId(id).datasets.filter((d) => d.role === 'marker');
      expect(markers.map((m) => m.label)).toEqual(['paretopo: stage 2 from step 20']);
      expect(markers[0].points.map((p) => p.x)).toEqual([20, 20]);
      expect(markers[0].points[0].y).toBeLessThan(markers[0].points[1].y);
    }
  });

  it('smooths the training HV per run before averaging', () => {
    const train = byId('train-hv').datasets.find((d) => d.label === 'grpo-ws')!;
    expect(train.points).toHaveLength(40);
    const [a, b] = runs.filter((r) => r.config.method === 'grpo-ws').map((r) => r.steps[0].hv);
    expect(train.points[0].y).toBeCloseTo((a + b) / 2, 14);
  });

  it('scatters every run and draws each method’s Pareto front, sorted by calls', () => {
    const front = byId('front');
    expect(front.datasets.map((d) => `${d.label}:${d.role}:${d.points.length}`).slice(0, 2)).toEqual(['grpo-ws:runs:2', expect.stringMatching(/^grpo-ws front:front:[12]$/)]);
    const pts = front.datasets[0].points;
    expect(pts).toEqual(runs.filter((r) => r.config.method === 'grpo-ws').map((r) => ({ x: r.summary!.final.meanCalls, y: r.summary!.final.accuracy })));
  });

  it('draws fronts that are exactly the nondominated final points (fewer calls, more accuracy)', () => {
    const pointArb = fc.record({ accuracy: fc.integer({ min: 0, max: 10 }), calls: fc.integer({ min: 0, max: 10 }) });
    fc.assert(
      fc.property(fc.array(pointArb, { minLength: 1, maxLength: 8 }), (finals) => {
        const rs: RunRecord[] = finals.map((f, seed) => {
          const r = syntheticRun({ method: 'gdpo' as MethodName, seed, accuracy: 0.5, calls: 1 });
          const final = { ...r.summary!.final, accuracy: f.accuracy / 10, meanCalls: f.calls };
          return { ...r, summary: { ...r.summary!, final } };
        });
        const [, front] = buildReportCharts(rs)[4].datasets;
        const pts = finals.map((f) => [f.calls, f.accuracy / 10]);
        const mask = isNondominated(fromRows(pts), { maximize: [false, true] });
        const want = new Set(pts.filter((_, i) => mask[i]).map((p) => `${p[0]},${p[1]}`));
        expect(new Set(front.points.map((p) => `${p.x},${p.y}`))).toEqual(want);
        expect(front.points).toHaveLength(want.size);
        for (let i = 1; i < front.points.length; i++) {
          expect(front.points[i].x).toBeGreaterThan(front.points[i - 1].x);
          expect(front.points[i].y).toBeGreaterThan(front.points[i - 1].y);
        }
      }),
    );
  });
});

describe('switchStepOf and finalEvalOf', () => {
  it('read the summary, or the rows of a run still going', () => {
    const done = syntheticRun({ method: 'paretopo', seed: 0, accuracy: 0.8, calls: 1, switchStep: 20 });
    const open = { ...done, summary: null };
    expect(switchStepOf(done)).toBe(20);
    expect(switchStepOf(open)).toBe(20);
    expect(switchStepOf({ ...open, steps: open.steps.slice(0, 10) })).toBeNull();
    expect(finalEvalOf(done)).toBe(done.summary!.final);
    expect(finalEvalOf(open)).toBe(open.evals[4]);
    expect(finalEvalOf({ ...open, evals: [] })).toBeNull();
  });
});

describe('paletteColor', () => {
  it("gives a study's arms 20 distinct colours (a 12-arm study repeated two before), then wraps", () => {
    const first = Array.from({ length: 20 }, (_, i) => paletteColor(i));
    expect(new Set(first).size).toBe(20);
    expect(first[0]).toBe('#4e79a7');
    expect(paletteColor(20)).toBe(first[0]);
    expect(paletteColor(31)).toBe(first[11]);
  });
});

