import { CLAIM_BASELINES, type MethodResults, type Results } from './results';
import { TABLE_COLUMNS, describeClaim, describeTest, tableCells } from './format';

/** Provenance printed above the table of {@link renderResultsMarkdown}. */
export interface ResultsProvenance {
  /** The command line that produced the runs. */
  command: string;
  /** Git commit of the code. */
  commit: string;
  /** Machine description (CPU, backend). */
  machine: string;
  /** ISO date of the report. */
  date: string;
  /** Environment name (defaults to results.env). */
  env?: string;
  /** Wall time of the command that produced the runs (omitted when not given). */
  wallTime?: string;
}

/** One line of plain text: newlines folded so a value cannot break the Markdown structure. */
function oneLine(s: string): string {
  return String(s).replace(/\s*[\r\n]+\s*/g, ' ');
}

/** An inline code span whose fence is longer than any backtick run inside (CommonMark §6.1). */
function code(s: string): string {
  const longest = Math.max(0, ...(oneLine(s).match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest > 0 ? ' ' : ''}${oneLine(s)}${longest > 0 ? ' ' : ''}${fence}`;
}

function tableRow(row: MethodResults, results: Results): string {
  const name = row.method === 'paretopo' ? `**${row.method}**` : row.method;
  return `| ${name} | ${tableCells(row, results).join(' | ')} | ${row.n} |`;
}

/**
 * Renders {@link Results} as the paper-style Markdown report: provenance, the table
 * (method | accuracy | #tool calls | tool productivity | HV, mean ± sample std over seeds; `*` on
 * paretopo's cells where Welch's test against the strongest baseline gives p < alpha), the
 * t-test lines, and the headline claim checked in plain words.
 *
 * @param results - from aggregateResults
 * @param provenance - command, commit, machine, date and env
 * @returns Markdown text ending in a newline
 * @example
 * renderResultsMarkdown(aggregateResults(runs), { command: 'paretopo compare …', commit: 'abc1234', machine: '2-core x86', date: '2026-05-01' });
 * // '# ParetoPO results: arith\n\n- command: `paretopo compare …`\n…'
 */
export function renderResultsMarkdown(results: Results, provenance: ResultsProvenance): string {
  const fn = 'renderResultsMarkdown';
  if (results === null || typeof results !== 'object' || !Array.isArray(results.methods)) {
    throw new TypeError(`${fn}: results must come from aggregateResults (got ${String(results)})`);
  }
  for (const key of ['command', 'commit', 'machine', 'date'] as const) {
    if (typeof provenance?.[key] !== 'string') throw new TypeError(`${fn}: provenance.${key} must be a string (got ${String(provenance?.[key])})`);
  }
  const env = oneLine(provenance.env ?? results.env ?? 'unknown env');
  const out: string[] = [
    `# ParetoPO results: ${env}`,
    '',
    `- command: ${code(provenance.command)}`,
    `- commit: ${code(provenance.commit)}`,
    `- machine: ${oneLine(provenance.machine)}`,
    `- date: ${oneLine(provenance.date)}`,
    ...(provenance.wallTime === undefined ? [] : [`- wall time: ${oneLine(provenance.wallTime)}`]),
    '',
  ];
  if (results.methods.length === 0) {
    out.push('No finished runs (no summary.json) to report.');
  } else {
    out.push('Final greedy evaluation on the test pool (the last validation evaluation for runs without one); mean ± sample std (n − 1) over seeds.', '');
    out.push(`| method | ${TABLE_COLUMNS.map((c) => c.heading).join(' | ')} | seeds |`);
    out.push(`|---|${TABLE_COLUMNS.map(() => '---:').join('|')}|---:|`);
    for (const row of results.methods) out.push(tableRow(row, results));
  }
  if (results.unfinished.length > 0) out.push('', `Left out (unfinished, no summary.json): ${results.unfinished.map(code).join(', ')}.`);
  const cmp = results.comparison;
  if (cmp) {
    out.push('', `## paretopo vs the strongest baseline: ${cmp.baseline}`, '');
    out.push(`Welch's two-sided t-test over seeds; * marks p < ${cmp.alpha}.`, '');
    for (const t of cmp.tests) out.push(`- ${describeTest(t, cmp.method, cmp.baseline)}`);
  }
  if (results.claim) {
    out.push('', '## Claim check', '');
    out.push(
      `The paper's claim: ParetoPO reaches higher accuracy and fewer tool calls than the static-weight and heuristic baselines (${CLAIM_BASELINES.join(', ')}), and the largest hypervolume.`,
      '',
    );
    const claim = describeClaim(results, env)!;
    out.push(...claim.items.map((s) => `- ${s}`), '', claim.overall);
  } else if (results.methods.length > 0) {
    out.push('', 'paretopo was not run, so the claim is not checked.');
  }
  return out.join('\n') + '\n';
}
