import { bench, describe } from 'vitest';
import { estimateHypervolume, hypervolume } from '../src/index';
import { benchCase, type Kind } from './inputs';

const cases: [d: number, n: number, kind: Kind][] = [
  [2, 1e5, 'front'],
  [2, 1e5, 'cube'],
  [2, 1e6, 'front'],
  [2, 1e6, 'cube'],
  [3, 1e4, 'front'],
  [3, 1e4, 'cube'],
  [3, 1e5, 'front'],
  [3, 1e5, 'cube'],
  [4, 1000, 'front'],
  [4, 1000, 'cube'],
  [5, 1000, 'front'],
  [5, 1000, 'cube'],
];

for (const [d, n, kind] of cases) {
  const { pts, ref, keys, opts } = benchCase(d, n, kind, 1);
  describe(`hypervolume ${d}-D, n = ${n}, ${kind}`, () => {
    bench(`hypervolume (auto)`, () => {
      hypervolume(pts, ref);
    }, opts);
    bench(`baseline: Float64Array.prototype.sort on ${n} numbers`, () => {
      keys.slice().sort();
    }, opts);
  });
}

describe('estimateHypervolume, 1e5 samples, d = 10, n = 100 front points', () => {
  const { pts, ref } = benchCase(10, 100, 'front', 1);
  const keys = new Float64Array(1e5);
  for (let i = 0; i < keys.length; i++) keys[i] = Math.sin(i);
  bench('estimateHypervolume', () => {
    estimateHypervolume(pts, ref, { samples: 1e5, seed: 3 });
  }, { time: 500 });
  bench('baseline: Float64Array.prototype.sort on 1e5 numbers', () => {
    keys.slice().sort();
  }, { time: 500 });
});
