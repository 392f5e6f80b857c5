import { Rng } from '@paretopo/random';

/** Row-major points, the same shape as `@paretopo/pareto`'s `Points`. */
interface PointsLike {
  data: Float64Array;
  n: number;
  d: number;
}

/**
 * A seeded uniform stream for benchmark inputs and test data, so that every run sees the same
 * numbers: `Rng.next()` of `@paretopo/random` (the one generator of the packages) behind a plain
 * function.
 *
 * @param seed - any finite number; its low 32 bits are used
 * @returns a function yielding uniform doubles in [0, 1), 53 random bits
 * @example
 * const rand = seededRandom(42);
 * rand() === seededRandom(42)(); // true
 */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/**
 * Shapes of {@link benchPoints}:
 * - `cube`: uniform in [0, 1)^d (many fronts, most points dominated);
 * - `simplex`: uniform on the simplex Σx = 1 (every point non-dominated: one front);
 * - `sphere`: uniform directions on the positive unit sphere (almost every point non-dominated,
 *   the hard case for hypervolume);
 * - `rewards`: the trainer's case, meant to be maximised: objective 0 is r_task ∈ {0, 1}
 *   (P(1) = 0.6), the others r_tool = exp(−0.5·|calls − 1|) with calls ∈ 0..4, so ties are heavy.
 */
export type BenchPointsKind = 'cube' | 'simplex' | 'sphere' | 'rewards';

/**
 * Seeded benchmark inputs: `n` points of `d` objectives of the given shape. The stream is
 * `seededRandom(seed + 7919·d + n)`, so different sizes of one sweep get unrelated points.
 *
 * @param n - number of points
 * @param d - number of objectives
 * @param kind - the shape, see {@link BenchPointsKind}
 * @param seed - base seed (default 1)
 * @returns `{ data, n, d }`, row-major
 * @example
 * const { data } = benchPoints(1000, 3, 'simplex');
 * data[0] + data[1] + data[2]; // 1 (up to rounding)
 */
export function benchPoints(n: number, d: number, kind: BenchPointsKind, seed = 1): PointsLike {
  const next = seededRandom(seed + 7919 * d + n);
  const data = new Float64Array(n * d);
  for (let i = 0, o = 0; i < n; i++, o += d) {
    if (kind === 'cube') {
      for (let j = 0; j < d; j++) data[o + j] = next();
    } else if (kind === 'simplex') {
      // Normalised exponentials are uniform on the simplex (a flat Dirichlet).
      let s = 0;
      for (let j = 0; j < d; j++) s += data[o + j] = -Math.log(1 - next());
      for (let j = 0; j < d; j++) data[o + j] /= s;
    } else if (kind === 'sphere') {
      // Normalised |Gaussian| vectors (Box–Muller) are uniform on the positive orthant of the sphere.
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const g = Math.abs(Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));
        data[o + j] = g;
        norm += g * g;
      }
      const scale = 1 / Math.sqrt(norm);
      for (let j = 0; j < d; j++) data[o + j] *= scale;
    } else {
      for (let j = 0; j < d; j++)
        data[o + j] = j === 0 ? (next() < 0.6 ? 1 : 0) : Math.exp(-0.5 * Math.abs(Math.floor(next() * 5) - 1));
    }
  }
  return { data, n, d };
}
