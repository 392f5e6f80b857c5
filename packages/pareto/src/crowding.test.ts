import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from './testing';
import { crowdingDistance, crowdingDistanceByFront, rankAndCrowd } from './crowding';
import { fromRows, toRows } from './points';
import { nondominatedRanksDeb } from './sort/deb';
import type { Points } from './types';

/** Plain reference: Deb's formula on the distinct vectors, ties broken by lexicographic order. */
function referenceCrowding(rows: number[][], normalize = true): number[] {
  const keys = rows.map((r) => r.join(','));
  const uniq = [...new Map(rows.map((r, i) => [keys[i], r])).values()];
  const lexCmp = (a: number[], b: number[]) => {
    for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j] - b[j];
    return 0;
  };
  const dist = new Map<string, number>(uniq.map((r) => [r.join(','), 0]));
  if (uniq.length <= 2) return rows.map(() => Infinity);
  const d = rows[0].length;
  for (let j = 0; j < d; j++) {
    const sorted = [...uniq].sort((a, b) => a[j] - b[j] || lexCmp(a, b));
    const range = sorted[sorted.length - 1][j] - sorted[0][j];
    if (range === 0) continue;
    dist.set(sorted[0].join(','), Infinity);
    dist.set(sorted[sorted.length - 1].join(','), Infinity);
    for (let k = 1; k < sorted.length - 1; k++) {
      const key = sorted[k].join(',');
      dist.set(key, dist.get(key)! + (sorted[k + 1][j] - sorted[k - 1][j]) / (normalize ? range : 1));
    }
  }
  return keys.map((k) => dist.get(k)!);
}

describe('crowdingDistance', () => {
  it.each([
    // Hand-computed: interior point 1 gets (2−0)/4 + (4−1)/4, point 2 gets (4−1)/4 + (2−0)/4.
    [[[0, 4], [1, 2], [2, 1], [4, 0]], {}, [Infinity, 1.25, 1.25, Infinity]],
    [[[0, 4], [1, 2], [2, 1], [4, 0]], { normalize: false }, [Infinity, 5, 5, Infinity]],
    [[[0, 4], [1, 2], [2, 1], [4, 0]], { averageObjectives: true }, [Infinity, 0.625, 0.625, Infinity]],
    [[[0, 4], [1, 2], [2, 1], [4, 0]], { boundary: 'max-finite' as const }, [1.25, 1.25, 1.25, 1.25]],
    // Zero range in objective 1 contributes nothing (and no boundary Infinity from it).
    [[[0, 7], [1, 7], [3, 7]], {}, [Infinity, 1, Infinity]],
    // Duplicates share their vector's distance.
    [[[0, 2], [1, 1], [1, 1], [2, 0]], {}, [Infinity, 2, 2, Infinity]],
    [[[0, 2], [0, 2], [2, 0]], {}, [Infinity, Infinity, Infinity]],
    [[[1, 2]], {}, [Infinity]],
    [[[1, 2], [2, 1]], { boundary: 'max-finite' as const }, [0, 0]],
  ])('%j %j → %j', (rows, options, expected) => {
    expect(Array.from(crowdingDistance(fromRows(rows), options))).toEqual(expected);
  });

  it('returns an empty array for an empty set', () => {
    expect(crowdingDistance({ data: new Float64Array(0), n: 0, d: 2 })).toEqual(new Float64Array(0));
  });

  it('equals the plain reference on random sets (ties and duplicates)', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 1, max: 4 }, maxN: 30, max: 5 }), fc.boolean(), (p, normalize) => {
        const got = crowdingDistance(p, { normalize });
        const want = referenceCrowding(toRows(p), normalize);
        want.forEach((w, i) => (w === Infinity ? expect(got[i]).toBe(Infinity) : expect(got[i]).toBeCloseTo(w, 12)));
      }),
    );
  });

  it('is invariant under permutation and gives duplicates the same distance', () => {
    fc.assert(
      fc.property(
        pointsArb({ d: { min: 2, max: 3 }, maxN: 25, max: 4 }).chain((p) =>
          fc.tuple(fc.constant(p), fc.shuffledSubarray([...Array(p.n).keys()], { minLength: p.n, maxLength: p.n })),
        ),
        ([p, perm]) => {
          const rows = toRows(p);
          const base = crowdingDistance(p);
          const permuted = crowdingDistance(fromRows(perm.map((i) => rows[i]), p.d));
          perm.forEach((src, i) => expect(permuted[i]).toBe(base[src]));
          for (let a = 0; a < p.n; a++)
            for (let b = 0; b < p.n; b++) if (rows[a].join() === rows[b].join()) expect(base[a]).toBe(base[b]);
        },
      ),
    );
  });

  it('rejects bad input', () => {
    const p = fromRows([[1, 2], [2, 1]]);
    expect(() => crowdingDistance({ data: Float64Array.of(Number.NaN, 1), n: 1, d: 2 })).toThrow(/crowdingDistance: points must hold finite numbers/);
    expect(() => crowdingDistance({ data: Float64Array.of(1, 2, 3), n: 2, d: 2 })).toThrow(/length n\*d/);
    expect(() => crowdingDistance(p, { boundary: 'zero' as 'infinite' })).toThrow(/options.boundary must be 'infinite' or 'max-finite' \(got "zero"\)/);
    expect(() => crowdingDistance(p, { normalize: 1 as unknown as boolean })).toThrow(/options.normalize must be a boolean \(got 1\)/);
    expect(() => crowdingDistance(p, { averageObjectives: 'yes' as unknown as boolean })).toThrow(/averageObjectives must be a boolean/);
  });
});

describe('crowdingDistanceByFront / rankAndCrowd', () => {
  const p = fromRows([[0, 2], [1, 1], [2, 0], [2, 2], [3, 3], [1, 1]]);

  it('computes the distance within each front', () => {
    const ranks = Int32Array.of(0, 0, 0, 1, 2, 0);
    expect(Array.from(crowdingDistanceByFront(p, ranks))).toEqual([Infinity, 2, Infinity, Infinity, Infinity, 2]);
    expect(Array.from(crowdingDistanceByFront(p, [0, 0, 0, -1, -1, 0]))).toEqual([Infinity, 2, Infinity, NaN, NaN, 2]);
  });

  it('rankAndCrowd equals ranking then crowding each front', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 4 }, maxN: 40, max: 5 }), fc.boolean(), (pts: Points, maximize) => {
        const { ranks, crowding } = rankAndCrowd(pts, { maximize });
        expect(ranks).toEqual(nondominatedRanksDeb(pts, { maximize }));
        const rows = toRows(pts);
        const maxRank = Math.max(-1, ...ranks);
        for (let r = 0; r <= maxRank; r++) {
          const members = [...ranks.keys()].filter((i) => ranks[i] === r);
          const want = referenceCrowding(members.map((i) => rows[i]));
          members.forEach((i, k) => (want[k] === Infinity ? expect(crowding[i]).toBe(Infinity) : expect(crowding[i]).toBeCloseTo(want[k], 12)));
        }
      }),
    );
  });

  it('marks points left unranked by maxRanked with NaN', () => {
    const { ranks, crowding } = rankAndCrowd(p, { maxRanked: 4 });
    expect(Array.from(ranks)).toEqual([0, 0, 0, -1, -1, 0]);
    expect(Number.isNaN(crowding[3])).toBe(true);
  });

  it('rejects bad input', () => {
    expect(() => crowdingDistanceByFront(p, [0, 0])).toThrow(/crowdingDistanceByFront: ranks must have length 6, one per point \(got 2\)/);
    expect(() => crowdingDistanceByFront(p, [0, 0, 0, 1, 1.5, 0])).toThrow(/ranks\[4\] must be an integer ≥ -1 \(got 1.5\)/);
    expect(() => crowdingDistanceByFront(p, [0, 0, 0, 1, -2, 0])).toThrow(/ranks\[4\]/);
    expect(() => crowdingDistanceByFront(p, null as unknown as number[])).toThrow(/ranks must be an array of integers \(got null\)/);
    expect(() => rankAndCrowd(p, { maxRanked: -1 })).toThrow(/rankAndCrowd: options.maxRanked must be a positive integer/);
    expect(() => rankAndCrowd({ data: Float64Array.of(Infinity, 1), n: 1, d: 2 })).toThrow(/rankAndCrowd: points must hold finite numbers/);
  });
});
