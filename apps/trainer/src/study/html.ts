import { escapeHtml, renderPage } from '../report/html';
import type { StudyResults, StudyRun } from './analysis';
import { buildStudyCharts } from './charts';
import { studyTables, type StudyTable } from './render';

function tableHtml(t: StudyTable): string {
  const td = (tag: 'th' | 'td', text: string, i: number) => `<${tag}${t.numeric[i] ? '' : ' style="text-align:left"'}>${escapeHtml(text)}</${tag}>`;
  const head = `<tr>${t.columns.map((c, i) => td('th', c, i)).join('')}</tr>`;
  const rows = t.rows.map((row) => `<tr>${row.map((c, i) => td('td', c, i)).join('')}</tr>`).join('');
  return `<h3>${escapeHtml(t.heading)}</h3><p class="caption">${escapeHtml(t.caption)}</p><table>${head}${rows}</table>`;
}

/** Options of {@link renderStudyHtml}. */
export interface StudyHtmlOptions {
  title: string;
  /** The final runs (for the meta line). */
  finalRuns: readonly StudyRun[];
}

/**
 * A study's report.html: the verdict, the tables of results.md, and the charts of
 * {@link buildStudyCharts}, on one self-contained page.
 *
 * @param r - from analyseStudy
 * @param options - title and final runs
 * @returns the HTML document
 * @example
 * writeReport('docs/results/arith/report.html', renderStudyHtml(results, { title: 'study arith', finalRuns }));
 */
export function renderStudyHtml(r: StudyResults, options: StudyHtmlOptions): string {
  const finished = options.finalRuns.filter((x) => x.record?.summary).length;
  const meta = `${r.env} · ${r.arms.length} arms · primary ${r.primary} · ${finished} final runs finished`;
  const before = [`<p class="verdict">${escapeHtml(r.claim.verdict)}</p>`, `<section class="results">${studyTables(r).map(tableHtml).join('\n')}</section>`];
  return renderPage(options.title, meta, before, buildStudyCharts(r), []);
}
