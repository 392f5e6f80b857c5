import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from './testing';
import { idealPoint, nadirPoint, normalize, worstPoint } from './normalize';
import { nondominatedPoints } from './filter';
import { fromRows, toRows } from './points';

describe('ideal, nadir and worst points', () => {
  const p = fromRows([[1, 5], [3, 2], [4, 4]]);

  it.each([
    [idealPoint, {}, [1, 2]],
    [idealPoint, { maximize: true }, [4, 5]],
    [idealPoint, { maximize: [false, true] }, [1, 5]],
    [worstPoint, {}, [4, 5]],
    [worstPoint, { maximize: true }, [1, 2]],
    [nadirPoint, {}, [3, 5]],
    [nadirPoint, { maximize: true }, [1, 4]],
  ])('%o %j → %j', (f, options, expected) => {
    expect(Array.from(f(p, options))).toEqual(expected);
  });

  it('nadir is the worst point of the non-dominated subset, never worse than the worst point', () => {
    fc.assert(
      fc.property(pointsArb({ minN: 1, maxN: 30 }), (pts) => {
        const nadir = nadirPoint(pts);
        expect(nadir).toEqual(worstPoint(nondominatedPoints(pts)));
        const worst = worstPoint(pts);
        const ideal = idealPoint(pts);
        for (let j = 0; j < pts.d; j++) {
          expect(nadir[j]).toBeLessThanOrEqual(worst[j]);
          expect(ideal[j]).toBeLessThanOrEqual(nadir[j]);
        }
      }),
    );
  });

  it('rejects bad input', () => {
    const empty = { data: new Float64Array(0), n: 0, d: 2 };
    expect(() => idealPoint(empty)).toThrow(/idealPoint: points must not be empty \(got n = 0\)/);
    expect(() => nadirPoint(empty)).toThrow(/nadirPoint: points must not be empty/);
    expect(() => worstPoint({ data: Float64Array.of(Number.NaN), n: 1, d: 1 })).toThrow(/worstPoint: points must hold finite numbers \(got NaN/);
    expect(() => idealPoint(p, { maximize: [true] })).toThrow(/idealPoint: options.maximize must have one flag per objective, length 2 \(got 1\)/);
  });
});

describe('normalize', () => {
  it.each([
    [[[1, 5], [3, 2], [5, 4]], {}, [[0, 1], [0.5, 0], [1, 2 / 3]]],
    [[[1, 5], [3, 2], [5, 4]], { maximize: true }, [[1, 0], [0.5, 1], [0, 1 / 3]]],
    [[[1, 7], [3, 7]], {}, [[0, 0], [1, 0]]],
    [[[2, 2]], { ideal: [0, 0], nadir: [4, 8] }, [[0.5, 0.25]]],
  ])('%j %j → %j', (rows, options, expected) => {
    expect(toRows(normalize(fromRows(rows), options))).toEqual(expected);
  });

  it('maps every point into [0, 1] by default, the ideal to 0', () => {
    fc.assert(
      fc.property(pointsArb({ minN: 1, maxN: 30, values: 'real', min: -100, max: 100 }), fc.boolean(), (pts, maximize) => {
        const out = normalize(pts, { maximize });
        for (const v of out.data) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(Array.from(idealPoint(out))).toEqual(Array.from({ length: pts.d }, () => 0));
      }),
    );
  });

  it('rejects bad input', () => {
    const p = fromRows([[1, 2]]);
    expect(() => normalize(p, { ideal: [0] })).toThrow(/normalize: options.ideal must have length 2 \(got 1\)/);
    expect(() => normalize(p, { nadir: [0, Number.NaN] })).toThrow(/normalize: options.nadir\[1\] must be a finite number \(got NaN\)/);
    expect(() => normalize(p, { ideal: [0, 0], nadir: [-1, 1] })).toThrow(/options.nadir\[0\] must be ≥ options.ideal\[0\] for a minimised objective/);
    expect(() => normalize({ data: new Float64Array(0), n: 0, d: 2 })).toThrow(/normalize: options.ideal is required for an empty set/);
    expect(normalize({ data: new Float64Array(0), n: 0, d: 2 }, { ideal: [0, 0], nadir: [1, 1] }).n).toBe(0);
  });
});
