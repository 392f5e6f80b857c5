import { paletteColor, type ChartSpec, type DatasetSpec } from '../report/report-charts';
import type { MethodName } from '../methods';
import type { EvalRow } from '../run/types';
import { metricWords, type StudyResults } from './analysis';
import { STUDY_METRICS } from './spec';

const armColor = (r: StudyResults, arm: string): string => paletteColor(Math.max(0, r.arms.findIndex((a) => a.arm === arm)));

/** One policy drawn beside the oracle: its test figures (means over seeds for a study arm). */
export interface PolicyFigures {
  label: string;
  /** The trainer method (paretopo's lines are thicker); absent for the warm start. */
  method?: MethodName;
  color: string;
  accuracy: number;
  meanCalls: number;
  /** Per oracle-call stratum: mean calls. */
  strata: ReadonlyArray<{ oracleCalls: number; meanCalls: number }>;
}

/**
 * Mean calls per oracle stratum for each policy, with the oracle's diagonal (calls = oracle calls).
 *
 * @param policies - the policies to draw
 * @returns the `strata` chart
 * @example
 * strataChart([{ label: 'grpo-acc', color: '#4e79a7', accuracy: 0.8, meanCalls: 1.2, strata }]).id; // 'strata'
 */
export function strataChart(policies: readonly PolicyFigures[]): ChartSpec {
  const datasets: DatasetSpec[] = [];
  const ks = new Set<number>();
  for (const p of policies) {
    if (p.strata.length === 0) continue;
    for (const s of p.strata) ks.add(s.oracleCalls);
    datasets.push({ label: p.label, method: p.method, color: p.color, role: 'series', points: p.strata.map((s) => ({ x: s.oracleCalls, y: s.meanCalls })) });
  }
  const sorted = [...ks].sort((a, b) => a - b);
  if (sorted.length > 0) datasets.push({ label: 'oracle (calls = oracle calls)', color: '#000000', role: 'marker', points: [{ x: sorted[0], y: sorted[0] }, { x: sorted[sorted.length - 1], y: sorted[sorted.length - 1] }] });
  return {
    id: 'strata',
    title: 'Tool calls per oracle stratum (test pool)',
    caption: 'Questions grouped by the oracle’s minimum number of calls; mean calls per question. The dashed diagonal is the oracle: above it, excess calls; below it, skipped calls.',
    kind: 'line',
    xLabel: 'oracle calls of the question',
    yLabel: 'mean tool calls',
    datasets,
  };
}

/**
 * Accuracy against mean calls, one point per policy, beside the oracle (every question answered
 * with its minimum number of calls: accuracy 1 at the mean oracle calls).
 *
 * @param policies - the policies to draw
 * @param meanOracleCalls - the oracle's mean calls on the pool, or null when unknown
 * @returns the `arms` chart
 * @example
 * pointsChart(policies, 0.9).datasets.at(-1)?.label; // 'oracle'
 */
export function pointsChart(policies: readonly PolicyFigures[], meanOracleCalls: number | null): ChartSpec {
  const datasets: DatasetSpec[] = policies.map((p) => ({ label: p.label, method: p.method, color: p.color, role: 'runs', points: [{ x: p.meanCalls, y: p.accuracy }] }));
  if (meanOracleCalls !== null) datasets.push({ label: 'oracle', color: '#000000', role: 'runs', points: [{ x: meanOracleCalls, y: 1 }] });
  return {
    id: 'arms',
    title: 'Accuracy against tool calls (test pool)',
    caption: 'Each policy on the test pool (a study arm: mean over final seeds); the oracle answers every question with its minimum number of calls.',
    kind: 'scatter',
    xLabel: 'mean tool calls per question',
    yLabel: 'accuracy',
    datasets,
  };
}

/**
 * A test evaluation row as {@link PolicyFigures}.
 *
 * @param label - legend label
 * @param color - CSS colour
 * @param row - the evaluation (its oracle strata, when present)
 * @param method - the trainer method, if any
 * @returns the figures
 * @example
 * policyOfRow('warm start (SFT)', '#555555', sftTest);
 */
export function policyOfRow(label: string, color: string, row: EvalRow, method?: MethodName): PolicyFigures {
  return { label, method, color, accuracy: row.accuracy, meanCalls: row.meanCalls, strata: row.oracle?.strata ?? [] };
}

/** The colour of the warm start in every chart. */
export const WARM_START_COLOR = '#555555';

function studyPolicies(r: StudyResults): PolicyFigures[] {
  const out: PolicyFigures[] = [];
  for (const a of r.arms) {
    if (a.metrics.accuracy === null || a.metrics.meanCalls === null) continue;
    out.push({ label: a.arm, method: a.method as MethodName, color: armColor(r, a.arm), accuracy: a.metrics.accuracy.mean, meanCalls: a.metrics.meanCalls.mean, strata: a.strata });
  }
  if (r.warmStart.test) out.push(policyOfRow('warm start (SFT)', WARM_START_COLOR, r.warmStart.test));
  return out;
}

function sweepChart(r: StudyResults): ChartSpec {
  const datasets: DatasetSpec[] = [];
  for (const s of r.sweep) {
    const points = s.points.filter((p) => p.mean !== null).map((p) => ({ x: Math.log10(p.lr), y: p.mean! }));
    if (points.length > 0) datasets.push({ label: s.arm, method: s.method as MethodName, color: armColor(r, s.arm), role: 'series', points });
  }
  return {
    id: 'sweep',
    title: 'Validation sweep',
    caption: 'Validation oracle HV at the last step, mean over tuning seeds, per learning rate; each arm runs its final seeds at the largest.',
    kind: 'line',
    xLabel: 'log10 learning rate',
    yLabel: 'validation oracle HV',
    datasets,
  };
}

function forestChart(r: StudyResults, metric: (typeof STUDY_METRICS)[number]): ChartSpec {
  const rows = r.comparisons.filter((c) => c.metrics.some((m) => m.metric === metric));
  const datasets: DatasetSpec[] = [];
  rows.forEach((c, i) => {
    const m = c.metrics.find((x) => x.metric === metric)!;
    const color = armColor(r, c.baseline);
    datasets.push({ label: `${c.baseline} CI`, color, role: 'interval', points: [{ x: m.lo, y: i }, { x: m.hi, y: i }] });
    datasets.push({ label: c.baseline, color, role: 'runs', points: [{ x: m.mean, y: i }] });
  });
  if (rows.length > 0) datasets.push({ label: 'no difference', color: '#000000', role: 'marker', points: [{ x: 0, y: -0.5 }, { x: 0, y: rows.length - 0.5 }] });
  return {
    id: `forest-${metric}`,
    title: `Paired differences: ${metricWords(metric)}`,
    caption: `Baseline − ${r.primary} over paired final seeds: mean and ${Math.round(r.statistics.level * 100)} % bootstrap CI per claim baseline.`,
    kind: 'scatter',
    xLabel: `${metricWords(metric)}: baseline − ${r.primary}`,
    yLabel: 'claim baseline',
    yCategories: rows.map((c) => c.baseline),
    datasets,
  };
}

/**
 * The charts of a study's report, as plain data: calls per oracle stratum for every arm (with
 * the warm start and the oracle's diagonal), accuracy against calls per arm beside the oracle,
 * the validation sweep per arm, and one forest plot of the paired differences per metric.
 *
 * @param r - from analyseStudy
 * @returns chart specs: `strata`, `arms`, `sweep`, then `forest-<metric>` for each study metric
 * @example
 * buildStudyCharts(results).map((c) => c.id).slice(0, 3); // ['strata', 'arms', 'sweep']
 */
export function buildStudyCharts(r: StudyResults): ChartSpec[] {
  const policies = studyPolicies(r);
  const oracle = r.arms.find((a) => a.meanOracleCalls !== null)?.meanOracleCalls ?? r.warmStart.test?.oracle?.meanOracleCalls ?? null;
  return [strataChart(policies), pointsChart(policies, oracle), sweepChart(r), ...STUDY_METRICS.map((m) => forestChart(r, m))];
}
