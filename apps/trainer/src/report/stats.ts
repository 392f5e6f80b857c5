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
