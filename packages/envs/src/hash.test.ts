import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString } from './hash';

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
