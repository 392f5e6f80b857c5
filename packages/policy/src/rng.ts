/** Serialisable state of an {@link Rng} (four unsigned 32-bit words). */
export type RngState = [number, number, number, number];

/**
 * A seeded xoshiro128** generator (Blackman & Vigna, 2018) with a serialisable state, so a
 * checkpoint can resume the exact random stream. The seed is expanded with splitmix32, which makes
 * nearby seeds (0, 1, 2, …) give unrelated streams.
 *
 * @example
 * const a = new Rng(7), b = new Rng(7);
 * a.next() === b.next(); // true
 */
export class Rng {
  private s: Uint32Array;

  /**
   * @param seed - any finite number; its low 32 bits are used (plus `stream`, see {@link Rng.derive})
   * @param stream - a second 32-bit word mixed into the seed (default 0)
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number (got ${seed})`);
    if (!Number.isFinite(stream)) throw new RangeError(`Rng: stream must be a finite number (got ${stream})`);
    this.s = new Uint32Array(4);
    let x = (seed >>> 0) ^ Math.imul(stream >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      // splitmix32
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /**
   * An independent generator for sub-stream `index` of `seed` (e.g. one per context of a batch).
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
   * Restores a generator from {@link Rng.state}.
   *
   * @param state - four 32-bit words, not all zero
   * @returns the generator
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

  /** The 32-bit output of xoshiro128**. */
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

  /** A uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal draw (Box–Muller; one of the pair is discarded so the state stays simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** The current state (a copy), for checkpoints. */
  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
