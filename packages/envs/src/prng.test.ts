import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, hashString } from './prng';

describe('Rng', () => {
  it('is deterministic per seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it('draws in range and roughly uniformly', () => {
    const rng = new Rng(3);
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 60_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[rng.int(1, 6) - 1]++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('weighted never picks a zero weight and follows the weights', () => {
    const rng = new Rng(5);
    let ones = 0;
    for (let i = 0; i < 10_000; i++) {
      const k = rng.weighted([0, 1, 3, 0]);
      expect(k === 1 || k === 2).toBe(true);
      if (k === 1) ones++;
    }
    expect(Math.abs(ones / 10_000 - 0.25)).toBeLessThan(0.02);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow(/seed must be a finite number \(got NaN\)/);
  });
});

describe('hashString', () => {
  it('is a deterministic 32-bit unsigned integer', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const h = hashString(s);
        expect(h).toBe(hashString(s));
        expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
      }),
    );
  });

  it('spreads short keys over the range', () => {
    let low = 0;
    for (let i = 0; i < 10_000; i++) if (hashString(`${i}*${i + 1}`) < 2 ** 31) low++;
    expect(Math.abs(low - 5000)).toBeLessThan(300);
  });
});
