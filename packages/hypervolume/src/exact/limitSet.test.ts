import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from '@paretopo/pareto/testing';
import { benchPoints, expectClose } from '@paretopo/test-utils';
import { hvSweepTo2d } from './exact';
import { hvInclusionExclusion } from './inclusionExclusion';
import { clippedFront, clippedFrontSorted4, limitScratch } from './limitSet';

/** Every limit row max(q, p), unfiltered: the obviously correct version. */
function fullLimitSet(p: Float64Array, rows: Float64Array, m: number, e: number, skip: number): Float64Array {
  const out: number[] = [];
  for (let a = 0; a < m; a++) {
    if (a === skip) continue;
    for (let j = 0; j < e; j++) out.push(Math.max(rows[a * e + j], p[j]));
  }
  return Float64Array.from(out);
}

describe('clippedFront', () => {
  it('keeps the union of the limit boxes (HV equals that of the full limit set), or reports a dominator', () => {
    const cases = fc.tuple(pointsArb({ d: { min: 2, max: 5 }, minN: 1, maxN: 10, min: 0, max: 4 }), fc.nat());
    fc.assert(
      fc.property(cases, ([pts, pick]) => {
        const { data, n, d } = pts;
        const skip = pick % (n + 1) === n ? -1 : pick % n;
        const p = skip >= 0 ? data.slice(skip * d, skip * d + d) : Float64Array.from({ length: d }, (_, j) => 1 + (j % 2));
        const ref = new Float64Array(d).fill(5);
        const out = new Float64Array(n * d);
        const scratch = limitScratch(n, d);
        const c = clippedFront(p, data, n, d, skip, out, scratch);
        const full = fullLimitSet(p, data, n, d, skip);
        const dominated = Array.from({ length: n }, (_, a) => a).some(
          (a) => a !== skip && Array.from({ length: d }, (_, j) => data[a * d + j] <= p[j]).every(Boolean),
        );
        expect(c < 0).toBe(dominated);
        if (c < 0) return;
        const want = hvInclusionExclusion(full, full.length / d, d, ref);
        expectClose(c === 0 ? 0 : hvInclusionExclusion(out, c, d, ref), want, { abs: 1e-9 });
        const geq = Array.from({ length: n }, (_, a) => a).filter(
          (a) => a !== skip && Array.from({ length: d }, (_, j) => data[a * d + j] >= p[j]).every(Boolean),
        );
        expect(Array.from(scratch.evictedRows.subarray(0, scratch.evicted))).toEqual(geq);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    [4, 30, 'cube'],
    [4, 150, 'sphere'],
    [5, 40, 'cube'],
    [5, 150, 'sphere'],
  ] as const)(
    'e = %i, %i rows (%s): same union as the full limit set, with more candidates than the insertion sort takes',
    (e, m, kind) => {
      const rows = benchPoints(m, e, kind, 3 + m).data;
      // p below every row (every row a candidate) and p inside the cloud (slabs prune most).
      for (const at of [0, 0.3]) {
        const p = new Float64Array(e).fill(at);
        const out = new Float64Array(m * e);
        const c = clippedFront(p, rows, m, e, -1, out, limitScratch(m, e));
        const full = fullLimitSet(p, rows, m, e, -1);
        const ref = new Float64Array(e).fill(1.1);
        expect(c).toBeGreaterThan(0);
        expectClose(hvSweepTo2d(out, c, e, ref), hvSweepTo2d(full, m, e, ref), { rel: 1e-12 });
      }
    },
  );

  it('e = 4, up to 60 rows on a small grid (ties, duplicates, shared objective sets): same union as the full limit set', () => {
    const cases = fc.tuple(pointsArb({ d: 4, minN: 1, maxN: 60, min: 0, max: 5 }), fc.nat());
    fc.assert(
      fc.property(cases, ([pts, pick]) => {
        const { data, n } = pts;
        const skip = pick % (n + 1) === n ? -1 : pick % n;
        const p = skip >= 0 ? data.slice(skip * 4, skip * 4 + 4) : Float64Array.of(1, 2, 1, 2);
        const out = new Float64Array(n * 4);
        const c = clippedFront(p, data, n, 4, skip, out, limitScratch(n, 4));
        if (c <= 0) return;
        const full = fullLimitSet(p, data, n, 4, skip);
        const ref = new Float64Array(4).fill(7);
        expect(hvSweepTo2d(out, c, 4, ref)).toBe(hvSweepTo2d(full, full.length / 4, 4, ref));
      }),
      { numRuns: 300 },
    );
  });
});

describe('clippedFrontSorted4 (rows sorted by objective 0, the d = 5 sweep\'s kept set)', () => {
  /** The rows of `data` stably sorted by their first objective. */
  function sortedByFirst(data: Float64Array, n: number): Float64Array {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => data[4 * a] - data[4 * b]);
    return Float64Array.from(order.flatMap((i) => Array.from(data.subarray(4 * i, 4 * i + 4))));
  }

  it('same union as the full limit set, the same dominator verdict, and the evicted rows among those it scans', () => {
    const cases = fc.tuple(pointsArb({ d: 4, minN: 1, maxN: 40, min: 0, max: 5 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }));
    fc.assert(
      fc.property(cases, ([pts, at]) => {
        const n = pts.n;
        const rows = sortedByFirst(pts.data, n);
        const p = Float64Array.from(at);
        const out = new Float64Array(n * 4);
        const scratch = limitScratch(n, 4);
        const c = clippedFrontSorted4(p, rows, n, out, scratch);
        const want = clippedFront(p, rows, n, 4, -1, new Float64Array(n * 4), limitScratch(n, 4));
        expect(c < 0).toBe(want < 0);
        if (c < 0) return;
        const full = fullLimitSet(p, rows, n, 4, -1);
        const ref = new Float64Array(4).fill(7);
        expect(c === 0 ? 0 : hvSweepTo2d(out, c, 4, ref)).toBe(hvSweepTo2d(full, n, 4, ref));
        const { scanned } = scratch;
        expect(scanned).toBeLessThanOrEqual(n);
        const geq = Array.from({ length: scanned }, (_, a) => a).filter((a) => [0, 1, 2, 3].every((j) => rows[4 * a + j] >= p[j]));
        expect(Array.from(scratch.evictedRows.subarray(0, scratch.evicted))).toEqual(geq);
        // Every row the scan skipped has q0 at or above a slab of objective 0 that it wrote.
        if (scanned < n) expect(out.subarray(0, 4 * c).some((v, k) => k % 4 === 0 && v <= rows[4 * scanned] && v > p[0])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
