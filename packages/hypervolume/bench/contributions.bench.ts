import { bench, describe } from 'vitest';
import { hvContributions, hvImprovement } from '../src/contributions/index';
import { benchCase, type Kind } from './inputs';

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
  const { pts, ref, keys, opts } = benchCase(d, n, kind, 3);
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
  const { pts, ref, keys, opts } = benchCase(d, n, 'front', 3);
  const candidate = new Array(d).fill(0.5);
  describe(`hvImprovement ${d}-D, n = ${n}, front`, () => {
    bench('hvImprovement', () => {
      hvImprovement(pts, candidate, ref);
    }, opts);
    bench(`baseline: Float64Array.prototype.sort on ${n} numbers`, () => {
      keys.slice().sort();
    }, opts);
  });
}
