/**
 * Thrown for well-typed input outside a function's domain (a malformed data file, a task
 * configuration that cannot produce enough questions). `code` is stable across versions;
 * `path` and `line` (JSONL) or `offset` (the byte where a JSON array's element starts) are set
 * when the failure is located in a file.
 *
 * @example
 * new EnvError('jsonl-parse', 'readJsonl: a.jsonl:3: invalid JSON', { path: 'a.jsonl', line: 3 }).line; // 3
 */
export class EnvError extends Error {
  readonly code: string;
  readonly path: string | undefined;
  readonly line: number | undefined;
  readonly offset: number | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; path?: string; line?: number; offset?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EnvError';
    this.code = code;
    this.path = options?.path;
    this.line = options?.line;
    this.offset = options?.offset;
  }
}
