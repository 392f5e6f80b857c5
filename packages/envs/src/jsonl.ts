import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { EnvError } from './errors';

/** One parsed JSONL record with its location. */
export interface JsonlRecord<T = unknown> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Streams a JSON Lines file record by record (a `node:readline` interface over a read stream),
 * skipping blank lines. A line that is not valid JSON raises an {@link EnvError} with code
 * `'jsonl-parse'` whose message names the file path and the 1-based line number.
 *
 * @param path - File path.
 * @returns An async iterator of `{ value, line }`.
 * @example
 * for await (const { value, line } of readJsonl('test.jsonl')) console.log(line, value);
 * // 1 { question: '…', answer: '…' }
 */
export async function* readJsonl<T = unknown>(path: string): AsyncGenerator<JsonlRecord<T>> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`readJsonl: path must be a non-empty string (got ${JSON.stringify(path)})`);
  }
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      let value: T;
      try {
        value = JSON.parse(text) as T;
      } catch (cause) {
        const why = cause instanceof Error ? cause.message : String(cause);
        throw new EnvError('jsonl-parse', `readJsonl: ${path}:${line}: invalid JSON (${why})`, { cause, path, line });
      }
      yield { value, line };
    }
  } catch (err) {
    if (err instanceof EnvError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new EnvError('jsonl-read', `readJsonl: cannot read ${path} (${why})`, { cause: err, path });
  } finally {
    lines.close();
    stream.destroy();
  }
}
