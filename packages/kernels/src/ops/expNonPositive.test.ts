import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@paretopo/random';
import { expNonPositive } from './expNonPositive';

// Neighbouring doubles, for the branch boundaries.
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const step = (x: number, by: number): number => {
  f64[0] = x;
  u64[0] = BigInt.asUintN(64, u64[0] + BigInt(by));
  return f64[0];
};

describe('expNonPositive: Math.exp bit for bit', () => {
  it.each([
    ['zeros, infinities, NaN, positives', [0, -0, -Infinity, Number.NaN, 1, 0.5, 710, Number.MIN_VALUE]],
    ['branch boundaries (0.5 ln2, 1.5 ln2, 2⁻²⁸, −700) and their neighbours', [-0.5 * Math.LN2, -1.5 * Math.LN2, -(2 ** -28), -700, -708.4, -745.2].flatMap((x) => [-3, -2, -1, 0, 1, 2, 3].map((k) => step(x, k)))],
    ['small integers and halves', Array.from({ length: 161 }, (_, i) => -i / 2)],
  ])('%s', (_, xs) => {
    for (const x of xs) expect(Object.is(expNonPositive(x), Math.exp(x)), `x = ${x}`).toBe(true);
  });

  it('agrees on every double of a stretch where the general reduction would round k to −1 but fdlibm takes k = 0 (just above 0.5 ln2)', () => {
    let x = -0.3465735912322998; // fdlibm's bound: hx = 0x3fd62e43
    for (let i = 0; i < 1_000_000; i++) {
      x = step(x, -1);
      if (!Object.is(expNonPositive(x), Math.exp(x))) expect(expNonPositive(x), `x = ${x}`).toBe(Math.exp(x));
    }
    const rng = new Rng(2);
    for (let i = 0; i < 300_000; i++) {
      const y = -(0.34657359027997264 + rng.next() * 9.6e-10);
      if (!Object.is(expNonPositive(y), Math.exp(y))) expect(expNonPositive(y), `x = ${y}`).toBe(Math.exp(y));
    }
  });

  it('agrees on 10⁶ seeded arguments over every range it branches on', () => {
    const rng = new Rng(1);
    for (const scale of [1e-9, 1e-3, 0.5, 1.2, 3, 40, 720]) {
      for (let i = 0; i < 150_000; i++) {
        const x = -rng.next() * scale;
        if (!Object.is(expNonPositive(x), Math.exp(x))) expect(expNonPositive(x), `x = ${x}`).toBe(Math.exp(x));
      }
    }
  });

  it('agrees on the arguments GELU gives it (−2|u| of every float32 in a dense sweep of [−12, 12])', () => {
    const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    const f32 = new Float32Array(1);
    for (let i = 0; i <= 2_000_000; i++) {
      f32[0] = -12 + (24 * i) / 2_000_000;
      const x = f32[0];
      const a = -2 * Math.abs(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
      if (!Object.is(expNonPositive(a), Math.exp(a))) expect(expNonPositive(a), `x = ${x}`).toBe(Math.exp(a));
    }
  });

  it('law: equals Math.exp for any double ≤ 0', () => {
    fc.assert(fc.property(fc.double({ max: 0, noNaN: true }), (x) => Object.is(expNonPositive(x), Math.exp(x))), { numRuns: 20_000 });
  });
});
