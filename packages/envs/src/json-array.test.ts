// A file that is one JSON array (HotpotQA's official train file, 566 MB, over V8's string limit)
// is read as a stream, one element held at a time: the splitter cuts elements out by brackets,
// strings and escapes alone, whatever the chunking, and names the byte where the input goes wrong.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { collect } from '@paretopo/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvError } from './errors';
import { readJsonArray, sniffJsonFile, splitJsonArray } from './json-array';

const tmp = mkdtempSync(join(tmpdir(), 'paretopo-json-array-'));
let serial = 0;
const file = (data: string | Buffer): string => {
  const p = join(tmp, `f${serial++}.json`);
  writeFileSync(p, data);
  return p;
};
const texts = (input: string | Uint8Array[], options?: { maxElementBytes?: number }) =>
  Array.from(splitJsonArray(typeof input === 'string' ? [input] : input, options), (e) => e.text);

/** `bytes` cut at the given positions (sorted, deduplicated), so a cut may fall inside a UTF-8 character. */
const cut = (bytes: Buffer, at: number[]): Uint8Array[] => {
  const ends = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const e of [...ends, bytes.length]) {
    out.push(bytes.subarray(from, e));
    from = e;
  }
  return out;
};

describe('splitJsonArray: known inputs', () => {
  it.each([
    ['[]', []],
    [' \n\t[ \r\n ]\n', []],
    ['[1,2,3]', ['1', '2', '3']],
    ['[ -1.5e3 ,true,false , null ]', ['-1.5e3', 'true', 'false', 'null']],
    ['["a\\"]", "]["]', ['"a\\"]"', '"]["']],
    ['["\\\\", "x"]', ['"\\\\"', '"x"']],
    ['[{"b":[1,{"c":"}"}]},[[]],{}]', ['{"b":[1,{"c":"}"}]}', '[[]]', '{}']],
    ['[{ "a" : 1 }\n,\n[ 2 ]]', ['{ "a" : 1 }', '[ 2 ]']],
    ['["é✓😀", 1]', ['"é✓😀"', '1']],
  ])('%j → %j', (input, expected) => {
    expect(texts(input)).toEqual(expected);
  });

  it('gives each element its 0-based index and the byte offset of its first byte (UTF-8 bytes, not characters)', () => {
    expect(Array.from(splitJsonArray(['[ "é", {"a":2} ]']))).toEqual([
      { text: '"é"', index: 0, offset: 2 },
      { text: '{"a":2}', index: 1, offset: 8 },
    ]);
  });

  it.each([
    ['', "splitJsonArray: byte 0: expected '[' opening a JSON array (got the end of the input)"],
    ['  {"a":1}', "splitJsonArray: byte 2: expected '[' opening a JSON array (got '{')"],
    ['\u00ff[]', "splitJsonArray: byte 0: expected '[' opening a JSON array (got byte 0xc3)"],
    ['[,1]', "splitJsonArray: byte 1: expected a JSON value after '[' (got ',')"],
    ['[1,]', "splitJsonArray: byte 3: expected a JSON value after ',' after element [0] (got ']')"],
    ['[1 2]', "splitJsonArray: byte 3: expected ',' or ']' after element [0] (got '2')"],
    ['[1}', "splitJsonArray: byte 2: expected ',' or ']' after element [0] (got '}')"],
    ['[1] x', "splitJsonArray: byte 4: expected nothing but white space after the array's closing ']' (got 'x')"],
    ['[1][2]', "splitJsonArray: byte 3: expected nothing but white space after the array's closing ']' (got '[')"],
    ['[{"a":1}', "splitJsonArray: byte 8: the input ends before the array's closing ']'"],
    ['[1, {"a":"]', "splitJsonArray: byte 11: the input ends inside element [1] (it starts at byte 4), before the array's closing ']'"],
  ])('%j is refused: %s', (input, message) => {
    const err = (() => {
      try {
        texts(input);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(EnvError);
    expect(err).toMatchObject({ code: 'jsonl-parse', message });
  });

  it('refuses an element over maxElementBytes, naming it, before holding it whole', () => {
    const big = `"${'x'.repeat(100)}"`;
    expect(() => texts(`[1, ${big}]`, { maxElementBytes: 50 })).toThrow(
      expect.objectContaining({ code: 'jsonl-too-large', offset: 4, message: 'splitJsonArray: byte 4: element [1] is over maxElementBytes (50)' }),
    );
    // Cut into 10-byte chunks, the element is refused once 60 of its bytes have arrived.
    const chunks = cut(Buffer.from(`[1, ${big}]`), Array.from({ length: 11 }, (_, i) => i * 10));
    const seen: number[] = [];
    const it = splitJsonArray(
      (function* () {
        for (const [i, c] of chunks.entries()) {
          seen.push(i);
          yield c;
        }
      })(),
      { maxElementBytes: 50 },
    );
    expect(() => Array.from(it)).toThrow(/over maxElementBytes \(50\)/);
    expect(seen.length).toBeLessThan(chunks.length);
    expect(texts(`[1, ${big}]`, { maxElementBytes: 102 })).toEqual(['1', big]);
  });

  it.each([
    ['a string', '[1]', /chunks must be an iterable of strings or Uint8Arrays \(got a string; wrap it in an array\)/],
    ['a number chunk', [1], /each chunk must be a string or a Uint8Array \(got number\)/],
  ])('refuses %s as input, naming the argument', (_, input, why) => {
    expect(() => Array.from(splitJsonArray(input as never))).toThrow(why);
  });

  it('refuses a bad maxElementBytes, naming it and the value', () => {
    expect(() => Array.from(splitJsonArray(['[]'], { maxElementBytes: 0 }))).toThrow('splitJsonArray: options.maxElementBytes must be a positive integer (got 0)');
  });
});

const jsonArrays = fc.array(fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }), { maxLength: 8 });

describe('splitJsonArray: laws', () => {
  it('splitting JSON.stringify(array) gives back each element, compact or indented, at its byte offset', () => {
    fc.assert(
      fc.property(jsonArrays, fc.constantFrom(undefined, 2, '\t'), (array, indent) => {
        const text = JSON.stringify(array, null, indent);
        const bytes = Buffer.from(text);
        const out = Array.from(splitJsonArray([text]));
        expect(out.map((e) => JSON.parse(e.text))).toEqual(JSON.parse(text));
        if (indent === undefined) expect(out.map((e) => e.text)).toEqual(array.map((v) => JSON.stringify(v)));
        for (const [i, e] of out.entries()) {
          expect(e.index).toBe(i);
          expect(bytes.subarray(e.offset, e.offset + Buffer.byteLength(e.text)).toString()).toBe(e.text);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('chunk boundaries anywhere (inside strings, escapes, UTF-8 characters) give the same elements', () => {
    fc.assert(
      fc.property(jsonArrays, fc.array(fc.nat(), { maxLength: 20 }), (array, at) => {
        const bytes = Buffer.from(JSON.stringify(array, null, 1));
        expect(Array.from(splitJsonArray(cut(bytes, at)))).toEqual(Array.from(splitJsonArray([bytes])));
      }),
      { numRuns: 300 },
    );
  });

  it('a text that is not one array is refused with an EnvError, never split wrongly', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 2 }), (value) => {
        const text = JSON.stringify(value);
        const run = () => Array.from(splitJsonArray([text]));
        if (Array.isArray(value)) expect(run().map((e) => JSON.parse(e.text))).toEqual(JSON.parse(text));
        else expect(run).toThrow(EnvError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('readJsonArray', () => {
  it('streams the elements of a file with index and offset, plain or gzip, elements crossing 64 KiB read chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ minLength: 20_000, maxLength: 70_000 })), { maxLength: 8 }),
        async (array) => {
          const text = JSON.stringify(array, null, 1);
          const expected = Array.from(splitJsonArray([text]), ({ text: t, index, offset }) => ({ value: JSON.parse(t) as unknown, index, offset }));
          expect(await collect(readJsonArray(file(text)))).toEqual(expected);
          expect(await collect(readJsonArray(file(gzipSync(text)), { gzip: true }))).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('names itself, the file, the element and its byte offset when an element is not valid JSON', async () => {
    const p = file('[{"a":1},\n {"a":}]');
    const err = await collect(readJsonArray(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect(err).toMatchObject({ code: 'jsonl-parse', path: p, offset: 11, line: undefined });
    expect((err as Error).message).toMatch(new RegExp(`^readJsonArray: ${p}: byte 11: element \\[1\\] is not valid JSON \\(`));
  });

  it('names the file and the byte where the array is malformed or cut short', async () => {
    const jsonl = file('{"a":1}\n{"a":2}\n');
    await expect(collect(readJsonArray(jsonl))).rejects.toThrow(`readJsonArray: ${jsonl}: byte 0: expected '[' opening a JSON array (got '{')`);
    const short = file(`[${'{"a":"x"},'.repeat(10_000)}`);
    await expect(collect(readJsonArray(short))).rejects.toThrow(`readJsonArray: ${short}: byte 100001: the input ends before the array's closing ']'`);
  });

  it('caps an element and the file, naming the cap', async () => {
    const p = file(`[1, "${'x'.repeat(200_000)}", 2]`);
    await expect(collect(readJsonArray(p, { maxElementBytes: 100_000 }))).rejects.toMatchObject({
      code: 'jsonl-too-large',
      offset: 4,
      message: `readJsonArray: ${p}: byte 4: element [1] is over maxElementBytes (100000)`,
    });
    await expect(collect(readJsonArray(p, { maxBytes: 1000 }))).rejects.toMatchObject({ code: 'jsonl-too-large', message: expect.stringContaining('over maxBytes (1000)') });
    const bomb = file(gzipSync(`[${'1,'.repeat(100_000)}1]`));
    await expect(collect(readJsonArray(bomb, { gzip: true, maxBytes: 4096 }))).rejects.toMatchObject({ code: 'jsonl-too-large', message: expect.stringContaining('over maxBytes (4096)') });
    expect(await collect(readJsonArray(bomb, { gzip: true }))).toHaveLength(100_001);
  });

  it('reports a missing file and data that is not gzip as read errors naming the path', async () => {
    const absent = join(tmp, 'absent.json');
    await expect(collect(readJsonArray(absent))).rejects.toMatchObject({ code: 'jsonl-read', message: expect.stringContaining(`readJsonArray: ${absent}: cannot read (`) });
    const plain = file('[1]');
    await expect(collect(readJsonArray(plain, { gzip: true }))).rejects.toMatchObject({ code: 'jsonl-read', message: expect.stringContaining(`readJsonArray: ${plain}: not a gzip file (`) });
  });

  it.each([
    [{ maxElementBytes: 0 }, 'options.maxElementBytes must be an integer in [1, '],
    [{ maxBytes: 1.5 }, 'options.maxBytes must be an integer in [1, '],
    [{ gzip: 1 }, 'options.gzip must be a boolean (got 1)'],
  ])('options %j are refused, naming the option', async (options, why) => {
    await expect(collect(readJsonArray(file('[]'), options as never))).rejects.toThrow(`readJsonArray: ${why}`);
  });
});

describe('sniffJsonFile', () => {
  it.each([
    ['an array', '\n  [1]', { gzip: false, array: true }],
    ['JSON Lines', '{"a":1}\n', { gzip: false, array: false }],
    ['an empty file', '', { gzip: false, array: false }],
    ['a gzip array', gzipSync(' [1]'), { gzip: true, array: true }],
    ['gzip JSON Lines', gzipSync('{"a":1}\n'), { gzip: true, array: false }],
  ])('tells %s by its first bytes', async (_, data, shape) => {
    expect(await sniffJsonFile('f', file(data))).toEqual(shape);
  });

  it('names the caller and the path of a file it cannot read', async () => {
    const absent = join(tmp, 'nope.json');
    await expect(sniffJsonFile('loadHotpotQA', absent)).rejects.toThrow(`loadHotpotQA: ${absent}: cannot read (`);
  });
});
