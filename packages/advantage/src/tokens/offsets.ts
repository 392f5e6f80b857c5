import { describeValue } from '@paretopo/pareto';

/**
 * Checks packed-sequence offsets: `offsets[0] = 0`, non-decreasing integers, and
 * `offsets[last] = total` (the token count), so sequence s owns tokens `[offsets[s], offsets[s + 1])`.
 *
 * @returns the number of sequences, `offsets.length − 1`
 * @example
 * checkOffsets('gae', Int32Array.of(0, 2, 5), 5, 'seqOffsets'); // 2
 */
export function checkOffsets(fn: string, offsets: ArrayLike<number>, total: number, arg = 'seqOffsets'): number {
  if (offsets === null || typeof offsets !== 'object' || typeof offsets.length !== 'number') {
    throw new TypeError(`${fn}: ${arg} must be an array of integers (got ${describeValue(offsets)})`);
  }
  if (offsets.length === 0) throw new RangeError(`${fn}: ${arg} must have length n + 1 ≥ 1 (got 0)`);
  if (offsets[0] !== 0) throw new RangeError(`${fn}: ${arg}[0] must be 0 (got ${describeValue(offsets[0])})`);
  for (let s = 1; s < offsets.length; s++) {
    const v = offsets[s];
    if (!Number.isInteger(v) || v < offsets[s - 1]) {
      throw new RangeError(
        `${fn}: ${arg} must be non-decreasing integers (got ${describeValue(v)} at ${s} after ${describeValue(offsets[s - 1])})`,
      );
    }
  }
  const last = offsets[offsets.length - 1];
  if (last !== total) {
    throw new RangeError(`${fn}: ${arg}[${offsets.length - 1}] must equal the token count ${total} (got ${last})`);
  }
  return offsets.length - 1;
}
