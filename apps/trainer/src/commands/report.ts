import { join } from 'node:path';
import { readRuns, renderReportHtml, writeReport } from '../report';
import type { RunRecord } from '../run/types';

/**
 * `paretopo report`: one self-contained `report.html` from run folders and compare folders.
 *
 * @param dirs - run folders (with `metrics.jsonl`) or compare folders (with `runs/`)
 * @param options - `out` (default `<first dir>/report.html`) and `title`
 * @returns the path written
 * @example
 * await runReport(['runs/compare-arith']); // 'runs/compare-arith/report.html'
 */
export async function runReport(dirs: readonly string[], options: { out?: string; title?: string } = {}): Promise<string> {
  const runs: RunRecord[] = [];
  for (const dir of dirs) runs.push(...readRuns(dir));
  const out = options.out ?? join(dirs[0], 'report.html');
  writeReport(out, renderReportHtml(runs, { title: options.title ?? `paretopo report: ${dirs.join(', ')}` }));
  return out;
}
