import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatRange, measureInChild } from './measure';

const work = mkdtempSync(join(tmpdir(), 'paretopo-test-utils-measure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('measureInChild', () => {
  it('returns the JSON of the last stdout line, with the arguments and node flags passed', () => {
    const script = join(work, 'ok.mjs');
    writeFileSync(script, "console.log('warming up');\nconsole.log(JSON.stringify({ args: process.argv.slice(2), gc: typeof globalThis.gc }));\n");
    expect(measureInChild(script, ['stream', '/x'], ['--expose-gc'])).toEqual({ args: ['stream', '/x'], gc: 'function' });
  });

  it('fails with the exit status and stderr of a failed run, and on no output', () => {
    const bad = join(work, 'bad.mjs');
    writeFileSync(bad, "console.error('out of memory, say');\nprocess.exit(3);\n");
    expect(() => measureInChild(bad, ['m'])).toThrow(/^measureInChild: .*bad\.mjs m failed \(exit 3\): out of memory, say/);
    const silent = join(work, 'silent.mjs');
    writeFileSync(silent, '');
    expect(() => measureInChild(silent, [])).toThrow(/printed nothing$/);
  });
});

describe('formatRange', () => {
  it('prints lo–hi, or one number when both round the same, and refuses no measurements', () => {
    expect(formatRange([3.12, 3.04], 1)).toBe('3.0–3.1');
    expect(formatRange([1.531, 1.529], 2)).toBe('1.53');
    expect(formatRange([60], 0)).toBe('60');
    expect(() => formatRange([], 1)).toThrow(/^formatRange: xs must not be empty/);
  });
});
