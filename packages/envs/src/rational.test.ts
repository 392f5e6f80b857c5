import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRational, decimalToRational, divRational, equalRational, mulRational, rational, subRational } from './rational';

const small = fc.bigInt({ min: -1000n, max: 1000n });
const nonZero = small.filter((x) => x !== 0n);
const rat = fc.tuple(small, nonZero).map(([n, d]) => rational(n, d));

function crossEqual(a: { num: bigint; den: bigint }, n: bigint, d: bigint): boolean {
  return a.num * d === n * a.den;
}

describe('rational arithmetic', () => {
  it('reduces and normalises the sign', () => {
    expect(rational(6n, -4n)).toEqual({ num: -3n, den: 2n });
    expect(rational(0n, -5n)).toEqual({ num: 0n, den: 1n });
    expect(() => rational(1n, 0n)).toThrow(/den must be non-zero/);
  });

  it('agrees with cross-multiplied reference formulas (oracle)', () => {
    fc.assert(
      fc.property(rat, rat, (a, b) => {
        expect(crossEqual(addRational(a, b), a.num * b.den + b.num * a.den, a.den * b.den)).toBe(true);
        expect(crossEqual(subRational(a, b), a.num * b.den - b.num * a.den, a.den * b.den)).toBe(true);
        expect(crossEqual(mulRational(a, b), a.num * b.num, a.den * b.den)).toBe(true);
        const q = divRational(a, b);
        if (b.num === 0n) expect(q).toBeNull();
        else expect(crossEqual(q!, a.num * b.den, a.den * b.num)).toBe(true);
        for (const r of [addRational(a, b), mulRational(a, b)]) expect(r.den > 0n).toBe(true);
      }),
    );
  });

  it.each([
    ['12', 12n, 1n],
    ['1.25', 5n, 4n],
    ['.5', 1n, 2n],
    ['3.', 3n, 1n],
    ['0.000', 0n, 1n],
  ])('decimalToRational(%s)', (text, num, den) => {
    expect(equalRational(decimalToRational(text), { num, den })).toBe(true);
  });
});
