/**
 * An exact rational number: `num / den` with `den > 0` and `gcd(|num|, den) = 1`. Used by the
 * calculator and by numeric answer matching so that `0.1 + 0.2` is exactly `3/10` and products of
 * 4-digit numbers (or 1e30-sized ones) never lose digits.
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/**
 * Builds a reduced rational; the caller guarantees `den !== 0n`.
 *
 * @param num - Numerator.
 * @param den - Denominator (non-zero).
 * @returns The reduced rational with a positive denominator.
 * @example
 * rational(6n, -4n); // { num: -3n, den: 2n }
 */
export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('rational: den must be non-zero (got 0)');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** Sum. @example addRational(rational(1n, 2n), rational(1n, 3n)); // { num: 5n, den: 6n } */
export function addRational(a: Rational, b: Rational): Rational {
  if (a.den === 1n && b.den === 1n) return { num: a.num + b.num, den: 1n };
  return rational(a.num * b.den + b.num * a.den, a.den * b.den);
}

/** Difference. @example subRational(rational(1n), rational(1n, 2n)); // { num: 1n, den: 2n } */
export function subRational(a: Rational, b: Rational): Rational {
  if (a.den === 1n && b.den === 1n) return { num: a.num - b.num, den: 1n };
  return rational(a.num * b.den - b.num * a.den, a.den * b.den);
}

/** Product. @example mulRational(rational(2n, 3n), rational(3n)); // { num: 2n, den: 1n } */
export function mulRational(a: Rational, b: Rational): Rational {
  // Integer fast path: no gcd needed, which is most calculator traffic.
  if (a.den === 1n && b.den === 1n) return { num: a.num * b.num, den: 1n };
  return rational(a.num * b.num, a.den * b.den);
}

/**
 * Quotient, or `null` when dividing by zero.
 * @example divRational(rational(1n), rational(0n)); // null
 */
export function divRational(a: Rational, b: Rational): Rational | null {
  if (b.num === 0n) return null;
  return rational(a.num * b.den, a.den * b.num);
}

/** Exact equality. @example equalRational(rational(2n, 4n), rational(1n, 2n)); // true */
export function equalRational(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/**
 * Parses an unsigned decimal literal (`"12"`, `"1.50"`, `".5"`, `"3."`) exactly.
 *
 * @param text - Digits with at most one `.`; the caller has checked the shape.
 * @returns The exact value.
 * @example
 * decimalToRational('1.25'); // { num: 5n, den: 4n }
 */
export function decimalToRational(text: string): Rational {
  const dot = text.indexOf('.');
  if (dot < 0) return { num: BigInt(text), den: 1n };
  const intPart = text.slice(0, dot);
  const frac = text.slice(dot + 1);
  const num = BigInt((intPart === '' ? '0' : intPart) + frac);
  return rational(num, 10n ** BigInt(frac.length));
}

/** Options for {@link formatRational}. */
export interface FormatRationalOptions {
  /** Significant digits kept when a result must be rounded. Default 12. */
  significantDigits?: number;
  /** A terminating decimal with at most this many fraction digits is printed exactly. Default 20. */
  maxFractionDigits?: number;
}

function digitCount(n: bigint): number {
  return n === 0n ? 1 : n.toString().length;
}

function placePoint(digits: bigint, scale: number, negative: boolean): string {
  let s = digits.toString();
  if (scale > 0) {
    if (s.length <= scale) s = '0'.repeat(scale - s.length + 1) + s;
    s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
    s = s.replace(/0+$/, '').replace(/\.$/, '');
  } else if (scale < 0) {
    s += '0'.repeat(-scale);
  }
  return negative && s !== '0' ? `-${s}` : s;
}

/**
 * Prints a rational as a plain decimal (never exponent notation). Integers are printed exactly,
 * whatever their size. A fraction whose decimal expansion terminates within `maxFractionDigits`
 * digits is printed exactly (`3/8` → `0.375`). Anything else is rounded half away from zero to
 * `significantDigits` significant digits, but never loses integer digits (`1/3` →
 * `0.333333333333`, `10^15/7` → `142857142857143`); trailing fraction zeros are dropped.
 *
 * @param value - The number to print.
 * @param options - See {@link FormatRationalOptions}.
 * @returns The decimal text.
 * @example
 * formatRational(rational(2n, 3n)); // '0.666666666667'
 */
export function formatRational(value: Rational, options: FormatRationalOptions = {}): string {
  const sig = options.significantDigits ?? 12;
  const maxFrac = options.maxFractionDigits ?? 20;
  if (!Number.isInteger(sig) || sig < 1 || sig > 100) {
    throw new RangeError(`formatRational: options.significantDigits must be an integer in [1, 100] (got ${sig})`);
  }
  if (!Number.isInteger(maxFrac) || maxFrac < 0 || maxFrac > 1000) {
    throw new RangeError(`formatRational: options.maxFractionDigits must be an integer in [0, 1000] (got ${maxFrac})`);
  }
  const { num, den } = value;
  if (den === 1n) return num.toString();
  const negative = num < 0n;
  const a = negative ? -num : num;
  let d = den;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  const k = Math.max(twos, fives);
  if (d === 1n && k <= maxFrac) return placePoint((a * 10n ** BigInt(k)) / den, k, negative);
  const intDigits = a >= den ? digitCount(a / den) : 0;
  const keep = Math.max(sig, intDigits);
  // Estimate the decimal exponent from digit counts, then correct by one if the rounded
  // quotient came out one digit short or long.
  let scale = keep - (digitCount(a) - digitCount(den));
  for (let attempt = 0; attempt < 4; attempt++) {
    const q = roundedQuotient(a, den, scale);
    const n = digitCount(q);
    if (n > keep && q !== 0n) scale--;
    else if (n < keep) scale++;
    else return placePoint(q, scale, negative);
  }
  return placePoint(roundedQuotient(a, den, scale), scale, negative);
}

function roundedQuotient(a: bigint, den: bigint, scale: number): bigint {
  const scaledNum = scale >= 0 ? a * 10n ** BigInt(scale) : a;
  const scaledDen = scale >= 0 ? den : den * 10n ** BigInt(-scale);
  return (2n * scaledNum + scaledDen) / (2n * scaledDen);
}
