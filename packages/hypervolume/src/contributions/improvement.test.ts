import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrontierError, fromRows, toRows } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { pointsArb } from '@paretopo/pareto/testing';
import { expectClose } from '@paretopo/test-utils';
import { hypervolume } from '../hypervolume';
import { hvImprovement } from './improvement';
import { hvInclusionExclusionOracle } from '../testing/oracles';

const issue = fromRows([[5, 5], [4, 6], [7, 4]]);

describe('hvImprovement: known values', () => {
  it.each([
    { name: 'issue example: adding (2, 7)', points: issue, c: [2, 7], ref: [10, 10], max: false, want: 6 },
    { name: 'dominated candidate', points: issue, c: [6, 6], ref: [10, 10], max: false, want: 0 },
    { name: 'duplicate candidate', points: issue, c: [5, 5], ref: [10, 10], max: false, want: 0 },
    { name: 'candidate outside ref', points: issue, c: [1, 10], ref: [10, 10], max: false, want: 0 },
    { name: 'empty set: the candidate box', points: fromRows([], 2), c: [1, 2], ref: [3, 3], max: false, want: 2 },
    { name: 'dominating candidate', points: fromRows([[2, 2]]), c: [1, 1], ref: [3, 3], max: false, want: 3 },
    { name: 'maximised', points: fromRows([[1, 1]]), c: [2, 2], ref: [0, 0], max: true, want: 3 },
    { name: '3-D issue set', points: fromRows([[1, 0, 1]]), c: [0, 1, 0], ref: [2, 2, 2], max: false, want: 3 },
    { name: '4-D', points: fromRows([[0, 0, 0, 1]]), c: [1, 1, 1, 0], ref: [2, 2, 2, 2], max: false, want: 1 },
  ])('$name', ({ points, c, ref, max, want }) => {
    expectClose(hvImprovement(points, c, ref, { maximize: max }), want);
  });
});

describe('hvImprovement: laws', () => {
  const cases = fc
    .integer({ min: 1, max: 5 })
    .chain((d) =>
      fc.tuple(
        pointsArb({ d, maxN: 8, min: 0, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { minLength: d, maxLength: d }),
        fc.integer({ min: 4, max: 7 }),
      ),
    );

  it('equals HV(P ∪ {c}) − HV(P) by inclusion–exclusion (ties, duplicates, outside ref)', () => {
    fc.assert(
      fc.property(cases, ([p, c, r]) => {
        const ref = new Array(p.d).fill(r);
        const rows = toRows(p);
        const want = hvInclusionExclusionOracle([...rows, c], ref) - hvInclusionExclusionOracle(rows, ref);
        expectClose(hvImprovement(p, c, ref), want, { abs: 1e-9 });
      }),
      { numRuns: 200 },
    );
  });

  it('equals the difference of the package hypervolume on larger real-valued sets, and is ≥ 0', () => {
    const big = fc.integer({ min: 2, max: 4 }).chain((d) =>
      fc.tuple(
        pointsArb({ d, maxN: 80, values: 'real', min: 0, max: 1 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: d, maxLength: d }),
      ),
    );
    fc.assert(
      fc.property(big, ([p, c]) => {
        const ref = new Array(p.d).fill(1.1);
        const grown: Points = { data: Float64Array.of(...p.data, ...c), n: p.n + 1, d: p.d };
        const got = hvImprovement(p, c, ref);
        expect(got).toBeGreaterThanOrEqual(0);
        expectClose(got, hypervolume(grown, ref) - hypervolume(p, ref), { rel: 1e-9, abs: 1e-12 });
      }),
      { numRuns: 100 },
    );
  });

  it('maximize equals minimising the negation', () => {
    fc.assert(
      fc.property(cases, ([p, c, r]) => {
        const ref = new Array(p.d).fill(r);
        const neg = { ...p, data: p.data.map((v) => -v) };
        expectClose(
          hvImprovement(neg, c.map((v) => -v), ref.map((v) => -v), { maximize: true }),
          hvImprovement(p, c, ref),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('hvImprovement: bad input', () => {
  it.each([
    ['NaN in candidate', issue, [1, NaN], [10, 10], {}, /hvImprovement: candidate\[1\] must be a finite number/],
    ['candidate too long', issue, [1, 2, 3], [10, 10], {}, /hvImprovement: candidate must have length 2 \(got 3\)/],
    ['candidate not an array', issue, 5, [10, 10], {}, /hvImprovement: candidate must be an array/],
    ['ref of the wrong length', issue, [1, 2], [10], {}, /hvImprovement: ref must have length 2 \(got 1\)/],
    ['Infinity in points', { data: Float64Array.of(Infinity, 1), n: 1, d: 2 }, [1, 2], [10, 10], {}, /finite/],
    ['options not an object', issue, [1, 2], [10, 10], 'yes', /options must be an object/],
  ])('%s', (_name, points, c, ref, options, message) => {
    expect(() => hvImprovement(points as Points, c as never, ref, options as never)).toThrow(message);
  });

  it('strict mode throws for a candidate outside the reference box', () => {
    expect(() => hvImprovement(issue, [1, 11], [10, 10], { strict: true })).toThrow(FrontierError);
  });
});
