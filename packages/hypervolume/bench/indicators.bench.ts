import { bench, describe } from 'vitest';
import { benchPoints } from '@paretopo/test-utils';
import { additiveEpsilon, gdPlus, igd, igdPlus, multiplicativeEpsilon } from '../src/indicators/index';

/** Seeded points on the positive unit sphere, shifted by `offset` (> 0 keeps every value positive). */
function sphere(n: number, d: number, seed: number, offset: number) {
  const pts = benchPoints(n, d, 'sphere', seed);
  for (let i = 0; i < pts.data.length; i++) pts.data[i] += offset;
  return pts;
}

for (const [n, d] of [[100, 2], [1000, 2], [1000, 3], [1000, 5]] as const) {
  const approximation = sphere(n, d, 11 * d + n, 0.05);
  const reference = sphere(n, d, 13 * d + n, 0.01);
  const opts = { time: 300 };
  describe(`indicators ${n}×${n}, d = ${d}`, () => {
    bench('igd', () => {
      igd(approximation, reference);
    }, opts);
    bench('igdPlus', () => {
      igdPlus(approximation, reference);
    }, opts);
    bench('gdPlus', () => {
      gdPlus(approximation, reference);
    }, opts);
    bench('additiveEpsilon', () => {
      additiveEpsilon(approximation, reference);
    }, opts);
    bench('multiplicativeEpsilon', () => {
      multiplicativeEpsilon(approximation, reference);
    }, opts);
    bench('baseline: one pass over both sets (sum of all values)', () => {
      let s = 0;
      const a = approximation.data;
      const r = reference.data;
      for (let i = 0; i < a.length; i++) s += a[i];
      for (let i = 0; i < r.length; i++) s += r[i];
      if (s === -1) throw new Error('unreachable');
    }, opts);
  });
}
