import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominates } from '../dominance';
import { fromRows } from '../points';
import { nondominatedRanks } from '../sort/ranks';
import { dominatesOracle, frontArb, pointsArb, ranksOracle, weightVectorArb } from './index';

describe('@paretopo/pareto/testing', () => {
  it('pointsArb yields consistent shapes', () => {
    fc.assert(
      fc.property(pointsArb({ d: 3, maxN: 10 }), (p) => {
        expect(p.data.length).toBe(p.n * p.d);
      }),
    );
  });

  it('frontArb yields mutually non-dominated points', () => {
    fc.assert(
      fc.property(frontArb({ d: 3 }), ({ data, n, d }) => {
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            if (i === j) continue;
            expect(dominatesOracle(data.subarray(i * d, i * d + d), data.subarray(j * d, j * d + d))).toBe(false);
          }
      }),
    );
  });

  it('weightVectorArb sums to 1', () => {
    fc.assert(
      fc.property(weightVectorArb(3), (w) => {
        expect(Math.abs(w.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it('dominatesOracle: known values, both senses, and agreement with dominates()', () => {
    expect(dominatesOracle([1, 2], [2, 2])).toBe(true);
    expect(dominatesOracle([1, 2], [1, 2])).toBe(false);
    expect(dominatesOracle([1, 3], [2, 2])).toBe(false);
    expect(dominatesOracle([3, 3], [2, 2], true)).toBe(true);
    expect(dominatesOracle([3, 1], [2, 2], [true, false])).toBe(true);
    expect(() => dominatesOracle([1], [1, 2])).toThrow(/dominatesOracle: a and b must have the same length \(got 1 and 2\)/);
    fc.assert(
      fc.property(pointsArb({ minN: 2, maxN: 2 }), fc.boolean(), (p, max) => {
        const a = p.data.subarray(0, p.d);
        const b = p.data.subarray(p.d, 2 * p.d);
        expect(dominatesOracle(a, b, max)).toBe(dominates(a, b, { maximize: max }));
      }),
    );
  });

  it('ranksOracle is the package\'s Deb sort: the README example, and equal to the fast sort', () => {
    expect(Array.from(ranksOracle(fromRows([[1, 2], [2, 1], [2, 2], [3, 3], [1, 2]])))).toEqual([0, 0, 1, 2, 0]);
    fc.assert(
      fc.property(pointsArb(), (p) => {
        expect(Array.from(nondominatedRanks(p))).toEqual(Array.from(ranksOracle(p)));
      }),
    );
  });
});
