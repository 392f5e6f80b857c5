import { type Rational, decimalToRational, divRational, equalRational, rational } from './rational';

// One signed decimal or fraction; the text around it may hold words but no digits.
const NUMBER_RE = /^([^\d]*?)([-+]?)\s*(\d+(?:\.\d*)?|\.\d+)(?:\s*\/\s*(\d+(?:\.\d*)?|\.\d+))?([^\d]*)$/;

/**
 * Reads the single number in an answer string exactly: strips `$`/`\$`, `%`/`\%`, thousands
 * commas and surrounding words or units (`"1,234.50 dollars"` → 1234.5), and reads simple
 * fractions (`"3/4"` → 3/4). A percent sign is dropped, not divided by 100 (`"50%"` → 50), as
 * GSM8K-style graders do. Strings with two or more numbers, or none, give `null`.
 *
 * @param text - An answer string.
 * @returns The exact value, or `null`.
 * @example
 * parseNumber('$1,234.50 dollars'); // { num: 2469n, den: 2n }
 */
export function parseNumber(text: string): Rational | null {
  if (typeof text !== 'string' || text.length > 200) return null;
  const s = text
    .replace(/\\\$|\$|\\%|%/g, '')
    .replace(/[\u2212\u2013]/g, '-')
    .replace(/(\d),(?=\d{3}(?!\d))/g, '$1');
  const m = NUMBER_RE.exec(s);
  if (!m) return null;
  const [, before, sign, a, b] = m;
  // A '-' inside the leading words ("-- 5", "x-5") is ambiguous; refuse rather than guess.
  if (/[-+]/.test(before)) return null;
  let value = decimalToRational(a.endsWith('.') ? a.slice(0, -1) : a);
  if (b !== undefined) {
    const q = divRational(value, decimalToRational(b.endsWith('.') ? b.slice(0, -1) : b));
    if (q === null) return null;
    value = q;
  }
  return sign === '-' ? rational(-value.num, value.den) : value;
}

/**
 * Numeric answer equivalence: both strings hold one number ({@link parseNumber}) and the
 * numbers are equal, exactly by default or within a relative tolerance.
 *
 * @param prediction - The model's answer.
 * @param gold - The reference answer.
 * @param options - `relTol`: relative tolerance (default 0, exact).
 * @returns Whether both are numbers and equal.
 * @example
 * numericEqual('1,234.50 dollars', '1234.5'); // true
 */
export function numericEqual(prediction: string, gold: string, options: { relTol?: number } = {}): boolean {
  const relTol = options.relTol ?? 0;
  if (!(relTol >= 0) || !Number.isFinite(relTol)) {
    throw new RangeError(`numericEqual: options.relTol must be a finite number >= 0 (got ${relTol})`);
  }
  const p = parseNumber(prediction);
  const g = parseNumber(gold);
  if (p === null || g === null) return false;
  if (equalRational(p, g)) return true;
  if (relTol === 0) return false;
  const pv = Number(p.num) / Number(p.den);
  const gv = Number(g.num) / Number(g.den);
  return Math.abs(pv - gv) <= relTol * Math.max(Math.abs(gv), Number.MIN_VALUE);
}
