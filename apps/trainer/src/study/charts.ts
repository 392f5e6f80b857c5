import { paletteColor, type ChartSpec, type DatasetSpec } from '../report/report-charts';
import type { MethodName } from '../methods';
import { metricWords, type StudyResults } from './analysis';
import { STUDY_METRICS } from './spec';

const armColor = (r: StudyResults, arm: string): string => paletteColor(Math.max(0, r.arms.findIndex((a) => a.arm === arm)));
const GREY = '#555555';

function strataChart(r: StudyResults): ChartSpec {
  const datasets: DatasetSpec[] = [];
  const ks = new Set<number>();
  for (const a of r.arms) {
    if (a.strata.length === 0) continue;
    for (const s of a.strata) ks.add(s.oracleCalls);
    datasets.push({ label: a.arm, method: a.method as MethodName, color: armColor(r, a.arm), role: 'series', points: a.strata.map((s) => ({ x: s.oracleCalls, y: s.meanCalls })) });
  }
  const ws = r.warmStart.test?.oracle?.strata;
  if (ws && ws.length > 0) datasets.push({ label: 'warm start (SFT)', color: GREY, role: 'series', points: ws.map((s) => ({ x: s.oracleCalls, y: s.meanCalls })) });
  const sorted = [...ks].sort((a, b) => a - b);
  if (sorted.length > 0) datasets.push({ label: 'oracle (calls = oracle calls)', color: '#000000', role: 'marker', points: [{ x: sorted[0], y: sorted[0] }, { x: sorted[sorted.length - 1], y: sorted[sorted.length - 1] }] });
  return {
    id: 'strata',
    title: 'Tool calls per oracle stratum (test pool)',
    caption: 'Questions grouped by the oracle’s minimum number of calls; mean calls per question, mean over final seeds. The dashed diagonal is the oracle: above it, excess calls; below it, skipped calls.',
    kind: 'line',
    xLabel: 'oracle calls of the question',
    yLabel: 'mean tool calls',
    datasets,
  };
}

function pointsChart(r: StudyResults): ChartSpec {
  const datasets: DatasetSpec[] = [];
  for (const a of r.arms) {
    const acc = a.metrics.accuracy;
    const calls = a.metrics.meanCalls;
    if (acc === null || calls === null) continue;
    datasets.push({ label: a.arm, method: a.method as MethodName, color: armColor(r, a.arm), role: 'runs', points: [{ x: calls.mean, y: acc.mean }] });
  }
  const ws = r.warmStart.test;
  if (ws) datasets.push({ label: 'warm start (SFT)', color: GREY, role: 'runs', points: [{ x: ws.meanCalls, y: ws.accuracy }] });
  const oracle = r.arms.find((a) => a.meanOracleCalls !== null)?.meanOracleCalls ?? ws?.oracle?.meanOracleCalls;
  if (oracle !== undefined && oracle !== null) datasets.push({ label: 'oracle', color: '#000000', role: 'runs', points: [{ x: oracle, y: 1 }] });
  return {
    id: 'arms',
    title: 'Accuracy against tool calls (test pool)',
    caption: 'Each arm at its chosen learning rate, mean over final seeds; the oracle answers every question with its minimum number of calls.',
    kind: 'scatter',
    xLabel: 'mean tool calls per question',
    yLabel: 'accuracy',
    datasets,
  };
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
  return [strataChart(r), pointsChart(r), sweepChart(r), ...STUDY_METRICS.map((m) => forestChart(r, m))];
}
