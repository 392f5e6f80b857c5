import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { f64, maxMixedError, numericGradient, dot, randomF64 } from './gradCheck';
import { gelu64, geluBackwardJs, geluBackwardOp, geluBackwardReference, geluJs, geluOp, geluReference, tanhRational } from './gelu';

describe('gelu', () => {
  // Values of 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))), computed by hand / with a calculator.
  it.each([
    [0, 0],
    [1, 0.8411919906],
    [-1, -0.1588080094],
    [2, 1.9545976],
    [-3, -0.0036373],
    [10, 10],
    [-10, 0],
  ])('gelu(%f) = %f', (x, expected) => {
    expect(gelu64(x)).toBeCloseTo(expected, 6);
    const out = new Float32Array(1);
    geluJs({ x: Float32Array.of(x), out, n: 1 });
    expect(out[0]).toBeCloseTo(expected, 5);
  });

  // Math.tanh is the oracle of the rational tanh the fast GELU uses.
  it.each([0, 1e-8, 0.1, 0.5, 1, 2, 3.5, 5, 7, 7.9, 7.95, 20, -0.5, -3, -7.9, -100])('tanhRational(%f) is within 3e-7 of Math.tanh', (u) => {
    expect(Math.abs(tanhRational(u) - Math.tanh(u))).toBeLessThan(3e-7);
  });

  it('tanhRational is exactly ±1 past the clamp and keeps NaN and signed zero', () => {
    expect([tanhRational(7.91), tanhRational(-7.91), tanhRational(Infinity), tanhRational(-Infinity)]).toEqual([1, -1, 1, -1]);
    expect(Number.isNaN(tanhRational(NaN))).toBe(true);
    expect(Object.is(tanhRational(-0), -0)).toBe(true);
  });

  it('tanhRational laws: odd, in [−1, 1], within 3e-7 of Math.tanh, non-decreasing', () => {
    const u = fc.double({ min: -50, max: 50, noNaN: true });
    fc.assert(
      fc.property(u, u, (a, b) => {
        const ta = tanhRational(a);
        expect(tanhRational(-a)).toBe(-ta);
        expect(Math.abs(ta)).toBeLessThanOrEqual(1);
        expect(Math.abs(ta - Math.tanh(a))).toBeLessThan(3e-7);
        if (a <= b) expect(ta).toBeLessThanOrEqual(tanhRational(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('tanhRational on a dense grid: error under 3e-7, never decreasing', () => {
    let prev = -1;
    for (let u = -9; u <= 9; u += 1e-3) {
      const t = tanhRational(u);
      expect(Math.abs(t - Math.tanh(u))).toBeLessThan(3e-7);
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
  });

  it('never produces NaN for huge inputs (tanh clamped to ±1)', () => {
    const out = new Float32Array(4);
    geluJs({ x: Float32Array.of(1e4, -1e4, 3e38, -3e38), out, n: 4 });
    expect(Array.from(out.subarray(0, 2))).toEqual([1e4, -0]);
    expect(Number.isNaN(out[2]) || Number.isNaN(out[3])).toBe(false);
  });

  it('js matches the reference on seeded random inputs', () => {
    const rng = caseRng(7);
    const x = rng.f32(2000, -8, 8);
    const a = new Float32Array(2000);
    const b = new Float32Array(2000);
    geluReference({ x, out: a, n: 2000 });
    geluJs({ x, out: b, n: 2000 });
    expect(maxMixedError(b, a)).toBeLessThan(1e-6);
    const dOut = rng.f32(2000);
    geluBackwardReference({ x, dOut, dx: a, n: 2000 });
    geluBackwardJs({ x, dOut, dx: b, n: 2000 });
    expect(maxMixedError(b, a)).toBeLessThan(1e-6);
  });

  it('backward: within 5e-7 of the reference on a dense grid, across the switch from the rational tanh to exp (|u| = 5)', () => {
    const n = 16001;
    const x = Float32Array.from({ length: n }, (_, i) => -8 + i / 1000);
    const dOut = new Float32Array(n).fill(1);
    const a = new Float32Array(n);
    const b = new Float32Array(n);
    geluBackwardReference({ x, dOut, dx: a, n });
    geluBackwardJs({ x, dOut, dx: b, n });
    expect(maxMixedError(b, a)).toBeLessThan(5e-7);
  });

  it('backward matches central finite differences in float64', () => {
    const n = 40;
    const x = randomF64(n, 3, -4, 4);
    const c = randomF64(n, 4);
    const out = f64(n);
    const dx = f64(n);
    geluBackwardReference({ x, dOut: c, dx, n });
    const numeric = numericGradient(x, () => {
      geluReference({ x, out, n });
      return dot(c, out);
    });
    expect(maxMixedError(dx, numeric)).toBeLessThan(1e-7);
  });

  it('only touches the first n entries', () => {
    const out = Float32Array.of(9, 9, 9);
    geluJs({ x: Float32Array.of(0, 0, 0), out, n: 2 });
    expect(Array.from(out)).toEqual([0, 0, 9]);
  });

  it.each([
    ['n = 0', { x: new Float32Array(1), out: new Float32Array(1), n: 0 }, /gelu: n must be an integer >= 1 \(got 0\)/],
    ['short x', { x: new Float32Array(1), out: new Float32Array(2), n: 2 }, /gelu: x must have length >= 2 \(got 1\)/],
    ['x not f32', { x: [1, 2], out: new Float32Array(2), n: 2 }, /gelu: x must be a Float32Array/],
  ])('validate rejects %s', (_, args, message) => {
    expect(() => geluOp.validate(args as never)).toThrow(message);
  });

  it('geluBackward validate names dOut', () => {
    expect(() => geluBackwardOp.validate({ x: new Float32Array(2), dOut: new Float32Array(1), dx: new Float32Array(2), n: 2 })).toThrow(
      /geluBackward: dOut must have length >= 2 \(got 1\)/,
    );
  });
});
