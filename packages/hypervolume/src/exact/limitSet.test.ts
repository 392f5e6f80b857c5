import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from '@paretopo/pareto/testing';
import { benchPoints, expectClose } from '@paretopo/test-utils';
import { hvSweepTo2d } from './exact';
import { hvInclusionExclusion } from './inclusionExclusion';
import { clippedFront, limitScratch } from './limitSet';

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
        for (let a = 0; a < n; a++) {
          if (a === skip) continue;
          const geq = Array.from({ length: d }, (_, j) => data[a * d + j] >= p[j]).every(Boolean);
          expect((scratch.outside[a] & 0x80) !== 0).toBe(geq);
        }
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
