import { bench, describe } from 'vitest';
import { nondominatedRanks } from '../src/sort/ranks';
import { benchPoints } from '@paretopo/test-utils';

/**
 * Non-dominated sorting against the simplest baseline that shares its O(n log n) floor:
 * `Float64Array.prototype.sort` on n numbers (copy included). Issue targets: 2-D 1e6 ≤ 800 ms,
 * 3-D 1e5 ≤ 450 ms, 5-D 1e4 ≤ 80 ms.
 */
const cases: [d: number, n: number, kind: 'cube' | 'front' | 'rewards'][] = [
  [2, 1e5, 'cube'],
  [2, 1e6, 'cube'],
  [2, 1e6, 'front'],
  [3, 1e4, 'cube'],
  [3, 1e5, 'cube'],
  [3, 1e5, 'front'],
  [5, 1e3, 'cube'],
  [5, 1e4, 'cube'],
  [5, 1e4, 'front'],
];

for (const [d, n, kind] of cases) {
  const points = benchPoints(n, d, kind === 'front' ? 'simplex' : kind);
  const keys = points.data.slice(0, n);
  const opts = n >= 1e5 ? { time: 1500, iterations: 3, warmupIterations: 1 } : { time: 500 };
  describe(`nondominatedRanks ${d}-D n=${n} ${kind}`, () => {
    bench('nondominatedRanks', () => {
      nondominatedRanks(points);
    }, opts);
    bench('baseline: Float64Array.sort(n)', () => {
      keys.slice().sort();
    }, opts);
  });
}
