import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromRows } from '@paretopo/pareto';
import { pointsArb } from '@paretopo/pareto/testing';
import { hvContributions } from './contributions';
import { greatestContributor, leastContributor } from './contributors';

const issue = fromRows([[5, 5], [4, 6], [2, 7], [7, 4]]);

describe('leastContributor / greatestContributor', () => {
  it.each([
    { name: 'issue example, least', fn: leastContributor, points: issue, want: { index: 1, contribution: 1 } },
    { name: 'issue example, greatest', fn: greatestContributor, points: issue, want: { index: 2, contribution: 6 } },
    { name: 'ties go to the lowest index (least)', fn: leastContributor, points: fromRows([[1, 2], [2, 1]]), want: { index: 0, contribution: 8 } },
    { name: 'ties go to the lowest index (greatest)', fn: greatestContributor, points: fromRows([[1, 2], [2, 1]]), want: { index: 0, contribution: 8 } },
    { name: 'a duplicate is a least contributor', fn: leastContributor, points: fromRows([[1, 2], [0, 3], [1, 2]]), want: { index: 0, contribution: 0 } },
  ])('$name', ({ fn, points, want }) => {
    expect(fn(points, [10, 10])).toEqual(want);
  });

  it('agree with min / max of hvContributions (first index on ties)', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 4 }, minN: 1, maxN: 20 }), (p) => {
        const ref = new Array(p.d).fill(11);
        const c = Array.from(hvContributions(p, ref));
        const min = Math.min(...c);
        const max = Math.max(...c);
        expect(leastContributor(p, ref)).toEqual({ index: c.indexOf(min), contribution: min });
        expect(greatestContributor(p, ref)).toEqual({ index: c.indexOf(max), contribution: max });
      }),
      { numRuns: 100 },
    );
  });

  it('throw on an empty set and name themselves in errors', () => {
    const empty = fromRows([], 2);
    expect(() => leastContributor(empty, [1, 1])).toThrow(/leastContributor: points must hold at least one point \(got n = 0\)/);
    expect(() => greatestContributor(empty, [1, 1])).toThrow(/greatestContributor: points must hold at least one point/);
    expect(() => leastContributor(issue, [1])).toThrow(/leastContributor: ref must have length 2 \(got 1\)/);
    expect(() => greatestContributor(issue, [1, NaN])).toThrow(/greatestContributor: ref\[1\]/);
  });
});
