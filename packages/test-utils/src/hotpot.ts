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
