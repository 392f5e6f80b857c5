import { assertFiniteRows } from '../batch';

/** Which standard deviation divides a group-centred reward: n−1 (verl, TRL), n, or none (Dr. GRPO). */
export type StdMode = 'sample' | 'population' | 'none';

/** The accepted {@link StdMode} values, for option validation and the registry schema. */
export const STD_MODES: readonly StdMode[] = ['sample', 'population', 'none'];

/**
 * Whitens `a` in place over the whole batch: `(a − mean) / (std + eps)`. A batch with no spread,
 * or a single row under the sample std, becomes all zeros, never NaN.
 *
 * The mean is `a[0] + Σ (a[i] − a[0]) / n`, exact for a constant batch (summing n copies of 0.1
 * and dividing by n does not give 0.1 back), and the variance is two-pass (no cancellation). Both
 * sums keep four partial sums (rows i mod 4), added as (s₀ + s₁) + (s₂ + s₃) at the end: four
 * independent chains of additions instead of one, in the order the WebAssembly kernel uses.
 *
 * @example
 * whitenInPlace(Float64Array.of(-1, 1), 'population', 0); // Float64Array [-1, 1]
 */
export function whitenInPlace(a: Float64Array, std: Exclude<StdMode, 'none'>, eps: number): Float64Array {
  const n = a.length;
  if (n === 0) return a;
  const n4 = n & ~3;
  const first = a[0];
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i < n4; i += 4) {
    s0 += a[i] - first;
    s1 += a[i + 1] - first;
    s2 += a[i + 2] - first;
    s3 += a[i + 3] - first;
  }
  for (; i < n; i++) s0 += a[i] - first;
  const mean = first + (s0 + s1 + (s2 + s3)) / n;
  const ddof = std === 'sample' ? 1 : 0;
  let inv = 0;
  if (n - ddof >= 1) {
    let q0 = 0;
    let q1 = 0;
    let q2 = 0;
    let q3 = 0;
    for (i = 0; i < n4; i += 4) {
      const d0 = a[i] - mean;
      const d1 = a[i + 1] - mean;
      const d2 = a[i + 2] - mean;
      const d3 = a[i + 3] - mean;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    for (; i < n; i++) {
      const d = a[i] - mean;
      q0 += d * d;
    }
    const ssd = q0 + q1 + (q2 + q3);
    inv = ssd > 0 ? 1 / (Math.sqrt(ssd / (n - ddof)) + eps) : 0;
  }
  for (i = 0; i < n4; i += 4) {
    const x0 = a[i];
    const x1 = a[i + 1];
    const x2 = a[i + 2];
    const x3 = a[i + 3];
    a[i] = (x0 - mean) * inv;
    a[i + 1] = (x1 - mean) * inv;
    a[i + 2] = (x2 - mean) * inv;
    a[i + 3] = (x3 - mean) * inv;
  }
  for (; i < n; i++) a[i] = (a[i] - mean) * inv;
  return a;
}

/**
 * Throws when a fused finiteness probe (a sum over every reward) is not finite: names the first
 * non-finite reward by row and objective, or reports an overflow of finite values.
 *
 * @example
 * throwIfNotFinite('grpo', 0, Float64Array.of(1), 1); // ok
 */
export function throwIfNotFinite(fn: string, probe: number, rewards: Float64Array, k: number): void {
  if (probe - probe === 0) return;
  assertFiniteRows(fn, 'rewards', rewards, k);
  throw new RangeError(`${fn}: rewards overflow to a non-finite value (scale the rewards or weights down)`);
}
