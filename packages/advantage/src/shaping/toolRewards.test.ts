import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { otcGrpoToolReward, otcPpoToolReward, toolEfficiencyReward } from './toolRewards';

describe('toolEfficiencyReward', () => {
  it.each([
    [3, 1, {}, Math.exp(-1)],
    [1, 1, {}, 1],
    [0, 2, {}, Math.exp(-1)],
    [2, undefined, {}, Math.exp(-1)],
    [2, undefined, { fallbackNOpt: 2 }, 1],
    [4, 1, { alpha: 1 }, Math.exp(-3)],
    [4, 1, { alpha: 0 }, 1],
    [2, undefined, { nOptFallback: 'zero-reward' as const }, 0],
    [0, undefined, { nOptFallback: 'zero-reward' as const, fallbackNOpt: 0 }, 0],
    [2, 2, { nOptFallback: 'zero-reward' as const }, 1],
    [3, undefined, { nOptFallback: 'value' as const, fallbackNOpt: 1 }, Math.exp(-1)],
  ])('calls %d, N_opt %s, %o → %f', (calls, nOpt, opts, expected) => {
    expect(toolEfficiencyReward(calls, nOpt, opts)).toBeCloseTo(expected, 15);
  });

  it('is in (0, 1] and maximal at N_opt', () => {
    fc.assert(
      fc.property(fc.nat(50), fc.nat(50), (m, n) => {
        const r = toolEfficiencyReward(m, n);
        expect(r).toBeGreaterThan(0);
        expect(r).toBeLessThanOrEqual(toolEfficiencyReward(n, n));
      }),
    );
  });

  it.each([
    () => toolEfficiencyReward(-1, 0),
    () => toolEfficiencyReward(1.5, 0),
    () => toolEfficiencyReward(1, NaN),
    () => toolEfficiencyReward(1, 0, { alpha: -1 }),
    () => toolEfficiencyReward(1, 0, { fallbackNOpt: -1 }),
    () => toolEfficiencyReward(1, 0, { beta: 1 } as object),
    () => toolEfficiencyReward(1, undefined, { nOptFallback: 'zero' as never }),
  ])('rejects bad input %#', (run) => expect(run).toThrow(RangeError));
});

describe('OTC tool rewards (Wang et al. 2025)', () => {
  it.each([
    ['m = n = 2', 2, 2, 1],
    ['m = n = 5', 5, 5, 1],
    ['m = 0, n > 0', 0, 3, 0],
    ['m = n = 0', 0, 0, 1],
    ['n = 0, m = 1 (c = 1)', 1, 0, Math.cos(Math.PI / 3)],
    ['n = 0, m = 4 (c = 1)', 4, 0, Math.cos((4 * Math.PI) / 9)],
    ['m = 2n: f = 4n/3', 4, 2, Math.sin(((16 / 6) * Math.PI) / 4)],
    ['m = 1, n = 3: f = 1.5', 1, 3, Math.sin((1.5 * Math.PI) / 6)],
  ])('OTC-GRPO %s', (_, m, n, expected) => expect(otcGrpoToolReward(m, n)).toBeCloseTo(expected, 15));

  it('OTC-GRPO honours c when n = 0', () => {
    expect(otcGrpoToolReward(1, 0, { c: 2 })).toBeCloseTo(Math.cos(Math.PI / 4), 15);
  });

  it('OTC-GRPO is in [0, 1], 1 exactly at m = n, and smaller on either side', () => {
    fc.assert(
      fc.property(fc.nat(30), fc.integer({ min: 1, max: 30 }), (m, n) => {
        const r = otcGrpoToolReward(m, n);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThanOrEqual(1);
        if (m !== n) expect(r).toBeLessThan(otcGrpoToolReward(n, n));
      }),
    );
  });

  it.each([
    [0, 1],
    [1, 0.5],
    [2, Math.cos((2 * Math.PI) / 5)],
  ])('OTC-PPO m = %d → %f', (m, expected) => expect(otcPpoToolReward(m)).toBeCloseTo(expected, 15));

  it('OTC-PPO decreases with the number of calls', () => {
    fc.assert(fc.property(fc.nat(40), fc.double({ min: 0.1, max: 10, noNaN: true }), (m, c) => {
      expect(otcPpoToolReward(m + 1, { c })).toBeLessThan(otcPpoToolReward(m, { c }));
    }));
  });

  it.each([
    () => otcGrpoToolReward(-1, 2),
    () => otcGrpoToolReward(1, 2.5),
    () => otcGrpoToolReward(1, NaN),
    () => otcGrpoToolReward(1, 0, { c: 0 }),
    () => otcPpoToolReward(1, { c: -1 }),
    () => otcPpoToolReward(Infinity),
    () => otcPpoToolReward(1, { alpha: 1 } as object),
  ])('rejects bad input %#', (run) => expect(run).toThrow(RangeError));
});
