import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { frontArb, groupedRewardsArb, pointsArb, weightVectorArb } from './arbitraries';
import { relativeError } from './tolerance';

describe('arbitraries', () => {
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
            let le = true;
            let lt = false;
            for (let k = 0; k < d; k++) {
              if (data[i * d + k] > data[j * d + k]) le = false;
              if (data[i * d + k] < data[j * d + k]) lt = true;
            }
            expect(le && lt).toBe(false);
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

  it('groupedRewardsArb gives one group id per row', () => {
    fc.assert(fc.property(groupedRewardsArb({ k: 3 }), (g) => {
      expect(g.groupIds.length).toBe(g.n);
      expect(g.rewards.length).toBe(g.n * g.k);
    }));
  });

  it('relativeError is symmetric and 0 for equal values', () => {
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 2)).toBe(relativeError(2, 1));
  });
});
