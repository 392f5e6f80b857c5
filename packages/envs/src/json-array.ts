import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { EnvError } from './errors';
import { checkedSize, message, readError, settings } from './jsonl';

/** One element of a top-level JSON array with its location. */
export interface JsonArrayElement<T = unknown> {
  value: T;
  /** 0-based position in the array. */
  index: number;
  /** Byte offset of the element's first byte in the (decompressed) file. */
  offset: number;
}

/** One element's JSON text, as {@link splitJsonArray} cuts it out, with its location. */
export interface JsonArrayText {
  text: string;
  /** 0-based position in the array. */
  index: number;
  /** Byte offset of the element's first byte in the input (UTF-8). */
  offset: number;
}

/** Options of {@link readJsonArray}. A file or an element over its cap is an error naming the cap. */
export interface ReadJsonArrayOptions {
  /** Largest element in bytes. Default 16 MiB (the largest HotpotQA train question is under 60 kB). */
  maxElementBytes?: number;
  /** Largest file in bytes (for `gzip`, the decompressed bytes). Default 1 GiB. */
  maxBytes?: number;
  /** The file is gzip-compressed. Default `false`. */
  gzip?: boolean;
}

const MIB = 1048576;
// Bytes that matter to the splitter; all are ASCII, so a UTF-8 character is never cut.
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;
// The first byte of a JSON value: a string, an object, an array, a number, true, false, null.
const startsValue = (c: number): boolean => c === QUOTE || c === OPEN_OBJECT || c === OPEN_ARRAY || c === 45 || (c >= 48 && c <= 57) || c === 116 || c === 102 || c === 110;

/** What a byte is, for an error message: the character when it is printable ASCII. */
const describeByte = (c: number | undefined): string =>
  c === undefined ? 'the end of the input' : c >= 32 && c < 127 ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;

// Where the splitter is: before '[', after '[', after ',', inside an element, after an element, after ']'.
const BEFORE = 0;
const OPENED = 1;
const AFTER_COMMA = 2;
const IN_VALUE = 3;
const AFTER_VALUE = 4;
const DONE = 5;

/**
 * Cuts a top-level JSON array into its elements' texts as bytes arrive, in one pass (each byte is
 * looked at once), holding at most one element: it tracks only string, escape and bracket depth,
 * so an element's inside is checked later by `JSON.parse`; the array's own punctuation (`[`, `,`,
 * `]`, nothing after it) is checked here. An element over `maxElementBytes` is refused before it
 * is held whole.
 */
class ArraySplitter {
  private state = BEFORE;
  /** Bytes before the current chunk. */
  private base = 0;
  private index = 0;
  /** Offset of the current element's first byte. */
  private start = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private pending = 0;

  constructor(
    private readonly prefix: string,
    private readonly path: string | undefined,
    private readonly maxElementBytes: number,
  ) {}

  fail(code: 'jsonl-parse' | 'jsonl-too-large', what: string, offset: number, cause?: unknown): EnvError {
    return new EnvError(code, `${this.prefix}byte ${offset}: ${what}`, { path: this.path, offset, cause });
  }

  private tooLarge(): EnvError {
    return this.fail('jsonl-too-large', `element [${this.index}] is over maxElementBytes (${this.maxElementBytes})`, this.start);
  }

  /**
   * The hot loop, outside the generator so that V8 optimises it like any function: scans `chunk`
   * from `i` inside an element and returns where the element ends (exclusive; a closing quote or
   * bracket is part of it, a comma, a space or the array's `]` after a number or a literal is
   * not), or -1 when it goes on past the chunk. String, escape and depth state persist across calls.
   */
  private scan(chunk: Buffer, i: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let end = -1;
    for (; i < n; i++) {
      let c = chunk[i];
      if (inString) {
        if (escaped) {
          escaped = false;
          continue;
        }
        // Most bytes of a string are neither a quote nor a backslash: skip them in a tight loop.
        while (c !== QUOTE && c !== BACKSLASH && ++i < n) c = chunk[i];
        if (i === n) break;
        if (c === BACKSLASH) escaped = true;
        else {
          inString = false;
          if (depth === 0) {
            end = i + 1;
            break;
          }
        }
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        // A bracket at depth 0 ends a number, true, false or null; AFTER_VALUE reads it.
        if (depth === 0) {
          end = i;
          break;
        }
        if (--depth === 0) {
          end = i + 1;
          break;
        }
      } else if (depth === 0 && (c === COMMA || isSpace(c))) {
        end = i;
        break;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return end;
  }

  /** The texts of the elements that `chunk` completes. `chunk` must not be reused by the caller. */
  *push(chunk: Buffer): Generator<JsonArrayText> {
    const n = chunk.length;
    let i = 0;
    let from = 0; // where the current element's bytes in this chunk begin
    while (i < n) {
      if (this.state === IN_VALUE) {
        const end = this.scan(chunk, i);
        if (end < 0) {
          this.pending += n - from;
          if (this.pending > this.maxElementBytes) throw this.tooLarge();
          this.pieces.push(chunk.subarray(from));
          break;
        }
        i = end;
        if (this.pending + end - from > this.maxElementBytes) throw this.tooLarge();
        this.pieces.push(chunk.subarray(from, end));
        const bytes = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
        this.pieces = [];
        this.pending = 0;
        this.state = AFTER_VALUE;
        yield { text: bytes.toString('utf8'), index: this.index++, offset: this.start };
        continue;
      }
      const c = chunk[i];
      if (isSpace(c)) {
        i++;
        continue;
      }
      const at = this.base + i;
      switch (this.state) {
        case BEFORE:
          if (c !== OPEN_ARRAY) throw this.fail('jsonl-parse', `expected '[' opening a JSON array (got ${describeByte(c)})`, at);
          this.state = OPENED;
          i++;
          break;
        case OPENED:
        case AFTER_COMMA:
          if (c === CLOSE_ARRAY && this.state === OPENED) {
            this.state = DONE;
            i++;
            break;
          }
          if (!startsValue(c)) {
            const after = this.state === OPENED ? "'['" : `',' after element [${this.index - 1}]`;
            throw this.fail('jsonl-parse', `expected a JSON value after ${after} (got ${describeByte(c)})`, at);
          }
          this.state = IN_VALUE;
          this.start = at;
          this.depth = 0;
          this.inString = false;
          this.escaped = false;
          from = i;
          break;
        case AFTER_VALUE:
          if (c === COMMA) this.state = AFTER_COMMA;
          else if (c === CLOSE_ARRAY) this.state = DONE;
          else throw this.fail('jsonl-parse', `expected ',' or ']' after element [${this.index - 1}] (got ${describeByte(c)})`, at);
          i++;
          break;
        default:
          throw this.fail('jsonl-parse', `expected nothing but white space after the array's closing ']' (got ${describeByte(c)})`, at);
      }
    }
    this.base += n;
  }

  /** Checks that the input ended after the array's closing `]`. */
  end(): void {
    if (this.state === DONE) return;
    const what =
      this.state === BEFORE
        ? "expected '[' opening a JSON array (got the end of the input)"
        : this.state === IN_VALUE
          ? `the input ends inside element [${this.index}] (it starts at byte ${this.start}), before the array's closing ']'`
          : "the input ends before the array's closing ']'";
    throw this.fail('jsonl-parse', what, this.base);
  }
}

function elementCap(fn: string, options: { maxElementBytes?: number }): number {
  const v = options.maxElementBytes ?? 16 * MIB;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RangeError(`${fn}: options.maxElementBytes must be a positive integer (got ${String(v)})`);
  }
  return v;
}

/**
 * Splits the text of one top-level JSON array into its elements' texts, in one linear pass over
 * the bytes, however the input is cut into chunks (the same elements for any chunking). Only the
 * array's punctuation is checked here; `JSON.parse` of each text checks the element itself.
 * {@link readJsonArray} is the same splitter reading a file.
 *
 * @param chunks - The array's text, whole or in pieces (strings or UTF-8 bytes).
 * @param options - `maxElementBytes` (default 16 MiB).
 * @returns The elements' texts with their 0-based index and byte offset.
 * @throws EnvError `'jsonl-parse'` naming the byte offset, what was expected and what arrived;
 *   `'jsonl-too-large'` for an element over `maxElementBytes`
 * @example
 * Array.from(splitJsonArray(['[1, {"a": "]"', '}, "x"]']), (e) => e.text); // ['1', '{"a": "]"}', '"x"']
 */
export function* splitJsonArray(chunks: Iterable<string | Uint8Array>, options: { maxElementBytes?: number } = {}): Generator<JsonArrayText> {
  if (chunks === null || typeof chunks !== 'object' || typeof (chunks as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`splitJsonArray: chunks must be an iterable of strings or Uint8Arrays (got ${typeof chunks === 'string' ? 'a string; wrap it in an array' : typeof chunks})`);
  }
  const splitter = new ArraySplitter('splitJsonArray: ', undefined, elementCap('splitJsonArray', options));
  for (const chunk of chunks) {
    if (typeof chunk === 'string') yield* splitter.push(Buffer.from(chunk, 'utf8'));
    else if (chunk instanceof Uint8Array) yield* splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw new TypeError(`splitJsonArray: each chunk must be a string or a Uint8Array (got ${chunk === null ? 'null' : typeof chunk})`);
  }
  splitter.end();
}

/**
 * Streams the elements of a file that holds one top-level JSON array (such as HotpotQA's official
 * `hotpot_train_v1.1.json`, 566 MB, over V8's 512 MB string limit for a whole-file `JSON.parse`),
 * reading it in 64 KiB chunks and holding at most one element. Errors are {@link EnvError}s whose
 * messages name the function, the path and the byte offset: `'jsonl-parse'` for a file that is not
 * one array (what was expected and what arrived) or an element that is not valid JSON (its index),
 * `'jsonl-too-large'` for an element over `maxElementBytes` or a file over `maxBytes`,
 * `'jsonl-read'` for a file that cannot be read (or, with `gzip`, is not gzip data).
 *
 * @param path - File path.
 * @param options - Size caps and gzip (see {@link ReadJsonArrayOptions}).
 * @returns An async iterator of `{ value, index, offset }`.
 * @example
 * // train.json holds '[{"_id": "a"}, {"_id": "b"}]'
 * for await (const { value, index } of readJsonArray('train.json')) console.log(index, value);
 * // 0 { _id: 'a' }
 * // 1 { _id: 'b' }
 */
export async function* readJsonArray<T = unknown>(path: string, options: ReadJsonArrayOptions = {}): AsyncGenerator<JsonArrayElement<T>> {
  const fn = 'readJsonArray';
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object (got ${options === null ? 'null' : typeof options})`);
  }
  const s = settings(fn, path, { maxBytes: options.maxBytes, gzip: options.gzip, maxElementBytes: options.maxElementBytes }, 'maxElementBytes');
  if (checkedSize(s, () => statSync(path).size) === null) return;
  const splitter = new ArraySplitter(`${fn}: ${path}: `, path, s.maxLineBytes);
  const file = createReadStream(path);
  const stream = s.gzip ? pipeline(file, createGunzip(), () => {}) : file;
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      // The file may grow after the size check, and gzip data may expand past it.
      if (total > s.maxBytes) throw splitter.fail('jsonl-too-large', `file is over maxBytes (${s.maxBytes})`, total - chunk.length);
      for (const { text, index, offset } of splitter.push(chunk)) {
        let value: T;
        try {
          value = JSON.parse(text) as T;
        } catch (cause) {
          const why = message(cause);
          throw splitter.fail('jsonl-parse', `element [${index}] is not valid JSON (${why.length > 200 ? `${why.slice(0, 200)}…` : why})`, offset, cause);
        }
        yield { value, index, offset };
      }
    }
    splitter.end();
  } catch (err) {
    throw readError(s, err);
  } finally {
    stream.destroy();
    file.destroy();
  }
}

/** How a JSON data file is stored, from its first bytes (see {@link sniffJsonFile}). */
export interface JsonFileShape {
  /** The file starts with gzip's magic bytes. */
  gzip: boolean;
  /** The first byte that is not white space (after gzip) is `[`: one JSON array, not JSON Lines. */
  array: boolean;
}

/**
 * Tells a JSON array file from a JSON Lines file by its first non-space byte (`[`; a JSONL record
 * is an object, `{`), through gzip when the file starts with gzip's magic bytes. Reads only as
 * far as that byte.
 *
 * @param fn - The caller's name, for errors.
 * @param path - File path.
 * @returns `{ gzip, array }`; an empty file is `{ gzip: false, array: false }` (JSONL, no records).
 * @example
 * await sniffJsonFile('loadHotpotQA', 'hotpot_train_v1.1.json'); // { gzip: false, array: true }
 */
export async function sniffJsonFile(fn: string, path: string): Promise<JsonFileShape> {
  const s = settings(fn, path, {});
  let gzip = false;
  try {
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(2);
      gzip = readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw readError(s, err);
  }
  const file = createReadStream(path);
  const stream = gzip ? pipeline(file, createGunzip(), () => {}) : file;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const c of chunk) if (!isSpace(c)) return { gzip, array: c === OPEN_ARRAY };
    }
    return { gzip, array: false };
  } catch (err) {
    throw readError({ ...s, gzip }, err);
  } finally {
    stream.destroy();
    file.destroy();
  }
}
