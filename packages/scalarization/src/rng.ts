import { describeValue } from '@paretopo/pareto';
import { assertSeed } from './validate';

const GOLDEN = 0x9e3779b9;

// MurmurHash3's 32-bit finaliser (fmix32): a bijective avalanche mix, used to spread seeds.
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function splitSafeInteger(x: number): [number, number] {
  return [x >>> 0, Math.floor(x / 4294967296) | 0];
}

/**
 * A small seeded pseudo-random generator, xoshiro128** (Blackman & Vigna, 2018), whose whole state
 * is four 32-bit words, so it can be checkpointed with {@link SeededRng.state} and restored with
 * {@link SeededRng.fromState}. Streams are seeded by hashing (seed, ...keys) with fmix32, so
 * `SeededRng.derive(seed, step)` gives an independent, reproducible stream per step.
 *
 * @example
 * const rng = new SeededRng(42);
 * const a = rng.nextFloat();               // a number in [0, 1)
 * new SeededRng(42).nextFloat() === a;     // true
 */
export class SeededRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed - any safe integer (negative allowed)
   */
  constructor(seed: number) {
    assertSeed(seed, 'SeededRng', 'seed');
    const words = splitSafeInteger(seed);
    let acc = GOLDEN;
    for (const w of words) acc = fmix32((acc ^ w) + GOLDEN);
    this.s0 = fmix32(acc + GOLDEN);
    this.s1 = fmix32(acc + 2 * GOLDEN);
    this.s2 = fmix32(acc + 3 * GOLDEN);
    this.s3 = fmix32(acc + 4 * GOLDEN);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /**
   * A generator for the stream named by `keys` under `seed` (e.g. a step number): equal arguments
   * give identical streams, different keys give unrelated ones.
   *
   * @param seed - any safe integer
   * @param keys - safe integers naming the stream
   * @returns a fresh generator
   * @example
   * SeededRng.derive(7, 3).nextFloat() === SeededRng.derive(7, 3).nextFloat(); // true
   */
  static derive(seed: number, ...keys: number[]): SeededRng {
    assertSeed(seed, 'SeededRng.derive', 'seed');
    let acc = fmix32(GOLDEN ^ (seed >>> 0)) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x27d4eb2f);
    for (let i = 0; i < keys.length; i++) {
      const key = assertSeed(keys[i], 'SeededRng.derive', `keys[${i}]`);
      const [lo, hi] = splitSafeInteger(key);
      acc = fmix32((acc ^ lo) + GOLDEN);
      acc = fmix32((acc ^ hi) + 0x7f4a7c15);
    }
    const rng = new SeededRng(0);
    rng.s0 = fmix32(acc + GOLDEN);
    rng.s1 = fmix32(acc + 2 * GOLDEN);
    rng.s2 = fmix32(acc + 3 * GOLDEN);
    rng.s3 = fmix32(acc + 4 * GOLDEN);
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0) rng.s0 = 1;
    return rng;
  }

  /**
   * Restores a generator from {@link SeededRng.state}.
   *
   * @param state - four unsigned 32-bit integers, not all zero
   * @returns a generator that continues exactly where the saved one stopped
   * @example
   * const rng = new SeededRng(1); rng.nextFloat();
   * SeededRng.fromState(rng.state()).nextFloat() === rng.nextFloat(); // true
   */
  static fromState(state: readonly number[]): SeededRng {
    if (!Array.isArray(state) || state.length !== 4) {
      throw new RangeError(`SeededRng.fromState: state must be an array of 4 integers (got ${describeValue(state)})`);
    }
    for (let i = 0; i < 4; i++) {
      const w = state[i];
      if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) {
        throw new RangeError(`SeededRng.fromState: state[${i}] must be an integer in [0, 2^32) (got ${describeValue(w)})`);
      }
    }
    if ((state[0] | state[1] | state[2] | state[3]) === 0) {
      throw new RangeError('SeededRng.fromState: state must not be all zeros');
    }
    const rng = new SeededRng(0);
    [rng.s0, rng.s1, rng.s2, rng.s3] = state;
    return rng;
  }

  /**
   * The generator's state, for checkpoints.
   *
   * @returns four unsigned 32-bit integers
   * @example
   * new SeededRng(0).state().length; // 4
   */
  state(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /**
   * Next unsigned 32-bit integer (xoshiro128**).
   *
   * @returns an integer in [0, 2^32)
   * @example
   * new SeededRng(3).nextUint32() < 2 ** 32; // true
   */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /**
   * Next uniform double with 53 random bits.
   *
   * @returns a number in [0, 1)
   * @example
   * const u = new SeededRng(3).nextFloat(); // 0 <= u < 1
   */
  nextFloat(): number {
    // Two 32-bit draws give 27 + 26 bits: the full double mantissa, as in Java's nextDouble.
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/**
 * A standard normal draw (Box–Muller; the second value is discarded so that one call always
 * consumes exactly two uniforms, which keeps derived streams reproducible).
 *
 * @param rng - the generator to draw from
 * @returns a N(0, 1) sample
 * @example
 * sampleStandardNormal(new SeededRng(1)); // a finite number
 */
export function sampleStandardNormal(rng: SeededRng): number {
  const u1 = 1 - rng.nextFloat(); // (0, 1]: log never sees 0
  const u2 = rng.nextFloat();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The natural log of a Gamma(shape, 1) draw, by Marsaglia & Tsang (2000), "A simple method for
 * generating gamma variables", ACM TOMS 26(3). Shapes below 1 use their boost
 * Gamma(a) = Gamma(a + 1) · U^(1/a), applied in log space so that tiny shapes never underflow to 0.
 *
 * @param shape - a finite number > 0
 * @param rng - the generator to draw from
 * @returns log of the gamma sample
 * @example
 * Math.exp(sampleLogGamma(2, new SeededRng(1))) > 0; // true
 */
export function sampleLogGamma(shape: number, rng: SeededRng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new RangeError(`sampleLogGamma: shape must be a finite number > 0 (got ${describeValue(shape)})`);
  }
  let boost = 0;
  let a = shape;
  if (a < 1) {
    boost = Math.log(1 - rng.nextFloat()) / a;
    a += 1;
  }
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleStandardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.nextFloat();
    const x2 = x * x;
    // Squeeze test first (cheap), then the exact log acceptance test.
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
      return Math.log(d * v) + boost;
    }
  }
}

/**
 * A Gamma(shape, 1) draw (Marsaglia–Tsang); see {@link sampleLogGamma}.
 *
 * @param shape - a finite number > 0
 * @param rng - the generator to draw from
 * @returns a non-negative sample with mean `shape`
 * @example
 * sampleGamma(3, new SeededRng(5)) >= 0; // true
 */
export function sampleGamma(shape: number, rng: SeededRng): number {
  return Math.exp(sampleLogGamma(shape, rng));
}

/**
 * One Dirichlet(alpha) draw into `out`: independent Gamma(alpha_i) draws, normalised. The
 * normalisation runs in log space (max-shift), so small concentrations never give 0/0.
 * Unchecked core: `alpha` must hold finite positive numbers and `out` have the same length.
 *
 * @param alpha - concentration parameters, all > 0
 * @param rng - the generator to draw from
 * @param out - receives the draw (on the simplex)
 * @returns `out`
 * @example
 * sampleDirichletInto(Float64Array.of(1, 1), new SeededRng(0), new Float64Array(2)); // sums to 1
 */
export function sampleDirichletInto(alpha: ArrayLike<number>, rng: SeededRng, out: Float64Array): Float64Array {
  const k = alpha.length;
  let max = -Infinity;
  for (let i = 0; i < k; i++) {
    const lg = sampleLogGamma(alpha[i], rng);
    out[i] = lg;
    if (lg > max) max = lg;
  }
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const e = Math.exp(out[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < k; i++) out[i] /= sum;
  return out;
}
