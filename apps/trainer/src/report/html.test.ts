import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { escapeHtml, renderReportHtml, writeReport } from './html';
import { buildReportCharts } from './report-charts';
import { syntheticCompare, syntheticRun } from './test-fixtures';

function dataBlob(html: string): unknown {
  const m = html.match(/<script type="application\/json" id="report-data">([^<]*)<\/script>/);
  expect(m, 'report-data script').not.toBeNull();
  return JSON.parse(m![1]);
}

describe('renderReportHtml', () => {
  const runs = syntheticCompare(['grpo-ws', 'otc-grpo', 'paretopo'], 2);
  const html = renderReportHtml(runs, { title: 'arith <compare> & "friends"' });

  it('is one self-contained document with Chart.js inlined', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('Chart.js v4.6.1');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    // Exactly the three script elements close; nothing inside them ends one early.
    expect(html.match(/<\/script/gi)).toHaveLength(3);
  });

  it('escapes the title and carries the chart specs as JSON', () => {
    expect(html).toContain('<title>arith &lt;compare&gt; &amp; &quot;friends&quot;</title>');
    expect(dataBlob(html)).toEqual({ charts: JSON.parse(JSON.stringify(buildReportCharts(runs))) });
    for (const id of ['hv', 'accuracy', 'calls', 'train-hv', 'front']) expect(html).toContain(`<canvas id="chart-${id}"`);
  });

  it('includes the results table and the claim check for several methods', () => {
    expect(html).toContain('<h2>Results</h2>');
    expect(html).toMatch(/<tr class="ours"><th><span class="swatch" style="background:#e15759"><\/span>paretopo<\/th><td>0\.\d{3} ± 0\.\d{3}/);
    expect(html).toContain('paretopo vs the strongest baseline (otc-grpo)');
    expect(html).toContain('Overall: the claim holds on arith (against the baselines that were run)');
  });

  it('tests: false keeps the results table and leaves out the Welch comparison and the claim check (the demo)', () => {
    const page = renderReportHtml(runs, { title: 'demo', tests: false });
    expect(page).toContain('<h2>Results</h2>');
    expect(page).toMatch(/<tr class="ours"><th><span class="swatch" style="background:#e15759"><\/span>paretopo<\/th>/);
    expect(page).not.toContain('strongest baseline');
    expect(page).not.toContain('Claim check');
  });

  it('renders a single run without a results table, and escapes what came from disk', () => {
    const one = { ...syntheticRun({ method: 'paretopo', seed: 0, accuracy: 0.8, calls: 1, switchStep: 20, finished: false }), dir: 'runs/<img src=x onerror=alert(1)>' };
    const page = renderReportHtml([one], { title: 'one run' });
    expect(page).not.toContain('<h2>Results</h2>');
    expect(page).toContain('<td>runs/&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(page).not.toContain('<img');
    expect(page).toContain('<td>running or stopped</td>');
  });

  it('rejects no runs and a missing title', () => {
    expect(() => renderReportHtml([], { title: 'x' })).toThrow('renderReportHtml: runs must be a non-empty array of run records (got an empty array)');
    expect(() => renderReportHtml(runs, {} as never)).toThrow('renderReportHtml: options.title must be a string (got undefined)');
    const kb = syntheticRun({ method: 'rloo', seed: 0, accuracy: 0.5, calls: 1, env: 'kb' });
    expect(() => renderReportHtml([...runs, kb], { title: 'x' })).toThrow('renderReportHtml: runs must share one env (got arith, kb)');
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('writeReport', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paretopo-report-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes and replaces the file, leaving no temporary file', async () => {
    const path = join(dir, 'report.html');
    await writeFile(path, 'old');
    writeReport(path, '<p>new</p>');
    expect(await readFile(path, 'utf8')).toBe('<p>new</p>');
    expect(await readdir(dir)).toEqual(['report.html']);
  });

  it('fails when the folder does not exist and rejects bad arguments', async () => {
    expect(() => writeReport(join(dir, 'missing', 'r.html'), 'x')).toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual([]);
    expect(() => writeReport('', 'x')).toThrow('writeReport: path must be a non-empty string (got "")');
  });
});
