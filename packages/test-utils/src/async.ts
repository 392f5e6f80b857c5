/**
 * Drains an async iterable into an array (for tests of streaming readers).
 *
 * @param items - Any async iterable.
 * @returns Its items in order.
 * @example
 * await collect(readJsonl('a.jsonl')); // [{ value: …, line: 1 }, …]
 */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) out.push(x);
  return out;
}

/**
 * The values of JSONL records, in order (for tests that read a log with `readJsonlSync`).
 *
 * @param records - Records `{ value, line }`, e.g. from `readJsonlSync`.
 * @returns Their values.
 * @example
 * values(readJsonlSync('run/metrics.jsonl')); // [{ step: 0, … }, { step: 1, … }]
 */
export function values<T>(records: Iterable<{ value: T }>): T[] {
  return Array.from(records, (r) => r.value);
}
