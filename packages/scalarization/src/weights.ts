import { describeValue, type Points } from '@paretopo/pareto';
import { sampleDirichletInto, seededRng } from './rng';
import { assertInteger, assertSeed } from './validate';

/** Largest lattice / sample that the weight generators will allocate (rows × k doubles). */
const MAX_VALUES = 1 << 27;

/**
 * The number of Das–Dennis weight vectors for `k` objectives and `divisions` H:
 * C(H + k − 1, k − 1).
 *
 * @param k - number of objectives, ≥ 1
 * @param divisions - H, ≥ 1
 * @returns the lattice size (a float when it exceeds 2^53)
 * @example
 * dasDennisCount(3, 4); // 15
 */
export function dasDennisCount(k: number, divisions: number): number {
  assertInteger(k, 'dasDennisCount', 'k', 1);
  assertInteger(divisions, 'dasDennisCount', 'divisions', 1);
  return binomial(divisions + k - 1, k - 1);
}

function binomial(n: number, r: number): number {
  let c = 1;
  // Multiplying before dividing keeps every intermediate an exact integer while it fits 2^53.
  for (let i = 1; i <= r; i++) c = (c * (n - r + i)) / i;
  return Math.round(c);
}

/**
 * The Das–Dennis simplex lattice (Das & Dennis 1998, "Normal-boundary intersection", SIAM J.
 * Optim. 8(3)): every weight vector whose entries are multiples of 1/H and sum to 1, in
 * lexicographic order of the numerators. There are C(H + k − 1, k − 1) of them. The last entry is
 * computed as (H − Σ others)/H, so each row sums to 1 up to one rounding.
 *
 * @param k - number of objectives, ≥ 1
 * @param divisions - H, the number of divisions of each axis, ≥ 1
 * @returns the lattice as {@link Points} (n = C(H + k − 1, k − 1), d = k)
 * @example
 * dasDennis(2, 2); // rows [[0, 1], [0.5, 0.5], [1, 0]]
 */
export function dasDennis(k: number, divisions: number): Points {
  const count = dasDennisCount(k, divisions);
  if (count * k > MAX_VALUES) {
    throw new RangeError(`dasDennis: the lattice for k = ${k}, divisions = ${divisions} has ${count} vectors, more than this function allocates (${Math.floor(MAX_VALUES / k)})`);
  }
  const H = divisions;
  const data = new Float64Array(count * k);
  const c = new Int32Array(k); // numerators of the first k − 1 entries
  let row = 0;
  let used = 0; // Σ c[0..k−2]
  for (;;) {
    const base = row * k;
    for (let j = 0; j < k - 1; j++) data[base + j] = c[j] / H;
    data[base + k - 1] = (H - used) / H;
    row++;
    // Odometer increment over compositions with Σ c ≤ H, rightmost digit fastest.
    let j = k - 2;
    while (j >= 0 && used === H) {
      used -= c[j];
      c[j] = 0;
      j--;
    }
    if (j < 0) break;
    c[j]++;
    used++;
  }
  return { data, n: count, d: k };
}

/** Options of {@link randomSimplexWeights} and {@link dirichletWeights}. */
export interface RandomWeightsOptions {
  /** Seed of the generator. Default 0 (a fixed stream; pass your run's seed). */
  readonly seed?: number;
}

function assertCount(n: number, k: number, fn: string): void {
  assertInteger(n, fn, 'n', 0);
  if (n * k > MAX_VALUES) throw new RangeError(`${fn}: n × k must be at most ${MAX_VALUES} (got ${n * k})`);
}

/**
 * `n` weight vectors drawn uniformly on the probability simplex in k dimensions, as normalised
 * unit exponentials (−log U_i / Σ −log U_j), which is exactly Dirichlet(1, …, 1).
 *
 * @param k - number of objectives, ≥ 1
 * @param n - number of vectors, ≥ 0
 * @param options - `seed` (default 0)
 * @returns `Points` (`@paretopo/pareto`) with rows on the simplex (non-negative, summing to 1)
 * @example
 * randomSimplexWeights(3, 2, { seed: 1 }); // 2 rows of 3 non-negative numbers, each summing to 1
 */
export function randomSimplexWeights(k: number, n: number, options: RandomWeightsOptions = {}): Points {
  assertInteger(k, 'randomSimplexWeights', 'k', 1);
  assertCount(n, k, 'randomSimplexWeights');
  const seed = assertSeed(options.seed ?? 0, 'randomSimplexWeights');
  const rng = seededRng(seed);
  const data = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const e = -Math.log(1 - rng.next()); // 1 − U ∈ (0, 1]: never log(0)
      data[base + j] = e;
      sum += e;
    }
    // sum is 0 only when every draw hit U = 0 exactly (probability 2^-53k); fall back to the centre.
    if (sum === 0) for (let j = 0; j < k; j++) data[base + j] = 1 / k;
    else for (let j = 0; j < k; j++) data[base + j] /= sum;
  }
  return { data, n, d: k };
}

/**
 * Checks and expands a Dirichlet concentration: a positive number (symmetric, needs `k`) or one
 * positive number per objective.
 */
export function resolveAlpha(alpha: number | ArrayLike<number>, k: number | undefined, fn: string, arg = 'alpha'): Float64Array {
  if (typeof alpha === 'number') {
    if (k === undefined) throw new TypeError(`${fn}: a scalar ${arg} needs k`);
    if (!Number.isFinite(alpha) || alpha <= 0) throw new RangeError(`${fn}: ${arg} must be a finite number > 0 (got ${describeValue(alpha)})`);
    return new Float64Array(k).fill(alpha);
  }
  if (alpha === null || typeof alpha !== 'object' || typeof alpha.length !== 'number') {
    throw new TypeError(`${fn}: ${arg} must be a number or an array of numbers (got ${describeValue(alpha)})`);
  }
  if (k !== undefined && alpha.length !== k) throw new RangeError(`${fn}: ${arg} must have length ${k} (got ${alpha.length})`);
  if (alpha.length === 0) throw new RangeError(`${fn}: ${arg} must not be empty`);
  const out = new Float64Array(alpha.length);
  for (let i = 0; i < alpha.length; i++) {
    const a = alpha[i];
    if (typeof a !== 'number' || !Number.isFinite(a) || a <= 0) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a finite number > 0 (got ${describeValue(a)})`);
    }
    out[i] = a;
  }
  return out;
}

/**
 * `n` draws from a Dirichlet(alpha) distribution (Gamma draws by Marsaglia–Tsang, normalised in
 * log space). alpha = 1 everywhere is uniform on the simplex; larger alpha concentrates around
 * alpha / Σ alpha, smaller alpha pushes weight to the corners.
 *
 * @param alpha - one concentration per objective, each a finite number > 0
 * @param n - number of vectors, ≥ 0
 * @param options - `seed` (default 0)
 * @returns `Points` (`@paretopo/pareto`) with n rows on the simplex; row mean → alpha / Σ alpha
 * @example
 * dirichletWeights([2, 1], 1000, { seed: 3 }); // rows average ≈ [0.667, 0.333]
 */
export function dirichletWeights(alpha: ArrayLike<number>, n: number, options: RandomWeightsOptions = {}): Points {
  const a = resolveAlpha(alpha, undefined, 'dirichletWeights');
  const k = a.length;
  assertCount(n, k, 'dirichletWeights');
  const seed = assertSeed(options.seed ?? 0, 'dirichletWeights');
  const rng = seededRng(seed);
  const data = new Float64Array(n * k);
  for (let i = 0; i < n; i++) sampleDirichletInto(a, rng, data.subarray(i * k, i * k + k));
  return { data, n, d: k };
}
