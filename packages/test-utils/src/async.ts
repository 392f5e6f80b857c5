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
