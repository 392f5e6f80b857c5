/**
 * Renders a value for an error message without dumping huge strings or arrays.
 *
 * @param value - Anything that arrived where something else was expected.
 * @returns A short description, e.g. `"NaN"`, `"\"abc\""`, `"Array(3)"`.
 * @example
 * describeValue(Number.NaN); // 'NaN'
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `Array(${value.length})`;
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

/**
 * Thrown for well-typed input outside a function's domain (a malformed data file, a task
 * configuration that cannot produce enough questions). `code` is stable across versions;
 * `path` and `line` are set when the failure is located in a file.
 *
 * @example
 * new EnvError('jsonl-parse', 'readJsonl: a.jsonl:3: invalid JSON', { path: 'a.jsonl', line: 3 }).line; // 3
 */
export class EnvError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  readonly line: number | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; path?: string; line?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EnvError';
    this.code = code;
    this.path = options?.path;
    this.line = options?.line;
  }
}
