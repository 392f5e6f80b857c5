import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nondominatedRanksDeb } from '@paretopo/pareto';
import { expectAllClose, groupedRewardsArb } from '@paretopo/test-utils';
import { groupParetoRanks, paretoRankAdvantages } from './paretoRank';
import { groupsOf, paretoRankRef, rowsOf } from '../../test/reference';
import { twoLayouts, unpermute } from '../../test/layouts';

const f64 = (...xs: number[]) => Float64Array.from(xs);
const i32 = (...xs: number[]) => Int32Array.from(xs);
const kArb = fc.integer({ min: 1, max: 4 }).chain((k) => groupedRewardsArb({ k, maxGroups: 6, maxGroup: 16 }));

describe('hand-computed values', () => {
  // Group: (1,0) and (0,1) are front 1, (0,0) front 2, so N_rank = 2 fronts.
  // r_w = 0.6, 0.4 in front 1 → r̂ = 1, 0; front 2 has one member → r̂ = 0.5.
  const r = f64(1, 0, 0, 1, 0, 0);
  const g = i32(0, 0, 0);
  it.each([
    ['raw, defaults', { center: false }, [2.25, 1.75, 1]],
    ['centred (default)', {}, [0.583333333333333, 0.083333333333333, -0.666666666666667]],
    ['N_rank = group size', { center: false, nRank: 'group-size' as const }, [3.25, 2.75, 2]],
    ['β = 0', { center: false, beta: 0 }, [2, 2, 1]],
    ['β = 0.9, weights (0, 1)', { center: false, beta: 0.9, weights: [0, 1] }, [1.55, 2.45, 1]],
  ])('%s', (_, opts, expected) => expectAllClose(paretoRankAdvantages(r, g, opts), expected, { abs: 1e-12 }));

  it('equal vectors share a rank and a tie-breaker of 0.5', () => {
    // (1,1) twice dominates (1,0); both copies get A_base = 2 and r̂ = 0.5.
    expectAllClose(paretoRankAdvantages(f64(1, 1, 1, 1, 1, 0), i32(3, 3, 3), { center: false }), [2, 2, 1], { abs: 0 });
  });

  it('ranks of a chain of three fronts and an interleaved second group', () => {
    expect(Array.from(groupParetoRanks(f64(3, 3, 2, 2, 9, 9, 1, 1, 0, 5), i32(1, 1, 2, 1, 2), { k: 2 }))).toEqual([0, 1, 0, 2, 1]);
  });
});

describe('defined behaviour', () => {
  it('groups whose members share one vector, and singletons, get 0 centred or raw', () => {
    for (const center of [true, false]) {
      const a = paretoRankAdvantages(f64(1, 0, 1, 0, 1, 0, 0.3, 0.7, 1, 1, 0, 0), i32(5, 5, 5, 6, 7, 7), { center });
      expect(Array.from(a.subarray(0, 4))).toEqual([0, 0, 0, 0]);
      expect(a[4]).toBeGreaterThan(a[5]);
    }
  });

  it('empty batch → empty output', () => {
    expect(paretoRankAdvantages(new Float64Array(0), new Int32Array(0)).length).toBe(0);
    expect(groupParetoRanks(new Float64Array(0), new Int32Array(0)).length).toBe(0);
  });

  it('k = 1: ranks order the scalar values, so the raw advantage with β = 0 is the rank of the distinct value', () => {
    expectAllClose(paretoRankAdvantages(f64(0, 1, 1, 0.5), i32(0, 0, 0, 0), { k: 1, center: false, beta: 0 }), [1, 3, 3, 2], { abs: 0 });
  });

  it('bad inputs', () => {
    const r = f64(1, 0, 0, 1);
    const g = i32(0, 0);
    expect(() => paretoRankAdvantages(r, g, { beta: 1 })).toThrow(/options.beta must be in \[0, 1\)/);
    expect(() => paretoRankAdvantages(r, g, { beta: -0.1 })).toThrow(RangeError);
    expect(() => paretoRankAdvantages(r, g, { nRank: 'G' as never })).toThrow(/'fronts', 'group-size'/);
    expect(() => paretoRankAdvantages(r, g, { center: 1 as never })).toThrow(TypeError);
    expect(() => paretoRankAdvantages(r, g, { gamma: 1 } as object)).toThrow(/unknown option 'gamma'.*beta, nRank, center/);
    expect(() => paretoRankAdvantages(f64(1, 0, Infinity, 1), g)).toThrow(/row 1, objective 0/);
    expect(() => paretoRankAdvantages(r, i32(0, 0, 0))).toThrow(RangeError);
    expect(() => groupParetoRanks(r, g, { k: 3 })).toThrow(/n\*k/);
  });
});

describe('against the oracles', () => {
  it('in-group ranks equal pareto.nondominatedRanksDeb (maximize: true) on every group', () => {
    fc.assert(
      fc.property(kArb, ({ rewards, groupIds, k }) => {
        const ranks = groupParetoRanks(rewards, groupIds);
        const rows = rowsOf(rewards, k);
        for (const idx of groupsOf(groupIds)) {
          const deb = nondominatedRanksDeb({ data: Float64Array.from(idx.flatMap((i) => rows[i])), n: idx.length, d: k }, { maximize: true });
          expect(idx.map((i) => ranks[i])).toEqual(Array.from(deb));
        }
      }),
    );
  });

  it('groups larger than 32 (multi-word dominance masks) still match Deb', () => {
    const big = fc.integer({ min: 1, max: 3 }).chain((k) => groupedRewardsArb({ k, maxGroups: 2, minGroup: 30, maxGroup: 70 }));
    fc.assert(
      fc.property(big, ({ rewards, groupIds, k }) => {
        const ranks = groupParetoRanks(rewards, groupIds);
        const rows = rowsOf(rewards, k);
        for (const idx of groupsOf(groupIds)) {
          const deb = nondominatedRanksDeb({ data: Float64Array.from(idx.flatMap((i) => rows[i])), n: idx.length, d: k }, { maximize: true });
          expect(idx.map((i) => ranks[i])).toEqual(Array.from(deb));
        }
        const w = k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k);
        expectAllClose(paretoRankAdvantages(rewards, groupIds), paretoRankRef(rewards, k, groupIds, w, 0.5, 'fronts', true), { abs: 1e-12 });
      }),
      { numRuns: 25 },
    );
  });

  it('advantages match the literal METHOD.md §3 reference for every option', () => {
    fc.assert(
      fc.property(
        kArb,
        fc.constantFrom(0, 0.25, 0.5, 0.99),
        fc.constantFrom('fronts', 'group-size' as const),
        fc.boolean(),
        ({ rewards, groupIds, k }, beta, nRank, center) => {
          const w = k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k);
          const expected = paretoRankRef(rewards, k, groupIds, w, beta, nRank, center);
          expectAllClose(paretoRankAdvantages(rewards, groupIds, { beta, nRank, center }), expected, { rel: 1e-12, abs: 1e-12 });
        },
      ),
    );
  });
});

describe('laws', () => {
  it('with β < 1 every member of a better front beats every member of a worse front in its group', () => {
    fc.assert(
      fc.property(kArb, fc.double({ min: 0, max: 0.999, noNaN: true }), fc.boolean(), ({ rewards, groupIds }, beta, center) => {
        const a = paretoRankAdvantages(rewards, groupIds, { beta, center });
        const ranks = groupParetoRanks(rewards, groupIds);
        for (const idx of groupsOf(groupIds)) {
          for (const i of idx) for (const j of idx) if (ranks[i] < ranks[j]) expect(a[i]).toBeGreaterThan(a[j]);
        }
      }),
    );
  });

  it('centred advantages sum to 0 per group', () => {
    fc.assert(
      fc.property(kArb, ({ rewards, groupIds }) => {
        const a = paretoRankAdvantages(rewards, groupIds);
        for (const idx of groupsOf(groupIds)) expect(Math.abs(idx.reduce((s, i) => s + a[i], 0))).toBeLessThan(1e-9);
      }),
    );
  });

  it('permuting the batch permutes the advantages', () => {
    fc.assert(
      fc.property(kArb, fc.integer(), ({ rewards, groupIds, n, k }, seed) => {
        const perm = Array.from({ length: n }, (_, i) => i);
        let s = seed >>> 0 || 1;
        for (let i = n - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const rows = rowsOf(rewards, k);
        const pr = Float64Array.from(perm.flatMap((p) => rows[p]));
        const pg = Int32Array.from(perm, (p) => groupIds[p]);
        const a = paretoRankAdvantages(rewards, groupIds);
        expectAllClose(paretoRankAdvantages(pr, pg), perm.map((p) => a[p]), { rel: 1e-12, abs: 1e-12 });
      }),
    );
  });
});

describe('fast paths', () => {
  // k = 1..4, groups of 1..40 (the k = 2 distinct-vector path runs up to 32, the bit masks go
  // multi-word past 32), values from a 3-point grid so duplicate vectors and ties are the rule.
  const arb = fc
    .integer({ min: 1, max: 4 })
    .chain((k) => groupedRewardsArb({ k, maxGroups: 4, minGroup: 1, maxGroup: 40, values: [0, 0.5, 1] }));

  it('contiguous groups (read in place) and interleaved groups (gathered) give identical results, equal to the references', () => {
    fc.assert(
      fc.property(arb, fc.constantFrom(0, 0.5, 0.99), fc.constantFrom('fronts', 'group-size' as const), fc.boolean(), (batch, beta, nRank, center) => {
        const { k } = batch;
        const { contiguous: c, interleaved: i } = twoLayouts(batch.rewards, batch.groupIds, k);
        const opts = { beta, nRank, center };
        const fromC = unpermute(paretoRankAdvantages(c.rewards, c.groupIds, opts), c.rowOf);
        expect(unpermute(paretoRankAdvantages(i.rewards, i.groupIds, opts), i.rowOf)).toEqual(fromC);
        const w = k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k);
        const expected = paretoRankRef(batch.rewards, k, batch.groupIds, w, beta, nRank, center);
        expectAllClose(fromC, expected, { rel: 1e-12, abs: 1e-12 });
        const ranksC = unpermute(groupParetoRanks(c.rewards, c.groupIds), c.rowOf);
        expect(unpermute(groupParetoRanks(i.rewards, i.groupIds), i.rowOf)).toEqual(ranksC);
        const rows = rowsOf(batch.rewards, k);
        for (const idx of groupsOf(batch.groupIds)) {
          const deb = nondominatedRanksDeb({ data: Float64Array.from(idx.flatMap((r) => rows[r])), n: idx.length, d: k }, { maximize: true });
          expect(idx.map((r) => ranksC[r])).toEqual(Array.from(deb));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('k = 2 groups with more than 32 distinct vectors (no dedupe bit mask) match Deb', () => {
    const wide = groupedRewardsArb({ k: 2, maxGroups: 2, minGroup: 33, maxGroup: 48, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    fc.assert(
      fc.property(wide, ({ rewards, groupIds }) => {
        const ranks = groupParetoRanks(rewards, groupIds);
        const rows = rowsOf(rewards, 2);
        for (const idx of groupsOf(groupIds)) {
          const deb = nondominatedRanksDeb({ data: Float64Array.from(idx.flatMap((r) => rows[r])), n: idx.length, d: 2 }, { maximize: true });
          expect(idx.map((r) => ranks[r])).toEqual(Array.from(deb));
        }
      }),
      { numRuns: 20 },
    );
  });

  it('a NaN in a contiguous k = 2 group still throws, naming the row', () => {
    const r = Float64Array.of(1, 0, 0, 1, 1, 1, 0, NaN);
    expect(() => paretoRankAdvantages(r, Int32Array.of(0, 0, 1, 1))).toThrow(/NaN at row 3, objective 1/);
    expect(() => groupParetoRanks(r, Int32Array.of(0, 0, 1, 1))).toThrow(/NaN at row 3, objective 1/);
  });
});
