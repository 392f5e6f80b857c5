import { formatP } from '../report/format';
import type { MeanCi } from '../report/stats';
import type { EvalRow } from '../run/types';
import { metricWords, type FirstLast, type StudyResults } from './analysis';
import type { StudyProvenance } from './folder';
import { STUDY_METRICS, type StudyMetric } from './spec';

const DIGITS: Record<StudyMetric, number> = { accuracy: 3, meanCalls: 2, excessCalls: 2, missingCalls: 2, oracleHv: 3, toolProductivity: 3 };

/** One line of plain text: newlines folded so a value cannot break the Markdown structure. */
const oneLine = (s: string): string => String(s).replace(/\s*[\r\n]+\s*/g, ' ');

const fixed = (x: number, d: number): string => (Object.is(x, -0) ? 0 : x).toFixed(d).replace(/^-(0\.0*)$/, '$1');

/**
 * A mean with its interval: `0.812 [0.790, 0.833]`.
 *
 * @param v - mean and interval, or null
 * @param metric - the metric (its decimals)
 * @returns the cell text (`–` for null)
 * @example
 * formatCi({ mean: 0.8, lo: 0.78, hi: 0.83 }, 'accuracy'); // '0.800 [0.780, 0.830]'
 */
export function formatCi(v: MeanCi | null, metric: StudyMetric): string {
  if (v === null) return '–';
  const d = DIGITS[metric];
  return `${fixed(v.mean, d)} [${fixed(v.lo, d)}, ${fixed(v.hi, d)}]`;
}

const signed = (x: number, d: number): string => (x > 0 ? '+' : '') + fixed(x, d);

function evalCell(row: EvalRow, metric: StudyMetric): string {
  const o = row.oracle;
  const v =
    metric === 'accuracy' || metric === 'meanCalls' || metric === 'toolProductivity'
      ? row[metric]
      : o === undefined
        ? null
        : metric === 'oracleHv'
          ? o.hv
          : o[metric];
  return v === null ? '–' : fixed(v, DIGITS[metric]);
}

/** One table of a study's results, as text cells (the Markdown and the HTML report format the same data). */
export interface StudyTable {
  heading: string;
  caption: string;
  columns: string[];
  /** Right-aligned (numeric) columns. */
  numeric: boolean[];
  rows: string[][];
}

/**
 * The tables of a study's results: the claim's tests, each arm's test figures (mean and
 * bootstrap CI over final seeds), calls per oracle stratum, the paired differences with CIs and
 * Holm p, and the validation sweep with each arm's chosen lr.
 *
 * @param r - from analyseStudy
 * @returns the tables in page order
 * @example
 * studyTables(results).map((t) => t.heading)[0]; // 'The claim'
 */
export function studyTables(r: StudyResults): StudyTable[] {
  const lv = `${Math.round(r.statistics.level * 100)} %`;
  const tables: StudyTable[] = [];
  tables.push({
    heading: 'The claim',
    caption: `The claim: ${r.claim.statement}. Differences are baseline − ${r.primary}, paired by final seed; p is the one-sided sign-flip test for "${r.primary} is better" (exact up to ${r.statistics.exactMax} seeds), Holm-corrected across every test below.`,
    columns: ['baseline', 'metric', 'better', 'mean difference', 'p', 'Holm p', 'significant'],
    numeric: [false, false, false, true, true, true, false],
    rows: r.claim.tests.map((t) => [t.baseline, metricWords(t.metric), t.better, signed(t.mean, DIGITS[t.metric]), formatP(t.p), formatP(t.pHolm), t.significant ? 'yes' : 'no']),
  });
  const armRows: string[][] = [];
  if (r.warmStart.test) armRows.push(['warm start (SFT)', '–', '–', '–', ...STUDY_METRICS.map((m) => evalCell(r.warmStart.test!, m))]);
  for (const a of r.arms) armRows.push([a.arm === r.primary ? `${a.arm} (primary)` : a.arm, a.method, a.lr === null ? '–' : String(a.lr), String(a.seeds.length), ...STUDY_METRICS.map((m) => formatCi(a.metrics[m], m))]);
  tables.push({
    heading: 'Test pool: each arm at its chosen learning rate',
    caption: `Greedy evaluation on the test pool once per final run; mean over final seeds with a ${lv} percentile bootstrap CI (${r.statistics.resamples} resamples, seed ${r.statistics.seed}).`,
    columns: ['arm', 'method', 'lr', 'seeds', ...STUDY_METRICS.map(metricWords)],
    numeric: [false, false, true, true, ...STUDY_METRICS.map(() => true)],
    rows: armRows,
  });
  const strataRows: string[][] = [];
  const strata = (name: string, list: StudyResults['arms'][number]['strata']) => {
    for (const s of list) strataRows.push([name, String(s.oracleCalls), String(s.n), fixed(s.accuracy, 3), fixed(s.meanCalls, 2), fixed(s.excessCalls, 2), fixed(s.missingCalls, 2)]);
  };
  if (r.warmStart.test?.oracle) strata('warm start (SFT)', r.warmStart.test.oracle.strata);
  for (const a of r.arms) strata(a.arm, a.strata);
  tables.push({
    heading: 'Calls per oracle stratum (test pool)',
    caption: "Questions grouped by the oracle's minimum number of tool calls; means over final seeds. Excess: calls beyond the oracle's; missing: needed calls skipped.",
    columns: ['arm', 'oracle calls', 'questions', 'accuracy', 'mean calls', 'excess', 'missing'],
    numeric: [false, true, true, true, true, true, true],
    rows: strataRows,
  });
  const span = (v: FirstLast | null, d: number) => (v === null ? '–' : `${fixed(v.first, d)} → ${fixed(v.last, d)}`);
  const trained = r.arms.filter((a) => a.training !== null);
  if (trained.length > 0) {
    tables.push({
      heading: 'Training (final runs): what the policy sampled',
      caption: `Batch figures of the RL steps (temperature 1, the RL pool): the mean over the first and the last ${trained[0].training!.window} steps, then over final seeds. Varying calls: prompt groups whose episodes did not all make the same number of calls; among correct: groups with two correct episodes of different call counts, the contrast a tool-efficiency reward needs ('–': not logged by these runs).`,
      columns: ['arm', 'accuracy', 'mean calls', 'entropy', 'groups with varying calls', 'among correct'],
      numeric: [false, true, true, true, true, true],
      rows: trained.map((a) => {
        const t = a.training!;
        return [a.arm, span(t.accuracy, 3), span(t.meanCalls, 2), span(t.entropy, 3), span(t.callsVaryingGroups, 2), span(t.correctCallsVaryingGroups, 2)];
      }),
    });
  }
  tables.push({
    heading: `Paired differences (baseline − ${r.primary})`,
    caption: `Mean over paired final seeds with a ${lv} paired bootstrap CI; p two-sided (sign-flip), Holm-corrected across the claim baselines on each metric.`,
    columns: ['baseline', 'metric', 'seeds', 'mean', 'CI', 'p', 'Holm p'],
    numeric: [false, false, true, true, false, true, true],
    rows: r.comparisons.flatMap((c) =>
      c.metrics.map((m) => {
        const d = DIGITS[m.metric];
        return [c.baseline, metricWords(m.metric), String(m.diffs.length), signed(m.mean, d), `[${signed(m.lo, d)}, ${signed(m.hi, d)}]`, formatP(m.p), formatP(m.pHolm)];
      }),
    ),
  });
  const lrs = r.sweep[0]?.points.map((p) => p.lr) ?? [];
  tables.push({
    heading: 'Validation sweep',
    caption: `Mean over tuning seeds of the validation oracle HV at the last step; the rule ${r.selection} picks the largest (a tie: the smaller lr). The test pool is not evaluated in tuning.`,
    columns: ['arm', ...lrs.map((lr) => `lr ${lr}`), 'chosen lr'],
    numeric: [false, ...lrs.map(() => true), true],
    rows: r.sweep.map((s) => [s.arm, ...s.points.map((p) => (p.mean === null ? `– (${p.seeds.length}/${r.tuningSeeds.length} seeds)` : fixed(p.mean, 3))), s.chosenLr === null ? '–' : String(s.chosenLr)]),
  });
  return tables;
}

const cell = (s: string): string => oneLine(s).replace(/\|/g, '\\|');

/**
 * The study's results.md: provenance, the verdict in one line, then {@link studyTables}.
 * A pure function of its arguments, so `paretopo report` rewrites it byte for byte.
 *
 * @param r - from analyseStudy
 * @param provenance - from the results folder (null: not recorded)
 * @returns Markdown ending in a newline
 * @example
 * renderStudyMarkdown(studyResultsOf('docs/results/arith').results, provenance);
 */
export function renderStudyMarkdown(r: StudyResults, provenance: StudyProvenance | null): string {
  const out: string[] = [`# Study: ${r.env}`, ''];
  if (r.title) out.push(oneLine(r.title), '');
  if (provenance) {
    out.push(
      `- command: \`${oneLine(provenance.command).replace(/`/g, "'")}\``,
      `- commit: \`${oneLine(provenance.commit).replace(/`/g, "'")}\``,
      `- machine: ${oneLine(provenance.machine)}`,
      `- date: ${oneLine(provenance.date)}`,
      `- wall time: ${oneLine(provenance.wallTime)}`,
    );
  }
  out.push(
    `- training time (sum over runs): tuning ${Math.round(r.runSeconds.tune)} s, final ${Math.round(r.runSeconds.final)} s`,
    `- spec: [study.json](study.json); learning rates ${r.lrGrid.join(', ')}; tuning seeds ${r.tuningSeeds.join(', ')}; final seeds ${r.finalSeeds.join(', ')}`,
    `- the primary arm's configuration (the demo's \`DEMO_CHOICE\`, apps/trainer/src/demo-choice.ts): method ${r.primaryChoice.method}, lr ${r.primaryChoice.lr ?? 'not chosen yet'}, overrides \`${JSON.stringify(r.primaryChoice.config)}\``,
    '',
    `**Verdict.** ${r.claim.verdict}`,
  );
  if (r.missing.length > 0) out.push('', `Runs without a finished log (${r.missing.length}): ${r.missing.map((m) => `\`${m}\``).join(', ')}.`);
  for (const t of studyTables(r)) {
    out.push('', `## ${t.heading}`, '', t.caption, '');
    out.push(`| ${t.columns.map(cell).join(' | ')} |`, `|${t.numeric.map((n) => (n ? '---:' : '---')).join('|')}|`);
    for (const row of t.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  }
  return out.join('\n') + '\n';
}

/**
 * The study's results.json: the analysis as pretty JSON.
 *
 * @param r - from analyseStudy
 * @param provenance - from the results folder
 * @returns JSON text ending in a newline
 * @example
 * studyResultsJson(results, provenance);
 */
export function studyResultsJson(r: StudyResults, provenance: StudyProvenance | null): string {
  return `${JSON.stringify({ provenance, ...r }, null, 2)}\n`;
}
