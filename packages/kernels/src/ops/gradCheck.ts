import { Rng } from '@paretopo/random';

/**
 * Test support for the backward ops: float64 storage for the reference implementations and a
 * central finite-difference gradient. The references only index, `subarray`, `set` and `fill`
 * their arrays, so handing them Float64Arrays makes every step float64 — the finite differences
 * then resolve gradients to ~1e-8 instead of drowning in float32 rounding.
 */

/**
 * A Float64Array typed as the Float32Array the op signatures name (for the references only).
 *
 * @param values - the contents, or a length for zeros
 * @returns float64 storage viewed as the op's array type
 * @example
 * f64([1, 2])[1]; // 2
 */
export function f64(values: ArrayLike<number> | number): Float32Array {
  const data = typeof values === 'number' ? new Float64Array(values) : Float64Array.from(values);
  return data as unknown as Float32Array;
}

/**
 * Central finite differences of a scalar function with respect to every entry of `x` (perturbed in
 * place, restored afterwards).
 *
 * @param x - the variable (float64 storage, see {@link f64})
 * @param loss - evaluates the scalar at the current contents of x
 * @param h - step (default 1e-6)
 * @returns Float64Array of ∂loss/∂x_i
 * @example
 * const x = f64([3]);
 * numericGradient(x, () => x[0] * x[0]); // ≈ [6]
 */
export function numericGradient(x: Float32Array, loss: () => number, h = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const up = loss();
    x[i] = saved - h;
    const down = loss();
    x[i] = saved;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}

/**
 * Largest |a_i − b_i| / (1 + |b_i|): the error measure of the gradient checks.
 *
 * @param a - analytic values
 * @param b - numeric values
 * @returns the worst mixed absolute/relative error
 * @example
 * maxMixedError(Float64Array.of(1), Float64Array.of(1.000001)); // ≈ 5e-7
 */
export function maxMixedError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxMixedError: lengths differ (${a.length} vs ${b.length})`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  return worst;
}

/**
 * Σ_i c_i·y_i: turns an op's output into the scalar whose gradient its backward computes with
 * dOut = c.
 *
 * @param c - the weights (the backward's dOut)
 * @param y - the output
 * @returns the dot product in float64
 * @example
 * dot(Float64Array.of(1, 2), Float64Array.of(3, 4)); // 11
 */
export function dot(c: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i] * y[i];
  return s;
}

/**
 * Seeded uniform float64 values in [lo, hi) (`Rng` of `@paretopo/random`), stored as {@link f64}.
 *
 * @param n - how many
 * @param seed - seed
 * @param lo - lower bound (default −1)
 * @param hi - upper bound (default 1)
 * @returns float64 storage viewed as Float32Array
 * @example
 * randomF64(3, 1).length; // 3
 */
export function randomF64(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.next();
  return out as unknown as Float32Array;
}
