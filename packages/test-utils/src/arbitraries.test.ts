import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupedRewardsArb } from './arbitraries';
import { relativeError } from './tolerance';

describe('arbitraries', () => {
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
