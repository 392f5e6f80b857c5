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
  const rx = ref[0];
  let best = ref[1];
  let hv = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const y = data[2 * i + 1];
    if (y < best) {
      hv += (rx - data[2 * i]) * (best - y);
      best = y;
    }
  }
  return hv;
}
