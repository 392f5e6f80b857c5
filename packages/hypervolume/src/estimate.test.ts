import { describe, expect, it } from 'vitest';
import { createRng } from './estimateRng';
import { estimateHypervolume } from './estimate';
import { hypervolume } from './hypervolume';

const P = (rows: number[][]) => ({ data: Float64Array.from(rows.flat()), n: rows.length, d: rows[0].length });
const four = P([[5, 5], [4, 6], [2, 7], [7, 4]]);

function randomFront(n: number, d: number, seed: number) {
  const rng = createRng(seed);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += (data[i * d + j] = rng.next() + 0.01);
    for (let j = 0; j < d; j++) data[i * d + j] /= s;
  }
  return { data, n, d };
}

describe('estimateHypervolume', () => {
  it.each([1, 2, 3, 12345])('is within 4 stderr of the exact value (seed %i)', (seed) => {
    const est = estimateHypervolume(four, [10, 10], { seed, samples: 20_000 });
    expect(est.samples).toBe(20_000);
    expect(est.stderr).toBeGreaterThan(0);
    expect(Math.abs(est.value - 38)).toBeLessThan(4 * est.stderr);
  });

  it.each([
    [5, 40],
    [8, 30],
  ])('many objectives: d = %i, n = %i within 4 stderr of the exact value', (d, n) => {
    const pts = randomFront(n, d, d);
    const ref = new Array(d).fill(0.6);
    const exact = hypervolume(pts, ref);
    const est = estimateHypervolume(pts, ref, { seed: 9, samples: 20_000 });
    expect(Math.abs(est.value - exact)).toBeLessThan(4 * est.stderr);
  });

  it('d = 20: within 4 stderr of inclusion–exclusion', () => {
    const pts = randomFront(6, 20, 20);
    const ref = new Array(20).fill(0.12);
    const exact = hypervolume(pts, ref, { algorithm: 'inclusion-exclusion' });
    const est = estimateHypervolume(pts, ref, { seed: 11, samples: 20_000 });
    expect(exact).toBeGreaterThan(0);
    expect(est.stderr).toBeGreaterThan(0);
    expect(Math.abs(est.value - exact)).toBeLessThan(4 * est.stderr);
  });

  it('the same seed gives the same value, another seed another one', () => {
    const a = estimateHypervolume(four, [10, 10], { seed: 5, samples: 1000 });
    expect(estimateHypervolume(four, [10, 10], { seed: 5, samples: 1000 })).toEqual(a);
    expect(estimateHypervolume(four, [10, 10], { seed: 6, samples: 1000 }).value).not.toBe(a.value);
  });

  it('honours maximize and a lower corner (box volume × fraction)', () => {
    const max = estimateHypervolume(four, [0, 0], { maximize: true, seed: 3, samples: 20_000 });
    expect(Math.abs(max.value - 39)).toBeLessThan(4 * max.stderr);
    // One point: everything in [lower, ref] beyond the point is covered only if lower = point.
    const one = estimateHypervolume(P([[1, 1]]), [3, 3], { lower: [1, 1], samples: 100 });
    expect(one).toEqual({ value: 4, stderr: 0, samples: 100 });
    const wide = estimateHypervolume(P([[1, 1]]), [3, 3], { lower: [-1, -1], samples: 20_000, seed: 4 });
    expect(Math.abs(wide.value - 4)).toBeLessThan(4 * wide.stderr);
    const maxLower = estimateHypervolume(P([[2, 2]]), [0, 0], { maximize: true, lower: [4, 4], samples: 20_000 });
    expect(Math.abs(maxLower.value - 4)).toBeLessThan(4 * maxLower.stderr);
  });

  it('an empty set gives 0 with stderr 0', () => {
    expect(estimateHypervolume({ data: new Float64Array(0), n: 0, d: 4 }, [1, 1, 1, 1])).toEqual({ value: 0, stderr: 0, samples: 100_000 });
  });

  it.each([
    ['NaN in points', P([[NaN, 1]]), [2, 2], {}, /estimateHypervolume: points must hold finite numbers/],
    ['ref of the wrong length', four, [1], {}, /estimateHypervolume: ref must have length 2 \(got 1\)/],
    ['samples 0', four, [10, 10], { samples: 0 }, /options.samples must be a positive integer \(got 0\)/],
    ['samples 1.5', four, [10, 10], { samples: 1.5 }, /options.samples must be a positive integer \(got 1.5\)/],
    ['seed NaN', four, [10, 10], { seed: NaN }, /options.seed must be a finite number \(got NaN\)/],
    ['lower above a point', four, [10, 10], { lower: [3, 3] }, /options.lower\[0\] must be at least as good as every point \(got 3\)/],
    ['lower beyond ref', P([[1, 1]]), [2, 2], { lower: [1, 2] }, /options.lower\[1\]/],
    ['lower with Infinity', four, [10, 10], { lower: [-Infinity, 0] }, /options.lower\[0\] must be a finite number/],
    ['strict', P([[1, 1], [3, 0]]), [2, 2], { strict: true }, /estimateHypervolume: point 1 does not strictly dominate/],
  ] as const)('rejects %s', (_name, pts, ref, opts, msg) => {
    expect(() => estimateHypervolume(pts, ref, opts as never)).toThrowError(msg);
  });
});

describe('createRng (internal)', () => {
  it.each([
    [42, [0.6606157226487994, 0.12688010395504534, 0.11170196393504739]],
    [0, [0.8868539538234472, 0.26395898405462503]],
  ])('seed %d gives the stream the estimator used before @paretopo/random', (seed, values) => {
    const rng = createRng(seed);
    expect(values.map(() => rng.next())).toEqual(values);
  });

  it('is deterministic, in [0, 1) and roughly uniform', () => {
    const a = createRng(42);
    const b = createRng(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a.next();
      expect(x).toBe(b.next());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });
});
