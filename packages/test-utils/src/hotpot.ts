import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';

/** A HotpotQA question in the Hugging Face layout (the shared dev.jsonl). */
export interface HotpotHfRecord {
  id: string;
  question: string;
  answer: string;
  type?: string;
  level?: string;
  supporting_facts: { title: string[]; sent_id: number[] };
  context: { title: string[]; sentences: string[][] };
}

/**
 * The same question in HotpotQA's official layout (`hotpot_train_v1.1.json`): `_id`, context
 * and supporting facts as `[title, …]` pairs, other fields as they are. For tests and benchmarks
 * that write official-layout files from the Hugging Face ones they have.
 *
 * @param record - A question in the Hugging Face layout.
 * @returns The question in the official layout.
 * @example
 * toHotpotOfficial({ id: 'q', question: 'q?', answer: 'a', supporting_facts: { title: ['T'], sent_id: [0] }, context: { title: ['T'], sentences: [['s.']] } });
 * // { _id: 'q', question: 'q?', answer: 'a', supporting_facts: [['T', 0]], context: [['T', ['s.']]] }
 */
export function toHotpotOfficial(record: HotpotHfRecord): Record<string, unknown> {
  const { id, context, supporting_facts: sf, ...rest } = record;
  return {
    _id: id,
    ...rest,
    supporting_facts: sf.title.map((t, i) => [t, sf.sent_id[i]]),
    context: context.title.map((t, i) => [t, context.sentences[i]]),
  };
}

/**
 * A HotpotQA JSONL file in the Hugging Face layout (such as the shared `dev.jsonl`), read into the
 * official layout: what tests and benchmarks start from to write official-layout array files.
 *
 * @param path - The JSONL file.
 * @returns Its questions in file order, each as {@link toHotpotOfficial} writes it.
 * @example
 * readHotpotOfficial(join(findDataDir()!, 'hotpotqa-distractor', 'dev.jsonl')).length; // 300
 */
export function readHotpotOfficial(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => toHotpotOfficial(JSON.parse(l) as HotpotHfRecord));
}

/**
 * Writes `n` questions as one JSON array in the official layout, `questions` repeated in order with
 * new ids (`<id>-<i>`), element by element: a train-size file (90,447 questions, 560 MB) never sits
 * in memory as one string.
 *
 * @param path - The file to write.
 * @param questions - Official-layout questions (e.g. from {@link readHotpotOfficial}); not empty.
 * @param n - How many elements the array gets.
 * @returns The file's size in bytes.
 * @example
 * await writeRepeatedHotpotArray('/tmp/hotpot-3000.json', readHotpotOfficial(dev), 3000); // 18… MB
 */
export async function writeRepeatedHotpotArray(path: string, questions: readonly Record<string, unknown>[], n: number): Promise<number> {
  if (questions.length === 0) throw new RangeError('writeRepeatedHotpotArray: questions must not be empty');
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const q = questions[i % questions.length];
    const piece = `${i === 0 ? '[' : ', '}${JSON.stringify({ ...q, _id: `${String(q._id)}-${i}` })}`;
    bytes += Buffer.byteLength(piece);
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end(n === 0 ? '[]' : ']');
  await once(out, 'finish');
  return bytes + (n === 0 ? 2 : 1);
}
