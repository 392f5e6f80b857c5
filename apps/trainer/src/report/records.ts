import { describeValue } from '@paretopo/pareto';
import { METHOD_NAMES } from '../methods';
import type { EvalRow, RunConfigRecord, RunSummary, StepRow } from '../run/types';
import { RunFolderError } from './errors';

/** Where a record came from, for error messages: the calling function, the file and (JSONL) the line. */
export interface RecordSource {
  /** Name of the public function the error is reported for. */
  fn: string;
  path: string;
  /** 1-based line in a JSONL file. */
  line?: number;
}

type Kind = 'number' | 'int' | 'nullable' | 'string' | 'method';

const EXPECT: Record<Kind, string> = {
  number: 'a finite number',
  int: 'an integer ≥ 0',
  nullable: 'a finite number or null',
  string: 'a non-empty string',
  method: `one of ${METHOD_NAMES.join(', ')}`,
};

function ok(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= 0;
    case 'nullable':
      return v === null || (typeof v === 'number' && Number.isFinite(v));
    case 'string':
      return typeof v === 'string' && v !== '';
    case 'method':
      return typeof v === 'string' && (METHOD_NAMES as readonly string[]).includes(v);
  }
}

function at(src: RecordSource): string {
  return src.line === undefined ? src.path : `${src.path}:${src.line}`;
}

function fail(src: RecordSource, what: string): never {
  throw new RunFolderError('invalid-record', `${src.fn}: ${at(src)}: ${what}`, { path: src.path, line: src.line });
}

function checkFields(value: unknown, fields: Record<string, Kind>, src: RecordSource, prefix = ''): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(src, `${prefix || 'record'} must be a JSON object (got ${describeValue(value)})`);
  const obj = value as Record<string, unknown>;
  for (const [key, kind] of Object.entries(fields)) {
    if (!(key in obj)) fail(src, `missing field "${prefix}${key}" (${EXPECT[kind]})`);
    if (!ok(kind, obj[key])) fail(src, `field "${prefix}${key}" must be ${EXPECT[kind]} (got ${describeValue(obj[key])})`);
  }
  return obj;
}

const CONFIG_FIELDS: Record<string, Kind> = { env: 'string', method: 'method', seed: 'int', steps: 'int' };
const STEP_FIELDS: Record<string, Kind> = {
  step: 'int',
  accuracy: 'number',
  meanCalls: 'number',
  meanToolReward: 'number',
  hv: 'number',
  rPareto: 'nullable',
  deltaHvSmoothed: 'nullable',
  switchStep: 'nullable',
};
const EVAL_FIELDS: Record<string, Kind> = {
  step: 'int',
  accuracy: 'number',
  meanCalls: 'number',
  toolProductivity: 'number',
  toolEfficiency: 'number',
  hv: 'number',
  n: 'int',
  time: 'string',
};
const SUMMARY_FIELDS: Record<string, Kind> = { env: 'string', method: 'method', seed: 'int', steps: 'int', switchStep: 'nullable', seconds: 'number' };

/**
 * Checks a parsed `config.json` against {@link RunConfigRecord}: env (non-empty string), method
 * (one of METHOD_NAMES), seed and steps (integers ≥ 0). Other keys pass through unchecked.
 *
 * @param value - the parsed JSON
 * @param src - where it came from (for the error message)
 * @returns the same object, typed
 * @throws RunFolderError `'invalid-record'` naming the file and the field
 * @example
 * checkRunConfig({ command: 'train', env: 'arith', method: 'paretopo', seed: 0, steps: 80 }, { fn: 'x', path: 'config.json' }).method; // 'paretopo'
 */
export function checkRunConfig(value: unknown, src: RecordSource): RunConfigRecord {
  return checkFields(value, CONFIG_FIELDS, src) as RunConfigRecord;
}

/**
 * Checks one parsed `metrics.jsonl` line against {@link StepRow}: step, stage (1 or 2), the
 * batch metrics the report plots (accuracy, meanCalls, meanToolReward, hv) and the nullable
 * stage fields (rPareto, deltaHvSmoothed, switchStep). Other fields pass through unchecked.
 *
 * @param value - the parsed JSON line
 * @param src - file and line (for the error message)
 * @returns the same object, typed
 * @throws RunFolderError `'invalid-record'` naming file:line and the field
 * @example
 * checkStepRow({ step: 0 }, { fn: 'f', path: 'metrics.jsonl', line: 1 });
 * // throws 'f: metrics.jsonl:1: missing field "accuracy" (a finite number)'
 */
export function checkStepRow(value: unknown, src: RecordSource): StepRow {
  const row = checkFields(value, STEP_FIELDS, src);
  if (row.stage !== 1 && row.stage !== 2) fail(src, `field "stage" must be 1 or 2 (got ${describeValue(row.stage)})`);
  return row as unknown as StepRow;
}

/**
 * Checks one parsed `eval.jsonl` line (or a summary's initial/final/test) against {@link EvalRow}:
 * every field is required except `pool` (absent in older runs; else 'validation' or 'test') and `oracle`.
 *
 * @param value - the parsed JSON
 * @param src - file and line (for the error message)
 * @param prefix - field-name prefix in messages (`'final.'` inside a summary)
 * @returns the same object, typed
 * @throws RunFolderError `'invalid-record'` naming file:line and the field
 * @example
 * checkEvalRow({ step: 0, accuracy: 0.5, meanCalls: 1, toolProductivity: 0.5, toolEfficiency: 0.6, hv: 0.3, n: 64, time: 't' }, { fn: 'f', path: 'eval.jsonl', line: 1 }).hv; // 0.3
 */
export function checkEvalRow(value: unknown, src: RecordSource, prefix = ''): EvalRow {
  const row = checkFields(value, EVAL_FIELDS, src, prefix);
  if ('pool' in row && row.pool !== 'validation' && row.pool !== 'test') fail(src, `field "${prefix}pool" must be 'validation' or 'test' (got ${describeValue(row.pool)})`);
  return row as unknown as EvalRow;
}

/**
 * Checks a parsed `summary.json` against {@link RunSummary}, including its initial and final
 * evaluation rows.
 *
 * @param value - the parsed JSON
 * @param src - where it came from (for the error message)
 * @returns the same object, typed
 * @throws RunFolderError `'invalid-record'` naming the file and the field
 * @example
 * checkRunSummary({ env: 'arith' }, { fn: 'f', path: 'summary.json' });
 * // throws 'f: summary.json: missing field "method" (one of grpo-acc, …)'
 */
export function checkRunSummary(value: unknown, src: RecordSource): RunSummary {
  const obj = checkFields(value, SUMMARY_FIELDS, src);
  checkEvalRow(obj.initial, src, 'initial.');
  checkEvalRow(obj.final, src, 'final.');
  if (obj.test !== undefined && obj.test !== null) checkEvalRow(obj.test, src, 'test.');
  return obj as unknown as RunSummary;
}

/**
 * Position of a method in METHOD_NAMES (the table's order).
 *
 * @param method - a method name
 * @returns its index, or METHOD_NAMES.length for an unknown name (sorts last)
 * @example
 * methodOrder('paretopo'); // 9
 */
export function methodOrder(method: string): number {
  const i = (METHOD_NAMES as readonly string[]).indexOf(method);
  return i < 0 ? METHOD_NAMES.length : i;
}
