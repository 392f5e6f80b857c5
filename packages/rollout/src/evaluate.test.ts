import { createCalculator, createSearchIndex, findDataDir, gsm8kTasks, hotpotQATasks, loadGsm8k, loadHotpotQA } from '@paretopo/envs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { charTokenizer } from './char-tokenizer';
import { evaluate, summarizeEpisodes } from './evaluate';
import { OpenAIChatPolicy } from './openai-chat';
import { scriptedPolicy } from './scripted-policy';
import { chatBody, startChatServer, type SeenRequest } from '../test/server';
import type { EpisodeRecord, RolloutTask } from './types';

const calc = createCalculator();
const dataDir = findDataDir();
const gsmFile = dataDir === null ? null : join(dataDir, 'gsm8k/test.jsonl');
const noGsm = gsmFile === null || !existsSync(gsmFile);
const skipNote = (missing: boolean, rel: string): string => (missing ? ` (skipped: no ../shared/data/${rel}; set PARETOPO_DATA_DIR)` : '');
if (noGsm) console.log('[rollout] GSM8K evaluate test skipped: no ../shared/data/gsm8k/test.jsonl (set PARETOPO_DATA_DIR)');
let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

// GSM8K-shaped items, written by hand (question, `#### n` gold already extracted).
const gsmLike: RolloutTask[] = [
  { id: 'g1', prompt: 'Tom has 3 boxes of 12 eggs and breaks 5. How many eggs are left?', answer: '31' },
  { id: 'g2', prompt: 'A shirt costs $25 and is 20% off. What is the price?', answer: '20' },
  { id: 'g3', prompt: 'Ann reads 14 pages a day for 9 days. How many pages?', answer: '126' },
  { id: 'g4', prompt: 'A farm has 1,200 sheep and sells 450. How many remain?', answer: '750' },
];

/** A stand-in model: calls the calculator on g1 and g3, answers g2 wrongly, g4 directly. */
function gsmReply(req: SeenRequest) {
  const msgs = req.body.messages as { role: string; content: string }[];
  const question = msgs.find((m) => m.role === 'user')!.content;
  const last = msgs[msgs.length - 1].content;
  if (question.startsWith('Tom')) return last.startsWith('<res>') ? chatBody(`So <ans>${last.slice(5, -6)}`) : chatBody('<calc>3*12-5');
  if (question.startsWith('Ann')) return last.startsWith('<res>') ? chatBody(`<ans>${last.slice(5, -6)}</ans>`) : chatBody('<calc>14*9');
  if (question.startsWith('A shirt')) return chatBody('<ans>$21');
  return chatBody('1200 - 450 = 750, <ans>750');
}

describe('evaluate', () => {
  it('measures a chat model on GSM8K-shaped tasks end to end', async () => {
    const s = await startChatServer((req) => ({ json: gsmReply(req) }), 20);
    closers.push(s.close);
    const r = await evaluate(new OpenAIChatPolicy({ baseUrl: s.baseUrl, model: 'm' }), gsmLike, { tools: [calc] });
    expect(r.episodes.map((e) => [e.taskId, e.answer, e.correct, e.validCalls])).toEqual([
      ['g1', '31', true, 1],
      ['g2', '$21', false, 0],
      ['g3', '126', true, 1],
      ['g4', '750', true, 0],
    ]);
    expect([r.n, r.correct, r.calls, r.accuracy, r.meanCalls, r.toolProductivity]).toEqual([4, 3, 2, 0.75, 0.5, 1.5]);
    expect(s.requests.every((q) => q.body.temperature === 0)).toBe(true);
  });

  it('runs a token-level policy through rollout', async () => {
    const policy = scriptedPolicy(charTokenizer(), ({ text }) => (text.includes('<res>') ? '<ans>7</ans>' : '<calc>3+4</calc>'));
    const r = await evaluate(policy, [{ id: 'a', prompt: 'What is 3+4?\n', answer: '7' }], { tools: [calc] });
    expect([r.accuracy, r.meanCalls, r.toolProductivity, r.n]).toEqual([1, 1, 1, 1]);
  });

  it.skipIf(noGsm)(`runs the first 5 real GSM8K questions (gsm8kTasks) against a server that answers the gold${skipNote(noGsm, 'gsm8k/test.jsonl')}`, async () => {
    const items = (await loadGsm8k(gsmFile!)).slice(0, 5);
    const gold = new Map(items.map((q) => [`${q.question}\n`, q.answer]));
    const s = await startChatServer((req) => {
      const q = (req.body.messages as { role: string; content: string }[]).find((m) => m.role === 'user')!.content;
      return { json: chatBody(`The answer is <ans>${gold.get(q) ?? 'unknown'}`) };
    }, 10);
    closers.push(s.close);
    // The documented one-liner: the tasks carry the calculator, so no tools option is needed.
    const r = await evaluate(new OpenAIChatPolicy({ baseUrl: s.baseUrl, model: 'gold' }), gsm8kTasks(items));
    expect([r.n, r.accuracy, r.meanCalls, r.toolProductivity]).toEqual([5, 1, 0, 5]);
    expect(r.episodes[0].answer).toBe(items[0].answer);
    expect(s.requests.every((q) => (q.body.stop as string[]).join() === '</calc>,</ans>')).toBe(true);
  });

  it('rejects a policy of neither kind', async () => {
    await expect(evaluate({} as never, [])).rejects.toThrow(/evaluate: policy must have generate/);
    await expect(evaluate(null as never, [])).rejects.toThrow(/evaluate: policy must be a Policy or a ChatPolicy \(got null\)/);
  });
});

const hotpotFile = dataDir === null ? null : join(dataDir, 'hotpotqa-distractor/dev.jsonl');
const noHotpot = hotpotFile === null || !existsSync(hotpotFile);
if (noHotpot) console.log('[rollout] HotpotQA evaluate test skipped: no ../shared/data/hotpotqa-distractor/dev.jsonl (set PARETOPO_DATA_DIR)');

describe.skipIf(noHotpot)(`evaluate on real HotpotQA distractor (hotpotQATasks)${skipNote(noHotpot, 'hotpotqa-distractor/dev.jsonl')}`, () => {
  it('searches each question\'s own 10 paragraphs and answers from what it retrieved', async () => {
    const items = await loadHotpotQA(hotpotFile!);
    const byPrompt = new Map(items.map((q) => [`${q.question}\n`, q]));
    const words = (q: string): string => q.replace(/[^\p{L}\p{N}\s]+/gu, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    // A reading oracle: searches the question's words once, then answers the gold answer when the
    // retrieved text contains it, else the title of the first passage it retrieved.
    const policy = scriptedPolicy(charTokenizer(), ({ text }) => {
      const cut = text.indexOf('\n') + 1;
      const item = byPrompt.get(text.slice(0, cut))!;
      const doc = /<doc>([\s\S]*)<\/doc>/.exec(text.slice(cut));
      if (doc === null) return `<search>${words(item.question)}</search>`;
      const answer = doc[1].toLowerCase().includes(item.answer.toLowerCase()) ? item.answer : doc[1].slice(0, doc[1].indexOf(':'));
      return `<ans>${answer}</ans>`;
    });
    const tasks = hotpotQATasks(items, { topK: 3, maxChars: 100_000 });
    const r = await evaluate(policy, tasks, { toolOutputChars: 100_000 });
    expect([r.n, r.meanCalls]).toEqual([items.length, 1]);
    let expectedCorrect = 0;
    for (let i = 0; i < items.length; i++) {
      const e = r.episodes[i];
      const item = items[i];
      expect([e.taskId, e.finishReason, e.toolCalls.length, e.toolCalls[0].name, e.toolCalls[0].ok]).toEqual([item.id, 'answer', 1, 'search', true]);
      // Every retrieved line is one of this question's own paragraphs (a shared or global index
      // would return other questions' paragraphs for the same words).
      const own = new Set(item.passages.map((p) => `${p.title}: ${p.text}`));
      const lines = e.toolCalls[0].output.split('\n');
      expect(lines.length).toBe(Math.min(3, item.passages.length));
      for (const line of lines) expect(own.has(line)).toBe(true);
      // Oracle for `correct`: the same search over this question's paragraphs holds the gold answer.
      const hits = createSearchIndex(item.passages).search(words(item.question), 3);
      if (hits.some((h) => `${h.title}: ${h.text}`.toLowerCase().includes(item.answer.toLowerCase()))) expectedCorrect++;
    }
    expect(r.correct).toBe(expectedCorrect);
    console.log(
      `[rollout] HotpotQA dev, ${r.n} questions, one search (top 3) then a reading oracle: accuracy ${r.accuracy.toFixed(3)}, ` +
        `mean calls ${r.meanCalls}, tool productivity ${r.toolProductivity.toFixed(3)}`,
    );
    expect(r.accuracy).toBeGreaterThan(0.5);
  });
});

describe('summarizeEpisodes', () => {
  const rec = (correct: boolean, valid: number, invalid: number): EpisodeRecord => ({
    index: 0,
    taskId: 't',
    groupId: 0,
    toolCalls: [],
    answer: null,
    finishReason: correct ? 'answer' : 'malformed',
    correct,
    validCalls: valid,
    invalidCalls: invalid,
    turns: 1,
    generatedTokens: 1,
    text: '',
  });
  it.each<[string, EpisodeRecord[], [number, number, number]]>([
    ['empty', [], [0, 0, 0]],
    ['no calls: productivity = correct count', [rec(true, 0, 0), rec(true, 0, 0), rec(false, 0, 0)], [2 / 3, 0, 2]],
    ['invalid calls count as calls', [rec(true, 1, 1), rec(false, 0, 2)], [0.5, 2, 0.25]],
    ['one call each, all correct', [rec(true, 1, 0), rec(true, 1, 0)], [1, 1, 1]],
  ])('%s', (_name, eps, [acc, mean, prod]) => {
    const r = summarizeEpisodes(eps);
    expect([r.accuracy, r.meanCalls, r.toolProductivity]).toEqual([acc, mean, prod]);
  });
  it('rejects a non-array', () => {
    expect(() => summarizeEpisodes('x' as never)).toThrow(/summarizeEpisodes: episodes must be an array/);
  });
});
