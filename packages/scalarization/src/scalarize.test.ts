import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb, weightVectorArb } from '@paretopo/pareto/testing';
import { expectClose, expectAllClose } from '@paretopo/test-utils';
import {
  augmentedTchebycheff,
  augmentedTchebycheffBatch,
  pbi,
  pbiBatch,
  tchebycheff,
  tchebycheffBatch,
  weightedSum,
  weightedSumBatch,
} from './scalarize';

const rowsOf = (data: Float64Array, d: number) => Array.from({ length: data.length / d }, (_, i) => Array.from(data.subarray(i * d, i * d + d)));

describe('hand-computed values', () => {
  it.each([
    [[1, 0.5], [0.6, 0.4], 0.8],
    [[0, 1], [0.6, 0.4], 0.4],
    [[1, 2, 3], [1, 1, 1], 6],
    [[-1, 2], [0.5, 0.5], 0.5],
  ])('weightedSum(%j, %j) = %d', (r, w, expected) => {
    expectClose(weightedSum(r, w), expected);
  });

  it.each([
    // −max_i w_i |f_i − z_i|
    [[0.5, 0.8], [0.5, 0.5], [1, 1], -0.25],
    [[1, 1], [0.3, 0.7], [1, 1], 0],
    [[0, 0], [0.3, 0.7], [1, 1], -0.7],
    [[2, 0], [1, 1], [1, 1], -1], // beyond the ideal point: |·| counts the overshoot too
  ])('tchebycheff(%j, %j, z=%j) = %d', (r, w, z, expected) => {
    expectClose(tchebycheff(r, w, z), expected);
  });

  it.each([
    [[0.5, 0.8], [0.5, 0.5], [1, 1], 0.05, -(0.25 + 0.05 * 0.35)],
    [[0, 0], [0.3, 0.7], [1, 1], 0.1, -(0.7 + 0.1 * 1)],
    [[0.5, 0.8], [0.5, 0.5], [1, 1], 0, -0.25],
  ])('augmentedTchebycheff(%j, %j, z=%j, rho=%d) = %d', (r, w, z, rho, expected) => {
    expectClose(augmentedTchebycheff(r, w, z, { rho }), expected);
  });

  it('augmentedTchebycheff defaults to ParEGO’s rho = 0.05', () => {
    expectClose(augmentedTchebycheff([0.5, 0.8], [0.5, 0.5], [1, 1]), -0.2675);
  });

  it.each([
    // d = z − f; d1 = d·w/‖w‖; d2 = ‖d − d1 w/‖w‖‖; utility −(d1 + θ d2)
    [[0, 0], [1, 1], [1, 1], 5, -Math.SQRT2],
    [[1, 0], [1, 0], [1, 1], 5, -5],
    [[0, 0], [1, 0], [1, 1], 5, -6],
    [[0, 0], [1, 0], [1, 1], 0, -1],
    [[1, 1], [0.2, 0.8], [1, 1], 5, 0],
    [[0.5, 0], [3, 4], [1, 1], 2, -(1.1 + 2 * 0.2)], // d = (0.5, 1), d1 = (1.5+4)/5 = 1.1, d2 = ‖(0.5,1) − 1.1(0.6,0.8)‖ = ‖(-0.16, 0.12)‖ = 0.2
  ])('pbi(%j, w=%j, z=%j, θ=%d) = %d', (r, w, z, theta, expected) => {
    expectClose(pbi(r, w, z, { theta }), expected, { rel: 1e-12, abs: 1e-12 });
  });

  it('pbi defaults to θ = 5', () => {
    expect(pbi([1, 0], [1, 0], [1, 1])).toBe(-5);
  });
});

// Obviously-correct PBI: explicit unit direction, projection and residual.
function slowPbi(r: number[], w: number[], z: number[], theta: number): number {
  const norm = Math.hypot(...w);
  const u = w.map((x) => x / norm);
  const d = z.map((zi, i) => zi - r[i]);
  const d1 = d.reduce((s, di, i) => s + di * u[i], 0);
  const d2 = Math.hypot(...d.map((di, i) => di - d1 * u[i]));
  return -(d1 + theta * d2);
}

describe('batch forms agree with the single-vector forms (grid values: ties and duplicates)', () => {
  const input = pointsArb({ d: { min: 1, max: 4 }, maxN: 30 }).chain((pts) =>
    fc.tuple(fc.constant(pts), weightVectorArb(pts.d), fc.array(fc.integer({ min: 0, max: 12 }), { minLength: pts.d, maxLength: pts.d })),
  );

  it('weightedSumBatch, tchebycheffBatch, augmentedTchebycheffBatch, pbiBatch', () => {
    fc.assert(
      fc.property(input, ([pts, w, z]) => {
        const rows = rowsOf(pts.data, pts.d);
        expectAllClose(weightedSumBatch(pts, w), rows.map((r) => r.reduce((s, x, j) => s + x * w[j], 0)));
        expectAllClose(tchebycheffBatch(pts, w, z), rows.map((r) => -Math.max(...r.map((x, j) => w[j] * Math.abs(x - z[j])))));
        expectAllClose(augmentedTchebycheffBatch(pts, w, z, { rho: 0.3 }), rows.map((r) => augmentedTchebycheff(r, w, z, { rho: 0.3 })));
        expectAllClose(pbiBatch(pts, w, z, { theta: 2 }), rows.map((r) => slowPbi(r, Array.from(w), z, 2)), { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });

  it('writes into out and returns it', () => {
    const pts = { data: Float64Array.of(1, 0, 0, 1), n: 2, d: 2 };
    const out = new Float64Array(2);
    expect(weightedSumBatch(pts, [0.6, 0.4], { out })).toBe(out);
    expect(Array.from(out)).toEqual([0.6, 0.4]);
    expect(pbiBatch(pts, [1, 1], [1, 1], { out })).toBe(out);
  });

  it('handles an empty batch', () => {
    expect(weightedSumBatch({ data: new Float64Array(0), n: 0, d: 2 }, [1, 0]).length).toBe(0);
  });
});

describe('laws', () => {
  const vec = (k: number) => fc.array(fc.integer({ min: 0, max: 10 }), { minLength: k, maxLength: k });
  const positiveWeights = (k: number) => fc.array(fc.integer({ min: 1, max: 100 }), { minLength: k, maxLength: k });

  it('augmented Tchebycheff is strictly Pareto-monotone when z* bounds both vectors (plain Tchebycheff weakly)', () => {
    fc.assert(
      fc.property(vec(3), vec(3), positiveWeights(3), (a, b, w) => {
        const z = a.map((x, j) => Math.max(x, b[j]) + 1);
        const aDominates = a.every((x, j) => x >= b[j]) && a.some((x, j) => x > b[j]);
        if (!aDominates) return;
        expect(augmentedTchebycheff(a, w, z)).toBeGreaterThan(augmentedTchebycheff(b, w, z));
        expect(tchebycheff(a, w, z)).toBeGreaterThanOrEqual(tchebycheff(b, w, z));
      }),
    );
  });

  it('Tchebycheff is ≤ 0 and 0 at the ideal point; rho = 0 gives plain Tchebycheff', () => {
    fc.assert(
      fc.property(vec(3), vec(3), positiveWeights(3), (r, z, w) => {
        expect(tchebycheff(r, w, z)).toBeLessThanOrEqual(0);
        expect(tchebycheff(z, w, z)).toBe(-0);
        expect(augmentedTchebycheff(r, w, z, { rho: 0 })).toBe(tchebycheff(r, w, z));
      }),
    );
  });

  it('PBI on the weight ray from z* is −distance to z*', () => {
    fc.assert(
      fc.property(positiveWeights(2), fc.integer({ min: 0, max: 10 }), (w, t) => {
        const norm = Math.hypot(w[0], w[1]);
        const z = [10, 10];
        const r = [z[0] - (t * w[0]) / norm, z[1] - (t * w[1]) / norm];
        expectClose(pbi(r, w, z), -t, { rel: 1e-9, abs: 1e-9 });
      }),
    );
  });

  it('weighted sum is linear in the weights', () => {
    fc.assert(
      fc.property(vec(2), positiveWeights(2), positiveWeights(2), (r, a, b) => {
        expectClose(weightedSum(r, a.map((x, j) => x + b[j])), weightedSum(r, a) + weightedSum(r, b));
      }),
    );
  });
});

describe('bad input', () => {
  const pts = { data: Float64Array.of(1, 0), n: 1, d: 2 };

  it('finds NaN and ±Infinity in any row and objective, even under a zero weight', () => {
    const fns = [
      (p: typeof pts) => weightedSumBatch(p, [1, 0, 0]),
      (p: typeof pts) => tchebycheffBatch(p, [1, 0, 0], [1, 1, 1]),
      (p: typeof pts) => augmentedTchebycheffBatch(p, [1, 0, 0], [1, 1, 1], { rho: 0 }),
      (p: typeof pts) => pbiBatch(p, [1, 0, 0], [1, 1, 1], { theta: 0 }),
    ];
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      for (const pos of [0, 4, 8]) {
        const data = Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
        data[pos] = bad;
        const row = Math.floor(pos / 3);
        for (const f of fns) {
          expect(() => f({ data, n: 3, d: 3 })).toThrow(new RegExp(`rewards must hold finite numbers \\(got ${bad === -Infinity ? '-Infinity' : String(bad)} at point ${row}, objective ${pos - 3 * row}\\)`));
        }
      }
    }
  });

  it('reports an overflow of finite rewards instead of returning Infinity', () => {
    expect(() => weightedSumBatch({ data: Float64Array.of(1e308, 1e308), n: 1, d: 2 }, [1, 1])).toThrow(
      /weightedSumBatch: the utility of row 0 overflowed float64 \(got Infinity\)/,
    );
  });

  it.each([
    [() => weightedSum([1, Number.NaN], [1, 1]), /weightedSum: reward\[1\] must be a finite number \(got NaN\)/],
    [() => weightedSum([1, 2], [1]), /weightedSum: weights must have length 2 \(got 1\)/],
    [() => weightedSum([1, 2], [1, -1]), /weightedSum: weights\[1\] must be a finite number >= 0 \(got -1\)/],
    [() => weightedSum([1, 2], [0, 0]), /weightedSum: weights must have at least one positive entry/],
    [() => weightedSum([], []), /weightedSum: reward must not be empty/],
    [() => tchebycheff([1, 2], [1, 1], [1, Infinity]), /tchebycheff: ideal\[1\] must be a finite number \(got Infinity\)/],
    [() => tchebycheff([1, 2], [1, 1], [1]), /tchebycheff: ideal must have length 2 \(got 1\)/],
    [() => augmentedTchebycheff([1, 2], [1, 1], [1, 1], { rho: -1 }), /augmentedTchebycheff: options.rho must be a finite number in \[0, ∞\) \(got -1\)/],
    [() => pbi([1, 2], [1, 1], [1, 1], { theta: Number.NaN }), /pbi: options.theta must be a finite number in \[0, ∞\) \(got NaN\)/],
    [() => weightedSumBatch({ data: Float64Array.of(1, Number.NaN), n: 1, d: 2 }, [1, 1]), /weightedSumBatch: rewards must hold finite numbers \(got NaN at point 0, objective 1\)/],
    [() => weightedSumBatch({ data: Float64Array.of(1, 2, 3), n: 1, d: 2 }, [1, 1]), /weightedSumBatch: rewards.data must have length n\*d = 2 \(got 3\)/],
    [() => weightedSumBatch(pts, [1, 1, 1]), /weightedSumBatch: weights must have length 2 \(got 3\)/],
    [() => weightedSumBatch(pts, [1, 1], { out: new Float64Array(2) }), /weightedSumBatch: options.out must have length 1 \(got 2\)/],
    [() => tchebycheffBatch(pts, [1, 1], [1, 1], { out: [0] as unknown as Float64Array }), /tchebycheffBatch: options.out must be a Float64Array \(got Array\(1\)\)/],
    [() => pbiBatch(pts, [1, 1], [0, 0, 0]), /pbiBatch: ideal must have length 2 \(got 3\)/],
    [() => augmentedTchebycheffBatch(pts, [1, 1], [1, 1], { rho: Infinity }), /augmentedTchebycheffBatch: options.rho must be a finite number/],
  ])('%#: throws a named error', (f, message) => {
    expect(f).toThrow(message);
  });
});
