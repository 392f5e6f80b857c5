import type { MethodName } from '../methods';
import type { EvalRow, RunRecord, RunSummary } from '../run/types';
import { isParetoPO } from '../methods';
import { methodOrder } from './records';
import { mean, sampleStd, welchTTest } from './stats';

/**
 * The per-method metrics aggregated over seeds (fields of the final EvalRow).
 *
 * @example
 * RESULT_METRICS.includes('hv'); // true
 */
export const RESULT_METRICS = ['accuracy', 'meanCalls', 'toolProductivity', 'toolEfficiency', 'hv'] as const;

/** One of {@link RESULT_METRICS}. */
export type ResultMetric = (typeof RESULT_METRICS)[number];

/**
 * The metrics on which ParetoPO is tested against the strongest baseline.
 *
 * @example
 * TESTED_METRICS; // ['accuracy', 'meanCalls', 'hv']
 */
export const TESTED_METRICS = ['accuracy', 'meanCalls', 'hv'] as const;

/**
 * The static-weight and heuristic baselines of the paper's headline claim.
 *
 * @example
 * CLAIM_BASELINES; // ['grpo-ws', 'otc-grpo', 'mo-grpo']
 */
export const CLAIM_BASELINES: readonly MethodName[] = ['grpo-ws', 'otc-grpo', 'mo-grpo'];

/** Mean and sample standard deviation (n − 1; 0 for one seed) over seeds. */
export interface MeanStd {
  mean: number;
  std: number;
}

/** One row of the table: a method's final evaluation over its seeds. */
export type MethodResults = { method: MethodName; seeds: number[]; n: number } & Record<ResultMetric, MeanStd>;

/** Welch's t-test of ParetoPO against the baseline on one metric. */
export interface MetricTest {
  metric: (typeof TESTED_METRICS)[number];
  /** Mean of the tested method (paretopo). */
  methodMean: number;
  baselineMean: number;
  /** Welch's t (±Infinity when both are constant and differ; see welchTTest), null when a side has < 2 seeds. */
  t: number | null;
  df: number | null;
  /** Two-sided p, null when a side has < 2 seeds. */
  p: number | null;
  /** p < alpha. */
  significant: boolean;
}

/** ParetoPO against the strongest baseline. */
export interface Comparison {
  method: 'paretopo';
  baseline: MethodName;
  alpha: number;
  tests: MetricTest[];
}

/** The headline claim against one baseline: higher mean accuracy and fewer mean calls. */
export interface ClaimVsBaseline {
  baseline: MethodName;
  higherAccuracy: boolean;
  fewerCalls: boolean;
  holds: boolean;
}

/** The paper's headline claim, checked on the means. */
export interface ClaimCheck {
  /** One entry per baseline of {@link CLAIM_BASELINES} that was run. */
  baselines: ClaimVsBaseline[];
  /** Baselines of the claim that were not run. */
  missing: MethodName[];
  /** paretopo's mean HV is strictly larger than every other method's. */
  largestHv: boolean;
  /** Every baseline entry holds, at least one was run, and largestHv. */
  holds: boolean;
}

/** What {@link aggregateResults} returns: plain data (see {@link resultsJson} for writing it). */
export interface Results {
  /** The runs' environment (null when there are no finished runs). */
  env: string | null;
  /** One row per method with at least one finished run, in METHOD_NAMES order. */
  methods: MethodResults[];
  /** null when paretopo or every baseline is absent. */
  comparison: Comparison | null;
  /** null when paretopo is absent. */
  claim: ClaimCheck | null;
  /** Folders of runs without summary.json (left out of every number). */
  unfinished: string[];
}

/** Options of {@link aggregateResults}. */
export interface AggregateOptions {
  /**
   * The baseline paretopo is tested against: a method name, or a function choosing one from the
   * rows [{@link strongestBaseline}: the non-ParetoPO method with the largest mean HV].
   */
  baselineOf?: MethodName | ((methods: readonly MethodResults[]) => MethodName | null);
  /** Significance level of the t-tests [0.05]. */
  alpha?: number;
}

/**
 * The strongest baseline: the non-ParetoPO method with the largest mean final HV (the first in
 * METHOD_NAMES order on a tie).
 *
 * @param methods - rows of {@link aggregateResults}
 * @returns the method's name, or null when only ParetoPO variants were run
 * @example
 * strongestBaseline(results.methods); // 'grpo-ws'
 */
export function strongestBaseline(methods: readonly MethodResults[]): MethodName | null {
  let best: MethodResults | null = null;
  for (const m of methods) {
    if (isParetoPO(m.method)) continue;
    if (best === null || m.hv.mean > best.hv.mean) best = m;
  }
  return best?.method ?? null;
}

/**
 * The evaluation a finished run is judged by: its test-pool row, or (a run with `eval.test` false,
 * or one written before pools existed) its last validation row.
 *
 * @param summary - a run's summary
 * @returns the row
 * @example
 * judgedEval(run.summary!).pool; // 'test'
 */
export function judgedEval(summary: RunSummary): EvalRow {
  return summary.test ?? summary.final;
}

function rowOf(method: MethodName, runs: readonly RunRecord[]): MethodResults {
  const finals = runs.map((r) => judgedEval(r.summary!));
  const stat = (k: ResultMetric): MeanStd => {
    const xs = finals.map((f) => f[k]);
    return { mean: mean(xs), std: sampleStd(xs) };
  };
  const row = { method, seeds: runs.map((r) => r.config.seed), n: runs.length } as MethodResults;
  for (const k of RESULT_METRICS) row[k] = stat(k);
  return row;
}

function compare(byMethod: Map<MethodName, RunRecord[]>, baseline: MethodName, alpha: number): Comparison {
  const finals = (m: MethodName) => byMethod.get(m)!.map((r) => judgedEval(r.summary!));
  const ours = finals('paretopo');
  const theirs = finals(baseline);
  const tests = TESTED_METRICS.map((metric): MetricTest => {
    const a = ours.map((f) => f[metric]);
    const b = theirs.map((f) => f[metric]);
    const test = welchTTest(a, b);
    return {
      metric,
      methodMean: mean(a),
      baselineMean: mean(b),
      t: test?.t ?? null,
      df: test?.df ?? null,
      p: test?.p ?? null,
      significant: test !== null && test.p < alpha,
    };
  });
  return { method: 'paretopo', baseline, alpha, tests };
}

function checkClaim(methods: readonly MethodResults[]): ClaimCheck {
  const ours = methods.find((m) => m.method === 'paretopo')!;
  const baselines: ClaimVsBaseline[] = [];
  const missing: MethodName[] = [];
  for (const name of CLAIM_BASELINES) {
    const row = methods.find((m) => m.method === name);
    if (!row) {
      missing.push(name);
      continue;
    }
    const higherAccuracy = ours.accuracy.mean > row.accuracy.mean;
    const fewerCalls = ours.meanCalls.mean < row.meanCalls.mean;
    baselines.push({ baseline: name, higherAccuracy, fewerCalls, holds: higherAccuracy && fewerCalls });
  }
  const largestHv = methods.every((m) => m === ours || ours.hv.mean > m.hv.mean);
  return { baselines, missing, largestHv, holds: baselines.length > 0 && baselines.every((b) => b.holds) && largestHv };
}

/**
 * Aggregates the final evaluations of finished runs into the paper's table (METHOD.md §7):
 * per method, mean ± sample std over seeds; then paretopo against the strongest baseline
 * (Welch's t-test on accuracy, mean calls and HV) and the headline claim checked on the means.
 * Runs without a summary are listed in `unfinished` and left out.
 *
 * @param runs - run records of one environment (any order)
 * @param options - baseline choice and significance level
 * @returns plain data for {@link renderResultsMarkdown} and {@link resultsJson}
 * @throws RangeError when the runs mix environments or hold one method and seed twice
 * @example
 * const r = aggregateResults(await readCompareFolder('runs/compare-arith'));
 * r.comparison?.baseline; // 'grpo-ws'
 */
export function aggregateResults(runs: readonly RunRecord[], options: AggregateOptions = {}): Results {
  const fn = 'aggregateResults';
  if (!Array.isArray(runs)) throw new TypeError(`${fn}: runs must be an array of run records (got ${String(runs)})`);
  const alpha = options.alpha ?? 0.05;
  if (typeof alpha !== 'number' || !(alpha > 0 && alpha < 1)) throw new RangeError(`${fn}: options.alpha must be in (0, 1) (got ${String(alpha)})`);
  const finished = runs.filter((r) => r.summary !== null);
  const envs = [...new Set(finished.map((r) => r.config.env))];
  if (envs.length > 1) throw new RangeError(`${fn}: runs must share one env (got ${envs.join(', ')})`);
  const byMethod = new Map<MethodName, RunRecord[]>();
  const seen = new Map<string, string>();
  for (const r of finished) {
    const key = `${r.config.method}/${r.config.seed}`;
    const other = seen.get(key);
    if (other !== undefined) throw new RangeError(`${fn}: runs must hold each method and seed once (got ${key} in ${other} and ${r.dir})`);
    seen.set(key, r.dir);
    const list = byMethod.get(r.config.method) ?? [];
    list.push(r);
    byMethod.set(r.config.method, list);
  }
  const names = [...byMethod.keys()].sort((a, b) => methodOrder(a) - methodOrder(b));
  const methods = names.map((m) => rowOf(m, byMethod.get(m)!.sort((a, b) => a.config.seed - b.config.seed)));
  const hasOurs = byMethod.has('paretopo');
  let comparison: Comparison | null = null;
  if (hasOurs) {
    const choice = options.baselineOf ?? strongestBaseline;
    const baseline = typeof choice === 'function' ? choice(methods) : choice;
    if (baseline !== null && (baseline === 'paretopo' || !byMethod.has(baseline))) {
      throw new RangeError(`${fn}: options.baselineOf must name a method other than paretopo with finished runs (got ${String(baseline)}; have ${names.join(', ')})`);
    }
    if (baseline !== null) comparison = compare(byMethod, baseline, alpha);
  }
  return {
    env: envs[0] ?? null,
    methods,
    comparison,
    claim: hasOurs ? checkClaim(methods) : null,
    unfinished: runs.filter((r) => r.summary === null).map((r) => r.dir),
  };
}

/**
 * Serialises {@link Results} as pretty JSON; ±Infinity (a t statistic of two constant samples)
 * is written as the strings "Infinity" / "-Infinity" instead of JSON.stringify's silent null.
 *
 * @param results - from {@link aggregateResults}
 * @returns the JSON text, ending in a newline
 * @example
 * await writeFile('results.json', resultsJson(aggregateResults(runs)));
 */
export function resultsJson(results: Results): string {
  return JSON.stringify(results, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2) + '\n';
}
