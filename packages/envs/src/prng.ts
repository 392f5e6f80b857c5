/**
 * Seeded pseudo-random numbers for task generation and scripted teachers. The generator is
 * sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-clean at 32 bits),
 * seeded through splitmix32 so nearby integer seeds give unrelated streams.
 *
 * @example
 * const rng = new Rng(42);
 * rng.next() === new Rng(42).next(); // true: same seed, same stream
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed - Any finite number; its low 32 bits are used.
   * @example
   * new Rng(1).next() === new Rng(1).next(); // true
   */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new TypeError(`Rng: seed must be a finite number (got ${String(seed)})`);
    }
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Next unsigned 32-bit integer. @example new Rng(7).nextUint32() < 2 ** 32; // true */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). @example new Rng(7).next() < 1; // true */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform integer in [lo, hi] (both inclusive).
   * @example new Rng(7).int(1, 6) >= 1; // true
   */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. @example new Rng(7).chance(1); // true */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. @example new Rng(7).pick(['a']); // 'a' */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * Index drawn with probability proportional to `weights` (non-negative, positive sum).
   * @example new Rng(7).weighted([0, 1, 0]); // 1
   */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0 && weights[i] > 0) return i;
    }
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return 0;
  }
}

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
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
