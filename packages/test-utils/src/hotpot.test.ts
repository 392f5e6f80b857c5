import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readHotpotOfficial, toHotpotOfficial, writeRepeatedHotpotArray, type HotpotHfRecord } from './hotpot';

const work = mkdtempSync(join(tmpdir(), 'paretopo-test-utils-hotpot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hf = (id: string, answer: string): HotpotHfRecord => ({
  id,
  question: `Who is ${id}? é`,
  answer,
  supporting_facts: { title: ['T'], sent_id: [0] },
  context: { title: ['T', 'U'], sentences: [['s.'], ['u1.', 'u2.']] },
});

describe('readHotpotOfficial and writeRepeatedHotpotArray', () => {
  it('read a JSONL file into the official layout, skipping blank lines', () => {
    const path = join(work, 'dev.jsonl');
    writeFileSync(path, `${JSON.stringify(hf('a', '1'))}\n\n${JSON.stringify(hf('b', '2'))}\n`);
    expect(readHotpotOfficial(path)).toEqual([toHotpotOfficial(hf('a', '1')), toHotpotOfficial(hf('b', '2'))]);
  });

  it('repeat the questions in order with new ids and return the file size in bytes (multi-byte text included)', async () => {
    const qs = [toHotpotOfficial(hf('a', '1')), toHotpotOfficial(hf('b', '2'))];
    const path = join(work, 'five.json');
    const bytes = await writeRepeatedHotpotArray(path, qs, 5);
    const back = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>[];
    expect(back.map((q) => q._id)).toEqual(['a-0', 'b-1', 'a-2', 'b-3', 'a-4']);
    expect(back[3]).toEqual({ ...qs[1], _id: 'b-3' });
    expect(bytes).toBe(statSync(path).size);
    const empty = join(work, 'empty.json');
    expect(await writeRepeatedHotpotArray(empty, qs, 0)).toBe(2);
    expect(readFileSync(empty, 'utf8')).toBe('[]');
    await expect(writeRepeatedHotpotArray(empty, [], 3)).rejects.toThrow(/^writeRepeatedHotpotArray: questions must not be empty/);
  });
});
