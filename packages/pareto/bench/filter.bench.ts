import { bench, describe } from 'vitest';
import { nondominatedFilter } from '../src/filter';
import { benchPoints } from '@paretopo/test-utils';

/** Non-dominated filtering sweeps (d = 2, 3) and the divide and conquer (d = 5), vs sorting n numbers. */
const cases: [d: number, n: number, kind: 'cube' | 'front' | 'rewards'][] = [
  [2, 1e6, 'cube'],
  [2, 1e6, 'front'],
  [3, 1e5, 'cube'],
  [3, 1e5, 'front'],
  [5, 1e4, 'cube'],
];

for (const [d, n, kind] of cases) {
  const points = benchPoints(n, d, kind === 'front' ? 'simplex' : kind, 2);
  const keys = points.data.slice(0, n);
  const opts = n >= 1e5 ? { time: 1500, iterations: 3, warmupIterations: 1 } : { time: 500 };
  describe(`nondominatedFilter ${d}-D n=${n} ${kind}`, () => {
    bench('nondominatedFilter', () => {
      nondominatedFilter(points);
    }, opts);
    bench('baseline: Float64Array.sort(n)', () => {
      keys.slice().sort();
    }, opts);
  });
}
