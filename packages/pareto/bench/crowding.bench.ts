import { bench, describe } from 'vitest';
import { crowdingDistanceByFront, rankAndCrowd } from '../src/crowding';
import { nondominatedRanksDeb } from '../src/sort/deb';
import { benchPoints } from '@paretopo/test-utils';

/**
 * The trainer's case: ranks + per-front crowding of 200 reward vectors (target ≤ 50 µs), against
 * Deb's O(d·n²) sort (+ the same crowding) and sorting 200 numbers.
 */
const cases: [d: number, n: number, kind: 'cube' | 'front' | 'rewards'][] = [
  [2, 200, 'rewards'],
  [2, 200, 'cube'],
  [3, 200, 'cube'],
];

for (const [d, n, kind] of cases) {
  const points = benchPoints(n, d, kind === 'front' ? 'simplex' : kind, 3);
  const keys = points.data.slice(0, n);
  const maximize = kind === 'rewards';
  describe(`rankAndCrowd ${d}-D n=${n} ${kind}`, () => {
    bench('rankAndCrowd', () => {
      rankAndCrowd(points, { maximize });
    });
    bench('Deb sort + crowdingDistanceByFront', () => {
      crowdingDistanceByFront(points, nondominatedRanksDeb(points, { maximize }), { maximize });
    });
    bench('baseline: Float64Array.sort(n)', () => {
      keys.slice().sort();
    });
  });
}
