import { bench, describe } from 'vitest';
import { createRng } from '../src/estimateRng';
import { hvContributions, hvImprovement } from '../src/contributions/index';

type Kind = 'front' | 'cube';

/**
 * Seeded inputs. `front`: uniform directions on the positive unit sphere (every point
 * non-dominated, the hard case for contributions). `cube`: uniform in [0, 1)^d (most dominated).
 */
function points(n: number, d: number, kind: Kind, seed = 3) {
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
  [2, 1e6, 'front'],
  [2, 1e6, 'cube'],
  [3, 1e4, 'front'],
  [3, 1e5, 'front'],
  [3, 1e5, 'cube'],
  [4, 100, 'front'],
  [4, 1000, 'front'],
  [4, 1000, 'cube'],
  [5, 200, 'front'],
];

for (const [d, n, kind] of cases) {
  const pts = points(n, d, kind);
  const ref = new Array(d).fill(1.1);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = pts.data[i * d];
  const big = n >= 1e5;
  const opts = big ? { iterations: 5, warmupIterations: 1, time: 0 } : { time: 300 };
  describe(`hvContributions ${d}-D, n = ${n}, ${kind}`, () => {
    bench('hvContributions (auto)', () => {
      hvContributions(pts, ref);
    }, opts);
    bench(`baseline: Float64Array.prototype.sort on ${n} numbers`, () => {
      keys.slice().sort();
    }, opts);
  });
}

for (const [d, n] of [[2, 1e5], [3, 1e5], [4, 1000]] as const) {
  const pts = points(n, d, 'front');
  const candidate = new Array(d).fill(0.5);
  const ref = new Array(d).fill(1.1);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = pts.data[i * d];
  const opts = n >= 1e5 ? { iterations: 5, warmupIterations: 1, time: 0 } : { time: 300 };
  describe(`hvImprovement ${d}-D, n = ${n}, front`, () => {
    bench('hvImprovement', () => {
      hvImprovement(pts, candidate, ref);
    }, opts);
    bench(`baseline: Float64Array.prototype.sort on ${n} numbers`, () => {
      keys.slice().sort();
    }, opts);
  });
}
