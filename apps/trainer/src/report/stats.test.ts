import { expectClose } from '@paretopo/test-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holmAdjust, incompleteBeta, mean, pairedBootstrapCi, quantileSorted, sampleStd, signFlipTest, studentTCdf, welchTTest } from './stats';

/** Composite Simpson's rule on [lo, hi] with an even number of intervals. */
function simpson(f: (x: number) => number, lo: number, hi: number, intervals = 20_000): number {
  const h = (hi - lo) / intervals;
  let s = f(lo) + f(hi);
  for (let i = 1; i < intervals; i++) s += (i % 2 === 1 ? 4 : 2) * f(lo + i * h);
  return (s * h) / 3;
}

/**
 * Two-sided p of Student's t by integrating its density, needing no gamma function: x = √ν·cot φ
 * turns the heavy tail into sin^(ν−1) φ on [0, atan(√ν/|t|)], and φ = s² removes the infinite
 * slope at 0 that Simpson's rule would stumble on when 1 < ν < 2.
 */
function oracleTwoSidedP(t: number, df: number): number {
  const g = (s: number) => 2 * s * Math.sin(s * s) ** (df - 1);
  return simpson(g, 0, Math.sqrt(Math.atan(Math.sqrt(df) / Math.abs(t)))) / simpson(g, 0, Math.sqrt(Math.PI / 2));
}

/** I_x(a, b) as a ratio of two Simpson integrals of the beta kernel (a, b ≥ 2 keeps it smooth enough). */
function oracleIncompleteBeta(x: number, a: number, b: number): number {
  const k = (u: number) => u ** (a - 1) * (1 - u) ** (b - 1);
  return simpson(k, 0, x) / simpson(k, 0, 1);
}

// Welch's t-test examples of the Wikipedia article "Welch's t-test"; t, df and p from
// scipy.stats.ttest_ind(a, b, equal_var=False) (scipy 1.17).
const welchExamples: [number[], number[], number, number, number][] = [
  [
    [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4],
    [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4],
    -2.455356398286006, 24.988529290231416, 0.021378001462866992,
  ],
  [
    [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8],
    [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8],
    -1.5654335235985037, 9.904741248650831, 0.14884169660532817,
  ],
  [
    [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0],
    [28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3],
    -2.225512039969852, 24.524634944257343, 0.035484530830010394,
  ],
];

const sampleArb = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 2, maxLength: 12 });

describe('mean and sampleStd', () => {
  it.each<[number[], number, number]>([
    [[1, 2, 3, 6], 3, Math.sqrt(14 / 3)],
    [[2, 4, 4, 4, 5, 5, 7, 9], 5, Math.sqrt(32 / 7)],
    [[7], 7, 0],
    [[0.1, 0.1, 0.1], 0.1, 0],
  ])('%j → mean %d, std %d', (xs, m, s) => {
    expectClose(mean(xs), m, { rel: 1e-15 });
    expectClose(sampleStd(xs), s, { rel: 1e-15 });
  });

  it('gives std 0 for fewer than 2 values and rejects an empty mean', () => {
    expect(sampleStd([])).toBe(0);
    expect(() => mean([])).toThrow('mean: xs must hold at least 1 value (got 0)');
  });

  it('rejects NaN and non-arrays, naming the function, argument and value', () => {
    expect(() => mean([1, Number.NaN])).toThrow('mean: xs[1] must be a finite number (got NaN)');
    expect(() => sampleStd([Infinity])).toThrow('sampleStd: xs[0] must be a finite number (got Infinity)');
    expect(() => mean(null as never)).toThrow('mean: xs must be an array of numbers (got null)');
  });
});

describe('incompleteBeta and studentTCdf', () => {
  it.each<[number, number, number, number]>([
    [0.5, 2, 2, 0.5],
    [0.3, 2.5, 4.2, 0.37411551802650667], // scipy.stats.beta.cdf
    [0.9, 50, 0.5, 0.001204149832559813],
    [0, 3, 4, 0],
    [1, 3, 4, 1],
  ])('I_%d(%d, %d) = %d', (x, a, b, want) => {
    expectClose(incompleteBeta(x, a, b), want, { rel: 1e-12, abs: 1e-15 });
  });

  it('agrees with numerical integration of the beta kernel', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 2, max: 30, noNaN: true }), fc.double({ min: 2, max: 30, noNaN: true }), (x, a, b) => {
        expectClose(incompleteBeta(x, a, b), oracleIncompleteBeta(x, a, b), { abs: 1e-9, rel: 1e-7 });
      }),
      { numRuns: 40 },
    );
  });

  // At df = 1e5 the lgamma differences of the beta prefactor cancel to ~1e-11 relative error.
  it.each<[number, number, number, number]>([
    [2.228, 10, 0.9749941140914443, 1e-12], // scipy.stats.t.cdf
    [1.5, 3.7, 0.8932009153989933, 1e-12],
    [0.3, 1e5, 0.6179111104048312, 1e-10],
    [4, 2.5, 0.9804935120793409, 1e-12],
    [10, 1, 0.9682744825694465, 1e-12],
  ])('P(T ≤ %d; df %d) = %d', (t, df, want, rel) => {
    expectClose(studentTCdf(t, df), want, { rel });
    expectClose(studentTCdf(-t, df), 1 - want, { rel: 100 * rel });
  });

  it('matches the closed forms for df = 1 (Cauchy) and df = 2', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), (t) => {
        expectClose(studentTCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, { rel: 1e-12, abs: 1e-15 });
        expectClose(studentTCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), { rel: 1e-12, abs: 1e-15 });
      }),
    );
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTCdf(-Infinity, 3)).toBe(0);
  });

  it('rejects arguments out of range, naming them', () => {
    expect(() => incompleteBeta(1.5, 1, 1)).toThrow('incompleteBeta: x must be in [0, 1] (got 1.5)');
    expect(() => incompleteBeta(0.5, 0, 1)).toThrow('incompleteBeta: a must be a finite number > 0 (got 0)');
    expect(() => incompleteBeta(0.5, 1, Number.NaN)).toThrow('incompleteBeta: b must be a finite number > 0 (got NaN)');
    expect(() => studentTCdf(Number.NaN, 3)).toThrow('studentTCdf: t must be a number (got NaN)');
    expect(() => studentTCdf(1, -2)).toThrow('studentTCdf: df must be a finite number > 0 (got -2)');
  });
});

describe('welchTTest', () => {
  it.each(welchExamples)('Wikipedia example %#', (a, b, t, df, p) => {
    const r = welchTTest(a, b)!;
    expectClose(r.t, t, { rel: 1e-12 });
    expectClose(r.df, df, { rel: 1e-12 });
    expectClose(r.p, p, { rel: 1e-10 });
    expectClose(r.p, oracleTwoSidedP(t, df), { rel: 1e-8 });
  });

  it('returns null when a sample has fewer than 2 values', () => {
    expect(welchTTest([1], [1, 2, 3])).toBeNull();
    expect(welchTTest([1, 2], [])).toBeNull();
  });

  it('defines the both-constant case: p = 1 for equal means, p = 0 and t = ±Infinity otherwise', () => {
    expect(welchTTest([0.1, 0.1, 0.1], [0.1, 0.1])).toEqual({ t: 0, df: 3, p: 1 });
    expect(welchTTest([2, 2, 2], [1, 1])).toEqual({ t: Infinity, df: 3, p: 0 });
    expect(welchTTest([1, 1], [2, 2, 2])).toEqual({ t: -Infinity, df: 3, p: 0 });
  });

  it('uses the other sample alone when one is constant (df = n − 1 of the varying one)', () => {
    const r = welchTTest([5, 5, 5, 5], [1, 2, 3])!;
    expect(r.df).toBeCloseTo(2, 12);
    expectClose(r.t, 3 / Math.sqrt(1 / 3), { rel: 1e-12 });
  });

  it('rejects NaN in a sample, naming the argument', () => {
    expect(() => welchTTest([1, 2], [1, Number.NaN])).toThrow('welchTTest: b[1] must be a finite number (got NaN)');
  });

  it('negates t and keeps df and p when the samples are swapped', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (a, b) => {
        const ab = welchTTest(a, b)!;
        const ba = welchTTest(b, a)!;
        expect(ba.t === -ab.t).toBe(true);
        expect(ba.df).toBe(ab.df);
        expect(ba.p).toBe(ab.p);
      }),
    );
  });

  it('gives p in [0, 1] and df between min(n) − 1 and n_a + n_b − 2', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (a, b) => {
        const { p, df, t } = welchTTest(a, b)!;
        expect(Number.isNaN(t)).toBe(false);
        expect(p >= 0 && p <= 1).toBe(true);
        expect(df).toBeGreaterThanOrEqual(Math.min(a.length, b.length) - 1 - 1e-9);
        expect(df).toBeLessThanOrEqual(a.length + b.length - 2 + 1e-9);
      }),
    );
  });

  it('is invariant to a common shift and a common positive scale', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0.25, 2, 8), (a, b, c, k) => {
        const base = welchTTest(a, b)!;
        const moved = welchTTest(
          a.map((x) => k * x + c),
          b.map((x) => k * x + c),
        )!;
        if (Number.isFinite(base.t)) expectClose(moved.t, base.t, { rel: 1e-9, abs: 1e-9 });
        else expect(moved.t).toBe(base.t);
        expectClose(moved.df, base.df, { rel: 1e-9 });
        expectClose(moved.p, base.p, { rel: 1e-9, abs: 1e-12 });
      }),
    );
  });

  it('agrees with numerical integration of the t density', () => {
    fc.assert(
      fc.property(sampleArb, sampleArb, (a, b) => {
        const r = welchTTest(a, b)!;
        if (!Number.isFinite(r.t)) return;
        expectClose(r.p, oracleTwoSidedP(r.t, r.df), { abs: 1e-8, rel: 1e-6 });
      }),
      { numRuns: 40 },
    );
  });
});

/** Every sign pattern by recursion: the definition of the sign-flip null distribution of the sum. */
function oracleSignFlipP(d: readonly number[], alternative: 'greater' | 'less' | 'two-sided'): number {
  const sums: number[] = [];
  const walk = (i: number, s: number) => {
    if (i === d.length) sums.push(s);
    else {
      walk(i + 1, s + d[i]);
      walk(i + 1, s - d[i]);
    }
  };
  walk(0, 0);
  const obs = d.reduce((a, b) => a + b, 0);
  const tol = 1e-9 * d.reduce((a, b) => a + Math.abs(b), 0);
  const hit = (s: number) => (alternative === 'greater' ? s >= obs - tol : alternative === 'less' ? s <= obs + tol : Math.abs(s) >= Math.abs(obs) - tol);
  return sums.filter(hit).length / sums.length;
}

/** The exact bootstrap distribution of the mean: all n^n resamples, equally likely. */
function exactBootstrapMeans(d: readonly number[]): number[] {
  const n = d.length;
  const out: number[] = [];
  const idx = new Array<number>(n).fill(0);
  for (let k = 0; k < n ** n; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[idx[i]];
    out.push(s / n);
    for (let i = 0; i < n; i++) {
      if (++idx[i] < n) break;
      idx[i] = 0;
    }
  }
  return out.sort((a, b) => a - b);
}

describe('quantileSorted', () => {
  // numpy.quantile(x, q) (linear, type 7).
  it.each<[number[], number, number]>([
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4], 0.025, 1.075],
    [[1, 2, 3, 4], 0.975, 3.925],
    [[5], 0.3, 5],
    [[0, 10], 1, 10],
  ])('%j at %d → %d', (xs, q, v) => expectClose(quantileSorted(xs, q), v, { rel: 1e-12 }));

  it('rejects an empty sample and q outside [0, 1]', () => {
    expect(() => quantileSorted([], 0.5)).toThrow('quantileSorted: sorted must hold at least 1 value (got 0)');
    expect(() => quantileSorted([1], 1.5)).toThrow('quantileSorted: q must be in [0, 1] (got 1.5)');
  });
});

describe('pairedBootstrapCi', () => {
  it('a constant sample gives the point interval', () => {
    expect(pairedBootstrapCi([0.02, 0.02, 0.02])).toEqual({ mean: 0.02, lo: 0.02, hi: 0.02 });
  });

  it('[0, 1]: the resample means are 0, ½, 1 with probabilities ¼, ½, ¼, so the 95 % interval is [0, 1]', () => {
    expect(pairedBootstrapCi([0, 1])).toEqual({ mean: 0.5, lo: 0, hi: 1 });
  });

  it('is seeded: the same input and seed give the same interval, another seed another', () => {
    const d = [0.03, -0.01, 0.05, 0.02, 0.0, 0.04, -0.02, 0.01];
    expect(pairedBootstrapCi(d, { seed: 7 })).toEqual(pairedBootstrapCi(d, { seed: 7 }));
    expect(pairedBootstrapCi(d, { seed: 7 })).not.toEqual(pairedBootstrapCi(d, { seed: 8 }));
  });

  it('agrees with the exact bootstrap distribution (all n^n resamples) within Monte Carlo error', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 3, maxLength: 5 }), (ints) => {
        const d = ints.map((x) => x / 10);
        const exact = exactBootstrapMeans(d);
        const ci = pairedBootstrapCi(d, { resamples: 20_000, seed: 3 });
        // The exact distribution is discrete: the Monte Carlo percentile lies between the support
        // points whose exact CDF positions bracket it with a margin for sampling error.
        const below = (q: number) => exact[Math.floor(q * (exact.length - 1))] - 1e-12;
        const above = (q: number) => exact[Math.ceil(q * (exact.length - 1))] + 1e-12;
        expect(ci.lo).toBeGreaterThanOrEqual(below(0.015));
        expect(ci.lo).toBeLessThanOrEqual(above(0.035));
        expect(ci.hi).toBeGreaterThanOrEqual(below(0.965));
        expect(ci.hi).toBeLessThanOrEqual(above(0.985));
        expect(ci.lo).toBeLessThanOrEqual(ci.mean + 1e-12);
        expect(ci.hi).toBeGreaterThanOrEqual(ci.mean - 1e-12);
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => pairedBootstrapCi([])).toThrow('pairedBootstrapCi: diffs must hold at least 1 value (got 0)');
    expect(() => pairedBootstrapCi([1, Number.NaN])).toThrow('pairedBootstrapCi: diffs[1] must be a finite number (got NaN)');
    expect(() => pairedBootstrapCi([1, 2], { level: 1 })).toThrow('pairedBootstrapCi: options.level must be in (0, 1) (got 1)');
    expect(() => pairedBootstrapCi([1, 2], { resamples: 0 })).toThrow('options.resamples must be an integer ≥ 1 (got 0)');
  });
});

describe('signFlipTest', () => {
  it.each<[number[], 'greater' | 'less' | 'two-sided', number]>([
    // Four positive differences: only the identity pattern reaches the observed sum.
    [[1, 2, 3, 4], 'greater', 1 / 16],
    [[1, 2, 3, 4], 'less', 1],
    [[1, 2, 3, 4], 'two-sided', 2 / 16],
    // Sums ±1 ±2 ±3: {6, 4, 2, 0, 0, −2, −4, −6}; observed 0.
    [[1, 2, -3], 'greater', 5 / 8],
    [[1, 2, -3], 'two-sided', 1],
    // Eight equal positive differences: 1/256, the smallest p eight seeds can give.
    [[0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01], 'greater', 1 / 256],
    [[0, 0, 0], 'two-sided', 1],
  ])('%j %s → p = %d', (d, alternative, p) => {
    const r = signFlipTest(d, { alternative });
    expect(r.exact).toBe(true);
    expectClose(r.p, p, { rel: 1e-15 });
  });

  it('equals the recursive enumeration of every sign pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -9, max: 9 }), { minLength: 1, maxLength: 10 }), fc.constantFrom('greater' as const, 'less' as const, 'two-sided' as const), (ints, alt) => {
        const d = ints.map((x) => x / 100);
        expect(signFlipTest(d, { alternative: alt }).p).toBe(oracleSignFlipP(d, alt));
      }),
      { numRuns: 200, seed: 5 },
    );
  });

  it('beyond exactMax, samples patterns: close to the exact p, never 0', () => {
    const d = [0.3, -0.1, 0.2, 0.05, 0.1, -0.2, 0.15, 0.25, 0.1, -0.05, 0.2, 0.1];
    const exact = signFlipTest(d, { alternative: 'greater' });
    const mc = signFlipTest(d, { alternative: 'greater', exactMax: 4, resamples: 20_000, seed: 2 });
    expect(mc.exact).toBe(false);
    expect(Math.abs(mc.p - exact.p)).toBeLessThan(0.01);
    expect(signFlipTest([1, 1, 1, 1, 1, 1], { exactMax: 2, resamples: 10, alternative: 'greater' }).p).toBeGreaterThan(0);
  });

  it('rejects bad input, naming the argument', () => {
    expect(() => signFlipTest([])).toThrow('signFlipTest: diffs must hold at least 1 value (got 0)');
    expect(() => signFlipTest([Number.POSITIVE_INFINITY])).toThrow('signFlipTest: diffs[0] must be a finite number (got Infinity)');
    expect(() => signFlipTest([1], { alternative: 'up' as never })).toThrow("signFlipTest: options.alternative must be 'greater', 'less' or 'two-sided' (got up)");
  });
});

describe('holmAdjust', () => {
  // R: p.adjust(c(...), "holm").
  it.each<[number[], number[]]>([
    [[0.01, 0.02, 0.03, 0.04, 0.05], [0.05, 0.08, 0.09, 0.09, 0.09]],
    [[0.01, 0.04, 0.03], [0.03, 0.06, 0.06]],
    [[0.5, 0.6], [1, 1]],
    [[0.2], [0.2]],
    [[], []],
  ])('%j → %j', (ps, adj) => {
    const got = holmAdjust(ps);
    expect(got).toHaveLength(adj.length);
    got.forEach((v, i) => expectClose(v, adj[i], { rel: 1e-12 }));
  });

  it("rejects exactly the hypotheses of Holm's step-down procedure, at any α", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (ps, alpha) => {
        const m = ps.length;
        const order = ps.map((_, i) => i).sort((a, b) => ps[a] - ps[b] || a - b);
        const rejected = new Set<number>();
        for (let k = 0; k < m; k++) {
          if (ps[order[k]] * (m - k) > alpha) break;
          rejected.add(order[k]);
        }
        const adj = holmAdjust(ps);
        ps.forEach((_, i) => expect(adj[i] <= alpha, `p ${ps[i]}, adj ${adj[i]}, α ${alpha}`).toBe(rejected.has(i)));
        adj.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(ps[i]));
      }),
      { numRuns: 300, seed: 9 },
    );
  });

  it('rejects a value outside [0, 1]', () => {
    expect(() => holmAdjust([0.1, 1.2])).toThrow('holmAdjust: ps[1] must be in [0, 1] (got 1.2)');
  });
});
