import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fmix32 } from './mix';

describe('fmix32', () => {
  it('matches MurmurHash3 fmix32 on known values', () => {
    expect(fmix32(0)).toBe(0);
    // Reference: the C finaliser on uint32_t (h ^= h >> 16; h *= 0x85ebca6b; h ^= h >> 13; h *= 0xc2b2ae35; h ^= h >> 16).
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(fmix32(0xffffffff)).toBe(0x81f16f39);
  });

  it('is a bijection on 32-bit words (no two sampled inputs collide) and reads only the low 32 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
        expect(fmix32(a) === fmix32(b)).toBe(a === b);
        expect(fmix32(a + 2 ** 32)).toBe(fmix32(a));
      }),
    );
  });
});
