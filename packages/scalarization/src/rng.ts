import { describeValue } from '@paretopo/pareto';
import { Rng, fmix32 } from '@paretopo/random';

const GOLDEN = 0x9e3779b9;

function fromHash(acc: number): Rng {
  const state = [fmix32(acc + GOLDEN), fmix32(acc + 2 * GOLDEN), fmix32(acc + 3 * GOLDEN), fmix32(acc + 4 * GOLDEN)];
  if ((state[0] | state[1] | state[2] | state[3]) === 0) state[0] = 1;
  return Rng.fromState(state);
}

/**
 * The samplers' generator for `seed`: `@paretopo/random`'s {@link Rng}, started from a state
 * hashed (fmix32) from both 32-bit halves of the seed. Rng's own seeding reads only the low 32
 * bits; this hash keeps every safe-integer seed distinct and on the stream it had before the
 * generator moved to `@paretopo/random`. Unchecked: `seed` is a safe integer (the caller validates).
 *
 * @param seed - a safe integer (negative allowed)
 * @returns a fresh generator
 * @example
 * seededRng(-5).state(); // [2369924727, 1348904349, 1133200295, 2298712680]
 */
export function seededRng(seed: number): Rng {
  let acc = GOLDEN;
  for (const w of [seed >>> 0, Math.floor(seed / 4294967296) | 0]) acc = fmix32((acc ^ w) + GOLDEN);
  return fromHash(acc);
}

/**
 * The generator of step `step` under `seed` (e.g. a scheduler's draw at a training step): equal
 * arguments give identical streams, different steps unrelated ones. Unchecked: both are safe
 * integers (the caller validates).
 *
 * @param seed - a safe integer
 * @param step - a safe integer
 * @returns a fresh generator
 * @example
 * stepRng(7, 3).state(); // [1412265591, 3076495154, 3091211932, 544023359]
 */
export function stepRng(seed: number, step: number): Rng {
  let acc = fmix32(GOLDEN ^ (seed >>> 0)) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x27d4eb2f);
  acc = fmix32((acc ^ (step >>> 0)) + GOLDEN);
  acc = fmix32((acc ^ (Math.floor(step / 4294967296) | 0)) + 0x7f4a7c15);
  return fromHash(acc);
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
 * Math.exp(sampleLogGamma(2, new Rng(1))) > 0; // true
 */
export function sampleLogGamma(shape: number, rng: Rng): number {
  if (!(shape > 0) || !Number.isFinite(shape)) {
    throw new RangeError(`sampleLogGamma: shape must be a finite number > 0 (got ${describeValue(shape)})`);
  }
  let boost = 0;
  let a = shape;
  if (a < 1) {
    boost = Math.log(1 - rng.next()) / a;
    a += 1;
  }
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
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
 * sampleGamma(3, new Rng(5)) >= 0; // true
 */
export function sampleGamma(shape: number, rng: Rng): number {
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
 * sampleDirichletInto(Float64Array.of(1, 1), new Rng(0), new Float64Array(2)); // sums to 1
 */
export function sampleDirichletInto(alpha: ArrayLike<number>, rng: Rng, out: Float64Array): Float64Array {
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
