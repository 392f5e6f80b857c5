import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from '@paretopo/pareto/testing';
import { expectClose } from '@paretopo/test-utils';
import { hypervolume } from '../hypervolume';
import type { HvAlgorithm } from '../hypervolume';
import { createRng } from '../estimateRng';
import { hvSlicing } from './slicing';

type Pts = { data: Float64Array; n: number; d: number };

/** The algorithms that accept dimension d. */
function algorithmsFor(d: number): HvAlgorithm[] {
  const all: HvAlgorithm[] = ['auto', 'sweep', 'sweep-2d'];
  if (d === 2) all.push('2d');
  if (d === 3) all.push('3d');
  if (d === 4) all.push('4d');
  return all;
}

function randomPoints(n: number, d: number, seed: number, kind: 'cube' | 'sphere' | 'grid'): Pts {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = kind === 'grid' ? Math.floor(rng.next() * 6) : kind === 'sphere' ? Math.abs(gauss(rng)) : rng.next();
      data[i * d + j] = v;
      norm += v * v;
    }
    if (kind === 'sphere') for (let j = 0; j < d; j++) data[i * d + j] /= Math.sqrt(norm);
  }
  return { data, n, d };
}

function gauss(rng: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

describe('exact cores vs the oracles on small random inputs (ties, duplicates, ref cuts)', () => {
  it.each([2, 3, 4])('d = %i: every algorithm = inclusion–exclusion = grid slicing', (d) => {
    fc.assert(
      fc.property(pointsArb({ d, maxN: 11 }), fc.integer({ min: 4, max: 11 }), (pts, r) => {
        const ref = new Array(d).fill(r);
        const oracle = hypervolume(pts, ref, { algorithm: 'inclusion-exclusion' });
        const rows: number[] = [];
        for (let i = 0; i < pts.n; i++) {
          const row = Array.from(pts.data.subarray(i * d, i * d + d));
          if (row.every((v) => v < r)) rows.push(...row);
        }
        const slicing = hvSlicing(Float64Array.from(rows), rows.length / d, d, Float64Array.from(ref));
        expect(slicing).toBe(oracle);
        for (const algorithm of algorithmsFor(d)) expect(hypervolume(pts, ref, { algorithm })).toBe(oracle);
      }),
      { numRuns: 150 },
    );
  });

  it.each([5, 6])('d = %i: every algorithm = inclusion–exclusion', (d) => {
    fc.assert(
      fc.property(pointsArb({ d, maxN: 10 }), fc.integer({ min: 4, max: 11 }), (pts, r) => {
        const ref = new Array(d).fill(r);
        const oracle = hypervolume(pts, ref, { algorithm: 'inclusion-exclusion' });
        for (const algorithm of algorithmsFor(d)) expect(hypervolume(pts, ref, { algorithm })).toBe(oracle);
      }),
      { numRuns: 60 },
    );
  });

  // The d = 5 sweep keeps its 4-D front sorted by the first objective and evicts lazily (only
  // the rows its filter scans): long runs of steps on a small grid, full of ties in that
  // objective, against the grid oracle.
  it('d = 5, up to 60 points on a 5-value grid: auto and sweep-2d = grid slicing', () => {
    fc.assert(
      fc.property(pointsArb({ d: 5, minN: 1, maxN: 60, min: 0, max: 4 }), (pts) => {
        const ref = [5, 5, 5, 5, 5];
        const oracle = hvSlicing(pts.data, pts.n, 5, Float64Array.from(ref));
        expect(hypervolume(pts, ref)).toBe(oracle);
        expect(hypervolume(pts, ref, { algorithm: 'sweep-2d' })).toBe(oracle);
      }),
      { numRuns: 60 },
    );
  });

  it('real-valued points: every algorithm within 1e-12 relative of inclusion–exclusion', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 5 }, maxN: 10, values: 'real', min: -1, max: 1 }), (pts) => {
        const ref = new Array(pts.d).fill(1.5);
        const oracle = hypervolume(pts, ref, { algorithm: 'inclusion-exclusion' });
        for (const algorithm of algorithmsFor(pts.d)) expectClose(hypervolume(pts, ref, { algorithm }), oracle, { rel: 1e-12, abs: 1e-12 });
      }),
      { numRuns: 80 },
    );
  });
});

describe('exact cores vs each other on larger inputs', () => {
  it.each([
    [3, 2000, 'sphere'],
    [3, 2000, 'grid'],
    [3, 1000, 'cube'],
    [4, 400, 'sphere'],
    [4, 400, 'grid'],
    [4, 400, 'cube'],
    [5, 150, 'sphere'],
    [5, 200, 'grid'],
    [6, 60, 'sphere'],
  ] as const)('d = %i, n = %i, %s', (d, n, kind) => {
    const pts = randomPoints(n, d, 100 + n + d, kind);
    const ref = new Array(d).fill(kind === 'grid' ? 6 : 1.1);
    const values = algorithmsFor(d).map((algorithm) => hypervolume(pts, ref, { algorithm }));
    for (const v of values) expectClose(v, values[0], { rel: 1e-10 });
    expect(values[0]).toBeGreaterThan(0);
  });

  it.each([
    [2, 5000],
    [3, 3000],
  ])('a constant extra objective multiplies the (d−1)-volume: d − 1 = %i, n = %i', (e, n) => {
    const base = randomPoints(n, e, 7 * n, 'sphere');
    const lifted = new Float64Array(n * (e + 1));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < e; j++) lifted[i * (e + 1) + j] = base.data[i * e + j];
      lifted[i * (e + 1) + e] = 0.25;
    }
    const low = hypervolume(base, new Array(e).fill(1.1));
    const high = hypervolume({ data: lifted, n, d: e + 1 }, [...new Array(e).fill(1.1), 2]);
    expectClose(high, low * 1.75, { rel: 1e-12 });
  });

  it('2-D sweep = 3-D with a constant third objective at n = 1e5 (radix-sort path)', () => {
    const n = 100_000;
    const base = randomPoints(n, 2, 3, 'sphere');
    const lifted = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      lifted[3 * i] = base.data[2 * i];
      lifted[3 * i + 1] = base.data[2 * i + 1];
      lifted[3 * i + 2] = 0;
    }
    expectClose(hypervolume({ data: lifted, n, d: 3 }, [1.1, 1.1, 1]), hypervolume(base, [1.1, 1.1]), { rel: 1e-11 });
  });

  it('results do not depend on earlier calls (the sweep levels reuse their buffers)', () => {
    const big = randomPoints(150, 5, 11, 'sphere');
    const six = randomPoints(40, 6, 12, 'sphere');
    const small = randomPoints(9, 5, 13, 'cube');
    const ref5 = new Array(5).fill(1.1);
    const ref6 = new Array(6).fill(1.1);
    const first = [hypervolume(big, ref5), hypervolume(six, ref6), hypervolume(small, ref5)];
    const again = [hypervolume(big, ref5), hypervolume(six, ref6), hypervolume(small, ref5)];
    expect(again).toEqual(first);
    expectClose(hypervolume(small, ref5), hypervolume(small, ref5, { algorithm: 'inclusion-exclusion' }), { rel: 1e-12 });
  });

  it('past the pooled size (5000 points in 5-D, a constant fifth objective): the 4-D volume times its extent', () => {
    const n = 5000;
    const base = randomPoints(n, 4, 21, 'cube');
    const lifted = new Float64Array(n * 5);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) lifted[i * 5 + j] = base.data[i * 4 + j];
      lifted[i * 5 + 4] = 0.5;
    }
    const low = hypervolume(base, [1.1, 1.1, 1.1, 1.1]);
    expectClose(hypervolume({ data: lifted, n, d: 5 }, [1.1, 1.1, 1.1, 1.1, 2]), low * 1.5, { rel: 1e-12 });
  });
});
