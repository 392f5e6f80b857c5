import { describeValue } from '@paretopo/pareto';

/**
 * Checks a reward batch's types and lengths at the public edge and returns its shape (finiteness
 * is checked by the estimators, fused into their first pass). `rewards` is n × k row-major,
 * `groupIds` has one id per row. k comes from `k` when given, else from the lengths
 * (`rewards.length / groupIds.length`; 1 for an empty batch).
 *
 * @throws TypeError for wrong array types; RangeError for mismatched lengths
 * @example
 * checkBatch('grpo', Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0), undefined); // { n: 2, k: 2 }
 */
export function checkBatch(fn: string, rewards: Float64Array, groupIds: Int32Array, k: unknown): { n: number; k: number } {
  if (!(rewards instanceof Float64Array)) {
    throw new TypeError(`${fn}: rewards must be a Float64Array (got ${describeValue(rewards)})`);
  }
  if (!(groupIds instanceof Int32Array)) {
    throw new TypeError(`${fn}: groupIds must be an Int32Array (got ${describeValue(groupIds)})`);
  }
  const n = groupIds.length;
  let kk: number;
  if (k !== undefined) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1) {
      throw new RangeError(`${fn}: options.k must be a positive integer (got ${describeValue(k)})`);
    }
    kk = k;
    if (rewards.length !== n * kk) {
      throw new RangeError(`${fn}: rewards must have length n*k = ${n}*${kk} = ${n * kk} (got ${rewards.length})`);
    }
  } else if (n === 0) {
    if (rewards.length !== 0) {
      throw new RangeError(`${fn}: rewards must be empty when groupIds is empty (got length ${rewards.length})`);
    }
    kk = 1;
  } else {
    kk = rewards.length / n;
    if (!Number.isInteger(kk) || kk < 1) {
      throw new RangeError(
        `${fn}: rewards length must be a positive multiple of groupIds length ${n} (got ${rewards.length})`,
      );
    }
  }
  return { n, k: kk };
}

/**
 * Throws a RangeError naming the first non-finite entry of a row-major array by (row, objective).
 *
 * @example
 * assertFiniteRows('grpo', 'rewards', Float64Array.of(1, NaN), 2);
 * // RangeError: grpo: rewards must be finite (got NaN at row 0, objective 1)
 */
export function assertFiniteRows(fn: string, arg: string, data: Float64Array, k: number): void {
  // Summing `x - x` (0 for finite x, NaN otherwise) keeps the common path branch-free.
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i] - data[i];
  if (probe === 0) return;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const row = Math.floor(i / k);
      throw new RangeError(`${fn}: ${arg} must be finite (got ${describeValue(data[i])} at row ${row}, objective ${i - row * k})`);
    }
  }
}

/**
 * Returns `out` after checking its type and length, or a fresh zeroed `Float64Array(n)`.
 *
 * @example
 * outputArray('grpo', undefined, 3); // Float64Array [0, 0, 0]
 */
export function outputArray(fn: string, out: unknown, n: number): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array)) {
    throw new TypeError(`${fn}: options.out must be a Float64Array (got ${describeValue(out)})`);
  }
  if (out.length !== n) throw new RangeError(`${fn}: options.out must have length ${n} (got ${out.length})`);
  return out;
}
