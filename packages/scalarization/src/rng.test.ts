import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeededRng, sampleGamma, sampleStandardNormal } from './rng';

describe('SeededRng', () => {
  it('is deterministic per seed and distinct across seeds and derived keys', () => {
    const draw = (r: SeededRng) => Array.from({ length: 8 }, () => r.nextUint32());
    expect(draw(new SeededRng(1))).toEqual(draw(new SeededRng(1)));
    expect(draw(new SeededRng(1))).not.toEqual(draw(new SeededRng(2)));
    expect(draw(new SeededRng(-1))).not.toEqual(draw(new SeededRng(2 ** 32 - 1)));
    expect(draw(SeededRng.derive(5, 3))).toEqual(draw(SeededRng.derive(5, 3)));
    expect(draw(SeededRng.derive(5, 3))).not.toEqual(draw(SeededRng.derive(5, 4)));
    expect(draw(SeededRng.derive(5, 3))).not.toEqual(draw(SeededRng.derive(6, 3)));
  });

  it('restores from its state and continues identically', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 50 }), (seed, skip) => {
        const a = new SeededRng(seed);
        for (let i = 0; i < skip; i++) a.nextUint32();
        const b = SeededRng.fromState(JSON.parse(JSON.stringify(a.state())));
        for (let i = 0; i < 5; i++) expect(b.nextFloat()).toBe(a.nextFloat());
      }),
    );
  });

  it('gives uniform floats in [0, 1) (mean and variance within tolerance)', () => {
    const r = new SeededRng(123);
    const n = 50000;
    let s = 0;
    let s2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = r.nextFloat();
      if (!(u >= 0 && u < 1)) outside++;
      s += u;
      s2 += u * u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.006);
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.003);
  });

  it('rejects bad seeds and states', () => {
    expect(() => new SeededRng(1.5)).toThrow(/SeededRng: seed must be a safe integer \(got 1.5\)/);
    expect(() => SeededRng.derive(0, Number.NaN)).toThrow(/SeededRng.derive: keys\[0\] must be a safe integer \(got NaN\)/);
    expect(() => SeededRng.fromState([0, 0, 0, 0])).toThrow(/must not be all zeros/);
    expect(() => SeededRng.fromState([1, 2, 3])).toThrow(/state must be an array of 4 integers/);
    expect(() => SeededRng.fromState([1, 2, 3, 2 ** 32])).toThrow(/state\[3\] must be an integer in \[0, 2\^32\)/);
  });
});

describe('samplers', () => {
  it.each([[0.5], [1], [2.5], [10]])('Gamma(%d) has mean ≈ shape and variance ≈ shape', (shape) => {
    const r = new SeededRng(7);
    const n = 30000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const g = sampleGamma(shape, r);
      s += g;
      s2 += g * g;
    }
    const mean = s / n;
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
    expect(Math.abs(s2 / n - mean * mean - shape) / shape).toBeLessThan(0.06);
  });

  it('standard normal has mean ≈ 0 and variance ≈ 1', () => {
    const r = new SeededRng(8);
    const n = 30000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = sampleStandardNormal(r);
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.04);
  });

  it('rejects bad shapes', () => {
    expect(() => sampleGamma(0, new SeededRng(0))).toThrow(/sampleLogGamma: shape must be a finite number > 0 \(got 0\)/);
    expect(() => sampleGamma(Number.NaN, new SeededRng(0))).toThrow(/got NaN/);
  });
});
