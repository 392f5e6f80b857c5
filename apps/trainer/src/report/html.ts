import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../run/files';
import type { RunRecord } from '../run/types';
import { TABLE_COLUMNS, describeClaim, describeTest, tableCells } from './format';
import { PAGE_SCRIPT } from './page-script';
import { buildReportCharts, finalEvalOf, methodColor, switchStepOf, type ChartSpec } from './report-charts';
import { aggregateResults, type Results } from './results';

/** Options of {@link renderReportHtml}. */
export interface ReportHtmlOptions {
  /** Page title and heading. */
  title: string;
  /** `aggregateResults(runs)` when the caller has it already (`compare` writes it to results.md too). */
  results?: Results;
  /** Charts drawn before the runs' own (the demo's policies beside the oracle). */
  leadCharts?: readonly ChartSpec[];
  /**
   * false: the results table without the Welch comparison and the claim check (the demo trains
   * one seed per method, so there is nothing to test, and its page should not read as a claim
   * check). Default true.
   */
  tests?: boolean;
}

let chartJsSource: string | null = null;

/**
 * Chart.js's UMD bundle, read once. chart.js's `exports` map does not expose `dist/`, so the
 * bundle is found next to the CommonJS entry that `require.resolve('chart.js')` returns.
 */
function chartJs(): string {
  if (chartJsSource === null) {
    const entry = createRequire(import.meta.url).resolve('chart.js');
    chartJsSource = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @param text - any string
 * @returns the string with & < > " ' as entities
 * @example
 * escapeHtml('<b>"a" & b</b>'); // '&lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;'
 */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Inline script text cannot contain `</script` (it would end the element); `<\/script` means the same in JS. */
function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

/** JSON that is safe inside `<script type="application/json">`: no `<` at all, so no `</script` and no `<!--`. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function resultsSection(results: Results, tests: boolean): string {
  const head = `<tr><th>method</th>${TABLE_COLUMNS.map((c) => `<th>${escapeHtml(c.heading)}</th>`).join('')}<th>seeds</th></tr>`;
  const rows = results.methods.map((row) => {
    const ours = row.method === 'paretopo';
    const cells = tableCells(row, results).map((c) => `<td>${escapeHtml(c)}</td>`);
    const swatch = `<span class="swatch" style="background:${methodColor(row.method)}"></span>`;
    return `<tr${ours ? ' class="ours"' : ''}><th>${swatch}${escapeHtml(row.method)}</th>${cells.join('')}<td>${row.n}</td></tr>`;
  });
  const parts = [
    '<section class="results"><h2>Results</h2>',
    '<p class="caption">Final evaluation; mean ± sample std over seeds.</p>',
    `<table>${head}${rows.join('')}</table>`,
  ];
  const cmp = tests ? results.comparison : null;
  if (cmp) {
    parts.push(`<h3>paretopo vs the strongest baseline (${escapeHtml(cmp.baseline)})</h3>`);
    parts.push(`<p class="caption">Welch's two-sided t-test over seeds; * marks p &lt; ${cmp.alpha}.</p>`);
    parts.push(`<ul>${cmp.tests.map((t) => `<li>${escapeHtml(describeTest(t, cmp.method, cmp.baseline))}</li>`).join('')}</ul>`);
  }
  const claim = tests ? describeClaim(results, results.env ?? 'this environment') : null;
  if (claim) {
    parts.push('<h3>Claim check</h3>');
    parts.push(`<ul>${claim.items.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul><p>${escapeHtml(claim.overall)}</p>`);
  }
  if (results.unfinished.length > 0) parts.push(`<p class="caption">Left out (unfinished): ${results.unfinished.map(escapeHtml).join(', ')}</p>`);
  parts.push('</section>');
  return parts.join('\n');
}

function runsSection(runs: readonly RunRecord[]): string {
  const rows = runs.map((r) => {
    const f = finalEvalOf(r);
    const sw = switchStepOf(r);
    const status = r.summary ? 'finished' : 'running or stopped';
    const cells = [
      escapeHtml(r.dir),
      escapeHtml(r.config.method),
      String(r.config.seed),
      `${r.steps.length} / ${r.config.steps}`,
      sw === null ? '–' : String(sw),
      f ? f.accuracy.toFixed(3) : '–',
      f ? f.meanCalls.toFixed(2) : '–',
      f ? f.hv.toFixed(3) : '–',
      status,
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  const head = ['run', 'method', 'seed', 'steps logged', 'stage 2 from', 'accuracy', 'calls', 'HV', 'status'].map((h) => `<th>${h}</th>`).join('');
  return `<section class="runs"><h2>Runs</h2><table><tr>${head}</tr>${rows.join('')}</table></section>`;
}

function chartSection(spec: ChartSpec): string {
  return [
    `<section class="chart" id="section-${spec.id}">`,
    `<h2>${escapeHtml(spec.title)}</h2>`,
    `<p class="caption">${escapeHtml(spec.caption)}</p>`,
    `<div class="canvas-box"><canvas id="chart-${spec.id}" aria-label="${escapeHtml(spec.title)}" role="img"></canvas></div>`,
    '</section>',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 24px auto; max-width: 1280px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 0 0 2px; } h3 { font-size: 15px; margin: 14px 0 2px; }
.meta, .caption { color: #666; margin: 0 0 8px; font-size: 13px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 20px; margin: 16px 0; }
.chart { border: 1px solid #e3e3e3; border-radius: 6px; padding: 12px; }
.canvas-box { position: relative; height: 340px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
tr.ours { font-weight: 600; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
section.results, section.runs { margin: 20px 0; }\n.verdict { font-weight: 600; }
`;

/**
 * Renders run records as one self-contained HTML page (Chart.js inlined; no network needed):
 * evaluation HV, accuracy and tool calls over RL steps per method (mean over seeds, stage switches
 * as dashed lines), the smoothed training-batch HV, the final (calls, accuracy) of every run with
 * each method's Pareto front over seeds, the results table of aggregateResults (when more than one
 * method has finished runs) and a table of the runs. Works for a single run.
 *
 * @param runs - run records of one environment, at least one
 * @param options - the page title; the runs' aggregate if already computed
 * @returns the HTML document
 * @throws RangeError when runs is empty, mixes environments, or holds a method and seed twice
 * @example
 * writeReport('report.html', renderReportHtml(readRuns(dir), { title: 'arith, 3 seeds' }));
 */
export function renderReportHtml(runs: readonly RunRecord[], options: ReportHtmlOptions): string {
  const fn = 'renderReportHtml';
  if (!Array.isArray(runs) || runs.length === 0) throw new RangeError(`${fn}: runs must be a non-empty array of run records (got ${Array.isArray(runs) ? 'an empty array' : String(runs)})`);
  if (typeof options?.title !== 'string') throw new TypeError(`${fn}: options.title must be a string (got ${String(options?.title)})`);
  const envs = [...new Set(runs.map((r) => r.config.env))];
  if (envs.length > 1) throw new RangeError(`${fn}: runs must share one env (got ${envs.join(', ')})`);
  const results = options.results ?? aggregateResults(runs);
  const charts = [...(options.leadCharts ?? []), ...buildReportCharts(runs)];
  const methods = [...new Set(runs.map((r) => r.config.method))];
  const meta = `${envs[0]} · ${runs.length} run${runs.length === 1 ? '' : 's'} · ${methods.length} method${methods.length === 1 ? '' : 's'} (${methods.join(', ')})`;
  return renderPage(options.title, meta, [results.methods.length > 1 ? resultsSection(results, options.tests ?? true) : ''], charts, [runsSection(runs)]);
}

/**
 * One self-contained report page: heading, a meta line, sections of HTML, the charts (drawn by
 * Chart.js, inlined, from the specs in a JSON block) and sections after them. The page script
 * publishes what it drew as `window.__paretopoReport` for the browser test.
 *
 * @param title - page title and heading (escaped here)
 * @param meta - the line under the heading (escaped here)
 * @param before - HTML sections above the charts (already escaped)
 * @param charts - chart specs
 * @param after - HTML sections below the charts (already escaped)
 * @returns the HTML document
 * @example
 * renderPage('study arith', '10 arms', [table], buildStudyCharts(results), []);
 */
export function renderPage(title: string, meta: string, before: readonly string[], charts: readonly ChartSpec[], after: readonly string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${escapeHtml(meta)}</p>`,
    ...before,
    `<div class="charts">${charts.map(chartSection).join('\n')}</div>`,
    ...after,
    `<script type="application/json" id="report-data">${inlineJson({ charts })}</script>`,
    `<script>${inlineScript(chartJs())}</script>`,
    `<script>${inlineScript(PAGE_SCRIPT)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes a file atomically: the text goes to a temporary file in the same folder, which is then
 * renamed over `path`, so a reader never sees a half-written report.
 *
 * @param path - destination file (its folder must exist)
 * @param html - the document
 * @returns nothing; the file is in place when it returns
 * @example
 * writeReport('runs/compare-arith/report.html', html);
 */
export function writeReport(path: string, html: string): void {
  const fn = 'writeReport';
  if (typeof path !== 'string' || path === '') throw new TypeError(`${fn}: path must be a non-empty string (got ${JSON.stringify(path)})`);
  if (typeof html !== 'string') throw new TypeError(`${fn}: html must be a string (got ${typeof html})`);
  writeFileAtomic(path, html);
}
