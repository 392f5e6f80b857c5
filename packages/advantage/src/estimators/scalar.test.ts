import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose, groupedRewardsArb } from '@paretopo/test-utils';
import { drGrpoAdvantages, grpoAdvantages, opoAdvantages, reinforcePlusPlusAdvantages, rlooAdvantages } from './scalar';
import { grpoRef, opoRef, rlooRef, scalarRef, whitenRef } from '../../test/reference';
import { twoLayouts, unpermute } from '../../test/layouts';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const i32 = (...xs: number[]) => Int32Array.from(xs);
const TOL = { rel: 1e-9, abs: 1e-12 };

describe('hand-computed values', () => {
  const s = 0.5 / (Math.sqrt(1 / 3) + 1e-6); // [1,0,0,1]: mean 0.5, sample std √(1/3)
  it.each([
    ['GRPO sample std, eps 1e-6', () => grpoAdvantages(f64(1, 0, 0, 1), i32(0, 0, 0, 0)), [s, -s, -s, s]],
    ['GRPO population std, eps 0', () => grpoAdvantages(f64(1, 0, 0, 1), i32(0, 0, 0, 0), { std: 'population', eps: 0 }), [1, -1, -1, 1]],
    ['GRPO std none = Dr. GRPO', () => grpoAdvantages(f64(1, 0, 0, 1), i32(0, 0, 0, 0), { std: 'none' }), [0.5, -0.5, -0.5, 0.5]],
    ['GRPO two interleaved groups', () => grpoAdvantages(f64(1, 3, 0, 5), i32(9, -4, 9, -4), { eps: 0 }), [Math.SQRT1_2, -Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT1_2]],
    ['GRPO weighted sum (grpo-ws), k = 2', () => grpoAdvantages(f64(1, 0, 0, 1), i32(0, 0), { std: 'population', eps: 0 }), [1, -1]],
    ['Dr. GRPO [1,2,3]', () => drGrpoAdvantages(f64(1, 2, 3), i32(0, 0, 0)), [-1, 0, 1]],
    ['RLOO [1,2,3]', () => rlooAdvantages(f64(1, 2, 3), i32(0, 0, 0)), [-1.5, 0, 1.5]],
    ['RLOO [1,0,0,1]', () => rlooAdvantages(f64(1, 0, 0, 1), i32(0, 0, 0, 0)), [2 / 3, -2 / 3, -2 / 3, 2 / 3]],
    ['OPO lengths 1 and 3', () => opoAdvantages(f64(1, 0), i32(0, 0), { lengths: [1, 3] }), [0.75, -0.25]],
    ['OPO equal lengths = Dr. GRPO', () => opoAdvantages(f64(1, 2, 3), i32(0, 0, 0), { lengths: [5, 5, 5] }), [-1, 0, 1]],
    [
      'REINFORCE++ population whitening',
      () => reinforcePlusPlusAdvantages(f64(1, 0, 2, 0), i32(0, 0, 1, 1), { std: 'population', eps: 0 }),
      [0.5, -0.5, 1, -1].map((x) => x / Math.sqrt(0.625)),
    ],
  ])('%s', (_, run, expected) => expectAllClose(run(), expected, TOL));

  it('GRPO of [1,0,0,1] is ±0.866 (sample std)', () => {
    expect(grpoAdvantages(f64(1, 0, 0, 1), i32(0, 0, 0, 0))[0]).toBeCloseTo(0.866024, 6);
  });
});

const scalarEstimators = [
  ['grpo', (r: Float64Array, g: Int32Array) => grpoAdvantages(r, g, { k: 1 })],
  ['drgrpo', (r: Float64Array, g: Int32Array) => drGrpoAdvantages(r, g, { k: 1 })],
  ['rloo', (r: Float64Array, g: Int32Array) => rlooAdvantages(r, g, { k: 1 })],
  ['opo', (r: Float64Array, g: Int32Array) => opoAdvantages(r, g, { k: 1, lengths: new Float64Array(g.length).fill(3) })],
  ['reinforce++', (r: Float64Array, g: Int32Array) => reinforcePlusPlusAdvantages(r, g, { k: 1 })],
] as const;

describe('defined behaviour', () => {
  it.each(scalarEstimators)('%s: singleton groups and all-equal groups get exactly 0', (_, est) => {
    // 0.1 three times: the summed mean is not 0.1 in floating point, yet the advantage must be 0.
    const a = est(f64(0.1, 0.1, 0.1, 7, 0.3), i32(1, 1, 1, 2, 3));
    expect(Array.from(a)).toEqual([0, 0, 0, 0, 0]);
  });

  it.each(scalarEstimators)('%s: empty batch → empty output', (_, est) => {
    expect(est(new Float64Array(0), new Int32Array(0)).length).toBe(0);
  });

  it('writes into options.out and returns it', () => {
    const out = new Float64Array(3);
    expect(rlooAdvantages(f64(1, 2, 3), i32(0, 0, 0), { out })).toBe(out);
    expect(Array.from(out)).toEqual([-1.5, 0, 1.5]);
  });

  it('group ids far apart (hash path) give the same result as dense ids', () => {
    const r = f64(1, 0, 3, 5, 2);
    expectAllClose(grpoAdvantages(r, i32(-2e9, 2e9, -2e9, 2e9, 0)), grpoAdvantages(r, i32(0, 1, 0, 1, 2)), TOL);
  });
});

describe('bad inputs', () => {
  const r = f64(1, 2, 3, 4);
  const g = i32(0, 0, 1, 1);
  it.each([
    ['NaN reward names row and objective', () => grpoAdvantages(f64(1, 2, NaN, 4), i32(0, 0), { k: 2 }), RangeError, /row 1, objective 0/],
    ['Infinity reward', () => rlooAdvantages(f64(1, Infinity), i32(0, 0)), RangeError, /Infinity at row 1, objective 0/],
    ['length not a multiple of n', () => grpoAdvantages(f64(1, 2, 3), i32(0, 0)), RangeError, /multiple/],
    ['k disagrees with lengths', () => grpoAdvantages(r, g, { k: 2 }), RangeError, /n\*k/],
    ['bad k', () => grpoAdvantages(r, g, { k: 0 }), RangeError, /options.k/],
    ['rewards not Float64Array', () => grpoAdvantages([1, 2] as unknown as Float64Array, i32(0, 0)), TypeError, /rewards must be a Float64Array/],
    ['groupIds not Int32Array', () => grpoAdvantages(r, [0, 0, 1, 1] as unknown as Int32Array), TypeError, /groupIds/],
    ['unknown option', () => grpoAdvantages(r, g, { epsilon: 1 } as object), RangeError, /unknown option 'epsilon' \(allowed: k, out, weights, std, eps\)/],
    ['bad std', () => grpoAdvantages(r, g, { std: 'n-1' as never }), RangeError, /options.std/],
    ['negative eps', () => grpoAdvantages(r, g, { eps: -1 }), RangeError, /options.eps/],
    ['NaN eps', () => grpoAdvantages(r, g, { eps: NaN }), TypeError, /options.eps/],
    ['weights wrong length', () => drGrpoAdvantages(r, i32(0, 0), { weights: [1] }), RangeError, /weights must have one weight per objective, length 2/],
    ['weights NaN', () => drGrpoAdvantages(r, i32(0, 0), { weights: [1, NaN] }), RangeError, /weights\[1\]/],
    ['out wrong length', () => rlooAdvantages(r, g, { out: new Float64Array(3) }), RangeError, /out must have length 4/],
    ['OPO without lengths', () => opoAdvantages(r, g, undefined as never), TypeError, /lengths/],
    ['OPO lengths wrong size', () => opoAdvantages(r, g, { lengths: [1, 2] }), RangeError, /lengths must have length 4/],
    ['OPO zero length', () => opoAdvantages(r, g, { lengths: [1, 0, 1, 1] }), RangeError, /lengths\[1\]/],
    ['REINFORCE++ std none', () => reinforcePlusPlusAdvantages(r, g, { std: 'none' as never }), RangeError, /options.std/],
    ['empty rewards with ids', () => grpoAdvantages(new Float64Array(0), i32(0)), RangeError, /multiple/],
  ])('%s', (_, run, type, message) => {
    expect(run).toThrow(type);
    expect(run).toThrow(message);
  });
});

describe('against the reference implementations', () => {
  const arb = groupedRewardsArb({ k: 2, maxGroups: 6, maxGroup: 8 });
  const w = [0.6, 0.4];
  it('GRPO (every std mode), Dr. GRPO, RLOO, OPO, REINFORCE++ match the slow oracles', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom('sample', 'population', 'none' as const), ({ rewards, groupIds }, std) => {
        const v = scalarRef(rewards, 2, w);
        expectAllClose(grpoAdvantages(rewards, groupIds, { std }), grpoRef(v, groupIds, std, 1e-6), { rel: 1e-9, abs: 1e-9 });
        expectAllClose(drGrpoAdvantages(rewards, groupIds), grpoRef(v, groupIds, 'none', 0), { abs: 1e-12 });
        expectAllClose(rlooAdvantages(rewards, groupIds), rlooRef(v, groupIds), { abs: 1e-12 });
        const lengths = Array.from(groupIds, (_, i) => 1 + ((i * 7) % 5));
        expectAllClose(opoAdvantages(rewards, groupIds, { lengths }), opoRef(v, groupIds, lengths), { abs: 1e-12 });
        const rpp = whitenRef(grpoRef(v, groupIds, 'none', 0), 'sample', 1e-6);
        expectAllClose(reinforcePlusPlusAdvantages(rewards, groupIds), rpp, { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });
});

describe('laws', () => {
  const arb = groupedRewardsArb({ k: 1, maxGroups: 5, maxGroup: 8 });
  it('permuting the batch permutes the advantages', () => {
    fc.assert(
      fc.property(arb, fc.integer(), ({ rewards, groupIds, n }, seed) => {
        const perm = Array.from({ length: n }, (_, i) => i);
        let s = seed >>> 0 || 1;
        for (let i = n - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const pr = Float64Array.from(perm, (p) => rewards[p]);
        const pg = Int32Array.from(perm, (p) => groupIds[p]);
        for (const [, est] of scalarEstimators) {
          const a = est(rewards, groupIds);
          expectAllClose(est(pr, pg), perm.map((p) => a[p]), { rel: 1e-9, abs: 1e-12 });
        }
      }),
    );
  });

  it('GRPO is invariant to adding a constant and to positive scaling (eps = 0)', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 64 }), ({ rewards, groupIds }, shift, scale) => {
        const base = grpoAdvantages(rewards, groupIds, { eps: 0 });
        // Power-of-two scale and integer shift of grid values: exact arithmetic, so tight tolerance.
        const moved = rewards.map((x) => x * (scale / 8) + shift);
        expectAllClose(grpoAdvantages(moved, groupIds, { eps: 0 }), base, { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });

  it('RLOO = G/(G−1) × Dr. GRPO', () => {
    fc.assert(
      fc.property(arb, ({ rewards, groupIds }) => {
        const counts = new Map<number, number>();
        for (const g of groupIds) counts.set(g, (counts.get(g) ?? 0) + 1);
        const dr = drGrpoAdvantages(rewards, groupIds);
        const expected = Array.from(dr, (a, i) => {
          const c = counts.get(groupIds[i])!;
          return c > 1 ? (a * c) / (c - 1) : 0;
        });
        expectAllClose(rlooAdvantages(rewards, groupIds), expected, { rel: 1e-12, abs: 1e-12 });
      }),
    );
  });

  it('centred estimators sum to 0 within every group', () => {
    fc.assert(
      fc.property(arb, ({ rewards, groupIds }) => {
        for (const a of [grpoAdvantages(rewards, groupIds), drGrpoAdvantages(rewards, groupIds), rlooAdvantages(rewards, groupIds)]) {
          const sums = new Map<number, number>();
          groupIds.forEach((g, i) => sums.set(g, (sums.get(g) ?? 0) + a[i]));
          for (const s of sums.values()) expect(Math.abs(s)).toBeLessThan(1e-9);
        }
      }),
    );
  });
});

describe('contiguous-group fast path', () => {
  const arb = fc
    .integer({ min: 1, max: 4 })
    .chain((k) => groupedRewardsArb({ k, maxGroups: 5, minGroup: 1, maxGroup: 40, values: [0, 0.1, 0.5, 1, 3] }));
  it('gives results identical to the gathered path on interleaved groups, and matches the references (k = 1..4)', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom('sample', 'population', 'none' as const), (batch, std) => {
        const { k } = batch;
        const { contiguous: c, interleaved: i } = twoLayouts(batch.rewards, batch.groupIds, k);
        const lengthsOf = (rowOf: number[]) => rowOf.map((row) => 1 + ((row * 7) % 5));
        const runs: [string, (r: Float64Array, g: Int32Array, rowOf: number[]) => Float64Array][] = [
          ['grpo', (r, g) => grpoAdvantages(r, g, { std })],
          ['drgrpo', (r, g) => drGrpoAdvantages(r, g)],
          ['rloo', (r, g) => rlooAdvantages(r, g)],
          ['opo', (r, g, rowOf) => opoAdvantages(r, g, { lengths: lengthsOf(rowOf) })],
          ['reinforce++', (r, g) => reinforcePlusPlusAdvantages(r, g)],
        ];
        for (const [, run] of runs.slice(0, 4)) {
          expect(unpermute(run(i.rewards, i.groupIds, i.rowOf), i.rowOf)).toEqual(unpermute(run(c.rewards, c.groupIds, c.rowOf), c.rowOf));
        }
        const w = k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k);
        const v = scalarRef(batch.rewards, k, w);
        expectAllClose(unpermute(grpoAdvantages(c.rewards, c.groupIds, { std }), c.rowOf), grpoRef(v, batch.groupIds, std, 1e-6), { rel: 1e-9, abs: 1e-9 });
        expectAllClose(unpermute(rlooAdvantages(c.rewards, c.groupIds), c.rowOf), rlooRef(v, batch.groupIds), { abs: 1e-12 });
        // Batch whitening sums in batch order, so the two layouts agree up to rounding only.
        expectAllClose(
          unpermute(runs[4][1](i.rewards, i.groupIds, i.rowOf), i.rowOf),
          unpermute(runs[4][1](c.rewards, c.groupIds, c.rowOf), c.rowOf),
          { rel: 1e-9, abs: 1e-12 },
        );
      }),
      { numRuns: 60 },
    );
  });
});
