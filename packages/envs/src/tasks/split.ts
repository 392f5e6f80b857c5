import { hashString } from '../prng';
import type { Split } from './types';

/**
 * Assigns a question to train or test by a hash of its canonical text, so the two splits can
 * never share a question, whatever the seed or the order of generation.
 *
 * @param canonical - The canonical question text.
 * @param testFraction - Share of the question space in the test split, in [0, 1].
 * @returns `'test'` or `'train'`.
 * @example
 * splitOf('12*34', 0); // 'train'
 */
export function splitOf(canonical: string, testFraction: number): Split {
  return hashString(canonical) / 4294967296 < testFraction ? 'test' : 'train';
}

/**
 * Validates the options every task generator shares and returns them resolved.
 * @internal
 */
export function resolveCommon(
  fn: string,
  options: { seed?: unknown; count?: unknown; split?: unknown; testFraction?: unknown },
): { seed: number; count: number; split: Split; testFraction: number } {
  const { seed, count } = options;
  const split = options.split ?? 'train';
  const testFraction = options.testFraction ?? 0.2;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`${fn}: options.seed must be a finite number (got ${String(seed)})`);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`${fn}: options.count must be a non-negative integer (got ${String(count)})`);
  }
  if (split !== 'train' && split !== 'test') {
    throw new TypeError(`${fn}: options.split must be 'train' or 'test' (got ${String(split)})`);
  }
  if (typeof testFraction !== 'number' || !(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`${fn}: options.testFraction must be in (0, 1) (got ${String(testFraction)})`);
  }
  return { seed, count, split, testFraction };
}

/**
 * Validates teacher probabilities.
 * @internal
 */
export function resolveTeacher(
  fn: string,
  options: { seed?: unknown; overuse?: unknown; repeat?: unknown },
): { seed: number; overuse: number; repeat: number } {
  const { seed } = options;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`${fn}: options.seed must be a finite number (got ${String(seed)})`);
  }
  const overuse = options.overuse ?? 0.6;
  const repeat = options.repeat ?? 0.2;
  for (const [name, p] of [
    ['overuse', overuse],
    ['repeat', repeat],
  ] as const) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      throw new RangeError(`${fn}: options.${name} must be a probability in [0, 1] (got ${String(p)})`);
    }
  }
  return { seed, overuse: overuse as number, repeat: repeat as number };
}
