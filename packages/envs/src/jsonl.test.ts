// Class 3 of issue 14 (docs/RELIABILITY.md): a JSONL file is read as a stream, one line held at a
// time, with a per-line and a per-file cap named in the error. readJsonl and readJsonlSync are one
// reader (one line parser) with two drivers: every law below is checked on both.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { collect } from '@paretopo/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvError } from './errors';
import { readJsonl, readJsonlSync, type JsonlRecord, type ReadJsonlOptions } from './jsonl';

const tmp = mkdtempSync(join(tmpdir(), 'paretopo-jsonl-'));
let serial = 0;
const file = (text: string | Buffer): string => {
  const p = join(tmp, `f${serial++}.jsonl`);
  writeFileSync(p, text);
  return p;
};

/** Reference: the whole file in memory, split on newlines. */
const reference = (text: string) =>
  text
    .split('\n')
    .map((l, i) => ({ l: l.endsWith('\r') ? l.slice(0, -1) : l, line: i + 1 }))
    .filter(({ l }) => l.trim() !== '')
    .map(({ l, line }) => ({ value: JSON.parse(l) as unknown, line }));

describe('readJsonl streaming with caps', () => {
  it('reads a last line without a newline and multi-byte characters split across chunks', async () => {
    const long = 'é'.repeat(70_000);
    expect(await collect(readJsonl(file(`{"a":"${long}"}\n{"b":2}`)))).toEqual([
      { value: { a: long }, line: 1 },
      { value: { b: 2 }, line: 2 },
    ]);
  });

  it('a line over maxLineBytes is an error naming the cap and the line, without holding the line', async () => {
    const p = file(`{"a":1}\n"${'x'.repeat(300_000)}"\n{"a":3}\n`);
    const err = await collect(readJsonl(p, { maxLineBytes: 100_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).code).toBe('jsonl-too-large');
    expect((err as Error).message).toBe(`readJsonl: ${p}:2: line is over maxLineBytes (100000)`);
    // The same file under the default cap reads.
    expect((await collect(readJsonl(p))).length).toBe(3);
  });

  it('a line without any newline is capped too', async () => {
    const p = file(Buffer.alloc(500_000, 32));
    await expect(collect(readJsonl(p, { maxLineBytes: 65_536 }))).rejects.toThrow(/:1: line is over maxLineBytes \(65536\)/);
  });

  it('a file over maxBytes is refused before reading, naming the cap', async () => {
    const p = file('{"a":1}\n'.repeat(1000));
    await expect(collect(readJsonl(p, { maxBytes: 4096 }))).rejects.toThrow(`readJsonl: ${p}:0: file is 8000 bytes, over maxBytes (4096)`);
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 40])('options.maxLineBytes = %j is refused', async (v) => {
    await expect(collect(readJsonl(file('{}'), { maxLineBytes: v }))).rejects.toThrow(/readJsonl: options\.maxLineBytes must be an integer in \[1, /);
  });
});

/** Both drivers, drained to an array; a sync error surfaces as a rejection like the async one's. */
const readers: [string, (path: string, options?: ReadJsonlOptions) => Promise<JsonlRecord[]>][] = [
  ['readJsonl', (path, options) => collect(readJsonl(path, options))],
  ['readJsonlSync', async (path, options) => Array.from(readJsonlSync(path, options))],
];

describe.each(readers)('%s', (fn, read) => {
  it('agrees with reading the whole file, whatever the line endings and line lengths (lines cross read chunks), plain or gzip', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ minLength: 20_000, maxLength: 40_000 })), fc.constantFrom('\n', '\r\n', '\n\n')), { maxLength: 12 }),
        async (rows) => {
          const text = rows.map(([v, end]) => JSON.stringify(v) + end).join('');
          expect(await read(file(text))).toEqual(reference(text));
          expect(await read(file(gzipSync(text)), { gzip: true })).toEqual(reference(text));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('names itself, the file and the line of malformed JSON, and of an over-long line', async () => {
    const bad = file('{"a":1}\n{"a":\n');
    await expect(read(bad)).rejects.toThrow(`${fn}: ${bad}:2: invalid JSON (`);
    const long = file(`{"a":1}\n"${'x'.repeat(300_000)}"\n`);
    const err = await read(long, { maxLineBytes: 100_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect(err).toMatchObject({ code: 'jsonl-too-large', line: 2, message: `${fn}: ${long}:2: line is over maxLineBytes (100000)` });
  });

  it("tornTail: 'drop' skips a last line without its newline that does not parse (a cut-short append), never a bad line before it", async () => {
    const torn = file('{"step":0}\n{"step":1}\n{"ste');
    await expect(read(torn)).rejects.toMatchObject({ code: 'jsonl-parse', line: 3 });
    expect(await read(torn, { tornTail: 'drop' })).toEqual([
      { value: { step: 0 }, line: 1 },
      { value: { step: 1 }, line: 2 },
    ]);
    // A last line that parses is kept; a malformed line followed by a newline is an error.
    expect(await read(file('{"step":0}\n{"step":1}'), { tornTail: 'drop' })).toHaveLength(2);
    await expect(read(file('{"step":0}\n{"ste\n{"step":2}\n'), { tornTail: 'drop' })).rejects.toMatchObject({ code: 'jsonl-parse', line: 2 });
    await expect(read(file('{"step":0}\n{"ste\n'), { tornTail: 'drop' })).rejects.toMatchObject({ code: 'jsonl-parse', line: 2 });
  });

  it("missing: 'empty' reads a file that does not exist as no records; by default it is an error naming the path", async () => {
    const p = join(tmp, `absent-${fn}.jsonl`);
    expect(await read(p, { missing: 'empty' })).toEqual([]);
    await expect(read(p)).rejects.toMatchObject({ code: 'jsonl-read', message: expect.stringContaining(`${fn}: ${p}: cannot read (`) });
  });

  it('gzip: data that is not gzip is an error saying so; maxBytes caps the decompressed size', async () => {
    const notGzip = file('{"a":1}\n');
    await expect(read(notGzip, { gzip: true })).rejects.toMatchObject({ code: 'jsonl-read', message: expect.stringContaining(`${fn}: ${notGzip}: not a gzip file (`) });
    const cut = file(gzipSync('{"a":1}\n'.repeat(1000)).subarray(0, 40));
    await expect(read(cut, { gzip: true })).rejects.toMatchObject({ code: 'jsonl-read', message: expect.stringContaining(`${fn}: ${cut}: truncated gzip data (`) });
    const bomb = file(gzipSync('{"a":1}\n'.repeat(10_000)));
    await expect(read(bomb, { gzip: true, maxBytes: 4096 })).rejects.toMatchObject({ code: 'jsonl-too-large', message: expect.stringContaining('over maxBytes (4096)') });
    expect(await read(bomb, { gzip: true })).toHaveLength(10_000);
  });

  it.each([
    [{ missing: 'skip' }, `options.missing must be 'error' or 'empty' (got "skip")`],
    [{ tornTail: true }, `options.tornTail must be 'error' or 'drop' (got true)`],
    [{ gzip: 'yes' }, 'options.gzip must be a boolean (got "yes")'],
    [{ maxBytes: 0 }, 'options.maxBytes must be an integer in [1, '],
  ])('options %j are refused, naming the option, what it must be and what it got', async (options, why) => {
    await expect(read(file('{}'), options as ReadJsonlOptions)).rejects.toThrow(`${fn}: ${why}`);
  });
});
