import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nondominatedRanksDeb } from '@paretopo/pareto';
import { expectAllClose } from '@paretopo/test-utils';
import { gdpoAdvantages, moGrpoAdvantages } from './multi';
import { groupParetoRanks, paretoRankAdvantages } from './paretoRank';
import { drGrpoAdvantages, grpoAdvantages, opoAdvantages, reinforcePlusPlusAdvantages, rlooAdvantages } from './scalar';
import { groupsOf, grpoRef, moGrpoRef, opoRef, paretoRankRef, rlooRef, rowsOf, scalarRef, whitenRef } from '../../test/reference';
import { twoLayouts, unpermute } from '../../test/layouts';

/**
 * The usual trainer layout, which every estimator reads in place without building a group index:
 * `groups` runs of exactly G rows, run ids increasing (with gaps). G spans 1 (singletons), sizes
 * that are not a multiple of 4 (the unrolled loops' tails) and sizes past 32 (multi-word masks).
 * Values come from a 3-point grid (ties, duplicate vectors, groups with equal rewards) or are
 * NaN-free random doubles; some groups are made constant on purpose.
 */
const equalRunsArb = (kMax = 5, maxG = 40) =>
  fc
    .record({
      k: fc.integer({ min: 1, max: kMax }),
      G: fc.integer({ min: 1, max: maxG }),
      groups: fc.integer({ min: 1, max: 5 }),
      start: fc.integer({ min: -3, max: 3 }),
      gaps: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 5, maxLength: 5 }),
      grid: fc.boolean(),
      constantGroup: fc.nat(6),
      seed: fc.integer(),
    })
    .chain(({ k, G, groups, start, gaps, grid, constantGroup, seed }) => {
      const n = G * groups;
      // Magnitudes below 1e-100 become 0: squares and spans of subnormals underflow, and the
      // estimators' documented answer there (no spread: exactly 0, r̂ = 0.5) is not the oracles'.
      const real = fc.double({ min: -10, max: 10, noNaN: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x));
      const value = grid ? fc.constantFrom(0, 0.5, 1) : real;
      return fc.array(value, { minLength: n * k, maxLength: n * k }).map((flat) => {
        const rewards = Float64Array.from(flat);
        // One group (when the index exists) whose members all share the first member's vector.
        if (constantGroup < groups) {
          const s = constantGroup * G;
          for (let a = 1; a < G; a++) for (let j = 0; j < k; j++) rewards[(s + a) * k + j] = rewards[s * k + j];
        }
        const ids: number[] = [];
        let id = start;
        for (let g = 0; g < groups; g++) {
          for (let a = 0; a < G; a++) ids.push(id);
          id += gaps[g];
        }
        return { rewards, groupIds: Int32Array.from(ids), n, k, G, seed };
      });
    });

/** The same grouping with the run layout broken in one of the ways the fast paths must notice. */
function broken(ids: Int32Array, G: number, how: number): Int32Array {
  const out = Int32Array.from(ids);
  const n = ids.length;
  if (n < 2) return out;
  if (how === 0) out.reverse(); // decreasing run ids: same groups, not increasing
  else if (how === 1) out[n - 1] = out[0]; // the last row joins the first group (sizes differ, not contiguous)
  else if (how === 2 && n > G) for (let a = n - G; a < n; a++) out[a] = out[0]; // the last run's id repeats the first
  else out[n >> 1] = out[n >> 1] + 1; // a stray id in a middle run
  return out;
}

const weightsOf = (k: number) => (k === 2 ? [0.6, 0.4] : Array.from({ length: k }, () => 1 / k));

describe('scalar estimators on equal runs', () => {
  it('match the oracles and the gathered path bit for bit (k = 1..5, every std mode)', () => {
    fc.assert(
      fc.property(equalRunsArb(), fc.constantFrom('sample', 'population', 'none' as const), (batch, std) => {
        const { rewards, groupIds, k } = batch;
        const v = scalarRef(rewards, k, weightsOf(k));
        const lengthsOf = (rows: number[]) => rows.map((row) => 1 + ((row * 7) % 5));
        const rows = Array.from(groupIds, (_, i) => i);
        expectAllClose(grpoAdvantages(rewards, groupIds, { std }), grpoRef(v, groupIds, std, 1e-6), { rel: 1e-9, abs: 1e-9 });
        expectAllClose(drGrpoAdvantages(rewards, groupIds), grpoRef(v, groupIds, 'none', 0), { rel: 1e-12, abs: 1e-12 });
        expectAllClose(rlooAdvantages(rewards, groupIds), rlooRef(v, groupIds), { rel: 1e-12, abs: 1e-12 });
        expectAllClose(opoAdvantages(rewards, groupIds, { lengths: lengthsOf(rows) }), opoRef(v, groupIds, lengthsOf(rows)), { rel: 1e-12, abs: 1e-12 });
        const rpp = whitenRef(grpoRef(v, groupIds, 'none', 0), 'sample', 1e-6);
        expectAllClose(reinforcePlusPlusAdvantages(rewards, groupIds), rpp, { rel: 1e-9, abs: 1e-9 });
        // Interleaving the groups sends the batch down the gathered path, which must agree exactly.
        const { interleaved: i } = twoLayouts(rewards, groupIds, k);
        const runs: ((r: Float64Array, g: Int32Array, rowOf: number[]) => Float64Array)[] = [
          (r, g) => grpoAdvantages(r, g, { std }),
          (r, g) => drGrpoAdvantages(r, g),
          (r, g) => rlooAdvantages(r, g),
          (r, g, rowOf) => opoAdvantages(r, g, { lengths: lengthsOf(rowOf) }),
        ];
        for (const run of runs) expect(unpermute(run(i.rewards, i.groupIds, i.rowOf), i.rowOf)).toEqual(Array.from(run(rewards, groupIds, rows)));
      }),
      { numRuns: 150 },
    );
  });

  it('fall back to the general path when the ids only look like equal runs, and still match the oracles', () => {
    fc.assert(
      fc.property(equalRunsArb(4, 12), fc.nat(3), (batch, how) => {
        const { rewards, k } = batch;
        const groupIds = broken(batch.groupIds, batch.G, how);
        const v = scalarRef(rewards, k, weightsOf(k));
        expectAllClose(grpoAdvantages(rewards, groupIds), grpoRef(v, groupIds, 'sample', 1e-6), { rel: 1e-9, abs: 1e-9 });
        expectAllClose(rlooAdvantages(rewards, groupIds), rlooRef(v, groupIds), { rel: 1e-12, abs: 1e-12 });
        const lengths = Array.from(groupIds, (_, row) => 1 + ((row * 7) % 5));
        expectAllClose(opoAdvantages(rewards, groupIds, { lengths }), opoRef(v, groupIds, lengths), { rel: 1e-12, abs: 1e-12 });
      }),
    );
  });

  it('singleton and constant groups get exactly 0', () => {
    const r = Float64Array.of(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 7, 8);
    const ids = Int32Array.of(1, 1, 2, 2, 3, 3, 4, 4);
    for (const est of [grpoAdvantages, drGrpoAdvantages, rlooAdvantages]) {
      expect(Array.from(est(r, ids, { k: 1 }).subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
      expect(Array.from(est(r, Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7), { k: 1 }))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    }
  });

  it('a non-finite reward still throws naming the row, after the fused pass', () => {
    const r = Float64Array.of(1, 0, 0, 1, 1, 1, 0, NaN);
    expect(() => grpoAdvantages(r, Int32Array.of(0, 0, 1, 1))).toThrow(/NaN at row 3, objective 1/);
    expect(() => opoAdvantages(r, Int32Array.of(0, 0, 1, 1), { lengths: [1, 1, 1, 1] })).toThrow(/NaN at row 3, objective 1/);
    expect(() => grpoAdvantages(Float64Array.of(1, Infinity, 2, 3), Int32Array.of(5, 5, 6, 6), { k: 1 })).toThrow(/Infinity at row 1/);
    // Lengths in a typed array are checked in one sweep; a bad one is still named.
    const lengths = Float64Array.of(1, 2, 0, 4);
    expect(() => opoAdvantages(Float64Array.of(1, 2, 3, 4), Int32Array.of(0, 0, 1, 1), { lengths })).toThrow(/options.lengths\[2\]/);
  });
});

describe('MO-GRPO and GDPO on equal runs', () => {
  it('match the oracles (k = 1..5, every std mode), equal runs or broken runs', () => {
    fc.assert(
      fc.property(equalRunsArb(5, 20), fc.constantFrom('sample', 'population', 'none' as const), fc.integer({ min: -1, max: 3 }), (batch, std, how) => {
        const { rewards, k } = batch;
        const groupIds = how < 0 ? batch.groupIds : broken(batch.groupIds, batch.G, how);
        const mo = moGrpoRef(rewards, k, groupIds, weightsOf(k), std, 1e-6);
        expectAllClose(moGrpoAdvantages(rewards, groupIds, { std }), mo, { rel: 1e-9, abs: 1e-9 });
        expectAllClose(gdpoAdvantages(rewards, groupIds, { std }), whitenRef(mo, std === 'none' ? 'sample' : std, 1e-6), { rel: 1e-7, abs: 1e-7 });
      }),
    );
  });

  it('k = 1: MO-GRPO is GRPO exactly on equal runs', () => {
    fc.assert(
      fc.property(equalRunsArb(1), fc.constantFrom('sample', 'population', 'none' as const), ({ rewards, groupIds }, std) => {
        // `+ 0` maps −0 to 0: a product with a zero factor may carry either sign.
        const plain = (a: Float64Array) => Array.from(a, (x) => x + 0);
        expect(plain(moGrpoAdvantages(rewards, groupIds, { std, k: 1 }))).toEqual(plain(grpoAdvantages(rewards, groupIds, { std, k: 1 })));
      }),
    );
  });
});

describe('Pareto rank on equal runs', () => {
  it('ranks equal Deb, advantages equal the METHOD.md reference and the gathered path exactly', () => {
    fc.assert(
      fc.property(
        equalRunsArb(4),
        fc.constantFrom(0, 0.5, 0.99),
        fc.constantFrom('fronts', 'group-size' as const),
        fc.boolean(),
        (batch, beta, nRank, center) => {
          const { rewards, groupIds, k } = batch;
          const opts = { beta, nRank, center };
          const adv = paretoRankAdvantages(rewards, groupIds, opts);
          const expected = paretoRankRef(rewards, k, groupIds, weightsOf(k), beta, nRank, center);
          expectAllClose(adv, expected, { rel: 1e-12, abs: 1e-12 });
          const ranks = groupParetoRanks(rewards, groupIds);
          const rows = rowsOf(rewards, k);
          for (const idx of groupsOf(groupIds)) {
            const deb = nondominatedRanksDeb({ data: Float64Array.from(idx.flatMap((r) => rows[r])), n: idx.length, d: k }, { maximize: true });
            expect(idx.map((r) => ranks[r])).toEqual(Array.from(deb));
          }
          const { interleaved: i } = twoLayouts(rewards, groupIds, k);
          expect(unpermute(paretoRankAdvantages(i.rewards, i.groupIds, opts), i.rowOf)).toEqual(Array.from(adv));
          expect(unpermute(groupParetoRanks(i.rewards, i.groupIds), i.rowOf)).toEqual(Array.from(ranks));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('broken runs take the general path and still match the reference', () => {
    fc.assert(
      fc.property(equalRunsArb(4, 12), fc.nat(3), (batch, how) => {
        const { rewards, k } = batch;
        const groupIds = broken(batch.groupIds, batch.G, how);
        expectAllClose(paretoRankAdvantages(rewards, groupIds), paretoRankRef(rewards, k, groupIds, weightsOf(k), 0.5, 'fronts', true), {
          rel: 1e-12,
          abs: 1e-12,
        });
      }),
    );
  });

  it('scratch buffers grown by a large call still give right answers to smaller ones', () => {
    const big = equalRunsArb(4, 40);
    const calls = fc.array(big, { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(calls, (batches) => {
        for (const { rewards, groupIds, k } of batches) {
          expectAllClose(paretoRankAdvantages(rewards, groupIds), paretoRankRef(rewards, k, groupIds, weightsOf(k), 0.5, 'fronts', true), {
            rel: 1e-12,
            abs: 1e-12,
          });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a non-finite reward throws naming the row; constant groups and singletons get exactly 0', () => {
    expect(() => paretoRankAdvantages(Float64Array.of(1, 0, 0, 1, 0, 0, 1, 1, 0, NaN, 0, 0), Int32Array.of(0, 0, 0, 1, 1, 1), { k: 2 })).toThrow(
      /NaN at row 4, objective 1/,
    );
    expect(() => paretoRankAdvantages(Float64Array.of(1, 0, 0, 1, 0, 0, -Infinity, 1, 0, 1, 0, 0), Int32Array.of(0, 0, 0, 1, 1, 1), { k: 2 })).toThrow(
      /-Infinity at row 3, objective 0/,
    );
    // k = 3 takes the all-pairs path, whose probe is separate from the k = 2 one.
    expect(() => paretoRankAdvantages(Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, NaN), Int32Array.of(0, 0, 0), { k: 3 })).toThrow(
      /NaN at row 2, objective 2/,
    );
    for (const center of [true, false]) {
      const r = Float64Array.of(1, 0, 1, 0, 0.3, 0.7, 0.3, 0.7);
      expect(Array.from(paretoRankAdvantages(r, Int32Array.of(5, 5, 6, 6), { center }))).toEqual([0, 0, 0, 0]);
      expect(Array.from(paretoRankAdvantages(r, Int32Array.of(5, 6, 7, 8), { center }))).toEqual([0, 0, 0, 0]);
    }
  });
});
