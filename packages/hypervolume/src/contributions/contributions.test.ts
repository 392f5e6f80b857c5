import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@paretopo/random';
import { FrontierError, fromRows, toRows } from '@paretopo/pareto';
import type { Points } from '@paretopo/pareto';
import { pointsArb } from '@paretopo/pareto/testing';
import { benchPoints, expectAllClose, expectClose } from '@paretopo/test-utils';
import { hypervolume } from '../hypervolume';
import { hvContributions } from './contributions';
import { contributionsOracle } from '../testing/oracles';

const negate = (p: Points): Points => ({ ...p, data: p.data.map((v) => -v) });

describe('hvContributions: known values', () => {
  it.each([
    { name: 'issue example, minimised', rows: [[5, 5], [4, 6], [2, 7], [7, 4]], ref: [10, 10], max: false, want: [2, 1, 6, 3] },
    { name: 'issue example, maximised', rows: [[5, 5], [4, 6], [2, 7], [7, 4]], ref: [0, 0], max: true, want: [1, 2, 2, 8] },
    { name: 'dominated point shrinks its dominator', rows: [[1, 1], [2, 2]], ref: [3, 3], max: false, want: [3, 0] },
    { name: 'duplicates get 0 each', rows: [[1, 2], [1, 2], [2, 1]], ref: [3, 3], max: false, want: [0, 0, 1] },
    { name: 'same x, larger y is dominated', rows: [[1, 1], [1, 2]], ref: [3, 3], max: false, want: [2, 0] },
    { name: 'outside the reference box', rows: [[1, 1], [3, 0], [0, 5]], ref: [3, 3], max: false, want: [4, 0, 0] },
    { name: 'on the reference boundary', rows: [[1, 1], [3, 1]], ref: [3, 3], max: false, want: [4, 0] },
    { name: 'single point', rows: [[0.5, 0.25]], ref: [1, 1], max: false, want: [0.375] },
    { name: '3-D issue set', rows: [[1, 0, 1], [0, 1, 0]], ref: [2, 2, 2], max: false, want: [1, 3] },
    { name: '3-D dominated point inside one box', rows: [[0, 0, 0], [1, 1, 1]], ref: [2, 2, 2], max: false, want: [7, 0] },
    { name: '3-D duplicates', rows: [[0, 0, 1], [0, 0, 1], [1, 1, 0]], ref: [2, 2, 2], max: false, want: [0, 0, 1] },
    { name: '1-D', rows: [[2], [1], [3]], ref: [4], max: false, want: [0, 1, 0] },
    { name: '4-D two points', rows: [[0, 0, 0, 1], [1, 1, 1, 0]], ref: [2, 2, 2, 2], max: false, want: [7, 1] },
  ])('$name', ({ rows, ref, max, want }) => {
    expectAllClose(hvContributions(fromRows(rows), ref, { maximize: max }), want);
  });

  it('an empty set gives an empty array', () => {
    expect(hvContributions({ data: new Float64Array(0), n: 0, d: 3 }, [1, 1, 1])).toEqual(new Float64Array(0));
  });

  it('the anti-diagonal grid: every point contributes exactly 1', () => {
    const n = 50;
    const grid = fromRows(Array.from({ length: n }, (_, i) => [i, n - 1 - i]));
    expectAllClose(hvContributions(grid, [n, n]), new Array(n).fill(1));
  });
});

/** Integer grid values keep every volume exact, so the oracle comparison can be tight. */
const smallSet = (d: number | { min: number; max: number }, maxN = 8) =>
  fc.tuple(pointsArb({ d, maxN, min: 0, max: 6 }), fc.integer({ min: 4, max: 7 }));

describe('hvContributions: against the inclusion–exclusion oracle', () => {
  it.each([
    ['auto', 2],
    ['general', 2],
    ['auto', 3],
    ['general', 3],
    ['auto', 4],
    ['auto', 5],
  ] as const)('%s, d = %i (ties, duplicates, points outside ref)', (algorithm, d) => {
    fc.assert(
      fc.property(smallSet(d, d >= 4 ? 7 : 9), ([p, r]) => {
        const ref = new Array(d).fill(r);
        const got = hvContributions(p, ref, { algorithm });
        expectAllClose(got, contributionsOracle(toRows(p), ref), { abs: 1e-9 });
      }),
      { numRuns: d >= 4 ? 60 : 150 },
    );
  });

  it('3-D with many dominated points (the recomputed path)', () => {
    const clustered = pointsArb({ d: 3, minN: 4, maxN: 11, min: 0, max: 3 });
    fc.assert(
      fc.property(clustered, (p) => {
        const ref = [4, 4, 4];
        expectAllClose(hvContributions(p, ref), contributionsOracle(toRows(p), ref), { abs: 1e-9 });
      }),
      { numRuns: 150 },
    );
  });

  it('3-D grid sets with heavy ties agree with the general path', () => {
    fc.assert(
      fc.property(pointsArb({ d: 3, maxN: 120, min: 0, max: 8 }), (p) => {
        const ref = [9, 9, 9];
        expectAllClose(hvContributions(p, ref), hvContributions(p, ref, { algorithm: 'general' }), { abs: 1e-9 });
      }),
      { numRuns: 60 },
    );
  });

  it('3-D private lists: a few staircase points over many dominated ones, against the oracle', () => {
    // A handful of strong points (coordinates 0–2) and weaker ones (1–5) that mostly land in their
    // (x, y) boxes: private points get added, replaced, trimmed and handed over in the lists.
    const strong = pointsArb({ d: 3, minN: 1, maxN: 4, min: 0, max: 2 });
    const weak = pointsArb({ d: 3, minN: 1, maxN: 8, min: 1, max: 5 });
    fc.assert(
      fc.property(strong, weak, (a, b) => {
        const p = fromRows([...toRows(a), ...toRows(b)], 3);
        const ref = [6, 6, 6];
        expectAllClose(hvContributions(p, ref, { algorithm: '3d' }), contributionsOracle(toRows(p), ref), { abs: 1e-9 });
      }),
      { numRuns: 200 },
    );
  });

  it('3-D staircase built right to left (each point enters at the front)', () => {
    const n = 120;
    const rows = Array.from({ length: n }, (_, i) => [n - i, i + 1, i + 1]);
    const p = fromRows(rows);
    const ref = [n + 1, n + 1, n + 1];
    expectAllClose(hvContributions(p, ref), hvContributions(p, ref, { algorithm: 'general' }), { rel: 1e-12 });
  });

  it('3-D past the pooled buffers (40000 points), then a small set on buffers a larger one left behind', () => {
    const big = benchPoints(40000, 3, 'sphere', 3);
    const ref = [1.1, 1.1, 1.1];
    const c = hvContributions(big, ref);
    const total = hypervolume(big, ref);
    const rows = toRows(big);
    for (const i of [0, 1234, 20000, 39999]) {
      const without = fromRows(rows.filter((_, k) => k !== i));
      expectClose(c[i], total - hypervolume(without, ref), { abs: 1e-12 });
    }
    // 20000 rows fill the pooled buffers; the 12 rows after them reuse them, stale values past 12.
    hvContributions(benchPoints(20000, 3, 'sphere', 4), ref);
    const small = fromRows(Array.from({ length: 12 }, (_, i) => [i % 7, (i * 3) % 11, 11 - (i % 5)]));
    const r = [12, 12, 13];
    expectAllClose(hvContributions(small, r), contributionsOracle(toRows(small), r), { rel: 1e-12, abs: 1e-12 });
  });

  it('real-valued 2-D and 3-D agree with the general path', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 3 }, maxN: 60, values: 'real', min: 0, max: 1 }), (p) => {
        const ref = new Array(p.d).fill(1.1);
        expectAllClose(hvContributions(p, ref), hvContributions(p, ref, { algorithm: 'general' }), { rel: 1e-9, abs: 1e-12 });
      }),
      { numRuns: 100 },
    );
  });
});

describe('hvContributions: laws', () => {
  const sets = fc.tuple(pointsArb({ d: { min: 2, max: 4 }, maxN: 25, min: 0, max: 9 }), fc.integer({ min: 5, max: 10 }));

  it('HV(P) = HV(P without i) + contribution_i, and each contribution ≤ HV', () => {
    fc.assert(
      fc.property(sets, ([p, r]) => {
        const ref = new Array(p.d).fill(r);
        const all = hypervolume(p, ref);
        const c = hvContributions(p, ref);
        const rows = toRows(p);
        let sum = 0;
        for (let i = 0; i < p.n; i++) {
          const without = fromRows(rows.filter((_, k) => k !== i), p.d);
          expectClose(hypervolume(without, ref) + c[i], all, { abs: 1e-9 });
          expect(c[i]).toBeGreaterThanOrEqual(0);
          expect(c[i]).toBeLessThanOrEqual(all + 1e-9);
          sum += c[i];
        }
        expect(sum).toBeLessThanOrEqual(all + 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('is invariant under permuting the points', () => {
    fc.assert(
      fc.property(sets, fc.integer(), ([p, r], seed) => {
        const ref = new Array(p.d).fill(r);
        const perm = Array.from({ length: p.n }, (_, i) => i);
        const rng = new Rng(seed);
        for (let i = p.n - 1; i > 0; i--) {
          const j = rng.int(0, i);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const rows = toRows(p);
        const shuffled = fromRows(perm.map((i) => rows[i]), p.d);
        const c = hvContributions(p, ref);
        const cs = hvContributions(shuffled, ref);
        expectAllClose(Float64Array.from(perm, (i) => c[i]), cs, { abs: 1e-9 });
      }),
      { numRuns: 80 },
    );
  });

  it('maximize equals minimising the negation', () => {
    fc.assert(
      fc.property(sets, ([p, r]) => {
        const ref = new Array(p.d).fill(r);
        expectAllClose(
          hvContributions(negate(p), ref.map((v) => -v), { maximize: true }),
          hvContributions(p, ref),
        );
        const mixed = Array.from({ length: p.d }, (_, j) => j % 2 === 0);
        const flipped = { ...p, data: p.data.map((v, i) => (mixed[i % p.d] ? -v : v)) };
        expectAllClose(
          hvContributions(flipped, ref.map((v, j) => (mixed[j] ? -v : v)), { maximize: mixed }),
          hvContributions(p, ref),
        );
      }),
      { numRuns: 80 },
    );
  });
});

describe('hvContributions: bad input', () => {
  const p = fromRows([[1, 2], [2, 1]]);
  it.each([
    ['NaN in points', { data: Float64Array.of(1, NaN), n: 1, d: 2 }, [3, 3], {}, /hvContributions: points must hold finite numbers/],
    ['Infinity in points', { data: Float64Array.of(1, Infinity), n: 1, d: 2 }, [3, 3], {}, /finite/],
    ['ref too short', p, [3], {}, /hvContributions: ref must have length 2 \(got 1\)/],
    ['NaN in ref', p, [3, NaN], {}, /hvContributions: ref\[1\] must be a finite number/],
    ['Infinity in ref', p, [Infinity, 3], {}, /ref\[0\]/],
    ['data length mismatch', { data: Float64Array.of(1, 2, 3), n: 2, d: 2 }, [3, 3], {}, /data must have length/],
    ['d = 0', { data: new Float64Array(0), n: 0, d: 0 }, [], {}, /d must be a positive integer/],
    ['not a Points object', [[1, 2]], [3, 3], {}, /points must be an object|data must be a Float64Array/],
    ['unknown algorithm', p, [3, 3], { algorithm: 'fast' }, /hvContributions: options.algorithm must be one of/],
    ['2d algorithm on 3-D data', fromRows([[1, 1, 1]]), [2, 2, 2], { algorithm: '2d' }, /algorithm '2d' needs d = 2 \(got 3\)/],
    ['3d algorithm on 2-D data', p, [3, 3], { algorithm: '3d' }, /algorithm '3d' needs d = 3 \(got 2\)/],
    ['maximize of the wrong length', p, [3, 3], { maximize: [true] }, /maximize must have one flag per objective/],
    ['options not an object', p, [3, 3], 7, /options must be an object/],
  ])('%s', (_name, points, ref, options, message) => {
    expect(() => hvContributions(points as Points, ref, options as never)).toThrow(message);
  });

  it('strict mode throws for a point outside the reference box', () => {
    expect(() => hvContributions(fromRows([[1, 1], [4, 0]]), [3, 3], { strict: true })).toThrow(FrontierError);
  });
});
