import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crowdingDistance, crowdingDistanceByFront, rankAndCrowd } from './crowding';
import { normalize } from './normalize';
import { assertFiniteSpans, finiteResult, finiteResults } from './validate';

const P = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), n: rows.length, d: rows[0].length });

describe('overflow rule: finite inputs whose result overflows float64 throw a RangeError', () => {
  it('finiteResult / finiteResults pass finite values and name the function and the value otherwise', () => {
    expect(finiteResult(2, 'f', 'the thing')).toBe(2);
    expect(() => finiteResult(Infinity, 'f', 'the thing')).toThrow(
      new RangeError('f: the thing overflowed float64 (got Infinity) although every input is finite; rescale the objectives'),
    );
    expect(() => finiteResults(Float64Array.of(1, Number.NaN), 'g', 'value')).toThrow(/^g: value 1 overflowed float64 \(got NaN\)/);
  });

  const wide = P([[-1e308, 0], [0, 1], [1e308, 2]]);
  it.each([
    ['crowdingDistance', () => crowdingDistance(wide)],
    ['crowdingDistanceByFront', () => crowdingDistanceByFront(wide, [0, 0, 0])],
    ['rankAndCrowd', () => rankAndCrowd(wide)],
    ['normalize', () => normalize(wide)],
  ])('%s refuses an objective whose span overflows', (fn, run) => {
    expect(run).toThrow(RangeError);
    expect(run).toThrow(new RegExp(`^${fn}: objective 0 spans more than float64 holds`));
  });

  it('normalize refuses a value whose distance to ideal overflows', () => {
    expect(() => normalize(P([[1e308], [0]]), { ideal: [-1e308], nadir: [1] })).toThrow(/^normalize: normalised value/);
  });

  it('law: crowding over huge finite values is refused exactly when a span overflows, and never yields NaN', () => {
    const huge = fc.double({ min: -1.7e308, max: 1.7e308, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.array(fc.tuple(huge, huge), { minLength: 1, maxLength: 12 }), (rows) => {
        const pts = P(rows);
        let spanOverflows = false;
        try {
          assertFiniteSpans(pts.data, pts.n, pts.d, 't');
        } catch {
          spanOverflows = true;
        }
        let out: Float64Array;
        try {
          out = crowdingDistance(pts);
        } catch (err) {
          expect(spanOverflows).toBe(true);
          expect((err as Error).message).toMatch(/^crowdingDistance: objective \d spans more than float64 holds/);
          return;
        }
        expect(spanOverflows).toBe(false);
        for (const v of out) expect(Number.isNaN(v)).toBe(false);
        const norm = normalize(pts).data;
        for (const v of norm) expect(v >= 0 && v <= 1).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
