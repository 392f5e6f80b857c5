import { bench, describe } from 'vitest';
import { augmentedTchebycheffBatch, pbiBatch, tchebycheffBatch, weightedSumBatch } from '../src/index';
import { seededRng } from '../src/rng';

// Scalarising n reward vectors of 3 objectives into n utilities, versus one copy of the input.
const K = 3;
const rng = seededRng(7);
const w = Float64Array.of(0.5, 0.3, 0.2);
const z = Float64Array.of(1, 1, 1);

for (const n of [10_000, 1_000_000]) {
  const data = new Float64Array(n * K);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  const points = { data, n, d: K };
  const copy = new Float64Array(n * K);
  const out = new Float64Array(n);

  describe(`scalarise ${n.toLocaleString('en')} × 3`, () => {
    bench('baseline: copy the rewards (Float64Array.prototype.set)', () => {
      copy.set(data);
    });
    bench('weightedSumBatch', () => {
      weightedSumBatch(points, w, { out });
    });
    bench('tchebycheffBatch', () => {
      tchebycheffBatch(points, w, z, { out });
    });
    bench('augmentedTchebycheffBatch', () => {
      augmentedTchebycheffBatch(points, w, z, { out });
    });
    bench('pbiBatch', () => {
      pbiBatch(points, w, z, { out });
    });
  });
}
