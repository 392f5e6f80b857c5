import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCompareFolder, readRunFolder, renderReportHtml, writeReport } from '../report';
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
  for (const dir of dirs) {
    if (existsSync(join(dir, 'runs'))) runs.push(...readCompareFolder(dir));
    else runs.push(readRunFolder(dir));
  }
  const out = options.out ?? join(dirs[0], 'report.html');
  writeReport(out, renderReportHtml(runs, { title: options.title ?? `paretopo report: ${dirs.join(', ')}` }));
  return out;
}
