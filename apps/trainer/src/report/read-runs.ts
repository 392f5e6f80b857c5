import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvError, readJsonlSync } from '@paretopo/envs';
import { RUN_FILES, type RunRecord } from '../run/types';
import { RunFolderError } from './errors';
import { checkEvalRow, checkRunConfig, checkRunSummary, checkStepRow, methodOrder, type RecordSource } from './records';

function assertDir(dir: unknown, fn: string): asserts dir is string {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`${fn}: dir must be a non-empty string (got ${JSON.stringify(dir)})`);
}

function parseJson(text: string, src: RecordSource): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const at = src.line === undefined ? src.path : `${src.path}:${src.line}`;
    throw new RunFolderError('invalid-json', `${src.fn}: ${at}: invalid JSON (${why})`, { cause, path: src.path, line: src.line });
  }
}

/**
 * A JSON Lines file, one checked record per non-blank line; where only its gzipped copy
 * `<path>.gz` exists (a study's compact logs), that is read; an absent file has no rows. Read
 * synchronously (`readJsonlSync`): the CLI reads run files once.
 */
function readRows<T>(path: string, fn: string, check: (value: unknown, src: RecordSource) => T): T[] {
  const gzip = !existsSync(path) && existsSync(`${path}.gz`);
  if (gzip) path = `${path}.gz`;
  const rows: T[] = [];
  try {
    // Capped: a run log is a few hundred KiB; a crafted file must not inflate without bound.
    for (const { value, line } of readJsonlSync(path, { missing: 'empty', gzip, maxBytes: 1 << 28 })) rows.push(check(value, { fn, path, line }));
  } catch (err) {
    if (!(err instanceof EnvError)) throw err;
    // The reader names itself; the contract is RunFolderError naming readRunFolder, file and line.
    throw new RunFolderError('invalid-json', err.message.replace(/^readJsonlSync: /, `${fn}: `), { cause: err, path, line: err.line });
  }
  return rows;
}

/**
 * Reads one run folder (the layout of `RUN_FILES`) and checks it against the run-folder contract.
 * `config.json` is required; `metrics.jsonl` (or `metrics.jsonl.gz`) and `eval.jsonl` may be
 * absent (a run that has not logged yet, or a study's compact tuning log: no rows) and `summary.json` is absent until the run finishes (`summary: null`).
 * JSONL files are checked line by line.
 *
 * @param dir - the run folder
 * @returns the run's config, step rows, eval rows and summary
 * @throws RunFolderError `'missing-file'` (no config.json), `'invalid-json'` or `'invalid-record'`
 *   (message names file and line), `'mismatch'` (summary of another env, method or seed than config.json)
 * @example
 * readRunFolder('runs/compare-arith/runs/paretopo-s0').config.method; // 'paretopo'
 */
export function readRunFolder(dir: string): RunRecord {
  const fn = 'readRunFolder';
  assertDir(dir, fn);
  const configPath = join(dir, RUN_FILES.config);
  if (!existsSync(configPath)) {
    throw new RunFolderError('missing-file', `${fn}: ${configPath} does not exist (expected a run folder written by paretopo train)`, { path: configPath });
  }
  const configSrc = { fn, path: configPath };
  const config = checkRunConfig(parseJson(readFileSync(configPath, 'utf8'), configSrc), configSrc);
  const steps = readRows(join(dir, RUN_FILES.metrics), fn, checkStepRow);
  const evals = readRows(join(dir, RUN_FILES.evals), fn, (v, src) => checkEvalRow(v, src));
  const summaryPath = join(dir, RUN_FILES.summary);
  let summary = null;
  if (existsSync(summaryPath)) {
    const src = { fn, path: summaryPath };
    summary = checkRunSummary(parseJson(readFileSync(summaryPath, 'utf8'), src), src);
    if (summary.method !== config.method || summary.seed !== config.seed || summary.env !== config.env) {
      const got = `${summary.env}/${summary.method}/seed ${summary.seed}`;
      const want = `${config.env}/${config.method}/seed ${config.seed}`;
      throw new RunFolderError('mismatch', `${fn}: ${summaryPath} is for ${got} but config.json says ${want}`, { path: summaryPath });
    }
  }
  return { dir, config, steps, evals, summary };
}

/**
 * Reads every run folder under `dir/runs/` (what `paretopo compare` writes), sorted by method in
 * METHOD_NAMES order, then seed. Plain files under `runs/` are ignored; a subfolder that is not a
 * valid run folder is an error.
 *
 * @param dir - the compare folder
 * @returns its runs (empty when `runs/` has no subfolders)
 * @throws RunFolderError `'missing-file'` when `dir/runs` does not exist, or any error of {@link readRunFolder}
 * @example
 * readCompareFolder('runs/compare-arith').map((r) => `${r.config.method}-s${r.config.seed}`);
 * // ['grpo-acc-s0', 'grpo-acc-s1', …, 'paretopo-s2']
 */
export function readCompareFolder(dir: string): RunRecord[] {
  const fn = 'readCompareFolder';
  assertDir(dir, fn);
  const runsDir = join(dir, 'runs');
  if (!existsSync(runsDir)) {
    throw new RunFolderError('missing-file', `${fn}: ${runsDir} does not exist (expected a compare folder with runs/<method>-s<seed>/)`, { path: runsDir });
  }
  const runs = readdirSync(runsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => readRunFolder(join(runsDir, e.name)));
  return runs.sort(
    (a, b) =>
      methodOrder(a.config.method) - methodOrder(b.config.method) ||
      a.config.seed - b.config.seed ||
      (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0),
  );
}

/**
 * Reads a run folder (it has `config.json`) as one run, or a compare folder (it has `runs/`) as
 * all of its runs: what `paretopo report <dir>` accepts.
 *
 * @param dir - a run folder or a compare folder
 * @returns the runs, in {@link readCompareFolder}'s order
 * @throws RunFolderError `'missing-file'` when `dir` is neither
 * @example
 * readRuns('runs/arith-paretopo-s0').length; // 1
 */
export function readRuns(dir: string): RunRecord[] {
  const fn = 'readRuns';
  assertDir(dir, fn);
  if (existsSync(join(dir, RUN_FILES.config))) return [readRunFolder(dir)];
  if (existsSync(join(dir, 'runs'))) return readCompareFolder(dir);
  throw new RunFolderError('missing-file', `${fn}: ${dir} has neither ${RUN_FILES.config} (run folder) nor runs/ (compare folder)`, { path: dir });
}
