import type { EvalRow, RunRecord } from '../run/types';
import type { StudyRun } from './analysis';
import { finalRuns, runNameOf, studySpecSchema, tuningRuns, type StudyPhase, type StudySpec } from './spec';

// Synthetic studies for the analysis, render and browser tests: three arms (a = grpo-acc,
// b = grpo-ws, p = paretopo, the primary), lr grid 0.0005 / 0.001 / 0.002, tuning seeds 1 and 2.

/**
 * The synthetic study's spec with the given final seeds.
 *
 * @param finalSeeds - final seeds
 * @returns the spec (2,000 bootstrap resamples)
 * @example
 * spec([11, 12]).primary; // 'p'
 */
export const spec = (finalSeeds: number[]): StudySpec =>
  studySpecSchema.parse({
    env: 'arith',
    arms: { a: { method: 'grpo-acc' }, b: { method: 'grpo-ws' }, p: { method: 'paretopo' } },
    primary: 'p',
    claimBaselines: ['a', 'b'],
    lrGrid: [0.001, 0.0005, 0.002],
    tuningSeeds: [1, 2],
    finalSeeds,
    statistics: { resamples: 2000 },
  });

/**
 * An evaluation row with oracle figures: two strata (0 and 1 oracle calls), 10 questions each;
 * by default calls split 1 : 3 between them and every stratum at the overall accuracy, or as
 * given by `strata` ([oracle calls, mean calls, accuracy] each).
 *
 * @example
 * row(0.8, 1).oracle?.strata.length; // 2
 */
export function row(accuracy: number, meanCalls: number, oracleHv = accuracy * 0.9, strata?: readonly [number, number, number][]): EvalRow {
  const cells = strata ?? [
    [0, meanCalls / 2, accuracy],
    [1, (3 * meanCalls) / 2, accuracy],
  ];
  return {
    step: 4,
    accuracy,
    meanCalls,
    toolProductivity: accuracy / Math.max(1, meanCalls),
    toolEfficiency: Math.exp(-0.5 * meanCalls),
    hv: accuracy * Math.exp(-0.5 * meanCalls),
    n: 20,
    oracle: {
      meanOracleCalls: 0.5,
      excessCalls: Math.max(0, meanCalls - 0.5),
      missingCalls: Math.max(0, 0.5 - meanCalls),
      efficiency: 0.9,
      hv: oracleHv,
      strata: cells.map(([k, calls, acc]) => ({ oracleCalls: k, n: 10, accuracy: acc, meanCalls: calls, excessCalls: Math.max(0, calls - k), missingCalls: Math.max(0, k - calls) })),
    },
    time: 't',
  };
}

/**
 * A finished run record whose validation and test rows are given.
 *
 * @example
 * record('grpo-acc', 11, row(0.5, 1), row(0.6, 1)).summary?.test?.accuracy; // 0.6
 */
export function record(method: string, seed: number, validation: EvalRow, test: EvalRow | null): RunRecord {
  const config = { command: 'train' as const, env: 'arith' as const, method: method as never, seed, steps: 4 };
  return { dir: 'x', config, steps: [], evals: [validation], summary: { env: 'arith', method: method as never, seed, steps: 4, switchStep: null, initial: validation, final: validation, test, seconds: 1 } };
}

/**
 * A tuning run whose last validation oracle HV is `hv` (null: not run).
 *
 * @example
 * tuneRun('a', 0.001, 1, 0.4).record?.summary?.final.oracle?.hv; // 0.4
 */
export const tuneRun = (arm: string, lr: number, seed: number, hv: number | null): StudyRun => ({
  phase: 'tune' as StudyPhase,
  arm,
  lr,
  seed,
  name: runNameOf('tune', arm, lr, seed),
  record: hv === null ? null : record(arm, seed, row(0.5, 1, hv), null),
});

/**
 * Final runs in which the primary is better than both baselines by `margin(seed)` on every seed.
 *
 * @example
 * finals([11, 12], () => 0.05).length; // 6
 */
export function finals(seeds: number[], margin: (seed: number) => number, missing?: string): StudyRun[] {
  const s = spec(seeds);
  const chosen = new Map([['a', 0.001], ['b', 0.001], ['p', 0.001]]);
  return finalRuns(s, chosen).map((r) => {
    const m = margin(r.seed);
    const acc = r.arm === 'p' ? 0.8 : 0.8 - m - (r.arm === 'b' ? 0.01 : 0);
    const calls = r.arm === 'p' ? 1 : 1 + 2 * m;
    const test = row(acc + r.seed / 1000, calls);
    return { ...r, record: `${r.arm}-s${r.seed}` === missing ? null : record(r.arm, r.seed, row(0.5, 1), test) };
  });
}

/**
 * Every tuning run finished, lr 0.001 best for every arm.
 *
 * @example
 * tuneAll([11]).length; // 18
 */
export const tuneAll = (seeds: number[]) => tuningRuns(spec(seeds)).map((r) => tuneRun(r.arm, r.lr, r.seed, r.lr === 0.001 ? 0.9 : 0.1));

