import { createReadStream, statSync } from 'node:fs';
import { EnvError } from './errors';

/** One parsed JSONL record with its location. */
export interface JsonlRecord<T = unknown> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/** Size caps of {@link readJsonl}; a file over either is an error that names the cap. */
export interface ReadJsonlOptions {
  /** Longest line in bytes. Default 16 MiB (the longest line in the bundled data is 12 kB). */
  maxLineBytes?: number;
  /** Largest file in bytes. Default 1 GiB. */
  maxBytes?: number;
}

const MIB = 1048576;

function cap(name: keyof ReadJsonlOptions, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 16 * 1024 * MIB) {
    throw new RangeError(`readJsonl: options.${name} must be an integer in [1, ${16 * 1024 * MIB}] (got ${String(v)})`);
  }
  return v;
}

/**
 * Streams a JSON Lines file record by record, skipping blank lines, holding at most one line in
 * memory. A line longer than `maxLineBytes` or a file larger than `maxBytes` raises an
 * {@link EnvError} with code `'jsonl-too-large'` naming the cap, before that much is held; a line
 * that is not valid JSON raises code `'jsonl-parse'`. Both messages name the file path and the
 * 1-based line number.
 *
 * @param path - File path.
 * @param options - Size caps (see {@link ReadJsonlOptions}).
 * @returns An async iterator of `{ value, line }`.
 * @example
 * for await (const { value, line } of readJsonl('test.jsonl')) console.log(line, value);
 * // 1 { question: '…', answer: '…' }
 */
export async function* readJsonl<T = unknown>(path: string, options: ReadJsonlOptions = {}): AsyncGenerator<JsonlRecord<T>> {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`readJsonl: path must be a non-empty string (got ${JSON.stringify(path)})`);
  }
  const maxLineBytes = cap('maxLineBytes', options.maxLineBytes, 16 * MIB);
  const maxBytes = cap('maxBytes', options.maxBytes, 1024 * MIB);
  const tooLarge = (what: string, line: number): EnvError => new EnvError('jsonl-too-large', `readJsonl: ${path}:${line}: ${what}`, { path, line });
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw new EnvError('jsonl-read', `readJsonl: cannot read ${path} (${err instanceof Error ? err.message : String(err)})`, { cause: err, path });
  }
  if (size > maxBytes) throw tooLarge(`file is ${size} bytes, over maxBytes (${maxBytes})`, 0);
  const stream = createReadStream(path);
  let line = 0;
  let total = 0;
  // The current line's pieces (chunks are never joined beyond one line).
  let pieces: Buffer[] = [];
  let pending = 0;
  const parse = (bytes: Buffer): JsonlRecord<T> | null => {
    line++;
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return null;
    try {
      return { value: JSON.parse(text) as T, line };
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new EnvError('jsonl-parse', `readJsonl: ${path}:${line}: invalid JSON (${why.length > 200 ? `${why.slice(0, 200)}…` : why})`, { cause, path, line });
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      // The file may grow after the size check.
      if (total > maxBytes) throw tooLarge(`file is over maxBytes (${maxBytes})`, line + 1);
      let from = 0;
      for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
        if (pending + nl - from > maxLineBytes) throw tooLarge(`line is over maxLineBytes (${maxLineBytes})`, line + 1);
        pieces.push(chunk.subarray(from, nl));
        const record = parse(pieces.length === 1 ? pieces[0] : Buffer.concat(pieces));
        pieces = [];
        pending = 0;
        from = nl + 1;
        if (record !== null) yield record;
      }
      if (from < chunk.length) {
        pending += chunk.length - from;
        if (pending > maxLineBytes) throw tooLarge(`line is over maxLineBytes (${maxLineBytes})`, line + 1);
        pieces.push(chunk.subarray(from));
      }
    }
    if (pending > 0) {
      const record = parse(Buffer.concat(pieces));
      if (record !== null) yield record;
    }
  } catch (err) {
    if (err instanceof EnvError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new EnvError('jsonl-read', `readJsonl: cannot read ${path} (${why})`, { cause: err, path });
  } finally {
    stream.destroy();
  }
}
