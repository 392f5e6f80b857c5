import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/**
 * Writes a file atomically: a temporary file in the same directory, synced, then renamed over the
 * target, so a reader (or a crash) sees the old or the new content, never a torn one.
 *
 * @param path - target file
 * @param data - content
 * @example
 * writeFileAtomic('run/summary.json', JSON.stringify(summary));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes JSON atomically (two-space indented, trailing newline).
 *
 * @param path - target file
 * @param value - any JSON value
 * @example
 * writeJsonAtomic('run/config.json', { env: 'arith' });
 */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Appends one JSON row to a JSONL file and syncs it. A crash can lose at most the row being
 * written; `readJsonlSync` (`@paretopo/envs`) reports such a torn last line by its number, or
 * drops it with `tornTail: 'drop'`.
 *
 * @param path - the `.jsonl` file (created when missing)
 * @param row - the row
 * @example
 * appendJsonl('run/metrics.jsonl', { step: 0, accuracy: 0.5 });
 */
export function appendJsonl(path: string, row: unknown): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify(row)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Rewrites a JSONL file atomically with the given rows (used on resume to drop rows written after
 * the checkpoint the run continues from).
 *
 * @param path - the file
 * @param rows - rows to keep
 * @example
 * writeJsonlAtomic('run/metrics.jsonl', rows.filter((r) => r.step < 40));
 */
export function writeJsonlAtomic(path: string, rows: readonly unknown[]): void {
  writeFileAtomic(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}
