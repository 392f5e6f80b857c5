import { closeSync, createReadStream, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { EnvError } from './errors';

/** One parsed JSONL record with its location. */
export interface JsonlRecord<T = unknown> {
  value: T;
  /** 1-based line number in the file. */
  line: number;
}

/**
 * Options of {@link readJsonl} and {@link readJsonlSync}. A file over either size cap is an
 * error that names the cap.
 */
export interface ReadJsonlOptions {
  /** Longest line in bytes. Default 16 MiB (the longest line in the bundled data is 12 kB). */
  maxLineBytes?: number;
  /** Largest file in bytes (for `gzip`, the decompressed bytes). Default 1 GiB. */
  maxBytes?: number;
  /**
   * A file that does not exist: `'error'` (default, an {@link EnvError} `'jsonl-read'`) or
   * `'empty'` (no records; for a log that a run has not started writing yet).
   */
  missing?: 'error' | 'empty';
  /**
   * The last line when it has no newline and is not valid JSON (an append that a crash or a kill
   * cut short): `'error'` (default, `'jsonl-parse'`) or `'drop'` (skipped; for reading a run's own
   * log back on resume). A malformed line followed by a newline is an error either way.
   */
  tornTail?: 'error' | 'drop';
  /** The file is gzip-compressed (a study's compact logs). Default `false`. */
  gzip?: boolean;
}

const MIB = 1048576;
const MAX_CAP = 16 * 1024 * MIB;
const CHUNK = 65536;

/** The validated options shared by the JSONL and the JSON-array readers (internal). */
export interface Settings {
  fn: string;
  path: string;
  /** The cap of one line or, for readJsonArray, of one element (`options.maxElementBytes`). */
  maxLineBytes: number;
  maxBytes: number;
  missing: 'error' | 'empty';
  tornTail: 'error' | 'drop';
  gzip: boolean;
}

// Validated once at the public edge; every reader shares the result (the JSONL readers also the
// line splitter below, readJsonArray in ./json-array its per-element cap under its own name).
export function settings(
  fn: string,
  path: unknown,
  options: ReadJsonlOptions & { maxElementBytes?: number },
  pieceCap: 'maxLineBytes' | 'maxElementBytes' = 'maxLineBytes',
): Settings {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`${fn}: path must be a non-empty string (got ${JSON.stringify(path)})`);
  }
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object (got ${options === null ? 'null' : typeof options})`);
  }
  const cap = (name: 'maxLineBytes' | 'maxElementBytes' | 'maxBytes', fallback: number): number => {
    const v = options[name] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_CAP) {
      throw new RangeError(`${fn}: options.${name} must be an integer in [1, ${MAX_CAP}] (got ${String(v)})`);
    }
    return v;
  };
  const choice = <C extends string>(name: 'missing' | 'tornTail', allowed: readonly C[]): C => {
    const v = options[name] ?? allowed[0];
    if (!allowed.includes(v as C)) {
      throw new TypeError(`${fn}: options.${name} must be ${allowed.map((a) => `'${a}'`).join(' or ')} (got ${JSON.stringify(v)})`);
    }
    return v as C;
  };
  if (options.gzip !== undefined && typeof options.gzip !== 'boolean') {
    throw new TypeError(`${fn}: options.gzip must be a boolean (got ${JSON.stringify(options.gzip)})`);
  }
  return {
    fn,
    path,
    maxLineBytes: cap(pieceCap, 16 * MIB),
    maxBytes: cap('maxBytes', 1024 * MIB),
    missing: choice('missing', ['error', 'empty'] as const),
    tornTail: choice('tornTail', ['error', 'drop'] as const),
    gzip: options.gzip ?? false,
  };
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function tooLarge(s: Settings, what: string, line: number): EnvError {
  return new EnvError('jsonl-too-large', `${s.fn}: ${s.path}:${line}: ${what}`, { path: s.path, line });
}

export function readError(s: Settings, err: unknown): EnvError {
  if (err instanceof EnvError) return err;
  // zlib's errors carry codes: Z_BUF_ERROR for data that ends early, Z_DATA_ERROR and others for bad data.
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const zlib = s.gzip && typeof code === 'string' && code.startsWith('Z_');
  const what = !zlib ? 'cannot read' : code === 'Z_BUF_ERROR' ? 'truncated gzip data' : 'not a gzip file';
  return new EnvError('jsonl-read', `${s.fn}: ${s.path}: ${what} (${message(err)})`, { cause: err, path: s.path });
}

/** Size of the file, `null` when it is missing and `missing` is `'empty'`. */
export function checkedSize(s: Settings, size: () => number): number | null {
  let bytes: number;
  try {
    bytes = size();
  } catch (err) {
    if (s.missing === 'empty' && (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw readError(s, err);
  }
  // For gzip this is the compressed size, a lower bound of what is read.
  if (bytes > s.maxBytes) throw tooLarge(s, `file is ${bytes} bytes, over maxBytes (${s.maxBytes})`, 0);
  return bytes;
}

/**
 * Splits bytes into lines and parses them, holding at most one line: chunks are never joined
 * beyond one line, and a line or a file over its cap is refused before that much is held.
 */
class LineParser<T> {
  private line = 0;
  private total = 0;
  private pieces: Buffer[] = [];
  private pending = 0;

  constructor(private readonly s: Settings) {}

  /** The records of the lines that `chunk` completes. `chunk` must not be reused by the caller. */
  *push(chunk: Buffer): Generator<JsonlRecord<T>> {
    const { maxBytes, maxLineBytes } = this.s;
    this.total += chunk.length;
    // The file may grow after the size check.
    if (this.total > maxBytes) throw tooLarge(this.s, `file is over maxBytes (${maxBytes})`, this.line + 1);
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl >= 0; nl = chunk.indexOf(10, from)) {
      if (this.pending + nl - from > maxLineBytes) throw tooLarge(this.s, `line is over maxLineBytes (${maxLineBytes})`, this.line + 1);
      this.pieces.push(chunk.subarray(from, nl));
      const record = this.parse(this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces), false);
      this.pieces = [];
      this.pending = 0;
      from = nl + 1;
      if (record !== null) yield record;
    }
    if (from < chunk.length) {
      this.pending += chunk.length - from;
      if (this.pending > maxLineBytes) throw tooLarge(this.s, `line is over maxLineBytes (${maxLineBytes})`, this.line + 1);
      this.pieces.push(chunk.subarray(from));
    }
  }

  /** The record of a last line without a newline, if any. */
  end(): JsonlRecord<T> | null {
    return this.pending > 0 ? this.parse(Buffer.concat(this.pieces), true) : null;
  }

  private parse(bytes: Buffer, last: boolean): JsonlRecord<T> | null {
    const line = ++this.line;
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.trim() === '') return null;
    try {
      return { value: JSON.parse(text) as T, line };
    } catch (cause) {
      if (last && this.s.tornTail === 'drop') return null;
      const why = message(cause);
      const { fn, path } = this.s;
      throw new EnvError('jsonl-parse', `${fn}: ${path}:${line}: invalid JSON (${why.length > 200 ? `${why.slice(0, 200)}…` : why})`, { cause, path, line });
    }
  }
}

/**
 * Streams a JSON Lines file record by record, skipping blank lines, holding at most one line in
 * memory. A line longer than `maxLineBytes` or a file larger than `maxBytes` raises an
 * {@link EnvError} with code `'jsonl-too-large'` naming the cap, before that much is held; a line
 * that is not valid JSON raises code `'jsonl-parse'`; a file that cannot be read (or, with `gzip`,
 * is not gzip data) raises `'jsonl-read'`. Messages name the function, the file path and, where
 * there is one, the 1-based line number. {@link readJsonlSync} is the same reader, synchronous.
 *
 * @param path - File path.
 * @param options - Size caps, a missing file, a torn last line, gzip (see {@link ReadJsonlOptions}).
 * @returns An async iterator of `{ value, line }`.
 * @example
 * for await (const { value, line } of readJsonl('test.jsonl')) console.log(line, value);
 * // 1 { question: '…', answer: '…' }
 */
export async function* readJsonl<T = unknown>(path: string, options: ReadJsonlOptions = {}): AsyncGenerator<JsonlRecord<T>> {
  const s = settings('readJsonl', path, options);
  if (checkedSize(s, () => statSync(path).size) === null) return;
  const file = createReadStream(path);
  const stream = s.gzip ? pipeline(file, createGunzip(), () => {}) : file;
  const parser = new LineParser<T>(s);
  try {
    // for…of, not yield*: yield* of a sync iterator in an async generator adds a promise per record.
    for await (const chunk of stream as AsyncIterable<Buffer>) for (const record of parser.push(chunk)) yield record;
    const last = parser.end();
    if (last !== null) yield last;
  } catch (err) {
    throw readError(s, err);
  } finally {
    stream.destroy();
    file.destroy();
  }
}

/**
 * {@link readJsonl}, synchronous: the same records, options, caps and errors (messages start with
 * `readJsonlSync`). It reads the file in 64 KiB chunks and holds one line at a time, except with
 * `gzip`, where the whole decompressed file (at most `maxBytes`) is held. For callers that cannot
 * await, such as a run reading back its own `metrics.jsonl`.
 *
 * @param path - File path.
 * @param options - Size caps, a missing file, a torn last line, gzip (see {@link ReadJsonlOptions}).
 * @returns An iterator of `{ value, line }`.
 * @example
 * // metrics.jsonl holds '{"step":0}\n{"step":1}\n{"ste' (a kill cut the last append short)
 * Array.from(readJsonlSync('run/metrics.jsonl', { tornTail: 'drop' }), (r) => r.value);
 * // [{ step: 0 }, { step: 1 }]
 */
export function* readJsonlSync<T = unknown>(path: string, options: ReadJsonlOptions = {}): Generator<JsonlRecord<T>> {
  const s = settings('readJsonlSync', path, options);
  const parser = new LineParser<T>(s);
  if (s.gzip) {
    if (checkedSize(s, () => statSync(path).size) === null) return;
    let data: Buffer;
    try {
      data = gunzipSync(readFileSync(path), { maxOutputLength: Math.min(s.maxBytes, bufferConstants.MAX_LENGTH) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(s, `decompressed file is over maxBytes (${s.maxBytes})`, 0);
      throw readError(s, err);
    }
    yield* parser.push(data);
  } else {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if (s.missing === 'empty' && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw readError(s, err);
    }
    try {
      checkedSize(s, () => fstatSync(fd).size);
      for (;;) {
        // A fresh buffer per read: the parser keeps slices of an unfinished line.
        const chunk = Buffer.allocUnsafe(CHUNK);
        let n: number;
        try {
          n = readSync(fd, chunk, 0, CHUNK, null);
        } catch (err) {
          throw readError(s, err);
        }
        if (n === 0) break;
        yield* parser.push(chunk.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }
  const last = parser.end();
  if (last !== null) yield last;
}
