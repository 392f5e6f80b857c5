import { expectClose } from '@paretopo/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MethodName } from '../methods';
import type { EvalRow, RunRecord } from '../run/types';
import { aggregateResults, resultsJson, strongestBaseline } from './results';
import { renderResultsMarkdown } from './results-markdown';
import { sampleStd, welchTTest } from './stats';

function finalRow(accuracy: number, meanCalls: number): EvalRow {
  const toolEfficiency = Math.exp(-0.5 * meanCalls);
  return { step: 10, accuracy, meanCalls, toolProductivity: accuracy / Math.max(1, meanCalls), toolEfficiency, hv: accuracy * toolEfficiency, n: 50, time: 't' };
}

/** A finished run whose summary.final is (accuracy, meanCalls); the rows are not needed by the table. */
function run(method: MethodName, seed: number, accuracy: number, meanCalls: number, env: 'arith' | 'kb' = 'arith'): RunRecord {
  const final = finalRow(accuracy, meanCalls);
  return {
    dir: `runs/${method}-s${seed}`,
    config: { command: 'train', env, method, seed, steps: 10 },
    steps: [],
    evals: [finalRow(0.3, 2), final],
    summary: { env, method, seed, steps: 10, switchStep: null, initial: finalRow(0.3, 2), final, seconds: 1 },
  };
}

// paretopo ahead of every claim baseline; grpo-acc is accurate but calls a lot (lower HV than grpo-ws).
const runs: RunRecord[] = [
  run('paretopo', 0, 0.8, 0.9),
  run('paretopo', 1, 0.78, 1.0),
  run('paretopo', 2, 0.79, 0.95),
  run('grpo-acc', 0, 0.82, 3.0),
  run('grpo-acc', 1, 0.8, 3.2),
  run('grpo-acc', 2, 0.81, 2.8),
  run('grpo-ws', 0, 0.7, 1.0),
  run('grpo-ws', 1, 0.66, 1.2),
  run('grpo-ws', 2, 0.68, 1.1),
  run('otc-grpo', 0, 0.6, 1.2),
  run('otc-grpo', 1, 0.64, 1.1),
  run('otc-grpo', 2, 0.62, 1.3),
];

const provenance = { command: 'paretopo compare --env arith', commit: 'abc1234', machine: '2-core x86, js backend', date: '2026-05-01' };

describe('aggregateResults', () => {
  const results = aggregateResults(runs);

  it('gives one row per method in METHOD_NAMES order with mean ± sample std over seeds', () => {
    expect(results.env).toBe('arith');
    expect(results.methods.map((m) => m.method)).toEqual(['grpo-acc', 'grpo-ws', 'otc-grpo', 'paretopo']);
    const ws = results.methods[1];
    expect(ws.seeds).toEqual([0, 1, 2]);
    expect(ws.n).toBe(3);
    expectClose(ws.accuracy.mean, 0.68, { rel: 1e-12 });
    expectClose(ws.accuracy.std, sampleStd([0.7, 0.66, 0.68]), { rel: 1e-12 });
    expectClose(ws.meanCalls.mean, 1.1, { rel: 1e-12 });
    expectClose(ws.hv.mean, (0.7 * Math.exp(-0.5) + 0.66 * Math.exp(-0.6) + 0.68 * Math.exp(-0.55)) / 3, { rel: 1e-12 });
    expect(Object.keys(ws)).toEqual(['method', 'seeds', 'n', 'accuracy', 'meanCalls', 'toolProductivity', 'toolEfficiency', 'hv']);
  });

  it('tests paretopo against the non-ParetoPO method with the largest mean HV', () => {
    expect(strongestBaseline(results.methods)).toBe('grpo-ws');
    const cmp = results.comparison!;
    expect(cmp.baseline).toBe('grpo-ws');
    expect(cmp.tests.map((t) => t.metric)).toEqual(['accuracy', 'meanCalls', 'hv']);
    const want = welchTTest([0.8, 0.78, 0.79], [0.7, 0.66, 0.68])!;
    expect(cmp.tests[0]).toMatchObject({ t: want.t, df: want.df, p: want.p, significant: want.p < 0.05 });
    expect(cmp.tests[0].significant).toBe(true);
    expectClose(cmp.tests[1].methodMean, 0.95, { rel: 1e-12 });
  });

  it('never picks a ParetoPO ablation as the baseline', () => {
    const more = [...runs, run('paretopo-s1', 0, 0.9, 0.1), run('paretopo-s1', 1, 0.9, 0.1)];
    expect(aggregateResults(more).comparison!.baseline).toBe('grpo-ws');
  });

  it('checks the claim per baseline, naming the ones not run', () => {
    expect(results.claim).toEqual({
      baselines: [
        { baseline: 'grpo-ws', higherAccuracy: true, fewerCalls: true, holds: true },
        { baseline: 'otc-grpo', higherAccuracy: true, fewerCalls: true, holds: true },
      ],
      missing: ['mo-grpo'],
      largestHv: true,
      holds: true,
    });
  });

  it('reports a failed claim when a baseline calls fewer tools or has the larger HV', () => {
    const cheap = runs.map((r) => (r.config.method === 'otc-grpo' ? run('otc-grpo', r.config.seed, 0.6, 0.2) : r));
    const claim = aggregateResults(cheap).claim!;
    expect(claim.baselines[1]).toEqual({ baseline: 'otc-grpo', higherAccuracy: true, fewerCalls: false, holds: false });
    expect(claim.largestHv).toBe(false);
    expect(claim.holds).toBe(false);
  });

  it('does not claim the largest HV on a tie', () => {
    const tie = aggregateResults([run('paretopo', 0, 0.5, 1), run('grpo-ws', 0, 0.5, 1)]);
    expect(tie.claim!.largestHv).toBe(false);
    expect(tie.comparison!.tests[0]).toMatchObject({ t: null, df: null, p: null, significant: false });
  });

  it('honours baselineOf as a name or a function', () => {
    expect(aggregateResults(runs, { baselineOf: 'otc-grpo' }).comparison!.baseline).toBe('otc-grpo');
    expect(aggregateResults(runs, { baselineOf: () => 'grpo-acc' }).comparison!.baseline).toBe('grpo-acc');
    expect(() => aggregateResults(runs, { baselineOf: 'gdpo' })).toThrow(
      'aggregateResults: options.baselineOf must name a method other than paretopo with finished runs (got gdpo; have grpo-acc, grpo-ws, otc-grpo, paretopo)',
    );
  });

  it('leaves unfinished runs out and lists them', () => {
    const open = { ...run('grpo-ws', 3, 0.1, 9), summary: null };
    const r = aggregateResults([...runs, open]);
    expect(r.unfinished).toEqual(['runs/grpo-ws-s3']);
    expect(r.methods[1].n).toBe(3);
  });

  it('has no comparison and no claim without paretopo', () => {
    const r = aggregateResults(runs.filter((x) => x.config.method !== 'paretopo'));
    expect(r.comparison).toBeNull();
    expect(r.claim).toBeNull();
    expect(aggregateResults([])).toEqual({ env: null, methods: [], comparison: null, claim: null, unfinished: [] });
  });

  it('rejects mixed environments, duplicate seeds and a bad alpha', () => {
    expect(() => aggregateResults([run('grpo-ws', 0, 0.5, 1), run('paretopo', 0, 0.5, 1, 'kb')])).toThrow('aggregateResults: runs must share one env (got arith, kb)');
    expect(() => aggregateResults([run('grpo-ws', 0, 0.5, 1), run('grpo-ws', 0, 0.6, 1)])).toThrow(
      'aggregateResults: runs must hold each method and seed once (got grpo-ws/0 in runs/grpo-ws-s0 and runs/grpo-ws-s0)',
    );
    expect(() => aggregateResults(runs, { alpha: 1.5 })).toThrow('aggregateResults: options.alpha must be in (0, 1) (got 1.5)');
  });

  it('does not depend on the order of the runs', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(runs, { minLength: runs.length, maxLength: runs.length }), (shuffled) => {
        expect(aggregateResults(shuffled)).toEqual(results);
      }),
      { numRuns: 30 },
    );
  });
});

describe('resultsJson', () => {
  it('round-trips through JSON, writing an infinite t as a string', () => {
    const r = aggregateResults([run('paretopo', 0, 0.8, 1), run('paretopo', 1, 0.8, 1), run('grpo-ws', 0, 0.6, 1), run('grpo-ws', 1, 0.6, 1)]);
    expect(r.comparison!.tests[0]).toMatchObject({ t: Infinity, p: 0, significant: true });
    const back = JSON.parse(resultsJson(r));
    expect(back.comparison.tests[0].t).toBe('Infinity');
    expect(back.methods).toEqual(JSON.parse(JSON.stringify(r.methods)));
  });
});

describe('renderResultsMarkdown', () => {
  const md = renderResultsMarkdown(aggregateResults(runs), provenance);
  const lines = md.split('\n');

  it('prints provenance and the paper-style table', () => {
    expect(lines.slice(0, 6)).toEqual([
      '# ParetoPO results: arith',
      '',
      '- command: `paretopo compare --env arith`',
      '- commit: `abc1234`',
      '- machine: 2-core x86, js backend',
      '- date: 2026-05-01',
    ]);
    expect(md).toContain('| method | accuracy | #tool calls | tool productivity | HV | seeds |\n|---|---:|---:|---:|---:|---:|\n');
    expect(md).toContain('| grpo-ws | 0.680 ± 0.020 | 1.10 ± 0.10 | 0.623 ± 0.075 |');
    // calls: 0.95 ± 0.05 vs 1.10 ± 0.10 over 3 seeds is not significant, so that cell has no star.
    expect(lines).toContain('| **paretopo** | 0.790 ± 0.010 * | 0.95 ± 0.05 | 0.790 ± 0.010 | 0.491 ± 0.019 * | 3 |');
  });

  it('prints the t-tests with * on p < 0.05', () => {
    expect(md).toContain('## paretopo vs the strongest baseline: grpo-ws');
    const acc = lines.find((l) => l.startsWith('- accuracy: paretopo 0.790 vs grpo-ws 0.680, t = '))!;
    expect(acc).toMatch(/, df = \d+\.\d, p (= 0\.0\d+|< 0\.001) \*$/);
  });

  it('states the claim per baseline in plain words', () => {
    expect(md).toContain('- vs grpo-ws: holds (accuracy 0.790 > 0.680, calls 0.95 < 1.10)');
    expect(md).toContain('- vs mo-grpo: not run');
    expect(md).toMatch(/- largest mean HV of all methods: holds \(paretopo 0\.\d{3}; best other: grpo-ws 0\.\d{3}\)/);
    expect(md).toContain('Overall: the claim holds on arith (against the baselines that were run)');
  });

  it('says when the claim does not hold', () => {
    const cheap = runs.map((r) => (r.config.method === 'otc-grpo' ? run('otc-grpo', r.config.seed, 0.6, 0.2) : r));
    const text = renderResultsMarkdown(aggregateResults(cheap), { ...provenance, env: 'arith (small)' });
    expect(text).toContain('- vs otc-grpo: does not hold (accuracy 0.790 > 0.600, calls 0.95 ≥ 0.20)');
    expect(text).toContain('Overall: the claim does not hold on arith (small)');
  });

  it('keeps odd provenance from breaking the Markdown', () => {
    const text = renderResultsMarkdown(aggregateResults(runs), { ...provenance, command: 'echo `x`\nrm', machine: 'a\nb' });
    expect(text).toContain('- command: `` echo `x` rm ``');
    expect(text).toContain('- machine: a b');
  });

  it('handles no runs and rejects missing provenance', () => {
    expect(renderResultsMarkdown(aggregateResults([]), provenance)).toContain('No finished runs (no summary.json) to report.');
    expect(() => renderResultsMarkdown(aggregateResults(runs), { ...provenance, date: undefined as never })).toThrow(
      'renderResultsMarkdown: provenance.date must be a string (got undefined)',
    );
  });
});
