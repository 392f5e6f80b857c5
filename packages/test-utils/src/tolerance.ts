import { expect } from 'vitest';

/** |a − b| / max(|a|, |b|, tiny): symmetric relative error, 0 when both are 0. */
export function relativeError(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/** Asserts |actual − expected| ≤ abs + rel·max(|actual|, |expected|), with a useful message. */
export function expectClose(actual: number, expected: number, tol: { rel?: number; abs?: number } = {}): void {
  const { rel = 1e-9, abs = 1e-12 } = tol;
  const bound = abs + rel * Math.max(Math.abs(actual), Math.abs(expected));
  const ok = Math.abs(actual - expected) <= bound || (Number.isNaN(actual) && Number.isNaN(expected)) || actual === expected;
  expect(ok, `expected ${actual} to be within ${bound} of ${expected}`).toBe(true);
}

/** Element-wise {@link expectClose} with lengths checked first. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { rel?: number; abs?: number } = {}): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const { rel = 1e-9, abs = 1e-12 } = tol;
    const a = actual[i];
    const e = expected[i];
    const bound = abs + rel * Math.max(Math.abs(a), Math.abs(e));
    const ok = a === e || Math.abs(a - e) <= bound;
    expect(ok, `index ${i}: expected ${a} to be within ${bound} of ${e}`).toBe(true);
  }
}
