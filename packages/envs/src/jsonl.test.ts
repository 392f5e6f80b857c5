// Class 3 of issue 14 (docs/RELIABILITY.md): a JSONL file is read as a stream, one line held at a
// time, with a per-line and a per-file cap named in the error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { collect } from '@paretopo/test-utils';
import { describe, expect, it } from 'vitest';
import { EnvError } from './errors';
import { readJsonl } from './jsonl';

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
  it('agrees with reading the whole file, whatever the line endings and line lengths (lines cross read chunks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.string({ minLength: 20_000, maxLength: 40_000 })), fc.constantFrom('\n', '\r\n', '\n\n')), { maxLength: 12 }),
        async (rows) => {
          const text = rows.map(([v, end]) => JSON.stringify(v) + end).join('');
          expect(await collect(readJsonl(file(text)))).toEqual(reference(text));
        },
      ),
      { numRuns: 40 },
    );
  });

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
