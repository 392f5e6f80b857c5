import { assertPoints, assertVector, describeValue, finiteResult, type Points } from '@paretopo/pareto';
import { assertNumber, assertWeights, resolveOut } from './validate';

// Convention for the whole file: rewards are MAXIMISED, and every function returns a UTILITY
// (larger is better). The decomposition literature (MOEA/D, ParEGO) states Tchebycheff and PBI
// as distances to be minimised; those functions here return the negated distance, so they can be
// used in place of a reward directly. The `ideal` point z* is a utopian point of the rewards
// (for rewards in [0, 1], z* = (1, …, 1) is the usual choice).

/** Options of batch scalarising functions. */
export interface BatchOptions {
  /** Receives the n utilities; allocated when absent. Must have length n. */
  readonly out?: Float64Array;
}

/** Options of {@link augmentedTchebycheff} and {@link augmentedTchebycheffBatch}. */
export interface AugmentedTchebycheffOptions extends BatchOptions {
  /**
   * ρ ≥ 0, weight of the augmentation term ρ Σ w_i |f_i − z_i|. Default 0.05, the value of
   * ParEGO (Knowles 2006, IEEE TEC 10(1)), for objectives scaled to about [0, 1]. It breaks the
   * weak-Pareto ties of the plain Tchebycheff function.
   */
  readonly rho?: number;
}

/** Options of {@link pbi} and {@link pbiBatch}. */
export interface PbiOptions extends BatchOptions {
  /** θ ≥ 0, the penalty on the distance from the weight ray. Default 5 (Zhang & Li 2007). */
  readonly theta?: number;
}

const DEFAULT_RHO = 0.05;
const DEFAULT_THETA = 5;

interface Checked {
  readonly r: Float64Array;
  readonly w: Float64Array;
  readonly z: Float64Array;
}

const EMPTY = new Float64Array(0);

function checkSingle(reward: ArrayLike<number>, weights: ArrayLike<number>, fn: string, ideal?: ArrayLike<number>): Checked {
  assertVector(reward, fn, 'reward');
  const k = reward.length;
  assertWeights(weights, fn, 'weights', k);
  if (ideal !== undefined) assertVector(ideal, fn, 'ideal', k);
  return { r: Float64Array.from(reward), w: Float64Array.from(weights), z: ideal === undefined ? EMPTY : Float64Array.from(ideal) };
}

function checkBatch(points: Points, weights: ArrayLike<number>, fn: string, ideal?: ArrayLike<number>): void {
  // Shape only: the finiteness of the n × k values is checked on the n results (finishBatch).
  if (points === null || typeof points !== 'object') {
    throw new TypeError(`${fn}: rewards must be an object { data: Float64Array, n, d } (got ${describeValue(points)})`);
  }
  const { data, n, d } = points;
  if (!(data instanceof Float64Array) || !Number.isInteger(n) || n < 0 || !Number.isInteger(d) || d < 1 || data.length !== n * d) {
    assertPoints({ data, n, d } as Points, fn, 'rewards'); // throws the precise message
  }
  assertWeights(weights, fn, 'weights', d);
  if (ideal !== undefined) assertVector(ideal, fn, 'ideal', d);
}

/**
 * Every utility here is a sum of weight × (finite) terms, so a NaN or ±Infinity anywhere in a row
 * makes that row's result non-finite (0 · ∞ is NaN too). Scanning the n results instead of the
 * n × k inputs saves a pass over the batch; the slow, precise input check runs only on failure.
 */
function finishBatch(points: Points, out: Float64Array, fn: string): Float64Array {
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      assertPoints(points, fn, 'rewards');
      finiteResult(out[i], fn, `the utility of row ${i}`);
    }
  }
  return out;
}

// ---- unchecked cores over one row of a flat array ----
// Cores only ever see Float64Array arguments (callers convert plain arrays once), so V8 keeps
// their element loads monomorphic; mixing number[] and Float64Array here halved batch speed.

function wsRow(data: Float64Array, base: number, w: Float64Array, k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += w[j] * data[base + j];
  return s;
}

function tchRow(data: Float64Array, base: number, w: Float64Array, z: Float64Array, k: number, rho: number): number {
  let max = 0;
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const t = w[j] * Math.abs(data[base + j] - z[j]);
    if (t > max) max = t;
    sum += t;
  }
  return -(max + rho * sum);
}

function pbiRow(
  data: Float64Array,
  base: number,
  w: Float64Array,
  z: Float64Array,
  k: number,
  invNorm: number,
  theta: number,
): number {
  // Zhang & Li (2007), MOEA/D, PBI for minimisation of F with ideal z*. Maximising rewards f is
  // minimising F = −f with ideal −z*, so F − z*_min = z* − f. d1 is the signed projection onto the
  // unit weight direction (pymoo's form; equals Zhang & Li's |·| whenever z* dominates f).
  let d1 = 0;
  for (let j = 0; j < k; j++) d1 += (z[j] - data[base + j]) * w[j];
  d1 *= invNorm;
  let d2sq = 0;
  for (let j = 0; j < k; j++) {
    const e = z[j] - data[base + j] - d1 * w[j] * invNorm;
    d2sq += e * e;
  }
  return -(d1 + theta * Math.sqrt(d2sq));
}

function inverseNorm(w: Float64Array): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s += w[j] * w[j];
  return 1 / Math.sqrt(s);
}

// ---- weighted sum ----

/**
 * Weighted sum Σ w_i f_i of one reward vector (the scalarisation of METHOD.md §1, r_w = w · r).
 *
 * @param reward - reward vector f (k finite numbers, maximised)
 * @param weights - k finite non-negative weights, not all zero (not renormalised)
 * @returns the utility w · f
 * @example
 * weightedSum([1, 0.5], [0.6, 0.4]); // 0.8
 */
export function weightedSum(reward: ArrayLike<number>, weights: ArrayLike<number>): number {
  const { r, w } = checkSingle(reward, weights, 'weightedSum');
  return finiteResult(wsRow(r, 0, w, r.length), 'weightedSum', 'the utility');
}

/**
 * Weighted sum of every row of an n × k reward batch.
 *
 * @param rewards - {@link Points} n × k, row-major
 * @param weights - k finite non-negative weights, not all zero
 * @param options - `out` (length n)
 * @returns Float64Array of n utilities
 * @example
 * weightedSumBatch({ data: Float64Array.of(1, 0.5, 0, 1), n: 2, d: 2 }, [0.6, 0.4]); // [0.8, 0.4]
 */
export function weightedSumBatch(rewards: Points, weights: ArrayLike<number>, options: BatchOptions = {}): Float64Array {
  checkBatch(rewards, weights, 'weightedSumBatch');
  const { data, n, d } = rewards;
  const out = resolveOut(options.out, n, 'weightedSumBatch');
  if (d === 2) {
    // The paper’s k = 2 case, unrolled: one pass over the batch with no inner loop.
    const w0 = weights[0];
    const w1 = weights[1];
    for (let i = 0, b = 0; i < n; i++, b += 2) out[i] = w0 * data[b] + w1 * data[b + 1];
  } else {
    const w = Float64Array.from(weights);
    for (let i = 0; i < n; i++) out[i] = wsRow(data, i * d, w, d);
  }
  return finishBatch(rewards, out, 'weightedSumBatch');
}

// ---- Tchebycheff ----

/**
 * Weighted Tchebycheff utility −max_i w_i |f_i − z_i*| (the Tchebycheff distance g of MOEA/D,
 * negated so that larger is better; 0 at the ideal point, negative elsewhere).
 *
 * @param reward - reward vector f (k finite numbers, maximised)
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - the ideal / utopian point z* (k finite numbers)
 * @returns −g ≤ 0
 * @example
 * tchebycheff([0.5, 0.8], [0.5, 0.5], [1, 1]); // -0.25
 */
export function tchebycheff(reward: ArrayLike<number>, weights: ArrayLike<number>, ideal: ArrayLike<number>): number {
  const { r, w, z } = checkSingle(reward, weights, 'tchebycheff', ideal);
  return finiteResult(tchRow(r, 0, w, z, r.length, 0), 'tchebycheff', 'the utility');
}

/**
 * {@link tchebycheff} for every row of an n × k reward batch.
 *
 * @param rewards - {@link Points} n × k
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - z* (k finite numbers)
 * @param options - `out` (length n)
 * @returns Float64Array of n utilities (≤ 0)
 * @example
 * tchebycheffBatch({ data: Float64Array.of(0.5, 0.8, 1, 1), n: 2, d: 2 }, [0.5, 0.5], [1, 1]); // [-0.25, 0]
 */
export function tchebycheffBatch(rewards: Points, weights: ArrayLike<number>, ideal: ArrayLike<number>, options: BatchOptions = {}): Float64Array {
  checkBatch(rewards, weights, 'tchebycheffBatch', ideal);
  const { data, n, d } = rewards;
  const out = resolveOut(options.out, n, 'tchebycheffBatch');
  const w = Float64Array.from(weights);
  const z = Float64Array.from(ideal);
  for (let i = 0; i < n; i++) out[i] = tchRow(data, i * d, w, z, d, 0);
  return finishBatch(rewards, out, 'tchebycheffBatch');
}

function resolveRho(options: AugmentedTchebycheffOptions, fn: string): number {
  return options.rho === undefined ? DEFAULT_RHO : assertNumber(options.rho, fn, 'options.rho', { min: 0 });
}

/**
 * Augmented Tchebycheff utility −(max_i w_i |f_i − z_i*| + ρ Σ_i w_i |f_i − z_i*|), the ParEGO
 * form (Knowles 2006), negated so that larger is better. Unlike plain Tchebycheff, its maximisers
 * are Pareto optimal, not merely weakly Pareto optimal.
 *
 * @param reward - reward vector f (k finite numbers, maximised)
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - z* (k finite numbers)
 * @param options - `rho` (default 0.05)
 * @returns the utility (≤ 0)
 * @example
 * augmentedTchebycheff([0.5, 0.8], [0.5, 0.5], [1, 1]); // -(0.25 + 0.05 · 0.35) = -0.2675
 */
export function augmentedTchebycheff(
  reward: ArrayLike<number>,
  weights: ArrayLike<number>,
  ideal: ArrayLike<number>,
  options: Omit<AugmentedTchebycheffOptions, 'out'> = {},
): number {
  const { r, w, z } = checkSingle(reward, weights, 'augmentedTchebycheff', ideal);
  return finiteResult(tchRow(r, 0, w, z, r.length, resolveRho(options, 'augmentedTchebycheff')), 'augmentedTchebycheff', 'the utility');
}

/**
 * {@link augmentedTchebycheff} for every row of an n × k reward batch.
 *
 * @param rewards - {@link Points} n × k
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - z* (k finite numbers)
 * @param options - `rho` (default 0.05), `out` (length n)
 * @returns Float64Array of n utilities
 * @example
 * augmentedTchebycheffBatch({ data: Float64Array.of(0.5, 0.8), n: 1, d: 2 }, [0.5, 0.5], [1, 1]); // [-0.2675]
 */
export function augmentedTchebycheffBatch(
  rewards: Points,
  weights: ArrayLike<number>,
  ideal: ArrayLike<number>,
  options: AugmentedTchebycheffOptions = {},
): Float64Array {
  checkBatch(rewards, weights, 'augmentedTchebycheffBatch', ideal);
  const rho = resolveRho(options, 'augmentedTchebycheffBatch');
  const { data, n, d } = rewards;
  const out = resolveOut(options.out, n, 'augmentedTchebycheffBatch');
  const w = Float64Array.from(weights);
  const z = Float64Array.from(ideal);
  for (let i = 0; i < n; i++) out[i] = tchRow(data, i * d, w, z, d, rho);
  return finishBatch(rewards, out, 'augmentedTchebycheffBatch');
}

// ---- PBI ----

function resolveTheta(options: PbiOptions, fn: string): number {
  return options.theta === undefined ? DEFAULT_THETA : assertNumber(options.theta, fn, 'options.theta', { min: 0 });
}

/**
 * Penalty-based boundary intersection utility −(d1 + θ d2) (Zhang & Li 2007, "MOEA/D: a
 * multiobjective evolutionary algorithm based on decomposition", IEEE TEC 11(6)), with
 * d = z* − f, d1 = d · w/‖w‖ (distance along the weight ray) and d2 = ‖d − d1 w/‖w‖‖ (distance
 * from the ray), negated so that larger is better.
 *
 * @param reward - reward vector f (k finite numbers, maximised)
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - z* (k finite numbers)
 * @param options - `theta` (default 5)
 * @returns the utility
 * @example
 * pbi([0, 0], [1, 1], [1, 1]);  // -(√2 + 5·0) ≈ -1.4142
 * pbi([1, 0], [1, 0], [1, 1]);  // -(0 + 5·1) = -5
 */
export function pbi(
  reward: ArrayLike<number>,
  weights: ArrayLike<number>,
  ideal: ArrayLike<number>,
  options: Omit<PbiOptions, 'out'> = {},
): number {
  const { r, w, z } = checkSingle(reward, weights, 'pbi', ideal);
  return finiteResult(pbiRow(r, 0, w, z, r.length, inverseNorm(w), resolveTheta(options, 'pbi')), 'pbi', 'the utility');
}

/**
 * {@link pbi} for every row of an n × k reward batch.
 *
 * @param rewards - {@link Points} n × k
 * @param weights - k finite non-negative weights, not all zero
 * @param ideal - z* (k finite numbers)
 * @param options - `theta` (default 5), `out` (length n)
 * @returns Float64Array of n utilities
 * @example
 * pbiBatch({ data: Float64Array.of(0, 0, 1, 0), n: 2, d: 2 }, [1, 0], [1, 1]); // [-6, -5]
 */
export function pbiBatch(rewards: Points, weights: ArrayLike<number>, ideal: ArrayLike<number>, options: PbiOptions = {}): Float64Array {
  checkBatch(rewards, weights, 'pbiBatch', ideal);
  const theta = resolveTheta(options, 'pbiBatch');
  const { data, n, d } = rewards;
  const out = resolveOut(options.out, n, 'pbiBatch');
  const w = Float64Array.from(weights);
  const z = Float64Array.from(ideal);
  const invNorm = inverseNorm(w);
  for (let i = 0; i < n; i++) out[i] = pbiRow(data, i * d, w, z, d, invNorm, theta);
  return finishBatch(rewards, out, 'pbiBatch');
}
