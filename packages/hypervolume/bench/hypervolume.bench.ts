import { bench, describe } from 'vitest';
import { createRng, estimateHypervolume, hypervolume } from '../src/index';

type Kind = 'front' | 'cube';

/**
 * Seeded inputs. `front`: uniform directions on the positive unit sphere (almost all points
 * non-dominated, the hard case). `cube`: uniform in [0, 1)^d (most points dominated).
 */
function points(n: number, d: number, kind: Kind, seed = 1) {
  const rng = createRng(seed + 7919 * d + n);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (kind === 'cube') {
      for (let j = 0; j < d; j++) data[i * d + j] = rng.next();
      continue;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const g = Math.abs(Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next()));
      data[i * d + j] = g;
      norm += g * g;
    }
    const s = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) data[i * d + j] *= s;
  }
  return { data, n, d };
}

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
  const pts = points(n, d, kind);
  const ref = new Array(d).fill(1.1);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = pts.data[i * d];
  const big = n >= 1e5;
  const opts = big ? { iterations: 5, warmupIterations: 1, time: 0 } : { time: 300 };
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
  const pts = points(100, 10, 'front');
  const ref = new Array(10).fill(1.1);
  const keys = new Float64Array(1e5);
  for (let i = 0; i < keys.length; i++) keys[i] = Math.sin(i);
  bench('estimateHypervolume', () => {
    estimateHypervolume(pts, ref, { samples: 1e5, seed: 3 });
  }, { time: 500 });
  bench('baseline: Float64Array.prototype.sort on 1e5 numbers', () => {
    keys.slice().sort();
  }, { time: 500 });
});
