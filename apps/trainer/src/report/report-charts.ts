import { fromRows, nondominatedFilter } from '@paretopo/pareto';
import type { MethodName } from '../methods';
import type { EvalRow, RunRecord } from '../run/types';
import { methodOrder } from './records';

/** One (x, y) point of a chart. */
export interface ChartPoint {
  x: number;
  y: number;
}

/**
 * How the page draws a dataset: `series` a line with points, `marker` a dashed vertical line
 * (stage switch, reference line), `runs` unconnected points (one per run), `front` a staircase
 * through a Pareto front, `interval` a solid segment between its two points (a confidence interval).
 */
export type DatasetRole = 'series' | 'marker' | 'runs' | 'front' | 'interval';

/** One dataset of a {@link ChartSpec}, plain JSON. */
export interface DatasetSpec {
  label: string;
  /** The method drawn (paretopo's lines are thicker); absent for reference lines. */
  method?: MethodName;
  color: string;
  role: DatasetRole;
  points: ChartPoint[];
}

/** One chart of the HTML report, plain JSON for the page's script. */
export interface ChartSpec {
  /** Stable id; the canvas is `chart-<id>`. */
  id: string;
  title: string;
  /** What the chart shows, under its heading. */
  caption: string;
  kind: 'line' | 'scatter';
  xLabel: string;
  yLabel: string;
  /** Names of the integer y positions 0, 1, … (a forest plot's rows); absent for a numeric axis. */
  yCategories?: string[];
  datasets: DatasetSpec[];
}

// Tableau 10, one colour per method in METHOD_NAMES order; paretopo gets the red.
const PALETTE = ['#4e79a7', '#f28e2b', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#e15759'];

/**
 * The colour of a method in every chart.
 *
 * @param method - a method name
 * @returns a CSS hex colour
 * @example
 * methodColor('paretopo'); // '#e15759'
 */
export function methodColor(method: MethodName): string {
  return PALETTE[methodOrder(method) % PALETTE.length];
}

// After Tableau 10, the other half of Tableau 20, most distinct first: a study has 12 arms, and
// wrapping at 10 gave its 11th and 12th the 1st's and 2nd's colours in every chart.
const PALETTE_20 = [...PALETTE, '#d37295', '#b6992d', '#499894', '#79706e', '#a0cbe8', '#ffbe7d', '#8cd17d', '#86bcb6', '#ff9d9a', '#d4a6c8'];

/**
 * The i-th colour of the report palette (Tableau 10, then the rest of Tableau 20), for series that
 * are not methods (a study's arms): 20 distinct colours.
 *
 * @param i - index, any integer ≥ 0 (wraps around after 20)
 * @returns a CSS hex colour
 * @example
 * paletteColor(0); // '#4e79a7'
 */
export function paletteColor(i: number): string {
  return PALETTE_20[i % PALETTE_20.length];
}

function groupByMethod(runs: readonly RunRecord[]): Map<MethodName, RunRecord[]> {
  const by = new Map<MethodName, RunRecord[]>();
  for (const r of [...runs].sort((a, b) => methodOrder(a.config.method) - methodOrder(b.config.method) || a.config.seed - b.config.seed)) {
    const list = by.get(r.config.method) ?? [];
    list.push(r);
    by.set(r.config.method, list);
  }
  return by;
}

/** Mean over runs of a per-step value, at every step any run has (a run missing a step is left out of that mean). */
function meanByStep(series: ReadonlyArray<ReadonlyArray<ChartPoint>>): ChartPoint[] {
  const sums = new Map<number, { s: number; n: number }>();
  for (const pts of series) {
    for (const p of pts) {
      const acc = sums.get(p.x) ?? { s: 0, n: 0 };
      acc.s += p.y;
      acc.n++;
      sums.set(p.x, acc);
    }
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([x, { s, n }]) => ({ x, y: s / n }));
}

/** Exponential moving average with weight `keep` on the past (the smoothing of TensorBoard). */
function ema(points: readonly ChartPoint[], keep: number): ChartPoint[] {
  let m = 0;
  return points.map((p, i) => {
    m = i === 0 ? p.y : keep * m + (1 - keep) * p.y;
    return { x: p.x, y: m };
  });
}

/**
 * The step of each run at which stage 2 began: summary.switchStep, else the first step row in
 * stage 2 (a run still going), else null.
 *
 * @param run - a run record
 * @returns the first stage-2 step, or null
 * @example
 * switchStepOf(paretopoRun); // 40
 */
export function switchStepOf(run: RunRecord): number | null {
  if (run.summary && run.summary.switchStep !== null) return run.summary.switchStep;
  const first = run.steps.find((r) => r.stage === 2);
  return first ? (first.switchStep ?? first.step) : null;
}

/**
 * The final (accuracy, mean calls) of a run: its test row, else summary.final, else its last eval row (a run still going).
 *
 * @param run - a run record
 * @returns the evaluation row, or null when the run has none
 * @example
 * finalEvalOf(run)?.accuracy; // 0.78
 */
export function finalEvalOf(run: RunRecord): EvalRow | null {
  return run.summary?.test ?? run.summary?.final ?? run.evals[run.evals.length - 1] ?? null;
}

function markers(by: Map<MethodName, RunRecord[]>, series: readonly DatasetSpec[]): DatasetSpec[] {
  let lo = 0;
  let hi = -Infinity;
  for (const d of series) {
    for (const p of d.points) {
      if (p.y < lo) lo = p.y;
      if (p.y > hi) hi = p.y;
    }
  }
  // Span the plotted values and a little more, so the line crosses the whole plot without widening the axis much.
  const top = hi > lo ? hi + 0.05 * (hi - lo) : lo + 1;
  const out: DatasetSpec[] = [];
  for (const [method, runs] of by) {
    const steps = [...new Set(runs.map(switchStepOf).filter((s): s is number => s !== null && s > 0))].sort((a, b) => a - b);
    for (const s of steps) {
      out.push({ label: `${method}: stage 2 from step ${s}`, method, color: methodColor(method), role: 'marker', points: [{ x: s, y: lo }, { x: s, y: top }] });
    }
  }
  return out;
}

function evalChart(by: Map<MethodName, RunRecord[]>, id: string, title: string, caption: string, yLabel: string, key: 'hv' | 'accuracy' | 'meanCalls'): ChartSpec {
  const series: DatasetSpec[] = [];
  for (const [method, runs] of by) {
    const points = meanByStep(runs.map((r) => r.evals.map((e) => ({ x: e.step, y: e[key] }))));
    if (points.length > 0) series.push({ label: method, method, color: methodColor(method), role: 'series', points });
  }
  return { id, title, caption, kind: 'line', xLabel: 'RL step', yLabel, datasets: [...series, ...markers(by, series)] };
}

function trainHvChart(by: Map<MethodName, RunRecord[]>): ChartSpec {
  const series: DatasetSpec[] = [];
  for (const [method, runs] of by) {
    const points = meanByStep(runs.map((r) => ema(r.steps.map((s) => ({ x: s.step, y: s.hv })), 0.9)));
    if (points.length > 0) series.push({ label: method, method, color: methodColor(method), role: 'series', points });
  }
  return {
    id: 'train-hv',
    title: 'Training batch hypervolume',
    caption: 'HV of each RL batch (accuracy × mean r_tool), EMA 0.9 per run, then the mean over seeds. r_tool differs between methods, so compare shapes, not levels.',
    kind: 'line',
    xLabel: 'RL step',
    yLabel: 'batch HV (EMA)',
    datasets: [...series, ...markers(by, series)],
  };
}

function frontChart(by: Map<MethodName, RunRecord[]>): ChartSpec {
  const datasets: DatasetSpec[] = [];
  for (const [method, runs] of by) {
    const finals = runs.map(finalEvalOf).filter((e): e is EvalRow => e !== null);
    if (finals.length === 0) continue;
    const points = finals.map((f) => ({ x: f.meanCalls, y: f.accuracy }));
    const color = methodColor(method);
    datasets.push({ label: method, method, color, role: 'runs', points });
    const keep = nondominatedFilter(fromRows(points.map((p) => [p.x, p.y])), { maximize: [false, true], keepDuplicates: false });
    const front = Array.from(keep, (i) => points[i]).sort((a, b) => a.x - b.x);
    datasets.push({ label: `${method} front`, method, color, role: 'front', points: front });
  }
  return {
    id: 'front',
    title: 'Final accuracy against tool calls',
    caption: 'One point per run (final evaluation); the staircase is each method’s Pareto front over its seeds (more accuracy, fewer calls: up and to the left is better).',
    kind: 'scatter',
    xLabel: 'mean tool calls per episode',
    yLabel: 'accuracy',
    datasets,
  };
}

/**
 * The charts of the HTML report, as plain data: evaluation HV, accuracy and mean tool calls over
 * RL steps (mean over seeds per method, with each stage switch as a dashed vertical line), the
 * smoothed training-batch HV, and the final (calls, accuracy) of every run with each method's
 * Pareto front over its seeds.
 *
 * @param runs - run records (any order, any mix of methods)
 * @returns five chart specs: `hv`, `accuracy`, `calls`, `train-hv`, `front`
 * @example
 * buildReportCharts(runs).map((c) => c.id); // ['hv', 'accuracy', 'calls', 'train-hv', 'front']
 */
export function buildReportCharts(runs: readonly RunRecord[]): ChartSpec[] {
  const by = groupByMethod(runs);
  return [
    evalChart(by, 'hv', 'Hypervolume over training', 'HV of the evaluation point (accuracy, tool efficiency) against (0, 0); mean over seeds.', 'evaluation HV', 'hv'),
    evalChart(by, 'accuracy', 'Accuracy over training', 'Greedy accuracy on the validation pool (the test split in runs written before pools existed); mean over seeds.', 'accuracy', 'accuracy'),
    evalChart(by, 'calls', 'Tool calls over training', 'Mean tool calls per episode (valid + invalid) on the validation pool (the test split in older runs); mean over seeds.', 'mean tool calls', 'meanCalls'),
    trainHvChart(by),
    frontChart(by),
  ];
}
