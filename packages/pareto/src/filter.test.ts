import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from './testing';
import { isNondominated, nondominatedFilter, nondominatedPoints } from './filter';
import { fromRows, toRows } from './points';
import { nondominatedRanksDeb } from './sort/deb';
import type { Points } from './types';

/** Obviously-correct O(n²·d) reference: keep i unless some j dominates it (or, without duplicates, an earlier copy exists). */
function bruteFilter(p: Points, keepDuplicates: boolean): number[] {
  const { data, n, d } = p;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < n && ok; j++) {
      let le = true;
      let lt = false;
      for (let k = 0; k < d; k++) {
        if (data[j * d + k] > data[i * d + k]) le = false;
        if (data[j * d + k] < data[i * d + k]) lt = true;
      }
      if (le && lt) ok = false;
      if (!keepDuplicates && le && !lt && j < i) ok = false;
    }
    if (ok) kept.push(i);
  }
  return kept;
}

describe('nondominatedFilter', () => {
  it.each([
    [[[3, 3], [1, 2], [2, 1], [1, 2]], true, [1, 2, 3]],
    [[[3, 3], [1, 2], [2, 1], [1, 2]], false, [1, 2]],
    [[[2], [1], [1], [3]], true, [1, 2]],
    [[[1, 1, 1], [0, 2, 2], [2, 0, 2], [1, 1, 2], [1, 1, 1]], false, [0, 1, 2]],
    [[[5, 5, 5, 5], [4, 6, 5, 5], [5, 5, 5, 6], [4, 6, 5, 5]], true, [0, 1, 3]],
  ])('%j (keepDuplicates %s) → %j', (rows, keepDuplicates, expected) => {
    expect(Array.from(nondominatedFilter(fromRows(rows), { keepDuplicates }))).toEqual(expected);
  });

  for (const d of [1, 2, 3, 4, 5, 6]) {
    it(`equals the brute-force reference for d = ${d}`, () => {
      fc.assert(
        fc.property(
          pointsArb({ d, maxN: 80, max: d <= 3 ? 8 : 4 }),
          fc.boolean(),
          fc.oneof(fc.constant(undefined), fc.boolean(), fc.array(fc.boolean(), { minLength: d, maxLength: d })),
          (p, keepDuplicates, maximize) => {
            const flags = maximize === undefined ? [] : Array.from({ length: d }, (_, j) => (Array.isArray(maximize) ? maximize[j] : maximize));
            const minimised = { ...p, data: p.data.map((x, i) => (flags[i % d] ? -x : x)) };
            expect(Array.from(nondominatedFilter(p, { keepDuplicates, maximize }))).toEqual(bruteFilter(minimised, keepDuplicates));
          },
        ),
        { numRuns: 80 },
      );
    });
  }

  it('equals the brute-force reference on larger sets (the divide and conquer beyond its brute-force cases)', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 3, max: 6 }, minN: 100, maxN: 400, max: 6 }), fc.boolean(), (p, keepDuplicates) => {
        expect(Array.from(nondominatedFilter(p, { keepDuplicates }))).toEqual(bruteFilter(p, keepDuplicates));
      }),
      { numRuns: 15 },
    );
  });

  it('equals the rank-0 set of the sorting', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 5 }, maxN: 60, max: 5 }), (p) => {
        const ranks = nondominatedRanksDeb(p);
        const rank0 = [...ranks.keys()].filter((i) => ranks[i] === 0);
        expect(Array.from(nondominatedFilter(p))).toEqual(rank0);
      }),
    );
  });

  it('rejects bad input', () => {
    expect(() => nondominatedFilter({ data: Float64Array.of(Number.NaN, 1), n: 1, d: 2 })).toThrow(
      /nondominatedFilter: points must hold finite numbers \(got NaN at point 0, objective 0\)/,
    );
    expect(() => nondominatedFilter({ data: Float64Array.of(-Infinity, 1), n: 1, d: 2 })).toThrow(/finite numbers \(got -Infinity/);
    expect(() => nondominatedFilter({ data: Float64Array.of(1, 2, 3), n: 1, d: 2 })).toThrow(/length n\*d = 2 \(got 3\)/);
    expect(() => nondominatedFilter({ data: [1, 2] as unknown as Float64Array, n: 1, d: 2 })).toThrow(/points.data must be a Float64Array \(got Array\(2\)\)/);
    expect(() => isNondominated(fromRows([[1, 2]]), { keepDuplicates: 'no' as unknown as boolean })).toThrow(
      /isNondominated: options.keepDuplicates must be a boolean \(got "no"\)/,
    );
    expect(() => nondominatedPoints(fromRows([[1, 2]]), { maximize: [true, false, true] })).toThrow(/nondominatedPoints: options.maximize/);
  });

  it('returns empty results for an empty set', () => {
    const empty = { data: new Float64Array(0), n: 0, d: 3 };
    expect(nondominatedFilter(empty)).toEqual(new Int32Array(0));
    expect(nondominatedPoints(empty)).toEqual({ data: new Float64Array(0), n: 0, d: 3 });
  });
});

describe('isNondominated / nondominatedPoints', () => {
  it('give the mask and the rows of the filter', () => {
    const p = fromRows([[1, 2], [2, 1], [2, 2], [1, 2]]);
    expect(Array.from(isNondominated(p))).toEqual([1, 1, 0, 1]);
    expect(toRows(nondominatedPoints(p, { keepDuplicates: false }))).toEqual([[1, 2], [2, 1]]);
    expect(toRows(nondominatedPoints(p, { maximize: true }))).toEqual([[2, 2]]);
  });
});
