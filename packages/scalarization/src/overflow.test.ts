import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { augmentedTchebycheff, pbi, tchebycheff, weightedSum, weightedSumBatch } from './scalarize';

const OVERFLOW = /overflowed float64 \(got (-?Infinity|NaN)\) although every input is finite; rescale the objectives/;

describe('overflow rule: finite rewards whose utility overflows float64 throw, as the batch forms do', () => {
  it.each([
    ['weightedSum', () => weightedSum([1e308, 1e308], [1, 1])],
    ['tchebycheff', () => tchebycheff([-1e308, 0], [1, 1], [1e308, 0])],
    ['augmentedTchebycheff', () => augmentedTchebycheff([-1e308, -1e308], [1, 1], [1e308, 1e308], { rho: 0.5 })],
    ['pbi', () => pbi([-1e308, -1e308], [1, 1], [1e308, 1e308])],
  ])('%s', (fn, run) => {
    expect(run).toThrow(RangeError);
    expect(run).toThrow(new RegExp(`^${fn}: the utility overflowed`));
    expect(run).toThrow(OVERFLOW);
  });

  it('law: weightedSum is the exact sum or throws exactly when it exceeds float64 (non-negative terms)', () => {
    // With non-negative terms the partial sums grow monotonically, so the sum overflows exactly
    // when its 2^-64-scaled value (exact: no term is subnormal) exceeds MAX_VALUE · 2^-64.
    const reward = fc.double({ min: 1, max: 1.7e308, noNaN: true });
    const weight = fc.double({ min: 0.01, max: 4, noNaN: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(reward, weight), { minLength: 1, maxLength: 6 }), (pairs) => {
        const r = pairs.map((p) => p[0]);
        const w = pairs.map((p) => p[1]);
        let scaled = 0;
        for (let j = 0; j < r.length; j++) scaled += w[j] * (r[j] * 2 ** -64);
        const fits = scaled * 2 ** 64 < Number.MAX_VALUE;
        let got: number;
        try {
          got = weightedSum(r, w);
        } catch (err) {
          expect((err as Error).message).toMatch(OVERFLOW);
          // Rounding differs between the two orders of operations only within an ulp of the limit.
          expect(scaled * 2 ** 64 > Number.MAX_VALUE * (1 - 1e-12)).toBe(true);
          return;
        }
        expect(Number.isFinite(got)).toBe(true);
        expect(fits || scaled * 2 ** 64 < Number.MAX_VALUE * (1 + 1e-12)).toBe(true);
        expect(Math.abs(got - scaled * 2 ** 64)).toBeLessThanOrEqual(1e-12 * got);
        const batch = weightedSumBatch({ data: Float64Array.from(r), n: 1, d: r.length }, w);
        expect(batch[0]).toBe(got);
      }),
      { numRuns: 300 },
    );
  });
});
