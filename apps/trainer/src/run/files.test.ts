import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvError, readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { describe, expect, it } from 'vitest';
import { appendJsonl, writeFileAtomic, writeJsonAtomic, writeJsonlAtomic } from './files';

describe('run files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paretopo-files-'));

  it('appends and reads JSONL rows in order; a missing file has none', () => {
    const f = join(dir, 'm.jsonl');
    expect(values(readJsonlSync(f, { missing: 'empty' }))).toEqual([]);
    appendJsonl(f, { step: 0 });
    appendJsonl(f, { step: 1, x: [1, 2] });
    expect(values(readJsonlSync(f))).toEqual([{ step: 0 }, { step: 1, x: [1, 2] }]);
  });

  it('names the file and the 1-based line of a malformed row (a torn last line included)', () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, '{"step":0}\n\n{"step":1}\n{"step":');
    expect(() => values(readJsonlSync(f))).toThrow(EnvError);
    expect(() => values(readJsonlSync(f))).toThrow(`readJsonlSync: ${f}:4: invalid JSON`);
  });

  it('writes atomically: the content is replaced whole and no temporary file is left', () => {
    const f = join(dir, 'a.json');
    writeJsonAtomic(f, { a: 1 });
    writeJsonAtomic(f, { a: 2 });
    expect(JSON.parse(readFileSync(f, 'utf8'))).toEqual({ a: 2 });
    writeJsonlAtomic(join(dir, 'k.jsonl'), [{ a: 1 }, { b: 2 }]);
    expect(values(readJsonlSync(join(dir, 'k.jsonl')))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('a failed write leaves the old file and no temporary file', () => {
    const f = join(dir, 'nodir', 'x.json');
    expect(() => writeFileAtomic(f, 'x')).toThrow();
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
