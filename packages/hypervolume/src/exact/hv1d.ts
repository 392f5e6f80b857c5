/**
 * Exact 1-D hypervolume (unchecked core): the length from the smallest value to the reference.
 * Contract of every core in `exact/`: minimisation, every point strictly dominates `ref`,
 * finite values, `data` is not modified.
 *
 * @example
 * hv1d(Float64Array.of(3, 1, 2), 3, Float64Array.of(5)); // 4
 */
export function hv1d(data: Float64Array, n: number, ref: Float64Array): number {
  if (n === 0) return 0;
  let min = data[0];
  for (let i = 1; i < n; i++) if (data[i] < min) min = data[i];
  return ref[0] - min;
}
