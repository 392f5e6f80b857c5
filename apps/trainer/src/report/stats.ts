import { Rng } from '@paretopo/random';

/** Result of {@link welchTTest}. */
export interface WelchTTest {
  /** Welch's t statistic, (mean(a) − mean(b)) / √(s²_a/n_a + s²_b/n_b); ±Infinity when both samples are constant with different means. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (n_a + n_b − 2 when both samples are constant). */
  df: number;
  /** Two-sided p-value, in [0, 1]. */
  p: number;
}

function assertSample(xs: ArrayLike<number>, fn: string, name: string): void {
  if (xs === null || typeof xs !== 'object' || typeof xs.length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of numbers (got ${String(xs)})`);
  }
  for (let i = 0; i < xs.length; i++) {
    if (typeof xs[i] !== 'number' || !Number.isFinite(xs[i])) {
      throw new RangeError(`${fn}: ${name}[${i}] must be a finite number (got ${String(xs[i])})`);
    }
  }
}

/** Mean, exactly the value for a constant sample (summing then dividing would round 0.1 × 3 / 3 up). */
function meanCore(xs: ArrayLike<number>): number {
  if (isConstant(xs)) return xs[0];
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

function isConstant(xs: ArrayLike<number>): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] !== xs[0]) return false;
  return true;
}

/** Sample variance (n − 1), exactly 0 for a constant sample so rounding in the mean cannot fake a spread. */
function varianceCore(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2 || isConstant(xs)) return 0;
  const m = meanCore(xs);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i] - m) * (xs[i] - m);
  return ss / (n - 1);
}

/**
 * Arithmetic mean of a non-empty sample.
 *
 * @param xs - finite numbers, at least one
 * @returns their mean
 * @example
 * mean([1, 2, 3, 6]); // 3
 */
export function mean(xs: ArrayLike<number>): number {
  assertSample(xs, 'mean', 'xs');
  if (xs.length === 0) throw new RangeError('mean: xs must hold at least 1 value (got 0)');
  return meanCore(xs);
}

/**
 * Sample standard deviation (Bessel's n − 1 divisor); 0 for fewer than 2 values and for a
 * constant sample.
 *
 * @param xs - finite numbers
 * @returns √(Σ(x − mean)² / (n − 1)), or 0 when n < 2
 * @example
 * sampleStd([2, 4, 4, 4, 5, 5, 7, 9]); // 2.138089935299395
 */
export function sampleStd(xs: ArrayLike<number>): number {
  assertSample(xs, 'sampleStd', 'xs');
  return Math.sqrt(varianceCore(xs));
}

// Lanczos approximation (g = 7, n = 9), relative error ~1e-15 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Continued fraction of I_x(a, b) by the modified Lentz method (Numerical Recipes §6.4, betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  const eps = 1e-15;
  const maxIter = 100_000;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < eps) return h;
  }
  throw new RangeError(`incompleteBeta: continued fraction did not converge for x = ${x}, a = ${a}, b = ${b}`);
}

/** I_x(a, b) given x and y = 1 − x separately, so callers can pass a y that did not lose digits to 1 − x. */
function incompleteBetaCore(x: number, y: number, a: number, b: number): number {
  if (x === 0) return 0;
  if (y === 0) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(y));
  // The fraction converges fast only for x < (a + 1)/(a + b + 2); use I_x(a, b) = 1 − I_y(b, a) beyond.
  const value = x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(y, b, a)) / b;
  return Math.min(1, Math.max(0, value));
}

/**
 * Regularized incomplete beta function I_x(a, b) = B(x; a, b) / B(a, b), by the continued
 * fraction of Numerical Recipes §6.4 evaluated with Lentz's method.
 *
 * @param x - in [0, 1]
 * @param a - > 0
 * @param b - > 0
 * @returns I_x(a, b), in [0, 1]
 * @example
 * incompleteBeta(0.5, 2, 2); // 0.5
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (typeof x !== 'number' || !(x >= 0 && x <= 1)) throw new RangeError(`incompleteBeta: x must be in [0, 1] (got ${String(x)})`);
  if (typeof a !== 'number' || !(a > 0) || !Number.isFinite(a)) throw new RangeError(`incompleteBeta: a must be a finite number > 0 (got ${String(a)})`);
  if (typeof b !== 'number' || !(b > 0) || !Number.isFinite(b)) throw new RangeError(`incompleteBeta: b must be a finite number > 0 (got ${String(b)})`);
  return incompleteBetaCore(x, 1 - x, a, b);
}

/** Two-sided tail P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, ½), with 1 − x formed as t²/(df + t²) to keep its digits. */
function twoSidedTail(t: number, df: number): number {
  const t2 = t * t;
  return incompleteBetaCore(df / (df + t2), t2 / (df + t2), df / 2, 0.5);
}

/**
 * Cumulative distribution function of Student's t distribution with `df` degrees of freedom,
 * P(T ≤ t) = 1 − ½·I_{df/(df+t²)}(df/2, ½) for t ≥ 0 (mirrored for t < 0).
 *
 * @param t - any number, ±Infinity allowed
 * @param df - degrees of freedom, > 0 (need not be an integer)
 * @returns P(T ≤ t)
 * @example
 * studentTCdf(1, 1); // 0.75 (Cauchy: ½ + atan(1)/π)
 */
export function studentTCdf(t: number, df: number): number {
  if (typeof t !== 'number' || Number.isNaN(t)) throw new RangeError(`studentTCdf: t must be a number (got ${String(t)})`);
  if (typeof df !== 'number' || !(df > 0) || !Number.isFinite(df)) throw new RangeError(`studentTCdf: df must be a finite number > 0 (got ${String(df)})`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * twoSidedTail(t, df);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Welch's unequal-variance two-sample t-test, two-sided.
 *
 * Degenerate cases, chosen so no NaN ever leaves: a sample with fewer than 2 values has no
 * variance estimate, so the result is `null`. When both samples are constant the standard error
 * is 0: equal means give t = 0, p = 1; different means give t = ±Infinity, p = 0 (a difference
 * with no noise at all); df is then n_a + n_b − 2.
 *
 * @param a - first sample (finite numbers)
 * @param b - second sample (finite numbers)
 * @returns `{ t, df, p }` with t > 0 when mean(a) > mean(b), or `null` when a or b has < 2 values
 * @example
 * welchTTest([1, 2, 3, 4], [3, 4, 5, 6]); // { t: -2.190890…, df: 6, p: 0.0710… }
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchTTest | null {
  assertSample(a, 'welchTTest', 'a');
  assertSample(b, 'welchTTest', 'b');
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return null;
  const diff = meanCore(a) - meanCore(b);
  const va = varianceCore(a) / na;
  const vb = varianceCore(b) / nb;
  const se2 = va + vb;
  if (se2 === 0) {
    const df = na + nb - 2;
    if (diff === 0) return { t: 0, df, p: 1 };
    return { t: diff > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (na - 1) + (vb * vb) / (nb - 1));
  const p = twoSidedTail(t, df);
  return { t, df, p };
}

/**
 * Quantile of a sorted sample by linear interpolation between order statistics (Hyndman & Fan
 * type 7, R's and NumPy's default): h = (n − 1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 *
 * @param sorted - finite numbers in ascending order, at least one
 * @param q - the probability, in [0, 1]
 * @returns the q-quantile
 * @example
 * quantileSorted([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: sorted must hold at least 1 value (got 0)');
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1] (got ${String(q)})`);
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Options of {@link pairedBootstrapCi}. */
export interface BootstrapOptions {
  /** Resamples [10,000]. */
  resamples?: number;
  /** Seed of the resampling stream [1]. */
  seed?: number;
  /** Coverage of the interval [0.95]. */
  level?: number;
}

// The checks both paired procedures share: a non-empty finite sample, and the resampling count
// and seed (defaults 10,000 and 1), validated in one place so their messages stay the same.
function pairedResampling(
  fn: string,
  diffs: ArrayLike<number>,
  options: { resamples?: number; seed?: number },
): { n: number; resamples: number; seed: number } {
  assertSample(diffs, fn, 'diffs');
  const n = diffs.length;
  if (n === 0) throw new RangeError(`${fn}: diffs must hold at least 1 value (got 0)`);
  const resamples = options.resamples ?? 10_000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`${fn}: options.resamples must be an integer ≥ 1 (got ${String(resamples)})`);
  if (!Number.isInteger(seed)) throw new RangeError(`${fn}: options.seed must be an integer (got ${String(seed)})`);
  return { n, resamples, seed };
}

/** A mean with its bootstrap confidence interval. */
export interface MeanCi {
  mean: number;
  lo: number;
  hi: number;
}

/**
 * Percentile bootstrap confidence interval of the mean of paired differences (Efron & Tibshirani
 * 1993, §13.3): `resamples` means of n values drawn with replacement by a seeded stream, and their
 * (1 − level)/2 and (1 + level)/2 quantiles (type 7). Seeded, so the same input gives the same
 * interval bit for bit (a committed report can be recomputed exactly).
 *
 * @param diffs - paired differences (finite), at least one
 * @param options - resamples, seed, level
 * @returns the mean of `diffs` and the interval
 * @throws RangeError on an empty or non-finite sample or bad options
 * @example
 * pairedBootstrapCi([0.02, 0.02, 0.02]); // { mean: 0.02, lo: 0.02, hi: 0.02 }
 */
export function pairedBootstrapCi(diffs: ArrayLike<number>, options: BootstrapOptions = {}): MeanCi {
  const fn = 'pairedBootstrapCi';
  const { n, resamples, seed } = pairedResampling(fn, diffs, options);
  const level = options.level ?? 0.95;
  if (typeof level !== 'number' || !(level > 0 && level < 1)) throw new RangeError(`${fn}: options.level must be in (0, 1) (got ${String(level)})`);
  const m = meanCore(diffs);
  // A constant sample resamples to itself; skipping the loop keeps the interval exactly [c, c].
  if (isConstant(diffs)) return { mean: m, lo: m, hi: m };
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += diffs[Math.floor(rng.next() * n)];
    means[b] = s / n;
  }
  means.sort();
  return { mean: m, lo: quantileSorted(means, (1 - level) / 2), hi: quantileSorted(means, (1 + level) / 2) };
}

/** Which side of zero the alternative hypothesis puts the mean difference. */
export type Alternative = 'greater' | 'less' | 'two-sided';

/** Options of {@link signFlipTest}. */
export interface SignFlipOptions {
  /** Which side the alternative is on [`'two-sided'`]. */
  alternative?: Alternative;
  /** Enumerate all 2^n sign patterns up to this many pairs [16]; beyond it, sample them. */
  exactMax?: number;
  /** Sampled sign patterns when n > exactMax [10,000]. */
  resamples?: number;
  /** Seed of the sampled patterns [1]. */
  seed?: number;
}

/** Result of {@link signFlipTest}. */
export interface SignFlipTest {
  /** Mean of the differences. */
  mean: number;
  p: number;
  /** Whether every sign pattern was enumerated (else p is a Monte Carlo estimate). */
  exact: boolean;
}

/**
 * Paired sign-flip permutation test of "the mean difference is 0" (Fisher 1935; Good 2005, §3.3):
 * under the null each paired difference is as likely negative as positive, so the observed sum is
 * compared with the sums over every sign pattern (2^n, enumerated for n ≤ `exactMax`), or with
 * `resamples` random patterns and p = (1 + hits)/(1 + resamples) beyond. A pattern counts as at
 * least as extreme within a relative 1e-9 of the observed sum, so sums that differ only by
 * rounding tie instead of flipping a count.
 *
 * @param diffs - paired differences (finite), at least one
 * @param options - alternative, exactMax, resamples, seed
 * @returns the mean difference, p and whether p is exact
 * @throws RangeError on an empty or non-finite sample or bad options
 * @example
 * signFlipTest([1, 2, 3, 4], { alternative: 'greater' }); // { mean: 2.5, p: 0.0625, exact: true }
 */
export function signFlipTest(diffs: ArrayLike<number>, options: SignFlipOptions = {}): SignFlipTest {
  const fn = 'signFlipTest';
  const { n, resamples, seed } = pairedResampling(fn, diffs, options);
  const alternative = options.alternative ?? 'two-sided';
  if (alternative !== 'greater' && alternative !== 'less' && alternative !== 'two-sided') {
    throw new RangeError(`${fn}: options.alternative must be 'greater', 'less' or 'two-sided' (got ${String(alternative)})`);
  }
  const exactMax = options.exactMax ?? 16;
  if (!Number.isInteger(exactMax) || exactMax < 0 || exactMax > 24) throw new RangeError(`${fn}: options.exactMax must be an integer in [0, 24] (got ${String(exactMax)})`);
  let observed = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    observed += diffs[i];
    scale += Math.abs(diffs[i]);
  }
  const tol = 1e-9 * scale;
  const extreme = (s: number): boolean =>
    alternative === 'greater' ? s >= observed - tol : alternative === 'less' ? s <= observed + tol : Math.abs(s) >= Math.abs(observed) - tol;
  let hits = 0;
  const exact = n <= exactMax;
  if (exact) {
    const patterns = 2 ** n;
    for (let mask = 0; mask < patterns; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (mask >>> i) & 1 ? -diffs[i] : diffs[i];
      if (extreme(s)) hits++;
    }
    return { mean: meanCore(diffs), p: hits / patterns, exact };
  }
  const rng = new Rng(seed);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.next() < 0.5 ? -diffs[i] : diffs[i];
    if (extreme(s)) hits++;
  }
  return { mean: meanCore(diffs), p: (1 + hits) / (1 + resamples), exact };
}

/**
 * Holm's step-down adjustment of p-values for a family of tests (Holm 1979): sorted ascending,
 * p̃₍ᵢ₎ = max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where p̃ ≤ α controls the
 * family-wise error rate at α. R's `p.adjust(p, "holm")`.
 *
 * @param ps - p-values in [0, 1]
 * @returns the adjusted p-values, in the input's order
 * @throws RangeError when a value is not in [0, 1]
 * @example
 * holmAdjust([0.01, 0.04, 0.03]); // [0.03, 0.06, 0.06]
 */
export function holmAdjust(ps: ArrayLike<number>): number[] {
  const fn = 'holmAdjust';
  assertSample(ps, fn, 'ps');
  const m = ps.length;
  for (let i = 0; i < m; i++) if (!(ps[i] >= 0 && ps[i] <= 1)) throw new RangeError(`${fn}: ps[${i}] must be in [0, 1] (got ${ps[i]})`);
  // Ties keep their input order so the result does not depend on the sort's stability.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => ps[a] - ps[b] || a - b);
  const out = new Array<number>(m);
  let running = 0;
  for (let k = 0; k < m; k++) {
    const i = order[k];
    running = Math.max(running, Math.min(1, (m - k) * ps[i]));
    out[i] = running;
  }
  return out;
}
