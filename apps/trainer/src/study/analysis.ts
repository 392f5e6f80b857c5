import { holmAdjust, mean, pairedBootstrapCi, signFlipTest, type MeanCi } from '../report/stats';
import type { EvalRow, RunRecord, StepRow, StratumFigures } from '../run/types';
import { STUDY_METRICS, type PlannedRun, type StudyMetric, type StudySpec } from './spec';

/** A planned run with what its log holds (null: not run, or not finished). */
export interface StudyRun extends PlannedRun {
  record: RunRecord | null;
}

/** One learning rate of one arm's validation sweep. */
export interface SweepPoint {
  lr: number;
  /** Tuning seeds with a finished run. */
  seeds: number[];
  /** Validation `oracle.hv` at the last step, per seed in `seeds`. */
  values: number[];
  /** Their mean; null when a tuning seed is missing (the lr cannot be judged yet). */
  mean: number | null;
}

/** One arm's validation sweep and the lr the selection rule picks. */
export interface ArmSweep {
  arm: string;
  method: string;
  points: SweepPoint[];
  /** null until every tuning run of the arm has finished. */
  chosenLr: number | null;
}

/** One arm's test-pool figures over its final seeds. */
export interface ArmResults {
  arm: string;
  method: string;
  lr: number | null;
  /** Final seeds with a finished run. */
  seeds: number[];
  /** Mean and bootstrap CI over seeds; null without finished runs. */
  metrics: Record<StudyMetric, MeanCi | null>;
  /** Mean oracle calls of the test questions. */
  meanOracleCalls: number | null;
  /** Per oracle-call stratum, the test figures' means over final seeds (n: questions in the stratum). */
  strata: StratumFigures[];
  /** What the final runs sampled while training (null without logged steps). */
  training: TrainingFigures | null;
}

/** A training metric's mean over the first and the last tenth of the steps (mean over final seeds). */
export interface FirstLast {
  first: number;
  last: number;
}

/**
 * What an arm's final runs sampled during training (temperature 1, the RL prompts): accuracy,
 * calls, entropy and how often a prompt group held a call-count contrast. Each is null when the
 * logs lack it (rows of older runs have no call-spread fields; an engine logs no entropy).
 */
export interface TrainingFigures {
  /** Steps in each window (a tenth of the steps, at least 1). */
  window: number;
  accuracy: FirstLast;
  meanCalls: FirstLast;
  entropy: FirstLast | null;
  callsVaryingGroups: FirstLast | null;
  correctCallsVaryingGroups: FirstLast | null;
}

type TrainingField = 'accuracy' | 'meanCalls' | 'entropy' | 'callsVaryingGroups' | 'correctCallsVaryingGroups';

/**
 * First- and last-tenth means of the training metrics over runs, each run weighted alike.
 *
 * @param runs - the runs' metrics rows, in step order
 * @returns the figures, or null when no run logged a step
 * @example
 * trainingFigures([rows]).meanCalls; // { first: 2.1, last: 2.3 }
 */
export function trainingFigures(runs: readonly (readonly StepRow[])[]): TrainingFigures | null {
  const logged = runs.filter((r) => r.length > 0);
  if (logged.length === 0) return null;
  const window = Math.max(1, Math.floor(Math.min(...logged.map((r) => r.length)) / 10));
  const field = (name: TrainingField): FirstLast | null => {
    const perRun: FirstLast[] = [];
    for (const rows of logged) {
      const values = rows.map((row) => (row as unknown as Record<string, unknown>)[name]);
      if (!values.every((v): v is number => typeof v === 'number' && Number.isFinite(v))) return null;
      perRun.push({ first: mean(values.slice(0, window)), last: mean(values.slice(values.length - window)) });
    }
    return { first: mean(perRun.map((x) => x.first)), last: mean(perRun.map((x) => x.last)) };
  };
  return {
    window,
    accuracy: field('accuracy')!,
    meanCalls: field('meanCalls')!,
    entropy: field('entropy'),
    callsVaryingGroups: field('callsVaryingGroups'),
    correctCallsVaryingGroups: field('correctCallsVaryingGroups'),
  };
}

/** A paired difference (baseline − primary) on one metric. */
export interface PairedDifference {
  metric: StudyMetric;
  /** Per paired seed. */
  diffs: number[];
  mean: number;
  lo: number;
  hi: number;
  /** Two-sided sign-flip p. */
  p: number;
  /** Holm-adjusted across the claim baselines on this metric. */
  pHolm: number;
}

/** The paired comparison of one claim baseline with the primary arm. */
export interface BaselineComparison {
  baseline: string;
  /** Final seeds both arms finished. */
  seeds: number[];
  metrics: PairedDifference[];
}

/** One one-sided test of the claim. */
export interface ClaimTest {
  baseline: string;
  metric: StudyMetric;
  better: 'higher' | 'lower';
  /** Mean of baseline − primary. */
  mean: number;
  /** One-sided sign-flip p for "the primary is better". */
  p: number;
  /** Holm-adjusted across every test of the claim. */
  pHolm: number;
  significant: boolean;
}

/** The claim as the spec states it, checked. */
export interface ClaimResult {
  /** The claim in one sentence, as the spec states it. */
  statement: string;
  alpha: number;
  tests: ClaimTest[];
  /** true / false; null when final runs are missing (not checked). */
  holds: boolean | null;
  /** The verdict in one line. */
  verdict: string;
}

/** Everything `paretopo study` and `paretopo report` compute from a study's logs: plain JSON. */
export interface StudyResults {
  env: string;
  title: string | null;
  primary: string;
  claimBaselines: string[];
  selection: string;
  lrGrid: number[];
  tuningSeeds: number[];
  finalSeeds: number[];
  statistics: StudySpec['statistics'];
  /** The shared warm start's evaluations (SFT), when logged. */
  warmStart: { validation: EvalRow | null; test: EvalRow | null };
  sweep: ArmSweep[];
  arms: ArmResults[];
  comparisons: BaselineComparison[];
  claim: ClaimResult;
  /** The primary arm's configuration at its chosen lr (what the demo's DEMO_CHOICE copies). */
  primaryChoice: { arm: string; method: string; lr: number | null; config: Record<string, unknown> };
  /** Sum of the runs' training seconds, per phase. */
  runSeconds: { tune: number; final: number };
  /** Planned runs without a finished log, `<phase>/<name>`. */
  missing: string[];
}

/**
 * A study metric of an evaluation row.
 *
 * @param row - a test (or validation) evaluation
 * @param metric - one of STUDY_METRICS
 * @param where - the run, for the message
 * @returns the value
 * @throws RangeError when an oracle metric is asked of a row without oracle figures
 * @example
 * studyMetricOf(summary.test, 'oracleHv', 'final/paretopo-s11'); // 0.61
 */
export function studyMetricOf(row: EvalRow, metric: StudyMetric, where: string): number {
  switch (metric) {
    case 'accuracy':
    case 'meanCalls':
    case 'toolProductivity':
      return row[metric];
    default: {
      if (row.oracle === undefined) throw new RangeError(`studyMetricOf: ${where} has no oracle figures (its task's questions carry no oracleCalls)`);
      return metric === 'oracleHv' ? row.oracle.hv : row.oracle[metric];
    }
  }
}

/**
 * The validation sweep of every arm and the lr the spec's selection rule picks
 * (`max-mean-validation-oracle-hv`: the largest mean over tuning seeds of the validation
 * `oracle.hv` at the last step; a tie goes to the smaller lr). An arm with a missing tuning run
 * has no choice yet.
 *
 * @param spec - the study
 * @param tune - the tuning runs with their logs
 * @returns one sweep per arm, in the spec's arm order
 * @example
 * selectLearningRates(spec, runs)[0].chosenLr; // 0.0005
 */
export function selectLearningRates(spec: StudySpec, tune: readonly StudyRun[]): ArmSweep[] {
  return Object.entries(spec.arms).map(([arm, a]) => {
    const points = [...spec.lrGrid]
      .sort((x, y) => x - y)
      .map((lr): SweepPoint => {
        const seeds: number[] = [];
        const values: number[] = [];
        for (const seed of spec.tuningSeeds) {
          const run = tune.find((r) => r.arm === arm && r.lr === lr && r.seed === seed);
          if (run?.record?.summary) {
            seeds.push(seed);
            values.push(studyMetricOf(run.record.summary.final, 'oracleHv', `tune/${run.name}`));
          }
        }
        return { lr, seeds, values, mean: seeds.length === spec.tuningSeeds.length ? mean(values) : null };
      });
    let chosenLr: number | null = null;
    if (points.every((p) => p.mean !== null)) {
      // Ascending lr with a strict comparison: a tie keeps the smaller lr.
      let best = points[0];
      for (const p of points) if (p.mean! > best.mean!) best = p;
      chosenLr = best.lr;
    }
    return { arm, method: a.method, points, chosenLr };
  });
}

function armResults(spec: StudySpec, arm: string, lr: number | null, runs: readonly StudyRun[]): ArmResults {
  const done = spec.finalSeeds
    .map((seed) => runs.find((r) => r.arm === arm && r.seed === seed))
    .filter((r): r is StudyRun & { record: RunRecord } => r?.record?.summary?.test != null);
  const rows = done.map((r) => ({ row: r.record.summary!.test!, where: `final/${r.name}` }));
  const stats = spec.statistics;
  const metrics = {} as Record<StudyMetric, MeanCi | null>;
  for (const m of STUDY_METRICS) {
    metrics[m] = rows.length === 0 ? null : pairedBootstrapCi(rows.map((x) => studyMetricOf(x.row, m, x.where)), { resamples: stats.resamples, seed: stats.seed, level: stats.level });
  }
  const byStratum = new Map<number, StratumFigures[]>();
  for (const { row } of rows) {
    for (const s of row.oracle?.strata ?? []) byStratum.set(s.oracleCalls, [...(byStratum.get(s.oracleCalls) ?? []), s]);
  }
  const strata = [...byStratum.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([oracleCalls, list]) => ({
      oracleCalls,
      n: list[0].n,
      accuracy: mean(list.map((s) => s.accuracy)),
      meanCalls: mean(list.map((s) => s.meanCalls)),
      excessCalls: mean(list.map((s) => s.excessCalls)),
      missingCalls: mean(list.map((s) => s.missingCalls)),
    }));
  const oracleMeans = rows.map((x) => x.row.oracle?.meanOracleCalls).filter((v): v is number => v !== undefined);
  return {
    arm,
    method: spec.arms[arm].method,
    lr,
    seeds: done.map((r) => r.seed),
    metrics,
    meanOracleCalls: oracleMeans.length > 0 ? mean(oracleMeans) : null,
    strata,
    training: trainingFigures(done.map((r) => r.record.steps)),
  };
}

function testRowOf(runs: readonly StudyRun[], arm: string, seed: number): { row: EvalRow; where: string } | null {
  const r = runs.find((x) => x.arm === arm && x.seed === seed);
  const row = r?.record?.summary?.test;
  return r && row ? { row, where: `final/${r.name}` } : null;
}

function pairedDiffs(spec: StudySpec, final: readonly StudyRun[], baseline: string, metric: StudyMetric): { seeds: number[]; diffs: number[] } {
  const seeds: number[] = [];
  const diffs: number[] = [];
  for (const seed of spec.finalSeeds) {
    const b = testRowOf(final, baseline, seed);
    const p = testRowOf(final, spec.primary, seed);
    if (!b || !p) continue;
    seeds.push(seed);
    diffs.push(studyMetricOf(b.row, metric, b.where) - studyMetricOf(p.row, metric, p.where));
  }
  return { seeds, diffs };
}

const METRIC_WORDS: Record<StudyMetric, string> = {
  accuracy: 'accuracy',
  meanCalls: 'mean calls',
  excessCalls: 'excess calls',
  missingCalls: 'missing calls',
  oracleHv: 'oracle HV',
  toolProductivity: 'tool productivity',
};

/**
 * A study metric in words, for tables and verdicts.
 *
 * @param metric - one of STUDY_METRICS
 * @returns e.g. `'mean calls'`
 * @example
 * metricWords('oracleHv'); // 'oracle HV'
 */
export function metricWords(metric: StudyMetric): string {
  return METRIC_WORDS[metric];
}

/**
 * The claim in one sentence, as the spec states it.
 *
 * @param spec - the study
 * @returns e.g. `paretopo has higher accuracy and lower mean calls than each of grpo-acc, …`
 * @example
 * claimSentence(spec);
 */
export function claimSentence(spec: StudySpec): string {
  const parts = spec.claim.metrics.map((c) => `${c.better} ${metricWords(c.metric)}`);
  return `${spec.primary} has ${parts.join(' and ')} than each of ${spec.claimBaselines.join(', ')} on the test pool, every one-sided paired sign-flip test significant after Holm's correction across all ${parts.length * spec.claimBaselines.length} tests at family-wise α = ${spec.claim.alpha}`;
}

function checkClaim(spec: StudySpec, final: readonly StudyRun[], missingFinal: boolean): ClaimResult {
  const stats = spec.statistics;
  const raw: Omit<ClaimTest, 'pHolm' | 'significant'>[] = [];
  let short = false;
  for (const baseline of spec.claimBaselines) {
    for (const { metric, better } of spec.claim.metrics) {
      const { diffs } = pairedDiffs(spec, final, baseline, metric);
      if (diffs.length === 0) {
        short = true;
        continue;
      }
      // d = baseline − primary: the primary is better when d < 0 for 'higher' and d > 0 for 'lower'.
      const t = signFlipTest(diffs, { alternative: better === 'higher' ? 'less' : 'greater', exactMax: stats.exactMax, resamples: stats.resamples, seed: stats.seed });
      raw.push({ baseline, metric, better, mean: t.mean, p: t.p });
    }
  }
  const adjusted = holmAdjust(raw.map((t) => t.p));
  const tests = raw.map((t, i) => ({ ...t, pHolm: adjusted[i], significant: adjusted[i] <= spec.claim.alpha }));
  if (missingFinal || short) {
    return { statement: claimSentence(spec), alpha: spec.claim.alpha, tests, holds: null, verdict: `The claim is not checked yet: final runs are missing (${claimSentence(spec)}).` };
  }
  const failed = tests.filter((t) => !t.significant);
  const holds = failed.length === 0;
  const why = holds
    ? `all ${tests.length} one-sided tests significant (largest Holm p ${Math.max(...tests.map((t) => t.pHolm)).toPrecision(3)})`
    : `not significant: ${failed.map((t) => `${metricWords(t.metric)} vs ${t.baseline} (Holm p ${t.pHolm.toPrecision(3)})`).join(', ')}`;
  return { statement: claimSentence(spec), alpha: spec.claim.alpha, tests, holds, verdict: `The claim ${holds ? 'holds' : 'does not hold'} on ${spec.env}: ${why}.` };
}

/**
 * Analyses a study from its runs' logs: the validation sweep and each arm's chosen lr, each arm's
 * test figures over final seeds (mean with a bootstrap CI, per oracle-call stratum), the paired
 * differences baseline − primary for every claim baseline and metric (bootstrap CI, two-sided
 * sign-flip p, Holm across baselines), and the claim (one-sided tests, Holm across all of them).
 * Deterministic: the same logs and spec give the same numbers bit for bit.
 *
 * @param spec - the study
 * @param tune - tuning runs with their logs
 * @param final - final runs with their logs
 * @param warmStart - the SFT warm start's validation and test rows, when logged
 * @returns plain data for results.json, results.md and report.html
 * @example
 * analyseStudy(spec, tune, final, { validation: null, test: null }).claim.verdict;
 */
export function analyseStudy(
  spec: StudySpec,
  tune: readonly StudyRun[],
  final: readonly StudyRun[],
  warmStart: { validation: EvalRow | null; test: EvalRow | null },
): StudyResults {
  const sweep = selectLearningRates(spec, tune);
  const arms = Object.keys(spec.arms).map((arm) => armResults(spec, arm, sweep.find((s) => s.arm === arm)!.chosenLr, final));
  const stats = spec.statistics;
  const perBaseline = spec.claimBaselines.map((baseline) => ({ baseline, seeds: pairedDiffs(spec, final, baseline, 'accuracy').seeds, metrics: [] as PairedDifference[] }));
  for (const metric of STUDY_METRICS) {
    const found = perBaseline.map((b) => pairedDiffs(spec, final, b.baseline, metric).diffs);
    const ps = found.map((d) => (d.length === 0 ? 1 : signFlipTest(d, { alternative: 'two-sided', exactMax: stats.exactMax, resamples: stats.resamples, seed: stats.seed }).p));
    const adjusted = holmAdjust(ps);
    found.forEach((diffs, i) => {
      if (diffs.length === 0) return;
      const ci = pairedBootstrapCi(diffs, { resamples: stats.resamples, seed: stats.seed, level: stats.level });
      perBaseline[i].metrics.push({ metric, diffs, mean: ci.mean, lo: ci.lo, hi: ci.hi, p: ps[i], pHolm: adjusted[i] });
    });
  }
  const unfinished = (runs: readonly StudyRun[]) => runs.filter((r) => !r.record?.summary).map((r) => `${r.phase}/${r.name}`);
  const missing = [...unfinished(tune), ...unfinished(final)];
  const missingFinal = final.length === 0 || unfinished(final).length > 0;
  const seconds = (runs: readonly StudyRun[]) => runs.reduce((s, r) => s + (r.record?.summary?.seconds ?? 0), 0);
  return {
    env: spec.env,
    title: spec.title ?? null,
    primary: spec.primary,
    claimBaselines: spec.claimBaselines,
    selection: spec.selection,
    lrGrid: spec.lrGrid,
    tuningSeeds: spec.tuningSeeds,
    finalSeeds: spec.finalSeeds,
    statistics: stats,
    warmStart,
    sweep,
    arms,
    comparisons: perBaseline,
    claim: checkClaim(spec, final, missingFinal),
    primaryChoice: { arm: spec.primary, method: spec.arms[spec.primary].method, lr: sweep.find((s) => s.arm === spec.primary)!.chosenLr, config: spec.arms[spec.primary].config },
    runSeconds: { tune: seconds(tune), final: seconds(final) },
    missing,
  };
}
