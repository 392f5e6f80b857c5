import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml, writeReport } from './html';
import { syntheticCompare, syntheticRun } from './test-fixtures';
import { analyseStudy } from '../study/analysis';
import { WARM_START_COLOR, pointsChart, policyOfRow, strataChart } from '../study/charts';
import { renderStudyHtml } from '../study/html';
import { STUDY_METRICS } from '../study/spec';
import { finals, row, spec, tuneAll } from '../study/test-fixtures';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = process.env.PARETOPO_REQUIRE_BROWSER === '1';
const PRESENT = existsSync(CHROMIUM);
if (!PRESENT && !REQUIRED) {
  console.warn(`html.browser.test: skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH, or PARETOPO_REQUIRE_BROWSER=1 to fail instead)`);
}

interface PageReport {
  charts: { id: string; datasets: number; points: number }[];
}

// Runs in the page (plain JS; the test's TypeScript has no DOM types): for each canvas, whether
// Chart.js owns it and how many pixels are coloured (grid lines and text are grey, data is not).
const PIXEL_PROBE = `(() => Array.from(document.querySelectorAll('canvas')).map((c) => {
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let coloured = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0 && Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) coloured++;
  }
  return { id: c.id, hasChart: Boolean(window.Chart && window.Chart.getChart(c)), width: c.width, height: c.height, coloured };
}))()`;

describe.skipIf(!PRESENT && !REQUIRED)('report page in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!PRESENT) throw new Error(`html.browser.test: PARETOPO_REQUIRE_BROWSER=1 but there is no Chromium at ${CHROMIUM}`);
    dir = await mkdtemp(join(tmpdir(), 'paretopo-browser-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 20_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(file: string, screenshot?: string, probe?: string) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(file).href);
    await page.waitForFunction('window.__paretopoReport !== undefined', null, { timeout: 10_000 });
    const report = (await page.evaluate('window.__paretopoReport')) as PageReport;
    const canvases = (await page.evaluate(PIXEL_PROBE)) as { id: string; hasChart: boolean; width: number; height: number; coloured: number }[];
    const probed = probe === undefined ? undefined : await page.evaluate(probe);
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    await page.close();
    return { errors, report, canvases, probed };
  }

  it('draws every chart of a compare report with data and no errors', async () => {
    const file = join(dir, 'compare.html');
    writeReport(file, renderReportHtml(syntheticCompare(['grpo-ws', 'otc-grpo', 'paretopo'], 2), { title: 'synthetic compare <arith>' }));
    const { errors, report, canvases } = await open(file, process.env.PARETOPO_REPORT_SCREENSHOT);
    expect(errors).toEqual([]);
    expect(report.charts.map((c) => c.id)).toEqual(['hv', 'accuracy', 'calls', 'train-hv', 'front']);
    for (const c of report.charts) expect(c.points, `${c.id} points`).toBeGreaterThan(0);
    expect(canvases).toHaveLength(5);
    for (const c of canvases) {
      expect(c.hasChart, `${c.id} has a chart`).toBe(true);
      expect(c.width * c.height, `${c.id} size`).toBeGreaterThan(0);
      expect(c.coloured, `${c.id} coloured pixels`).toBeGreaterThan(200);
    }
  }, 20_000);

  it('draws a single unfinished run', async () => {
    const file = join(dir, 'one.html');
    const run = syntheticRun({ method: 'paretopo', seed: 0, accuracy: 0.8, calls: 1, switchStep: 20, finished: false });
    writeReport(file, renderReportHtml([run], { title: 'one run' }));
    const { errors, report, canvases } = await open(file);
    expect(errors).toEqual([]);
    for (const c of report.charts) expect(c.points, `${c.id} points`).toBeGreaterThan(0);
    for (const c of canvases) expect(c.coloured, `${c.id} coloured pixels`).toBeGreaterThan(50);
  }, 20_000);

  it('draws a study report: calls per stratum, arms beside the oracle, the validation sweep and a forest plot per metric', async () => {
    const file = join(dir, 'study.html');
    const seeds = [11, 12, 13, 14];
    const results = analyseStudy(spec(seeds), tuneAll(seeds), finals(seeds, (s) => 0.01 * (s - 10)), { validation: null, test: row(0.7, 2) });
    const final = finals(seeds, () => 0.01);
    writeReport(file, renderStudyHtml(results, { title: 'synthetic study <arith>', finalRuns: final }));
    // The forest plot's rows are named by their baselines, not by index.
    const ticks = `Chart.getChart(document.getElementById('chart-forest-accuracy')).scales.y.ticks.map((t) => t.label).filter((l) => l !== '')`;
    const { errors, report, canvases, probed } = await open(file, process.env.PARETOPO_STUDY_SCREENSHOT, ticks);
    expect(probed).toEqual(['a', 'b']);
    expect(errors).toEqual([]);
    expect(report.charts.map((c) => c.id)).toEqual(['strata', 'arms', 'sweep', ...STUDY_METRICS.map((m) => `forest-${m}`)]);
    // strata: 3 arms + warm start × 2 strata; arms: 3 arms + warm start + oracle; sweep: 3 arms × 3 lrs; forest: 2 baselines × (interval + mean).
    expect(report.charts.map((c) => c.points)).toEqual([8, 5, 9, ...STUDY_METRICS.map(() => 6)]);
    for (const c of canvases) {
      expect(c.hasChart, `${c.id} has a chart`).toBe(true);
      expect(c.coloured, `${c.id} coloured pixels`).toBeGreaterThan(100);
    }
  }, 20_000);

  it('draws the demo report: the three policies beside the oracle and their calls per stratum, then the runs', async () => {
    const file = join(dir, 'demo.html');
    const runs = syntheticCompare(['grpo-acc', 'paretopo'], 1);
    const policies = [policyOfRow('warm start (SFT)', WARM_START_COLOR, row(0.7, 2)), policyOfRow('grpo-acc', '#4e79a7', row(0.8, 1.8), 'grpo-acc'), policyOfRow('ParetoPO', '#e15759', row(0.8, 1), 'paretopo')];
    writeReport(file, renderReportHtml(runs, { title: 'demo', leadCharts: [pointsChart(policies, 0.5), strataChart(policies)] }));
    const { errors, report, canvases } = await open(file);
    expect(errors).toEqual([]);
    expect(report.charts.map((c) => c.id)).toEqual(['arms', 'strata', 'hv', 'accuracy', 'calls', 'train-hv', 'front']);
    expect(report.charts.slice(0, 2).map((c) => c.points)).toEqual([4, 6]);
    for (const c of canvases) expect(c.coloured, `${c.id} coloured pixels`).toBeGreaterThan(100);
  }, 20_000);
});

