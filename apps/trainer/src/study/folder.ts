import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRunFolder } from '../report/read-runs';
import { checkEvalRow } from '../report/records';
import { writeFileAtomic } from '../run/files';
import { RUN_FILES, type EvalRow } from '../run/types';
import { analyseStudy, selectLearningRates, type StudyResults, type StudyRun } from './analysis';
import { finalRuns, loadStudySpec, tuningRuns, type PlannedRun, type StudySpec } from './spec';

/**
 * The files of a study's results folder (e.g. docs/results/arith/): the spec, what `study`
 * writes, and the compact per-run logs `report` recomputes every number from.
 *
 * @example
 * join('docs/results/arith', STUDY_FILES.resultsMd); // 'docs/results/arith/results.md'
 */
export const STUDY_FILES = Object.freeze({
  spec: 'study.json',
  /** Command, commit, machine, date and wall time of the `study` invocation that finished it. */
  provenance: 'provenance.json',
  resultsMd: 'results.md',
  resultsJson: 'results.json',
  report: 'report.html',
  /** Compact run logs: `runs/sft/`, `runs/tune/<run>/`, `runs/final/<run>/`. */
  runs: 'runs',
});

/** The provenance lines of results.md (written once by `study`, read back by `report`). */
export interface StudyProvenance {
  command: string;
  commit: string;
  machine: string;
  date: string;
  wallTime: string;
}

/** A study's results folder, read back: the spec, its planned runs with their logs, the warm start. */
export interface StudyFolder {
  dir: string;
  spec: StudySpec;
  tune: StudyRun[];
  /** Empty until every arm's learning rate is chosen. */
  final: StudyRun[];
  warmStart: { validation: EvalRow | null; test: EvalRow | null };
  provenance: StudyProvenance | null;
}

const logDir = (resultsDir: string, run: PlannedRun) => join(resultsDir, STUDY_FILES.runs, run.phase, run.name);

/**
 * Copies the compact log of a finished run into the results folder: config.json, eval.jsonl
 * (validation), summary.json (with the test row), test.json when present, and for final runs
 * metrics.jsonl gzipped (gzip output is deterministic: no timestamp in the header). Checkpoints
 * stay in the work folder. Each file is written atomically.
 *
 * @param runDir - the run folder
 * @param dest - the compact log's folder
 * @param withMetrics - also keep the per-step metrics (final runs)
 * @example
 * exportRunLog('runs/study-arith/final/paretopo-s11', 'docs/results/arith/runs/final/paretopo-s11', true);
 */
export function exportRunLog(runDir: string, dest: string, withMetrics: boolean): void {
  mkdirSync(dest, { recursive: true });
  for (const f of [RUN_FILES.config, RUN_FILES.evals, RUN_FILES.summary, RUN_FILES.test]) {
    const from = join(runDir, f);
    if (existsSync(from)) writeFileAtomic(join(dest, f), readFileSync(from));
  }
  if (withMetrics) writeFileAtomic(join(dest, `${RUN_FILES.metrics}.gz`), gzipSync(readFileSync(join(runDir, RUN_FILES.metrics)), { level: 9 }));
}

/**
 * Copies the warm start's evaluations (eval.json on validation, test.json) and its config into
 * `<results>/runs/sft/`.
 *
 * @param sftDir - the SFT checkpoint folder
 * @param resultsDir - the study's results folder
 * @example
 * exportSftLog('runs/study-arith/sft', 'docs/results/arith');
 */
export function exportSftLog(sftDir: string, resultsDir: string): void {
  const dest = join(resultsDir, STUDY_FILES.runs, 'sft');
  mkdirSync(dest, { recursive: true });
  for (const f of ['sft-config.json', 'eval.json', RUN_FILES.test]) {
    const from = join(sftDir, f);
    if (existsSync(from)) writeFileAtomic(join(dest, f), readFileSync(from));
  }
}

function readEvalFile(path: string): EvalRow | null {
  if (!existsSync(path)) return null;
  const src = { fn: 'readStudyFolder', path };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SyntaxError(`readStudyFolder: ${path} is not JSON (${(err as Error).message})`, { cause: err });
  }
  return checkEvalRow(value, src);
}

function readProvenance(path: string): StudyProvenance {
  const value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  for (const k of ['command', 'commit', 'machine', 'date', 'wallTime']) {
    if (typeof value?.[k] !== 'string') throw new TypeError(`readStudyFolder: ${path}: field "${k}" must be a string (got ${JSON.stringify(value?.[k])})`);
  }
  return value as unknown as StudyProvenance;
}

function withLogs(resultsDir: string, runs: readonly PlannedRun[]): StudyRun[] {
  return runs.map((run) => {
    const dir = logDir(resultsDir, run);
    return { ...run, record: existsSync(join(dir, RUN_FILES.config)) ? readRunFolder(dir) : null };
  });
}

/**
 * Reads a study's results folder: `study.json`, the compact logs of the tuning runs, the
 * learning rates they choose, then the final runs at those rates, the warm start and the
 * provenance.
 *
 * @param dir - the results folder (holds study.json)
 * @returns the folder's contents
 * @throws ConfigError on a bad spec; RunFolderError on a bad log
 * @example
 * readStudyFolder('docs/results/arith').final.length; // arms × final seeds
 */
export function readStudyFolder(dir: string): StudyFolder {
  const spec = loadStudySpec(join(dir, STUDY_FILES.spec));
  const tune = withLogs(dir, tuningRuns(spec));
  const chosen = new Map<string, number>();
  for (const s of selectLearningRates(spec, tune)) if (s.chosenLr !== null) chosen.set(s.arm, s.chosenLr);
  const final = chosen.size === Object.keys(spec.arms).length ? withLogs(dir, finalRuns(spec, chosen)) : [];
  const sftDir = join(dir, STUDY_FILES.runs, 'sft');
  const warmStart = { validation: readEvalFile(join(sftDir, 'eval.json')), test: readEvalFile(join(sftDir, RUN_FILES.test)) };
  const provPath = join(dir, STUDY_FILES.provenance);
  const provenance = existsSync(provPath) ? readProvenance(provPath) : null;
  return { dir, spec, tune, final, warmStart, provenance };
}

/**
 * Analyses a study's results folder from its compact logs alone.
 *
 * @param dir - the results folder
 * @returns the folder and its analysis
 * @example
 * studyResultsOf('docs/results/arith').results.claim.holds;
 */
export function studyResultsOf(dir: string): { folder: StudyFolder; results: StudyResults } {
  const folder = readStudyFolder(dir);
  return { folder, results: analyseStudy(folder.spec, folder.tune, folder.final, folder.warmStart) };
}
