import { expect } from 'vitest';
import fc from 'fast-check';

/** Test helpers for the WebAssembly kernels, which handle the equal-runs layout. */

/** Bit-for-bit equality, −0 and +0 told apart. */
export function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) expect([i, actual[i]]).toEqual([i, expected[i]]);
}

/**
 * Equal contiguous runs (the kernel's layout): k = 1–8, G = 1–64, values from a grid with −0, 0
 * and duplicates (ties, equal vectors), or NaN-free random doubles; some groups constant, some
 * rows copies of others.
 */
export const runsArb = (kMax: number, gMax: number) =>
  fc
    .record({
      k: fc.integer({ min: 1, max: kMax }),
      G: fc.integer({ min: 1, max: gMax }),
      groups: fc.integer({ min: 1, max: 6 }),
      grid: fc.boolean(),
      constantGroup: fc.nat(7),
      copies: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
      beta: fc.constantFrom(0, 0.25, 0.5, 0.999),
      nRank: fc.constantFrom('fronts' as const, 'group-size' as const),
      center: fc.boolean(),
      firstId: fc.integer({ min: -5, max: 5 }),
    })
    .chain((p) => {
      const n = p.G * p.groups;
      const real = fc.double({ min: -10, max: 10, noNaN: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x));
      const value = p.grid ? fc.constantFrom(-0, 0, 0.5, 1) : real;
      return fc.array(value, { minLength: n * p.k, maxLength: n * p.k }).map((flat) => {
        const { k, G } = p;
        const rewards = Float64Array.from(flat);
        for (const [from, to] of p.copies) rewards.copyWithin((to % n) * k, (from % n) * k, (from % n) * k + k);
        if (p.constantGroup < p.groups) {
          const s = p.constantGroup * G;
          for (let a = 1; a < G; a++) rewards.copyWithin((s + a) * k, s * k, s * k + k);
        }
        const groupIds = Int32Array.from({ length: n }, (_, i) => p.firstId + 3 * Math.floor(i / G));
        return { ...p, n, rewards, groupIds };
      });
    });
