/** Stable codes of {@link RunFolderError}. */
export type RunFolderErrorCode = 'missing-file' | 'invalid-json' | 'invalid-record' | 'mismatch';

/**
 * Thrown when a run or compare folder on disk does not match the run-folder contract
 * (`run/types.ts`). `path` names the offending file and `line` its 1-based line for JSONL files.
 *
 * @example
 * new RunFolderError('invalid-record', 'readRunFolder: r/eval.jsonl:3: …', { path: 'r/eval.jsonl', line: 3 }).code; // 'invalid-record'
 */
export class RunFolderError extends Error {
  readonly code: RunFolderErrorCode;
  readonly path: string | undefined;
  readonly line: number | undefined;
  constructor(code: RunFolderErrorCode, message: string, options?: { cause?: unknown; path?: string; line?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunFolderError';
    this.code = code;
    this.path = options?.path;
    this.line = options?.line;
  }
}
