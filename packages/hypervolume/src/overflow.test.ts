import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from '@paretopo/pareto/testing';
import { hypervolume } from './hypervolume';
import { hvContributions, hvImprovement } from './contributions';
import { estimateHypervolume } from './estimate';
import { additiveEpsilon, gd, gdPlus, igd, igdPlus, multiplicativeEpsilon } from './indicators';

const OVERFLOW = /overflowed float64 \(got (Infinity|NaN)\) although every input is finite; rescale the objectives/;

/** Multiplies every value by 2^e: exact in float64 while nothing overflows. */
function scaled(data: Float64Array, e: number): Float64Array {
  const s = 2 ** e;
  return data.map((v) => v * s);
}

describe('overflow: finite input whose result overflows float64 throws, never returns Infinity', () => {
  it.each([
    ['hypervolume', () => hypervolume({ data: Float64Array.of(0, 0), n: 1, d: 2 }, [1e200, 1e200])],
    ['hvContributions', () => hvContributions({ data: Float64Array.of(0, 0, 0), n: 1, d: 3 }, [1e150, 1e150, 1e150])],
    ['hvImprovement', () => hvImprovement({ data: Float64Array.of(0, 1), n: 1, d: 2 }, [1, 0], [1e200, 1e200])],
    ['estimateHypervolume', () => estimateHypervolume({ data: Float64Array.of(-1e200, -1e200), n: 1, d: 2 }, [1e200, 1e200])],
  ])('%s', (fn, run) => {
    expect(run).toThrow(RangeError);
    expect(run).toThrow(new RegExp(`^${fn}: `));
    expect(run).toThrow(OVERFLOW);
  });

  it('hvContributions names the point whose contribution overflowed', () => {
    const pts = { data: Float64Array.of(0, 1e300, 1e300, 0), n: 2, d: 2 };
    expect(() => hvContributions(pts, [1.7e308, 1.7e308])).toThrow(/^hvContributions: the contribution of point 0 overflowed/);
  });

  // Scaling every value by 2^e scales a d-dimensional volume by 2^(e·d), exactly until it
  // overflows: the unscaled computation is the oracle for the scaled one.
  const scaledCase = fc.record({
    pts: pointsArb({ d: { min: 2, max: 5 }, minN: 1, maxN: 12 }),
    e: fc.integer({ min: 100, max: 1000 }),
  });

  it('law: hypervolume of 2^e-scaled points is 2^(e·d) times the unscaled one, or throws when that exceeds float64', () => {
    fc.assert(
      fc.property(scaledCase, ({ pts, e }) => {
        const ref = new Array<number>(pts.d).fill(11);
        const base = hypervolume(pts, ref);
        const big = { data: scaled(pts.data, e), n: pts.n, d: pts.d };
        const bigRef = ref.map((v) => v * 2 ** e);
        const log2 = Math.log2(base) + e * pts.d;
        let got: number;
        try {
          got = hypervolume(big, bigRef);
        } catch (err) {
          expect((err as Error).message).toMatch(OVERFLOW);
          // Only a true result at (or within rounding of) float64's range may be refused.
          expect(log2).toBeGreaterThan(1023.99);
          return;
        }
        expect(Number.isFinite(got)).toBe(true);
        if (base === 0) expect(got).toBe(0);
        else expect(Math.abs(Math.log2(got) - log2)).toBeLessThan(1e-9);
      }),
      { numRuns: 300 },
    );
  });

  it('law: contributions and improvement scale the same way or throw, never ±Infinity or NaN', () => {
    fc.assert(
      fc.property(scaledCase, ({ pts, e }) => {
        const ref = new Array<number>(pts.d).fill(11);
        const big = { data: scaled(pts.data, e), n: pts.n, d: pts.d };
        const bigRef = ref.map((v) => v * 2 ** e);
        const base = hvContributions(pts, ref);
        const cand = new Array<number>(pts.d).fill(2 ** e);
        const baseGain = hvImprovement(pts, new Array<number>(pts.d).fill(1), ref);
        for (const [run, expected] of [
          [() => hvContributions(big, bigRef), base],
          [() => Float64Array.of(hvImprovement(big, cand, bigRef)), Float64Array.of(baseGain)],
        ] as const) {
          let got: Float64Array;
          try {
            got = run();
          } catch (err) {
            expect((err as Error).message).toMatch(OVERFLOW);
            const largest = Math.max(...expected);
            // Refused only when a true value, or the box it is computed from, exceeds float64.
            expect(Math.log2(Math.max(largest, 11 ** pts.d)) + e * pts.d).toBeGreaterThan(1023.99);
            continue;
          }
          for (let i = 0; i < got.length; i++) {
            expect(Number.isFinite(got[i])).toBe(true);
            if (expected[i] === 0) expect(got[i]).toBe(0);
            else expect(Math.abs(Math.log2(got[i]) - (Math.log2(expected[i]) + e * pts.d))).toBeLessThan(1e-9);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('overflow: the quality indicators follow the same rule', () => {
  const far = { data: Float64Array.of(-1e308, -1e308), n: 1, d: 2 };
  const near = { data: Float64Array.of(1e308, 1e308), n: 1, d: 2 };
  it.each([
    ['igd', () => igd(far, near)],
    ['igdPlus', () => igdPlus(near, far)],
    ['gd', () => gd(far, near)],
    ['gdPlus', () => gdPlus(near, far)],
    ['additiveEpsilon', () => additiveEpsilon(near, far)],
    ['multiplicativeEpsilon', () => multiplicativeEpsilon(near, { data: Float64Array.of(1e-300, 1e-300), n: 1, d: 2 })],
  ])('%s', (fn, run) => {
    expect(run).toThrow(new RegExp(`^${fn}: the indicator overflowed float64 \\(got Infinity\\)`));
  });

  it('a finite result is returned even when a farther candidate overflowed on the way', () => {
    const ref = { data: Float64Array.of(0, 0), n: 1, d: 2 };
    expect(igd({ data: Float64Array.of(-1e308, 1e308, 3, 4), n: 2, d: 2 }, ref)).toBe(5);
  });
});
