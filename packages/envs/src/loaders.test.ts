import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { collect, readHotpotOfficial, toHotpotOfficial } from '@paretopo/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EnvError } from './errors';
import { extractBoxed, extractFinalAnswer } from './extract';
import { readJsonl } from './jsonl';
import {
  MULTIHOP_EVAL_SETS,
  findDataDir,
  gsm8kFinalAnswer,
  loadGsm8k,
  loadHotpotQA,
  loadMath500,
  loadMultihopEval,
} from './loaders';
import { mathEqual } from './math-equal';
import { numericEqual } from './numeric';
import { exactMatch, tokenF1 } from './qa-match';

const tmp = mkdtempSync(join(tmpdir(), 'paretopo-envs-'));
function file(name: string, text: string): string {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
}

describe('readJsonl', () => {
  it('streams records with line numbers, skipping blank lines', async () => {
    const p = file('ok.jsonl', '{"a":1}\n\n  \n{"a":2}\r\n');
    expect(await collect(readJsonl(p))).toEqual([
      { value: { a: 1 }, line: 1 },
      { value: { a: 2 }, line: 4 },
    ]);
  });

  it('names the file and line of malformed JSON', async () => {
    const p = file('bad.jsonl', '{"a":1}\n{"a":\n');
    const err = await collect(readJsonl(p)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvError);
    expect((err as EnvError).code).toBe('jsonl-parse');
    expect((err as EnvError).line).toBe(2);
    expect((err as Error).message).toContain(`${p}:2`);
  });

  it('reports a missing file with its path', async () => {
    const p = join(tmp, 'missing.jsonl');
    await expect(collect(readJsonl(p))).rejects.toThrow(p);
  });

  it('rejects a bad path argument', async () => {
    await expect(collect(readJsonl(''))).rejects.toThrow(TypeError);
  });
});

describe('findDataDir', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('walks up to the nearest shared/data folder', () => {
    vi.stubEnv('PARETOPO_DATA_DIR', '');
    const root = mkdtempSync(join(tmpdir(), 'paretopo-root-'));
    mkdirSync(join(root, 'shared', 'data'), { recursive: true });
    mkdirSync(join(root, 'main', 'packages', 'envs'), { recursive: true });
    expect(findDataDir(join(root, 'main', 'packages', 'envs'))).toBe(join(root, 'shared', 'data'));
  });

  it('prefers PARETOPO_DATA_DIR and returns null when it is not a folder', () => {
    vi.stubEnv('PARETOPO_DATA_DIR', tmp);
    expect(findDataDir('/')).toBe(tmp);
    vi.stubEnv('PARETOPO_DATA_DIR', join(tmp, 'nope'));
    expect(findDataDir()).toBeNull();
  });
});

describe('loaders on small fixtures', () => {
  it('reads GSM8K answers after ####, without commas', async () => {
    const p = file('g.jsonl', `${JSON.stringify({ question: 'q', answer: 'a\n#### 1,234' })}\n`);
    expect(await loadGsm8k(p)).toEqual([{ id: 'gsm8k-1', question: 'q', answer: '1234', solution: 'a\n#### 1,234' }]);
    expect(gsm8kFinalAnswer('no hash')).toBeNull();
  });

  it('fails on a GSM8K line without #### with file and line', async () => {
    const p = file('g2.jsonl', `${JSON.stringify({ question: 'q', answer: 'a' })}\n`);
    await expect(loadGsm8k(p)).rejects.toThrow(`${p}:1`);
  });

  it('fails on a missing field with file and line', async () => {
    const p = file('m.jsonl', `{"problem":"p","answer":"1"}\n{"problem":"p"}\n`);
    await expect(loadMath500(p)).rejects.toThrow(`${p}:2: field "answer" must be a string (got undefined)`);
  });

  it('turns HotpotQA context into passages', async () => {
    const rec = {
      id: 'q1',
      question: 'q?',
      answer: 'yes',
      context: { title: ['A', 'B'], sentences: [['s1.', ' s2.'], ['t1.']] },
      supporting_facts: { title: ['A'], sent_id: [1] },
    };
    const [item] = await loadHotpotQA(file('h.jsonl', `${JSON.stringify(rec)}\n`));
    expect(item.passages).toEqual([
      { id: 'q1#0', title: 'A', text: 's1. s2.', sentences: ['s1.', ' s2.'] },
      { id: 'q1#1', title: 'B', text: 't1.', sentences: ['t1.'] },
    ]);
    expect(item.supportingFacts).toEqual([{ title: 'A', sentence: 1 }]);
  });

  it('loads the same items from the Hugging Face and the official layout, as JSONL or one JSON array, plain or gzip', async () => {
    const hf = [
      {
        id: 'q1',
        question: 'Which band played first in Tulsa?',
        answer: 'Tinted Windows',
        type: 'bridge',
        level: 'hard',
        supporting_facts: { title: ['B', 'A'], sent_id: [0, 1] },
        context: { title: ['A', 'B'], sentences: [['s1.', ' s2 "é".'], ['t1.']] },
      },
      { id: 'q2', question: 'yes or no?', answer: 'yes', type: 'comparison', level: 'easy', supporting_facts: { title: [], sent_id: [] }, context: { title: ['C'], sentences: [['u1.']] } },
    ];
    // The official files: `_id`, context as [title, sentences] pairs, supporting facts as pairs.
    const official = hf.map(toHotpotOfficial);
    expect(official[0]).toEqual({
      _id: 'q1',
      question: 'Which band played first in Tulsa?',
      answer: 'Tinted Windows',
      type: 'bridge',
      level: 'hard',
      supporting_facts: [['B', 0], ['A', 1]],
      context: [['A', ['s1.', ' s2 "é".']], ['B', ['t1.']]],
    });
    const expected = await loadHotpotQA(file('hf.jsonl', hf.map((r) => JSON.stringify(r)).join('\n')));
    expect(expected.map((i) => [i.id, i.passages.length, i.supportingFacts])).toEqual([
      ['q1', 2, [{ title: 'B', sentence: 0 }, { title: 'A', sentence: 1 }]],
      ['q2', 1, []],
    ]);
    expect(expected[0]).toMatchObject({ type: 'bridge', level: 'hard', answer: 'Tinted Windows' });
    const officialJson = JSON.stringify(official);
    for (const [name, data] of [
      ['official.jsonl', official.map((r) => JSON.stringify(r)).join('\n')],
      ['official.json', `\n ${officialJson}\n`],
      ['official-indented.json', JSON.stringify(official, null, 2)],
      ['hf.json', JSON.stringify(hf)],
      ['official.json.gz', gzipSync(officialJson)],
      ['hf.jsonl.gz', gzipSync(hf.map((r) => JSON.stringify(r)).join('\n'))],
    ] as const) {
      const p = join(tmp, name);
      writeFileSync(p, data);
      expect(await loadHotpotQA(p), name).toEqual(expected);
    }
  });

  it('names the file, the element and its byte offset of a malformed question in a JSON array', async () => {
    const good = { _id: 'a', question: 'q', answer: 'x', context: [['T', ['s.']]], supporting_facts: [['T', 0]] };
    const p = file('bad.json', JSON.stringify([good, { ...good, context: [['T', 's.']] }]));
    const at = JSON.stringify([good]).length;
    await expect(loadHotpotQA(p)).rejects.toMatchObject({
      code: 'data-field',
      offset: at,
      message: `${p}: element [1] (byte ${at}): context[0] must be [title, [sentence, …]] (got ["T", "s."])`,
    });
    const q = file('bad2.json', JSON.stringify([{ ...good, supporting_facts: [['T', '0']] }]));
    await expect(loadHotpotQA(q)).rejects.toThrow(`${q}: element [0] (byte 1): supporting_facts[0] must be [title, sentence index] (got ["T", "0"])`);
    const r = file('bad3.json', JSON.stringify([{ ...good, context: 'T' }]));
    await expect(loadHotpotQA(r)).rejects.toThrow(
      `${r}: element [0] (byte 1): field "context" must be an object { title, sentences } (Hugging Face layout) or an array of [title, sentences] (official layout) (got "T")`,
    );
    const s = file('bad4.json', JSON.stringify([{ ...good, answer: 1 }]));
    await expect(loadHotpotQA(s)).rejects.toThrow(`${s}: element [0] (byte 1): field "answer" must be a string (got 1)`);
    await expect(loadHotpotQA(file('bad5.json', '[1]'))).rejects.toThrow('element [0] (byte 1): a HotpotQA question must be an object (got 1)');
    await expect(loadHotpotQA(file('cut.json', JSON.stringify([good, good]).slice(0, -3)))).rejects.toThrow(/^readJsonArray: .*cut\.json: byte \d+: the input ends inside element \[1\]/);
    await expect(loadHotpotQA('' as never)).rejects.toThrow('loadHotpotQA: path must be a non-empty string or undefined (got "")');
  });

  it('rejects a bad multi-hop set name', async () => {
    await expect(loadMultihopEval('../etc')).rejects.toThrow(TypeError);
  });
});

const dataDir = findDataDir();
if (dataDir === null) {
  const env = process.env.PARETOPO_DATA_DIR;
  console.log(
    env
      ? `[envs] real-data tests skipped: PARETOPO_DATA_DIR=${env} is not a folder`
      : '[envs] real-data tests skipped: no shared/data folder above the working directory and PARETOPO_DATA_DIR is unset',
  );
}

describe.skipIf(dataDir === null)('real data (../shared/data)', () => {
  it('GSM8K: 1,319 problems; every gold answer matches its formatting variants', async () => {
    const items = await loadGsm8k();
    expect(items).toHaveLength(1319);
    expect(items[0].answer).toBe('18');
    for (const { answer } of items) {
      const n = Number(answer);
      expect(Number.isFinite(n)).toBe(true);
      const withCommas = Number.isInteger(n) ? n.toLocaleString('en-US') : answer;
      const variants = [
        `\\boxed{${answer}}`,
        `The answer is \\boxed{${withCommas}}.`,
        `<ans>${answer}.0</ans>`,
        `<ans>$${withCommas}</ans>`,
        `#### ${withCommas}`,
        `<ans>${answer} dollars</ans>`,
      ];
      for (const v of variants) {
        const extracted = extractFinalAnswer(v);
        expect(extracted !== null && numericEqual(extracted, answer), `${v} vs ${answer}`).toBe(true);
        expect(mathEqual(extracted!, answer), `${v} vs ${answer}`).toBe(true);
      }
      expect(numericEqual(String(n + 1), answer)).toBe(false);
    }
  });

  it('MATH-500: 500 problems; every gold answer matches itself boxed and reformatted', async () => {
    const items = await loadMath500();
    expect(items).toHaveLength(500);
    expect(items[0].id).toBe('test/precalculus/807.json');
    const failures: string[] = [];
    for (const { answer, solution } of items) {
      const variants = [
        extractBoxed(`So the answer is $\\boxed{${answer}}$.`),
        `$${answer}$`,
        answer.replace(/\\frac/g, '\\dfrac'),
        answer.replace(/,\s*/g, ', '),
        ` ${answer} `,
      ];
      if (/^-?\d+$/.test(answer)) variants.push(`${answer}.0`, Number(answer).toLocaleString('en-US'));
      for (const v of variants) if (v === null || !mathEqual(v, answer)) failures.push(`${String(v)} vs ${answer}`);
      const boxed = extractBoxed(solution);
      if (boxed === null) failures.push(`no box in solution for ${answer}`);
    }
    expect(failures).toEqual([]);
  });

  it('HotpotQA distractor: 300 questions, each with its own passages (10 for all but 3)', async () => {
    const items = await loadHotpotQA();
    expect(items).toHaveLength(300);
    // The file has 297 questions with 10 paragraphs and three with 2, 6 and 9.
    expect(items.filter((i) => i.passages.length === 10)).toHaveLength(297);
    for (const item of items) {
      expect(item.passages.length).toBeGreaterThanOrEqual(2);
      expect(new Set(item.passages.map((p) => p.id)).size).toBe(item.passages.length);
      expect(item.supportingFacts.length).toBeGreaterThan(0);
      for (const sf of item.supportingFacts) expect(item.passages.some((p) => p.title === sf.title)).toBe(true);
      expect(exactMatch(item.answer, item.answer)).toBe(true);
      expect(tokenF1(`The ${item.answer}.`, item.answer)).toBe(1);
    }
  });

  it('HotpotQA distractor dev rewritten in the official layout as one JSON array loads to the same 300 items', async () => {
    const dev = join(dataDir!, 'hotpotqa-distractor', 'dev.jsonl');
    const official = readHotpotOfficial(dev);
    const items = await loadHotpotQA(file('dev-official.json', JSON.stringify(official)));
    expect(items).toHaveLength(300);
    expect(items).toEqual(await loadHotpotQA(dev));
  });

  it.each(MULTIHOP_EVAL_SETS.map((s) => [s]))('multi-hop eval set %s loads', async (set) => {
    const items = await loadMultihopEval(set);
    expect(items.length).toBe(set === 'bamboogle' ? 125 : 500);
    for (const item of items) {
      expect(item.question.length).toBeGreaterThan(0);
      expect(item.answer.length).toBeGreaterThan(0);
    }
  });
});
