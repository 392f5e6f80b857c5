import { Rng } from '@paretopo/random';

/**
 * Seeded data for conformance cases, drawn from `@paretopo/random`'s {@link Rng} (the one generator
 * of the packages). Lives in src/ because op definitions carry their cases.
 */
export interface CaseRng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** n floats uniform in [lo, hi) (default [-1, 1)). */
  f32(n: number, lo?: number, hi?: number): Float32Array;
  /** n ints uniform in [lo, hi]. */
  i32(n: number, lo: number, hi: number): Int32Array;
  /** Offsets of `nSeq` sequences with lengths in [minLen, maxLen] (ragged: the lengths differ). */
  offsets(nSeq: number, minLen: number, maxLen: number): Int32Array;
}

/**
 * Creates a seeded case generator.
 *
 * @param seed - any 32-bit integer
 * @returns the generator
 * @example
 * const rng = caseRng(1);
 * rng.int(0, 0) // 0
 */
export function caseRng(seed: number): CaseRng {
  const rng = new Rng(seed);
  const next = (): number => rng.next();
  const int = (lo: number, hi: number): number => rng.int(lo, hi);
  return {
    next,
    int,
    f32(n, lo = -1, hi = 1) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
      return out;
    },
    i32(n, lo, hi) {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = int(lo, hi);
      return out;
    },
    offsets(nSeq, minLen, maxLen) {
      const out = new Int32Array(nSeq + 1);
      for (let i = 0; i < nSeq; i++) out[i + 1] = out[i] + int(minLen, maxLen);
      return out;
    },
  };
}
