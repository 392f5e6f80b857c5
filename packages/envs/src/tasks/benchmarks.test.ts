import { existsSync } from 'node:fs';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { describe, expect, it, vi } from 'vitest';
import { createCalculator } from '../calculator';
import { createSearchIndex, searchOutput } from '../search';
import { findDataDir, loadGsm8k, loadHotpotQA, type Gsm8kItem, type HotpotItem } from '../loaders';
import { gsm8kTasks, hotpotQATasks } from './benchmarks';

const gsm: Gsm8kItem[] = [
  { id: 'gsm8k-1', question: 'Ann has 3 boxes of 12 eggs. How many eggs?', answer: '36', solution: '3*12=36\n#### 36' },
  { id: 'gsm8k-2', question: 'Bo reads 14 pages a day for 9 days. How many pages?', answer: '126', solution: '#### 126' },
];

const para = (qid: string, i: number, title: string, text: string) => ({ id: `${qid}#${i}`, title, text, sentences: [text] });
const hotpot: HotpotItem[] = [
  {
    id: 'qa',
    question: 'Where was Kalo born?',
    answer: 'Mira',
    passages: [para('qa', 0, 'Kalo', 'Kalo was born in Mira.'), para('qa', 1, 'Mira', 'Mira is a port city.')],
    supportingFacts: [{ title: 'Kalo', sentence: 0 }],
  },
  {
    id: 'qb',
    question: 'Where was Kalo buried?',
    answer: 'Vell',
    passages: [para('qb', 0, 'Kalo (poet)', 'Kalo was buried in Vell.'), para('qb', 1, 'Vell', 'Vell is a village.')],
    supportingFacts: [{ title: 'Kalo (poet)', sentence: 0 }],
  },
];

describe('gsm8kTasks', () => {
  it('gives the question and a newline, the gold number and one shared calculator', async () => {
    const tasks = gsm8kTasks(gsm);
    expect(tasks.map(({ id, prompt, answer }) => [id, prompt, answer])).toEqual([
      ['gsm8k-1', 'Ann has 3 boxes of 12 eggs. How many eggs?\n', '36'],
      ['gsm8k-2', 'Bo reads 14 pages a day for 9 days. How many pages?\n', '126'],
    ]);
    expect(tasks[0].tools).toBe(tasks[1].tools);
    expect(tasks[0].tools!.map((t) => [t.name, t.tag])).toEqual([['calculator', 'calc']]);
    expect(await tasks[0].tools![0].run({ expression: '3*12' })).toEqual({ ok: true, output: '36' });
  });

  it('takes other tools, none (null) and a prompt function', () => {
    const calc = createCalculator({ maxLength: 50 });
    expect(gsm8kTasks(gsm, { tools: [calc] })[1].tools).toEqual([calc]);
    expect('tools' in gsm8kTasks(gsm, { tools: null })[0]).toBe(false);
    expect(gsm8kTasks(gsm, { prompt: (q) => `Q: ${q.question}\nA:` })[0].prompt).toBe('Q: Ann has 3 boxes of 12 eggs. How many eggs?\nA:');
  });

  it.each<[string, () => unknown, RegExp]>([
    ['items not an array', () => gsm8kTasks('x' as never), /gsm8kTasks: items must be an array \(got "x"\)/],
    ['item without answer', () => gsm8kTasks([{ id: 'a', question: 'q' }] as never), /gsm8kTasks: items\[0\] must have string id, question and answer/],
    ['tools not an array', () => gsm8kTasks(gsm, { tools: 'calc' as never }), /gsm8kTasks: options.tools must be an array of tools or null/],
    ['prompt returns no string', () => gsm8kTasks(gsm, { prompt: () => 3 as never }), /gsm8kTasks: options.prompt must return a string \(got 3 for items\[0\]\)/],
  ])('rejects %s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});

describe('hotpotQATasks', () => {
  it('gives each question a search tool over its own paragraphs', async () => {
    const [a, b] = hotpotQATasks(hotpot, { topK: 1 });
    expect([a.id, a.prompt, a.answer, b.answer]).toEqual(['qa', 'Where was Kalo born?\n', 'Mira', 'Vell']);
    expect(a.tools!.map((t) => [t.name, t.tag, t.resultTag])).toEqual([['search', 'search', 'doc']]);
    expect(a.tools![0]).not.toBe(b.tools![0]);
    // The same query, two corpora: each tool only knows its own question's paragraphs.
    expect((await a.tools![0].run({ query: 'Kalo' })).output).toBe('Kalo: Kalo was born in Mira.');
    expect((await b.tools![0].run({ query: 'Kalo' })).output).toBe('Kalo (poet): Kalo was buried in Vell.');
    expect((await a.tools![0].run({ query: 'Vell village' })).output).toBe('no results');
  });

  it("builds a question's index at its first search, once, and answers like an index built at once", async () => {
    const addAll = vi.spyOn(MiniSearch.prototype, 'addAll');
    try {
      const tasks = hotpotQATasks(hotpot, { topK: 2 });
      expect(addAll).not.toHaveBeenCalled();
      const first = await tasks[0].tools![0].run({ query: 'Kalo born port' });
      await tasks[0].tools![0].run({ query: 'Mira' });
      expect(addAll).toHaveBeenCalledTimes(1);
      expect(first).toEqual(searchOutput(createSearchIndex(hotpot[0].passages), 'Kalo born port', { topK: 2 }));
    } finally {
      addAll.mockRestore();
    }
  });

  it('passes the search output, index and prompt options on', async () => {
    const [a] = hotpotQATasks(hotpot, { topK: 2, showTitles: false, maxChars: 15, index: { stopWords: ['mira'] }, prompt: (q) => `Question: ${q.question}` });
    expect(a.prompt).toBe('Question: Where was Kalo born?');
    expect((await a.tools![0].run({ query: 'Kalo born' })).output).toBe('Kalo was born …');
    expect((await a.tools![0].run({ query: 'Mira' })).error).toBe('empty-query');
  });

  it.each<[string, () => unknown, RegExp]>([
    ['items not an array', () => hotpotQATasks(null as never), /hotpotQATasks: items must be an array \(got null\)/],
    ['item without passages', () => hotpotQATasks([{ id: 'q', question: 'q', answer: 'a' }] as never), /hotpotQATasks: items\[0\] must have string id, question and answer and a passages array/],
    ['bad topK', () => hotpotQATasks(hotpot, { topK: 0 }), /hotpotQATasks: options.topK must be a positive integer \(got 0\)/],
    [
      'duplicate passage ids',
      () => hotpotQATasks([hotpot[0], { ...hotpot[1], passages: [hotpot[1].passages[0], hotpot[1].passages[0]] }]),
      /hotpotQATasks: items\[1\] \(qb\): createSearchIndex: passages\[1\].id "qb#0" is a duplicate/,
    ],
  ])('rejects %s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});

const dataDir = findDataDir();
const hotpotFile = dataDir === null ? null : join(dataDir, 'hotpotqa-distractor/dev.jsonl');
const gsmFile = dataDir === null ? null : join(dataDir, 'gsm8k/test.jsonl');
const noHotpot = hotpotFile === null || !existsSync(hotpotFile);
const noGsm = gsmFile === null || !existsSync(gsmFile);
const skipNote = (missing: boolean, rel: string): string =>
  missing ? ` (skipped: no ../shared/data/${rel}; set PARETOPO_DATA_DIR)` : '';
if (noHotpot) console.log('[envs] hotpotQATasks real-data test skipped: no ../shared/data/hotpotqa-distractor/dev.jsonl (set PARETOPO_DATA_DIR)');
if (noGsm) console.log('[envs] gsm8kTasks real-data test skipped: no ../shared/data/gsm8k/test.jsonl (set PARETOPO_DATA_DIR)');

describe('benchmark tasks on the real data', () => {
  it.skipIf(noHotpot)(`HotpotQA dev: every question searches only its own paragraphs${skipNote(noHotpot, 'hotpotqa-distractor/dev.jsonl')}`, async () => {
    const items = await loadHotpotQA(hotpotFile!);
    const tasks = hotpotQATasks(items, { topK: 3, maxChars: 100_000 });
    expect(tasks).toHaveLength(items.length);
    let lines = 0;
    for (let i = 0; i < items.length; i++) {
      const own = new Set(items[i].passages.map((p) => `${p.title}: ${p.text}`));
      const search = tasks[i].tools![0];
      // Its own question, then the next question's words: results always come from its own corpus.
      for (const query of [items[i].question, items[(i + 1) % items.length].question]) {
        const r = await search.run({ query });
        expect(r.ok).toBe(true);
        if (r.output === 'no results') continue;
        for (const line of r.output.split('\n')) {
          expect(own.has(line)).toBe(true);
          lines++;
        }
      }
    }
    expect(lines).toBeGreaterThan(items.length * 3);
  });

  it.skipIf(noGsm)(`GSM8K test: 1,319 tasks with the calculator${skipNote(noGsm, 'gsm8k/test.jsonl')}`, async () => {
    const items = await loadGsm8k(gsmFile!);
    const tasks = gsm8kTasks(items);
    expect(tasks).toHaveLength(1319);
    expect([tasks[0].id, tasks[0].answer, tasks[0].prompt]).toEqual([items[0].id, '18', `${items[0].question}\n`]);
    expect(tasks.every((t) => t.tools === tasks[0].tools)).toBe(true);
    expect(await tasks[0].tools![0].run({ expression: '(16-3-4)*2' })).toEqual({ ok: true, output: '18' });
  });
});
