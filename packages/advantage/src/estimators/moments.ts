import { assertFiniteRows } from '../batch';

/** Which standard deviation divides a group-centred reward: n−1 (verl, TRL), n, or none (Dr. GRPO). */
export type StdMode = 'sample' | 'population' | 'none';

/** The accepted {@link StdMode} values, for option validation and the registry schema. */
export const STD_MODES: readonly StdMode[] = ['sample', 'population', 'none'];

/**
 * Shifted sum `Σ (buf[a] − buf[0])` over `buf[0 .. c)`. The mean is then `buf[0] + sum / c`,
 * which is exact for a constant group (the sum is exactly 0), whereas summing c copies of 0.1 and
 * dividing by c does not give 0.1 back; "all-equal rewards → advantage 0" is a documented
 * guarantee. A non-finite value makes the sum non-finite, which callers use as a fused NaN check.
 *
 * @example
 * shiftedSum(Float64Array.of(0.1, 0.1, 0.1), 3); // 0
 */
export function shiftedSum(buf: Float64Array, c: number): number {
  const first = buf[0];
  let sum = 0;
  for (let a = 0; a < c; a++) sum += buf[a] - first;
  return sum;
}

/**
 * Reciprocal scale `1 / (std + eps)` of `buf[0 .. c)` around `mean` (two-pass: no cancellation).
 * 0 when there is no spread or too few values for the std, so those rows come out exactly 0;
 * 1 for `'none'`.
 *
 * @example
 * inverseScale(Float64Array.of(1, 0, 0, 1), 4, 0.5, 'population', 0); // 2
 */
export function inverseScale(buf: Float64Array, c: number, mean: number, std: StdMode, eps: number): number {
  if (std === 'none') return 1;
  const ddof = std === 'sample' ? 1 : 0;
  if (c - ddof < 1) return 0;
  let ssd = 0;
  for (let a = 0; a < c; a++) {
    const d = buf[a] - mean;
    ssd += d * d;
  }
  return ssd > 0 ? 1 / (Math.sqrt(ssd / (c - ddof)) + eps) : 0;
}

/**
 * Whitens `a` in place over the whole batch: `(a − mean) / (std + eps)`. A batch with no spread,
 * or a single row under the sample std, becomes all zeros, never NaN.
 *
 * @example
 * whitenInPlace(Float64Array.of(-1, 1), 'population', 0); // Float64Array [-1, 1]
 */
export function whitenInPlace(a: Float64Array, std: Exclude<StdMode, 'none'>, eps: number): Float64Array {
  const n = a.length;
  if (n === 0) return a;
  const mean = a[0] + shiftedSum(a, n) / n;
  const inv = inverseScale(a, n, mean, std, eps);
  for (let i = 0; i < n; i++) a[i] = (a[i] - mean) * inv;
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
