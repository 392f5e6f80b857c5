import { CLAIM_BASELINES, type MeanStd, type MethodResults, type MetricTest, type ResultMetric, type Results } from './results';

/**
 * Columns of the paper's results table: metric, heading and decimals.
 *
 * @example
 * TABLE_COLUMNS.map((c) => c.heading); // ['accuracy', '#tool calls', 'tool productivity', 'HV']
 */
export const TABLE_COLUMNS: ReadonlyArray<{ metric: ResultMetric; heading: string; digits: number }> = [
  { metric: 'accuracy', heading: 'accuracy', digits: 3 },
  { metric: 'meanCalls', heading: '#tool calls', digits: 2 },
  { metric: 'toolProductivity', heading: 'tool productivity', digits: 3 },
  { metric: 'hv', heading: 'HV', digits: 3 },
];

/**
 * Heading of each tested metric, as in the table.
 *
 * @example
 * METRIC_LABEL.meanCalls; // '#tool calls'
 */
export const METRIC_LABEL: Record<MetricTest['metric'], string> = { accuracy: 'accuracy', meanCalls: '#tool calls', hv: 'HV' };

/**
 * Decimals used for a metric's means and stds.
 *
 * @param metric - a result metric
 * @returns the column's decimals (3 for a metric not in the table)
 * @example
 * digitsOf('meanCalls'); // 2
 */
export function digitsOf(metric: ResultMetric): number {
  return TABLE_COLUMNS.find((c) => c.metric === metric)?.digits ?? 3;
}

/**
 * Formats a mean ± std pair with a fixed number of decimals.
 *
 * @param v - the pair
 * @param digits - decimals
 * @returns e.g. `0.780 ± 0.014`
 * @example
 * formatMeanStd({ mean: 0.78, std: 0.0141 }, 3); // '0.780 ± 0.014'
 */
export function formatMeanStd(v: MeanStd, digits: number): string {
  return `${v.mean.toFixed(digits)} ± ${v.std.toFixed(digits)}`;
}

/**
 * One method's cells of the results table, in {@link TABLE_COLUMNS} order (plain text, for the
 * Markdown and the HTML report alike): mean ± std, and ` *` on paretopo's cells where Welch's
 * test against the strongest baseline is significant.
 *
 * @example
 * tableCells(results.methods[0], results); // ['0.780 ± 0.014 *', '0.91 ± 0.05', …]
 */
export function tableCells(row: MethodResults, results: Results): string[] {
  const ours = row.method === 'paretopo';
  return TABLE_COLUMNS.map(({ metric, digits }) => {
    const sig = ours && results.comparison?.tests.some((t) => t.metric === metric && t.significant);
    return formatMeanStd(row[metric], digits) + (sig ? ' *' : '');
  });
}

/**
 * Formats a p-value: three significant digits, or `< 0.001`.
 *
 * @param p - in [0, 1]
 * @returns e.g. `0.0214`, `< 0.001`
 * @example
 * formatP(0.021378); // '0.0214'
 */
export function formatP(p: number): string {
  return p < 0.001 ? '< 0.001' : p >= 0.1 ? p.toFixed(2) : p.toPrecision(3);
}

/**
 * One line describing a t-test: means, t, df, p and a `*` when significant.
 *
 * @param test - one entry of Comparison.tests
 * @param method - tested method name
 * @param baseline - baseline name
 * @returns e.g. `accuracy: paretopo 0.780 vs grpo-ws 0.660, t = 8.49, df = 2.0, p = 0.0136 *`
 * @example
 * describeTest(comparison.tests[0], 'paretopo', 'grpo-ws');
 */
export function describeTest(test: MetricTest, method: string, baseline: string): string {
  const d = digitsOf(test.metric);
  const means = `${METRIC_LABEL[test.metric]}: ${method} ${test.methodMean.toFixed(d)} vs ${baseline} ${test.baselineMean.toFixed(d)}`;
  if (test.p === null || test.t === null || test.df === null) return `${means}, not tested (a method has fewer than 2 finished seeds)`;
  const t = Number.isFinite(test.t) ? test.t.toFixed(2) : test.t > 0 ? '+∞' : '−∞';
  const p = formatP(test.p);
  return `${means}, t = ${t}, df = ${test.df.toFixed(1)}, p ${p.startsWith('<') ? p : `= ${p}`}${test.significant ? ' *' : ''}`;
}

/**
 * The claim check of {@link Results} in plain words: one sentence per claim baseline (holds,
 * does not hold, not run), one for the largest HV, and an overall verdict.
 *
 * @param results - from aggregateResults, with paretopo among the methods
 * @param env - environment name for the verdict
 * @returns `{ items, overall }`, or null when paretopo was not run
 * @example
 * describeClaim(results, 'arith')?.items[0]; // 'vs grpo-ws: holds (accuracy 0.783 > 0.663, calls 0.90 < 1.50)'
 */
export function describeClaim(results: Results, env: string): { items: string[]; overall: string } | null {
  const claim = results.claim;
  const ours = results.methods.find((m) => m.method === 'paretopo');
  if (!claim || !ours) return null;
  const items: string[] = [];
  for (const b of claim.baselines) {
    const row = results.methods.find((m) => m.method === b.baseline)!;
    const acc = `accuracy ${ours.accuracy.mean.toFixed(3)} ${b.higherAccuracy ? '>' : '≤'} ${row.accuracy.mean.toFixed(3)}`;
    const calls = `calls ${ours.meanCalls.mean.toFixed(2)} ${b.fewerCalls ? '<' : '≥'} ${row.meanCalls.mean.toFixed(2)}`;
    items.push(`vs ${b.baseline}: ${b.holds ? 'holds' : 'does not hold'} (${acc}, ${calls})`);
  }
  for (const m of claim.missing) items.push(`vs ${m}: not run`);
  const others = results.methods.filter((m) => m.method !== 'paretopo').sort((a, b) => b.hv.mean - a.hv.mean);
  const next = others.length > 0 ? `; best other: ${others[0].method} ${others[0].hv.mean.toFixed(3)}` : '';
  items.push(`largest mean HV of all methods: ${claim.largestHv ? 'holds' : 'does not hold'} (paretopo ${ours.hv.mean.toFixed(3)}${next})`);
  let overall: string;
  if (claim.baselines.length === 0) {
    overall = `Overall: the claim cannot be checked on ${env}: none of ${CLAIM_BASELINES.join(', ')} was run.`;
  } else {
    const scope = claim.missing.length > 0 ? ' (against the baselines that were run)' : '';
    overall = `Overall: the claim ${claim.holds ? 'holds' : 'does not hold'} on ${env}${scope}, comparing means over seeds; the t-tests say which differences are significant.`;
  }
  return { items, overall };
}
