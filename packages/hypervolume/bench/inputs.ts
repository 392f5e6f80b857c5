import { benchPoints } from '@paretopo/test-utils';

/**
 * `front`: uniform directions on the positive unit sphere (almost every point non-dominated, the
 * hard case). `cube`: uniform in [0, 1)^d (most points dominated).
 */
export type Kind = 'front' | 'cube';

/**
 * Seeded points of one `d`, `n`, `kind` case, with what every sweep block needs besides: the
 * reference point (1.1, …, 1.1), the first column as the `Float64Array.prototype.sort` baseline's
 * keys, and the bench options (5 iterations from 1e5 points, 300 ms below).
 *
 * @example
 * const { pts, ref } = benchCase(3, 1000, 'front', 1); // pts.n = 1000, ref = [1.1, 1.1, 1.1]
 */
export function benchCase(d: number, n: number, kind: Kind, seed: number) {
  const pts = benchPoints(n, d, kind === 'front' ? 'sphere' : 'cube', seed);
  const ref: number[] = new Array(d).fill(1.1);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = pts.data[i * d];
  const opts = n >= 1e5 ? { iterations: 5, warmupIterations: 1, time: 0 } : { time: 300 };
  return { pts, ref, keys, opts };
}
