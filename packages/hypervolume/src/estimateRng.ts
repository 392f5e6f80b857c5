/** A seeded uniform generator: `next()` returns a double in [0, 1). */
export interface Rng {
  next(): number;
}

/**
 * A seeded xoshiro128** generator (Blackman & Vigna 2018), state filled by splitmix32 from the
 * seed so that nearby seeds give unrelated streams. Deterministic per seed; 32-bit resolution.
 *
 * @param seed - any finite number (its low 32 bits are used)
 * @returns `{ next }`, each call a double in [0, 1)
 * @example
 * const rng = createRng(42);
 * rng.next() === createRng(42).next(); // true
 */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  return {
    next(): number {
      const t = b << 9;
      let r = Math.imul(b, 5);
      r = Math.imul((r << 7) | (r >>> 25), 9);
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      return (r >>> 0) * 2.3283064365386963e-10;
    },
  };
}
