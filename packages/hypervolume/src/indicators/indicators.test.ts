import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromRows, toRows } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { pointsArb } from '@paretopo/pareto/testing';
import { expectClose } from '@paretopo/test-utils';
import { additiveEpsilon, gd, gdPlus, igd, igdPlus, multiplicativeEpsilon } from './index';

// Slow, literal transcriptions of the definitions (minimisation), used as oracles.
const euclid = (u: number[], v: number[]) => Math.sqrt(u.reduce((s, x, j) => s + (x - v[j]) ** 2, 0));
const dplus = (z: number[], a: number[]) => Math.sqrt(a.reduce((s, x, j) => s + Math.max(x - z[j], 0) ** 2, 0));
const powerMean = (ds: number[], p: number) => ds.reduce((s, x) => s + x ** p, 0) ** (1 / p) / ds.length;
const oracle = {
  igd: (A: number[][], R: number[][], p = 1) => powerMean(R.map((r) => Math.min(...A.map((a) => euclid(a, r)))), p),
  igdPlus: (A: number[][], R: number[][], p = 1) => powerMean(R.map((r) => Math.min(...A.map((a) => dplus(r, a)))), p),
  gd: (A: number[][], R: number[][], p = 1) => powerMean(A.map((a) => Math.min(...R.map((r) => euclid(a, r)))), p),
  gdPlus: (A: number[][], R: number[][], p = 1) => powerMean(A.map((a) => Math.min(...R.map((r) => dplus(r, a)))), p),
  additiveEpsilon: (A: number[][], R: number[][]) =>
    Math.max(...R.map((r) => Math.min(...A.map((a) => Math.max(...a.map((x, j) => x - r[j])))))),
  multiplicativeEpsilon: (A: number[][], R: number[][]) =>
    Math.max(...R.map((r) => Math.min(...A.map((a) => Math.max(...a.map((x, j) => x / r[j])))))),
};
const distance = { igd, igdPlus, gd, gdPlus } as const;

const front = fromRows([[0, 1], [0.5, 0.5], [1, 0]]);

describe('indicators: known values', () => {
  it.each([
    ['igd', igd(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]])), 1],
    ['igd, jMetal power mean p = 2', igd(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]]), { p: 2 }), Math.SQRT2 / 2],
    ['igdPlus', igdPlus(fromRows([[1, 1]]), fromRows([[0, 1], [1, 0]])), 1],
    ['igdPlus of a better set', igdPlus(fromRows([[0, 0]]), fromRows([[0, 1], [1, 0]])), 0],
    ['igd of a better set is not 0', igd(fromRows([[0, 0]]), fromRows([[0, 1], [1, 0]])), 1],
    ['igd, 3 reference points', igd(fromRows([[0, 1], [1, 0]]), front), Math.SQRT1_2 / 3],
    ['igdPlus, 3 reference points', igdPlus(fromRows([[0, 1], [1, 0]]), front), 0.5 / 3],
    ['gd', gd(fromRows([[1, 1], [0, 1]]), front), Math.SQRT1_2 / 2],
    ['gd, p = 2', gd(fromRows([[1, 1], [0, 1]]), front, { p: 2 }), Math.SQRT1_2 / 2],
    ['gdPlus', gdPlus(fromRows([[1, 1], [0, 0]]), fromRows([[0, 1], [1, 0]])), 0.5],
    ['additiveEpsilon', additiveEpsilon(fromRows([[1, 2]]), fromRows([[0, 2], [1, 1]])), 1],
    ['additiveEpsilon of a better set is negative', additiveEpsilon(fromRows([[0, 0]]), fromRows([[1, 1], [2, 1]])), -1],
    ['multiplicativeEpsilon', multiplicativeEpsilon(fromRows([[2, 2]]), fromRows([[1, 2], [2, 1]])), 2],
    ['multiplicativeEpsilon, maximised', multiplicativeEpsilon(fromRows([[1, 1]]), fromRows([[2, 1]]), { maximize: true }), 2],
    ['maximised igd', igd(fromRows([[0, 0]]), fromRows([[1, 0], [0, 1]]), { maximize: true }), 1],
    ['maximised igdPlus of a better set', igdPlus(fromRows([[2, 2]]), fromRows([[1, 0], [0, 1]]), { maximize: true }), 0],
  ])('%s', (_name, got, want) => {
    expectClose(got, want, { rel: 1e-12 });
  });

  it.each(['igd', 'igdPlus', 'gd', 'gdPlus'] as const)('%s of a set equal to the reference is 0', (name) => {
    expect(distance[name](front, front)).toBe(0);
  });

  it('ε of a set equal to the reference is 0 (additive) and 1 (multiplicative)', () => {
    expect(additiveEpsilon(front, front)).toBe(0);
    const positive = fromRows([[1, 3], [2, 2], [3, 1]]);
    expect(multiplicativeEpsilon(positive, positive)).toBe(1);
  });
});

const pair = (values: 'grid' | 'real') =>
  fc.integer({ min: 1, max: 4 }).chain((d) =>
    fc.tuple(
      pointsArb({ d, minN: 1, maxN: 12, values, min: 0, max: 10 }),
      pointsArb({ d, minN: 1, maxN: 12, values, min: 0, max: 10 }),
      pointsArb({ d, minN: 0, maxN: 6, values, min: 0, max: 10 }),
    ),
  );
const join = (a: Points, b: Points): Points => ({ data: Float64Array.of(...a.data, ...b.data), n: a.n + b.n, d: a.d });

describe('indicators: against the literal definitions', () => {
  it.each([1, 2, 3.5])('distance indicators, p = %s', (p) => {
    fc.assert(
      fc.property(pair('real'), ([A, R]) => {
        for (const name of ['igd', 'igdPlus', 'gd', 'gdPlus'] as const) {
          expectClose(distance[name](A, R, { p }), oracle[name](toRows(A), toRows(R), p), { rel: 1e-9, abs: 1e-12 });
        }
      }),
      { numRuns: 60 },
    );
  });

  it('ε indicators', () => {
    fc.assert(
      fc.property(pair('grid'), ([A, R]) => {
        expect(additiveEpsilon(A, R)).toBe(oracle.additiveEpsilon(toRows(A), toRows(R)));
        const shift = (p: Points) => ({ ...p, data: p.data.map((v) => v + 1) });
        expectClose(multiplicativeEpsilon(shift(A), shift(R)), oracle.multiplicativeEpsilon(toRows(shift(A)), toRows(shift(R))));
      }),
      { numRuns: 100 },
    );
  });
});

describe('indicators: laws', () => {
  it('IGD+ ≤ IGD and GD+ ≤ GD', () => {
    fc.assert(
      fc.property(pair('grid'), ([A, R]) => {
        expect(igdPlus(A, R)).toBeLessThanOrEqual(igd(A, R) + 1e-12);
        expect(gdPlus(A, R)).toBeLessThanOrEqual(gd(A, R) + 1e-12);
      }),
    );
  });

  it('adding points to the approximation never increases IGD, IGD+ or ε', () => {
    fc.assert(
      fc.property(pair('grid'), ([A, R, extra]) => {
        const B = join(A, extra);
        expect(igd(B, R)).toBeLessThanOrEqual(igd(A, R));
        expect(igdPlus(B, R)).toBeLessThanOrEqual(igdPlus(A, R));
        expect(additiveEpsilon(B, R)).toBeLessThanOrEqual(additiveEpsilon(A, R));
        const shift = (p: Points) => ({ ...p, data: p.data.map((v) => v + 1) });
        expect(multiplicativeEpsilon(shift(B), shift(R))).toBeLessThanOrEqual(multiplicativeEpsilon(shift(A), shift(R)));
      }),
    );
  });

  it('maximize equals minimising the negation (all but the multiplicative ε)', () => {
    const neg = (p: Points) => ({ ...p, data: p.data.map((v) => -v) });
    fc.assert(
      fc.property(pair('grid'), ([A, R]) => {
        for (const name of ['igd', 'igdPlus', 'gd', 'gdPlus'] as const) {
          expect(distance[name](neg(A), neg(R), { maximize: true })).toBe(distance[name](A, R));
        }
        expect(additiveEpsilon(neg(A), neg(R), { maximize: true })).toBe(additiveEpsilon(A, R));
        const mixed = Array.from({ length: A.d }, (_, j) => j === 0);
        const flip = (p: Points) => ({ ...p, data: p.data.map((v, i) => (i % p.d === 0 ? -v : v)) });
        expect(igdPlus(flip(A), flip(R), { maximize: mixed })).toBe(igdPlus(A, R));
      }),
    );
  });

  it('multiplicative ε with maximize equals the minimised ε of the reciprocals', () => {
    fc.assert(
      fc.property(pair('grid'), ([A, R]) => {
        const recip = (p: Points) => ({ ...p, data: p.data.map((v) => 1 / (v + 1)) });
        const plus1 = (p: Points) => ({ ...p, data: p.data.map((v) => v + 1) });
        expectClose(multiplicativeEpsilon(plus1(A), plus1(R), { maximize: true }), multiplicativeEpsilon(recip(A), recip(R)));
      }),
    );
  });
});

describe('indicators: bad input', () => {
  const all = { igd, igdPlus, gd, gdPlus, additiveEpsilon, multiplicativeEpsilon };
  const ok = fromRows([[1, 2], [2, 1]]);
  const cases: [string, unknown, unknown, unknown, RegExp][] = [
    ['NaN in approximation', { data: Float64Array.of(1, NaN), n: 1, d: 2 }, ok, {}, /approximation must hold finite numbers/],
    ['Infinity in reference', ok, { data: Float64Array.of(Infinity, 1), n: 1, d: 2 }, {}, /reference must hold finite numbers/],
    ['different d', ok, fromRows([[1, 2, 3]]), {}, /reference must have the same number of objectives as approximation, d = 2 \(got 3\)/],
    ['empty approximation', fromRows([], 2), ok, {}, /approximation must hold at least one point \(got n = 0\)/],
    ['empty reference', ok, fromRows([], 2), {}, /reference must hold at least one point \(got n = 0\)/],
    ['not Points', [[1, 2]], ok, {}, /approximation/],
    ['bad maximize', ok, ok, { maximize: [true] }, /maximize must have one flag per objective/],
    ['options not an object', ok, ok, 3, /options must be an object/],
  ];
  for (const [fname, f] of Object.entries(all)) {
    it.each(cases)(`${fname}: %s`, (_n, A, R, options, message) => {
      expect(() => f(A as Points, R as Points, options as never)).toThrow(message);
      expect(() => f(A as Points, R as Points, options as never)).toThrow(new RegExp(`^${fname}: `));
    });
  }

  it.each(['igd', 'igdPlus', 'gd', 'gdPlus'] as const)('%s: p must be a finite number ≥ 1', (name) => {
    for (const p of [0.5, NaN, Infinity, '2']) {
      expect(() => distance[name](ok, ok, { p: p as number })).toThrow(new RegExp(`^${name}: options.p must be a finite number >= 1`));
    }
  });

  it('multiplicativeEpsilon needs positive values', () => {
    expect(() => multiplicativeEpsilon(fromRows([[0, 1]]), ok)).toThrow(
      /multiplicativeEpsilon: approximation must hold values > 0 \(got 0 at point 0, objective 0\)/,
    );
    expect(() => multiplicativeEpsilon(ok, fromRows([[1, -1]]))).toThrow(/reference must hold values > 0/);
  });
});
