import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose, groupedRewardsArb } from '@paretopo/test-utils';
import { gdpoAdvantages, moGrpoAdvantages } from './multi';
import { grpoAdvantages } from './scalar';
import { moGrpoRef, whitenRef } from '../../test/reference';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const i32 = (...xs: number[]) => Int32Array.from(xs);

describe('hand-computed values', () => {
  it.each([
    // z-scores (population, eps 0) of (1,0) and (0,1) in one pair: ±1 per objective; 0.6·1 + 0.4·(−1) = 0.2
    ['MO-GRPO default weights', () => moGrpoAdvantages(f64(1, 0, 0, 1), i32(0, 0), { std: 'population', eps: 0 }), [0.2, -0.2]],
    ['MO-GRPO custom weights', () => moGrpoAdvantages(f64(1, 0, 0, 1), i32(0, 0), { std: 'population', eps: 0, weights: [1, 1] }), [0, 0]],
    // objective 0 = [1,0,0], objective 1 = [0,0,3]: sample z = [2/√3, −1/√3, −1/√3]·... per objective
    [
      'MO-GRPO sample std, uniform weights for k = 3',
      () => moGrpoAdvantages(f64(1, 0, 5, 0, 0, 5, 0, 3, 5), i32(4, 4, 4), { eps: 0 }),
      [(1 / 3) * (2 / Math.sqrt(3)) + (1 / 3) * (-1 / Math.sqrt(3)), (1 / 3) * (-1 / Math.sqrt(3)) * 2, (1 / 3) * (-1 / Math.sqrt(3) + 2 / Math.sqrt(3))],
    ],
    ['GDPO whitens MO-GRPO over the batch', () => gdpoAdvantages(f64(1, 0, 0, 1), i32(0, 0), { std: 'population', eps: 0 }), [1, -1]],
    [
      'GDPO two groups, sample std',
      () => gdpoAdvantages(f64(1, 0, 0, 1, 1, 1, 0, 0), i32(0, 0, 1, 1), { eps: 0 }),
      // MO-GRPO (sample std of a pair = √2/2): ±0.2·√2 and ±√2; then sample z-score over 4 values
      whitenRef([0.2 * Math.SQRT2, -0.2 * Math.SQRT2, Math.SQRT2, -Math.SQRT2], 'sample', 0),
    ],
  ])('%s', (_, run, expected) => expectAllClose(run(), expected, { rel: 1e-12, abs: 1e-12 }));

  it('an objective that is constant in a group contributes nothing there', () => {
    expectAllClose(moGrpoAdvantages(f64(1, 7, 0, 7), i32(0, 0), { std: 'population', eps: 0 }), [0.6, -0.6], { abs: 1e-15 });
  });
});

describe('defined behaviour', () => {
  it.each([
    ['mo-grpo', moGrpoAdvantages],
    ['gdpo', gdpoAdvantages],
  ])('%s: singleton and all-equal groups → 0 (up to rounding for GDPO), empty → empty', (_, est) => {
    const a = est(f64(0.1, 0.2, 0.1, 0.2, 0.1, 0.2, 3, 3, 1, 0, 0, 1), i32(1, 1, 1, 2, 5, 5));
    for (let i = 0; i < 4; i++) expect(Math.abs(a[i])).toBeLessThan(1e-15);
    expect(est(new Float64Array(0), new Int32Array(0)).length).toBe(0);
  });

  it('k = 1 with weight [1]: MO-GRPO equals GRPO for every std mode', () => {
    fc.assert(
      fc.property(groupedRewardsArb({ k: 1 }), fc.constantFrom('sample', 'population', 'none' as const), ({ rewards, groupIds }, std) => {
        expectAllClose(moGrpoAdvantages(rewards, groupIds, { std }), grpoAdvantages(rewards, groupIds, { std }), { rel: 1e-12, abs: 1e-15 });
      }),
    );
  });

  it('k = 1: GDPO equals GRPO followed by batch whitening', () => {
    fc.assert(
      fc.property(groupedRewardsArb({ k: 1 }), ({ rewards, groupIds }) => {
        const grpo = Array.from(grpoAdvantages(rewards, groupIds));
        expectAllClose(gdpoAdvantages(rewards, groupIds), whitenRef(grpo, 'sample', 1e-6), { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });

  it('bad inputs', () => {
    expect(() => moGrpoAdvantages(f64(1, NaN), i32(0))).toThrow(/row 0, objective 1/);
    expect(() => gdpoAdvantages(f64(1, 2), i32(0), { weights: [1, 2, 3] })).toThrow(RangeError);
    expect(() => gdpoAdvantages(f64(1, 2), i32(0), { beta: 1 } as object)).toThrow(/unknown option 'beta'/);
    expect(() => moGrpoAdvantages(f64(1, 2, 3), i32(0, 0))).toThrow(RangeError);
    expect(() => moGrpoAdvantages(f64(1, 2), i32(0), { std: 'unbiased' as never })).toThrow(/options.std/);
  });
});

describe('against the reference implementation, and laws', () => {
  const arb = fc.integer({ min: 1, max: 4 }).chain((k) => groupedRewardsArb({ k, maxGroups: 6, maxGroup: 8 }));
  it('MO-GRPO and GDPO match the oracle for k = 1..4 and every std mode', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom('sample', 'population', 'none' as const), ({ rewards, groupIds, k }, std) => {
        const w = k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k);
        const mo = moGrpoRef(rewards, k, groupIds, w, std, 1e-6);
        expectAllClose(moGrpoAdvantages(rewards, groupIds, { std }), mo, { rel: 1e-9, abs: 1e-9 });
        const batchStd = std === 'none' ? 'sample' : std;
        expectAllClose(gdpoAdvantages(rewards, groupIds, { std }), whitenRef(mo, batchStd, 1e-6), { rel: 1e-7, abs: 1e-7 });
      }),
    );
  });

  it('GDPO = MO-GRPO followed by batch whitening', () => {
    fc.assert(
      fc.property(arb, ({ rewards, groupIds }) => {
        const mo = Array.from(moGrpoAdvantages(rewards, groupIds));
        expectAllClose(gdpoAdvantages(rewards, groupIds), whitenRef(mo, 'sample', 1e-6), { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });
});
