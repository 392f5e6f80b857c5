import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from '../testing';
import { fromRows } from '../points';
import { nondominatedRanksDeb } from './deb';
import { nondominatedFronts, nondominatedRanks } from './ranks';
import type { RankAlgorithm } from './ranks';
import type { Points } from '../types';

/** Deb's oracle with the documented `maxRanked` truncation applied on top. */
function oracle(points: Points, maximize: boolean | boolean[] | undefined, maxRanked?: number): Int32Array {
  const ranks = nondominatedRanksDeb(points, { maximize });
  if (maxRanked === undefined) return ranks;
  let last = 0;
  for (;; last++) {
    let total = 0;
    for (const r of ranks) if (r <= last) total++;
    if (total >= maxRanked || total === ranks.length) break;
  }
  return ranks.map((r) => (r > last ? -1 : r));
}

function dominatesRow(p: Points, a: number, b: number): boolean {
  let better = false;
  for (let j = 0; j < p.d; j++) {
    const x = p.data[a * p.d + j];
    const y = p.data[b * p.d + j];
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

describe('nondominatedRanks', () => {
  it.each([
    [[[1, 2], [2, 1], [2, 2], [3, 3]], [0, 0, 1, 2]],
    [[[1, 1], [1, 1], [2, 2]], [0, 0, 1]],
    [[[1, 2], [1, 3], [1, 1]], [1, 2, 0]],
    [[[3], [1], [2], [1]], [2, 0, 1, 0]],
    [[[1, 2, 3], [3, 2, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]], [0, 0, 0, 1, 2]],
  ])('%j → %j', (rows, expected) => {
    expect(Array.from(nondominatedRanks(fromRows(rows)))).toEqual(expected);
  });

  it('ranks an empty set', () => {
    expect(nondominatedRanks({ data: new Float64Array(0), n: 0, d: 3 })).toEqual(new Int32Array(0));
  });

  const algorithms: RankAlgorithm[] = ['auto', 'divide-and-conquer'];
  for (const d of [2, 3, 4, 5, 6]) {
    for (const algorithm of algorithms) {
      it(`${algorithm} equals Deb's oracle for d = ${d} (ties, duplicates, maximize, maxRanked)`, () => {
        fc.assert(
          fc.property(
            pointsArb({ d, maxN: 60, max: d <= 3 ? 6 : 4 }),
            fc.oneof(fc.constant(undefined), fc.boolean(), fc.array(fc.boolean(), { minLength: d, maxLength: d })),
            fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
            (p, maximize, maxRanked) => {
              const got = nondominatedRanks(p, { maximize, maxRanked, algorithm });
              expect(Array.from(got)).toEqual(Array.from(oracle(p, maximize, maxRanked)));
            },
          ),
          { numRuns: 60 },
        );
      });
    }
  }

  it('equals the oracle on larger real-valued sets (exercises the sweeps inside the recursion)', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 6 }, minN: 100, maxN: 300, max: 20 }), (p) => {
        expect(Array.from(nondominatedRanks(p))).toEqual(Array.from(nondominatedRanksDeb(p)));
      }),
      { numRuns: 20 },
    );
  });

  it('laws: fronts are antichains, rank-k points are dominated by rank k−1 and by no rank ≥ k', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 5 }, maxN: 40, max: 5 }), (p) => {
        const ranks = nondominatedRanks(p);
        for (let b = 0; b < p.n; b++) {
          let byPrevious = false;
          for (let a = 0; a < p.n; a++) {
            if (!dominatesRow(p, a, b)) continue;
            expect(ranks[a]).toBeLessThan(ranks[b]);
            if (ranks[a] === ranks[b] - 1) byPrevious = true;
          }
          if (ranks[b] > 0) expect(byPrevious).toBe(true);
        }
      }),
    );
  });

  it('is invariant under permutation of the input', () => {
    fc.assert(
      fc.property(
        pointsArb({ d: { min: 2, max: 4 }, maxN: 40, max: 4 }).chain((p) =>
          fc.tuple(fc.constant(p), fc.shuffledSubarray([...Array(p.n).keys()], { minLength: p.n, maxLength: p.n })),
        ),
        ([p, perm]) => {
          const permuted = new Float64Array(p.data.length);
          perm.forEach((src, i) => permuted.set(p.data.subarray(src * p.d, src * p.d + p.d), i * p.d));
          const ranks = nondominatedRanks(p);
          const permutedRanks = nondominatedRanks({ data: permuted, n: p.n, d: p.d });
          perm.forEach((src, i) => expect(permutedRanks[i]).toBe(ranks[src]));
        },
      ),
    );
  });

  it('maximize equals minimising the negation', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 4 }, maxN: 40 }), (p) => {
        const negated = { data: p.data.map((x) => -x), n: p.n, d: p.d };
        expect(nondominatedRanks(p, { maximize: true })).toEqual(nondominatedRanks(negated));
      }),
    );
  });

  it('handles a whole front and a chain (the extreme shapes) at size', () => {
    const n = 3000;
    const front = new Float64Array(n * 3);
    const chain = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      front.set([i, n - i, (i * 7919) % n], i * 3); // x + y constant: every pair incomparable
      chain.set([i, i, i], i * 3);
    }
    const frontRanks = nondominatedRanks({ data: front, n, d: 3 });
    expect(frontRanks).toEqual(nondominatedRanksDeb({ data: front, n, d: 3 }));
    expect(Array.from(nondominatedRanks({ data: chain, n, d: 3 }))).toEqual([...Array(n).keys()]);
  });

  it('rejects bad input', () => {
    const p = fromRows([[1, 2], [3, 4]]);
    expect(() => nondominatedRanks({ data: Float64Array.of(1, Number.NaN), n: 1, d: 2 })).toThrow(
      /nondominatedRanks: points must hold finite numbers \(got NaN at point 0, objective 1\)/,
    );
    expect(() => nondominatedRanks({ data: Float64Array.of(1, Infinity), n: 1, d: 2 })).toThrow(/finite/);
    expect(() => nondominatedRanks({ data: Float64Array.of(1, 2, 3), n: 2, d: 2 })).toThrow(/data must have length n\*d = 4 \(got 3\)/);
    expect(() => nondominatedRanks({ data: new Float64Array(0), n: 0, d: 0 })).toThrow(/d must be a positive integer/);
    expect(() => nondominatedRanks(p, { maxRanked: 0 })).toThrow(/options.maxRanked must be a positive integer or Infinity \(got 0\)/);
    expect(() => nondominatedRanks(p, { maxRanked: 1.5 })).toThrow(/maxRanked/);
    expect(() => nondominatedRanks(p, { algorithm: 'fast' as RankAlgorithm })).toThrow(/options.algorithm must be/);
    expect(() => nondominatedRanks(fromRows([[1, 2, 3]]), { algorithm: 'jensen-2d' })).toThrow(/needs d = 2 \(got d = 3\)/);
    expect(() => nondominatedRanks(p, { maximize: [true] })).toThrow(/options.maximize must have one flag per objective/);
    expect(() => nondominatedFronts(null as unknown as Points)).toThrow(/nondominatedFronts: points must be an object/);
  });
});

describe('nondominatedFronts', () => {
  it('lists indices per front in ascending order', () => {
    const fronts = nondominatedFronts(fromRows([[3, 3], [1, 2], [2, 2], [2, 1], [1, 2]]));
    expect(fronts.map((f) => Array.from(f))).toEqual([[1, 3, 4], [2], [0]]);
  });

  it('partitions the indices consistently with the ranks', () => {
    fc.assert(
      fc.property(pointsArb({ maxN: 30 }), (p) => {
        const ranks = nondominatedRanks(p);
        const fronts = nondominatedFronts(p);
        let total = 0;
        fronts.forEach((f, r) => {
          total += f.length;
          for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThan(f[i - 1]);
          f.forEach((i) => expect(ranks[i]).toBe(r));
        });
        expect(total).toBe(p.n);
      }),
    );
  });

  it('keeps only the fronts needed for maxRanked', () => {
    const fronts = nondominatedFronts(fromRows([[1, 2], [2, 1], [2, 2], [3, 3]]), { maxRanked: 3 });
    expect(fronts.map((f) => Array.from(f))).toEqual([[0, 1], [2]]);
  });
});
