/**
 * A tiny seeded generator for conformance cases (mulberry32: 32-bit state, passes the usual
 * smoke tests and is plenty for test data). Lives in src/ because op definitions carry their cases.
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
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
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
