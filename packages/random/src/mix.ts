/**
 * MurmurHash3's 32-bit finaliser (fmix32): a bijective avalanche mix of a 32-bit word, the one
 * the packages use to spread seeds and hashes (`Rng`'s seeding, scalarization's seed hash,
 * envs' string hash).
 *
 * @param h - any number; its low 32 bits are mixed
 * @returns an unsigned 32-bit integer
 * @example
 * fmix32(0); // 0
 * fmix32(1) === fmix32(1); // true
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
