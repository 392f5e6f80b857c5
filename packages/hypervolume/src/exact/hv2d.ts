import { argsortColumn } from './sort';

/**
 * Exact 2-D hypervolume (unchecked core, contract as {@link hv1d}): sort by x, then sweep the
 * staircase keeping the best y so far. O(n log n) time, O(n) memory; dominated points and
 * duplicates add 0, and the order among equal x does not matter.
 *
 * @example
 * hv2d(Float64Array.of(5, 5, 4, 6, 2, 7, 7, 4), 4, Float64Array.of(10, 10)); // 38
 */
export function hv2d(data: Float64Array, n: number, ref: Float64Array): number {
  const order = argsortColumn(data, n, 2, 0);
  // The running sum and the best y so far live in `acc`, not in locals (see staircase).
  const acc = Float64Array.of(0, ref[1]);
  staircase(data, order, n, ref[0], acc);
  return acc[0];
}

/**
 * The sweep of {@link hv2d}. The running sum and the best y live in `acc`: as locals carried
 * across the iterations (even started from `ry + 0`), the compiled loop kept them boxed, two
 * fresh heap numbers per row (3 MB per call at n = 1e5, three young-generation collections).
 */
function staircase(data: Float64Array, order: Uint32Array, n: number, rx: number, acc: Float64Array): void {
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const y = data[2 * i + 1];
    const best = acc[1];
    if (y < best) {
      acc[0] += (rx - data[2 * i]) * (best - y);
      acc[1] = y;
    }
  }
}
