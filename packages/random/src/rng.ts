import { fmix32 } from './mix';

/** Serialisable state of an {@link Rng}: four unsigned 32-bit words, not all zero. */
export type RngState = [number, number, number, number];

/**
 * The seeded generator every paretopo package uses: xoshiro128** (Blackman & Vigna, 2018,
 * "Scrambled linear pseudorandom number generators"), 128 bits of state, period 2^128 − 1.
 * The seed is expanded with splitmix32, so nearby seeds (0, 1, 2, …) give unrelated streams; the
 * whole state is four 32-bit words, so a checkpoint can resume the exact stream
 * ({@link Rng.state}, {@link Rng.fromState}).
 *
 * @example
 * const a = new Rng(7), b = new Rng(7);
 * a.next() === b.next(); // true
 * new Rng(7).nextUint32(); // 1004282400
 */
export class Rng {
  private readonly s: Uint32Array;

  /**
   * @param seed - any finite number; its low 32 bits are used
   * @param stream - a second 32-bit word mixed into the seed (default 0); see {@link Rng.derive}
   */
  constructor(seed: number, stream = 0) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number (got ${String(seed)})`);
    if (typeof stream !== 'number' || !Number.isFinite(stream)) throw new RangeError(`Rng: stream must be a finite number (got ${String(stream)})`);
    this.s = new Uint32Array(4);
    let x = (seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      // splitmix32: a Weyl step by the golden ratio's 32-bit fraction, then murmur3's fmix32.
      x = (x + 0x9e3779b9) >>> 0;
      this.s[i] = fmix32(x);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /**
   * An independent generator for sub-stream `index` of `seed` (e.g. one per context of a batch, or
   * one per training step): `new Rng(seed, index + 1)`.
   *
   * @param seed - base seed
   * @param index - stream index
   * @returns a fresh generator
   * @example
   * Rng.derive(1, 0).next() !== Rng.derive(1, 1).next(); // true
   */
  static derive(seed: number, index: number): Rng {
    return new Rng(seed, index + 1);
  }

  /**
   * Restores a generator from {@link Rng.state} (or any four words, not all zero).
   *
   * @param state - four unsigned 32-bit integers, not all zero
   * @returns a generator that continues exactly where the saved one stopped
   * @example
   * const r = new Rng(3); r.next();
   * Rng.fromState(r.state()).next() === r.next(); // true
   */
  static fromState(state: readonly number[]): Rng {
    if (!Array.isArray(state) || state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new TypeError(`Rng.fromState: state must be 4 unsigned 32-bit integers (got ${JSON.stringify(state)})`);
    }
    if (state.every((w) => w === 0)) throw new RangeError('Rng.fromState: state must not be all zero');
    const r = new Rng(0);
    r.s.set(state);
    return r;
  }

  /**
   * The current state (a copy), for checkpoints.
   *
   * @returns four unsigned 32-bit integers
   * @example
   * new Rng(0).state().length; // 4
   */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  /**
   * The next 32-bit output of xoshiro128**.
   *
   * @returns an integer in [0, 2^32)
   * @example
   * new Rng(7).nextUint32(); // 1004282400
   */
  nextUint32(): number {
    const s = this.s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return r;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits (two 32-bit draws: 27 + 26 bits, as Java's
   * `nextDouble`).
   *
   * @returns a number in [0, 1)
   * @example
   * new Rng(0).next(); // 0.8868539502021594
   */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A standard normal draw (Box–Muller; the second value of the pair is discarded, so one call
   * always consumes exactly two uniforms and the state stays four words).
   *
   * @returns an N(0, 1) sample
   * @example
   * Number.isFinite(new Rng(1).normal()); // true
   */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log never sees 0
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /**
   * A uniform integer in [lo, hi], both inclusive (unchecked: integers with lo ≤ hi).
   *
   * @param lo - smallest value
   * @param hi - largest value
   * @returns an integer in [lo, hi]
   * @example
   * new Rng(7).int(1, 6) >= 1; // true
   */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /**
   * True with probability `p`.
   *
   * @param p - probability in [0, 1]
   * @returns the coin's outcome
   * @example
   * new Rng(7).chance(1); // true
   */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of a non-empty array, uniformly.
   *
   * @param items - the choices
   * @returns one of them
   * @example
   * new Rng(7).pick(['a']); // 'a'
   */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /**
   * An index drawn with probability proportional to `weights` (non-negative, positive sum); an
   * index of weight 0 is never returned.
   *
   * @param weights - non-negative weights
   * @returns an index into `weights`
   * @example
   * new Rng(7).weighted([0, 1, 0]); // 1
   */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0 && weights[i] > 0) return i;
    }
    // Rounding can leave u ≥ 0 after the last weight: fall back to the last positive one.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return 0;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
