import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { toHotpotOfficial } from '@paretopo/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { benchmarkPools } from './benchmarks';

const work = mkdtempSync(join(tmpdir(), 'paretopo-hotpot-pools-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// One question in each layout: the Hugging Face JSONL of the evaluation file, the official JSON
// array of hotpot_train_v1.1.json.
const hf = (id: string, question: string, answer: string) => ({
  id,
  question,
  answer,
  type: 'bridge',
  level: 'medium',
  supporting_facts: { title: [`${id} A`], sent_id: [0] },
  context: { title: [`${id} A`, `${id} B`], sentences: [[`${answer} is the answer.`], ['A distractor.']] },
});
describe('benchmarkPools: HotpotQA with the official train file', () => {
  const evalQs = [hf('e1', 'Who founded Alpha?', 'Ann'), hf('e2', 'Where is Beta?', 'Oslo'), hf('e3', 'When did Gamma end?', '1990')];
  const evalFile = join(work, 'dev.jsonl');
  writeFileSync(evalFile, evalQs.map((q) => JSON.stringify(q)).join('\n'));
  // The train split as the official file: one JSON array; one question leaked from the evaluation file.
  const train = [hf('t1', 'Which river crosses Delta?', 'Rhine'), hf('t2', 'Who wrote Epsilon?', 'Bo'), { ...evalQs[1], id: 't3' }].map(toHotpotOfficial);

  it.each([
    ['hotpot_train_v1.1.json', JSON.stringify(train)],
    ['hotpot_train_v1.1.json.gz', gzipSync(JSON.stringify(train, null, 1))],
  ])('--data.train %s (detected by content): RL from the train array, less the question the evaluation file holds', async (name, data) => {
    const trainFile = join(work, name);
    writeFileSync(trainFile, data);
    const p = await benchmarkPools('hotpotqa', { seed: 1, validationCount: 1, testCount: 1, eval: evalFile, train: trainFile });
    expect(p.rl.map((q) => [q.id, q.prompt, q.answer])).toEqual([
      ['train:t1', 'Which river crosses Delta?\n', 'Rhine'],
      ['train:t2', 'Who wrote Epsilon?\n', 'Bo'],
    ]);
    expect(p.provenance).toBe(`hotpotqa: RL 2 questions from ${trainFile} (1 also in the evaluation file dropped); validation 1, test 1 from ${evalFile}, split by a hash of each id`);
    // Each RL question searches its own paragraphs.
    expect((await p.rl[0].tools![0].run({ query: 'Rhine answer' })).output).toBe('t1 A: Rhine is the answer.');
  });

  it('an official JSON array as --data.eval splits like its JSONL', async () => {
    const evalJson = join(work, 'hotpot_dev_distractor_v1.json');
    writeFileSync(evalJson, JSON.stringify(evalQs.map(toHotpotOfficial)));
    const a = await benchmarkPools('hotpotqa', { seed: 3, validationCount: 1, testCount: 1, eval: evalJson });
    const b = await benchmarkPools('hotpotqa', { seed: 3, validationCount: 1, testCount: 1, eval: evalFile });
    for (const pool of ['rl', 'validation', 'test'] as const) expect(a[pool].map((q) => q.id)).toEqual(b[pool].map((q) => q.id));
  });

  it('a truncated official file is an error naming the file and the byte', async () => {
    const cut = join(work, 'cut.json');
    writeFileSync(cut, JSON.stringify(train).slice(0, 200));
    await expect(benchmarkPools('hotpotqa', { seed: 1, validationCount: 1, testCount: 1, eval: evalFile, train: cut })).rejects.toThrow(
      new RegExp(`^readJsonArray: ${cut}: byte 200: the input ends inside element \\[0\\]`),
    );
  });
});
