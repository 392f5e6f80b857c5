import { fmix32 } from '@paretopo/random';

/**
 * 32-bit FNV-1a hash of a string's UTF-16 code units, as an unsigned integer.
 *
 * @param text - Any string.
 * @returns An integer in [0, 2^32).
 * @example
 * hashString('37*46') === hashString('37*46'); // true
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32): FNV-1a's low bits mix poorly for short keys.
  return fmix32(h);
}
