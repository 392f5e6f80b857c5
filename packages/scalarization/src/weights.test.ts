import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectClose } from '@paretopo/test-utils';
import { dasDennis, dasDennisCount, dirichletWeights, randomSimplexWeights } from './weights';

const rows = (p: { data: Float64Array; n: number; d: number }) =>
  Array.from({ length: p.n }, (_, i) => Array.from(p.data.subarray(i * p.d, i * p.d + p.d)));

// Slow oracle: every k-tuple of numerators 0..H summing to H, in lexicographic order.
function slowLattice(k: number, H: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], left: number): void => {
    if (prefix.length === k - 1) {
      out.push([...prefix, left].map((c) => c / H));
      return;
    }
    for (let c = 0; c <= left; c++) rec([...prefix, c], left - c);
  };
  rec([], H);
  return out;
}

describe('dasDennis', () => {
  it.each([
    [3, 4, 15],
    [2, 1, 2],
    [2, 10, 11],
    [3, 12, 91], // MOEA/D's 3-objective setting (Zhang & Li 2007)
    [5, 6, 210],
    [1, 5, 1],
  ])('k = %d, H = %d gives C(H+k−1, k−1) = %d vectors, each summing to 1', (k, H, count) => {
    expect(dasDennisCount(k, H)).toBe(count);
    const p = dasDennis(k, H);
    expect(p.n).toBe(count);
    expect(p.d).toBe(k);
    for (const r of rows(p)) {
      expectClose(r.reduce((a, b) => a + b, 0), 1, { rel: 0, abs: 1e-15 });
      for (const x of r) expect(x).toBeGreaterThanOrEqual(0);
    }
  });

  it('lists the (2, 2) lattice in lexicographic order', () => {
    expect(rows(dasDennis(2, 2))).toEqual([[0, 1], [0.5, 0.5], [1, 0]]);
  });

  it('equals the recursive enumeration for every small (k, H)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 8 }), (k, H) => {
        expect(rows(dasDennis(k, H))).toEqual(slowLattice(k, H));
      }),
      { numRuns: 40 },
    );
  });

  it('rejects bad arguments', () => {
    expect(() => dasDennis(0, 3)).toThrow(/dasDennisCount: k must be an integer >= 1 \(got 0\)/);
    expect(() => dasDennis(3, 0)).toThrow(/dasDennisCount: divisions must be an integer >= 1 \(got 0\)/);
    expect(() => dasDennis(3, 2.5)).toThrow(/divisions must be an integer >= 1 \(got 2.5\)/);
    expect(() => dasDennis(20, 40)).toThrow(/dasDennis: the lattice for k = 20, divisions = 40 has/);
  });
});

describe('randomSimplexWeights', () => {
  it('draws on the simplex, reproducibly per seed', () => {
    const a = randomSimplexWeights(3, 200, { seed: 11 });
    expect(a.n).toBe(200);
    for (const r of rows(a)) {
      expectClose(r.reduce((s, x) => s + x, 0), 1, { rel: 0, abs: 1e-12 });
      for (const x of r) expect(x).toBeGreaterThanOrEqual(0);
    }
    expect(randomSimplexWeights(3, 200, { seed: 11 }).data).toEqual(a.data);
    expect(randomSimplexWeights(3, 200, { seed: 12 }).data).not.toEqual(a.data);
  });

  it('is uniform: marginal of one coordinate is Beta(1, k−1), mean 1/k, P(w_0 < 1/2) = 1 − 2^−(k−1)', () => {
    const k = 3;
    const n = 20000;
    const p = randomSimplexWeights(k, n, { seed: 5 });
    let mean = 0;
    let below = 0;
    for (let i = 0; i < n; i++) {
      mean += p.data[i * k];
      if (p.data[i * k] < 0.5) below++;
    }
    mean /= n;
    // Standard errors: sd(Beta(1,2)) = √(1/18) ≈ 0.236 → 0.0017; binomial(0.75) → 0.0031. Allow ~4 SE.
    expect(Math.abs(mean - 1 / 3)).toBeLessThan(0.007);
    expect(Math.abs(below / n - 0.75)).toBeLessThan(0.013);
  });

  it('rejects bad arguments', () => {
    expect(() => randomSimplexWeights(0, 1)).toThrow(/randomSimplexWeights: k must be an integer >= 1/);
    expect(() => randomSimplexWeights(2, -1)).toThrow(/randomSimplexWeights: n must be an integer >= 0 \(got -1\)/);
    expect(() => randomSimplexWeights(2, 1, { seed: 0.5 })).toThrow(/randomSimplexWeights: options.seed must be a safe integer \(got 0.5\)/);
  });
});

describe('dirichletWeights', () => {
  it.each([
    [[1, 1]],
    [[2, 1, 1]],
    [[0.3, 0.7]], // shapes below 1 use the Marsaglia–Tsang boost
    [[5, 5, 10]],
    [[0.01, 0.01]], // tiny shapes: log-space normalisation, never 0/0
  ])('alpha = %j: rows on the simplex with mean alpha/Σalpha', (alpha) => {
    const n = 20000;
    const k = alpha.length;
    const p = dirichletWeights(alpha, n, { seed: 42 });
    const a0 = alpha.reduce((s, x) => s + x, 0);
    const mean = new Array<number>(k).fill(0);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) {
        const x = p.data[i * k + j];
        if (!(Number.isFinite(x) && x >= 0)) bad++;
        mean[j] += x / n;
        s += x;
      }
      if (!(Math.abs(s - 1) < 1e-12)) bad++;
    }
    expect(bad, 'rows off the simplex').toBe(0);
    for (let j = 0; j < k; j++) {
      const m = alpha[j] / a0;
      // Var = m(1−m)/(a0+1); tolerance 5 standard errors of the mean.
      const se = Math.sqrt((m * (1 - m)) / (a0 + 1) / n);
      expect(Math.abs(mean[j] - m)).toBeLessThan(5 * se + 1e-12);
    }
  });

  it('matches the Dirichlet variance for alpha = (2, 3)', () => {
    const n = 40000;
    const p = dirichletWeights([2, 3], n, { seed: 9 });
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      s += p.data[2 * i];
      s2 += p.data[2 * i] ** 2;
    }
    const mean = s / n;
    const variance = s2 / n - mean * mean;
    expect(Math.abs(variance - (0.4 * 0.6) / 6)).toBeLessThan(0.002);
  });

  it('is deterministic per seed', () => {
    expect(dirichletWeights([1, 2], 50, { seed: 3 }).data).toEqual(dirichletWeights([1, 2], 50, { seed: 3 }).data);
    expect(dirichletWeights([1, 2], 50, { seed: 3 }).data).not.toEqual(dirichletWeights([1, 2], 50, { seed: 4 }).data);
  });

  it('rejects bad arguments', () => {
    expect(() => dirichletWeights([1, 0], 1)).toThrow(/dirichletWeights: alpha\[1\] must be a finite number > 0 \(got 0\)/);
    expect(() => dirichletWeights([1, Number.NaN], 1)).toThrow(/alpha\[1\] must be a finite number > 0 \(got NaN\)/);
    expect(() => dirichletWeights([], 1)).toThrow(/dirichletWeights: alpha must not be empty/);
    expect(() => dirichletWeights([1, 1], 1.5)).toThrow(/dirichletWeights: n must be an integer >= 0/);
  });
});
