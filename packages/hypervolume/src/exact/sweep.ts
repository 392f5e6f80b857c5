import { charge } from './budget';
import { clippedFront, limitScratch } from './limitSet';
import { argsortColumn } from './sort';

/** Exact hypervolume core of dimension `d` used for the (d−1)-dimensional contributions. */
export type HvCore = (data: Float64Array, n: number, d: number, ref: Float64Array) => number;

/**
 * Exact hypervolume for any d ≥ 2 by a dimension sweep (unchecked core, contract as
 * {@link hv1d}), in the spirit of Fonseca, Paquete & López-Ibáñez (2006) and of WFG's
 * exclusive-volume step (While, Bradstreet & Barone 2012): visit the points by ascending last
 * objective, keep the (d−1)-volume V of the projections seen so far, and add V × Δ to the result.
 * A new point p adds its exclusive (d−1)-volume: its box minus the hypervolume of the kept points
 * clipped to p's box (max(q, p) per objective) after a non-dominated filter
 * ({@link clippedFront}), computed by `lower`.
 * Kept points that p dominates are evicted, so the kept set stays a (d−1)-dimensional front.
 *
 * @param lower - exact core for d−1 objectives (e.g. the 4-D one when d = 5)
 * @example
 * hvSweep(Float64Array.of(1, 0, 1, 0, 1, 0), 2, 3, Float64Array.of(2, 2, 2), hvExact); // 5
 */
export function hvSweep(data: Float64Array, n: number, d: number, ref: Float64Array, lower: HvCore): number {
  if (n === 0) return 0;
  const e = d - 1;
  // The work meter (options.budget): this call's buffers and sort, then each step's scan below.
  charge(64 + n * d);
  const ord = argsortColumn(data, n, d, e);
  const lref = ref.subarray(0, e);
  // Kept projections, compacted, and the scratch for the clipped set.
  const kept = new Float64Array(n * e);
  let m = 0;
  const clip = new Float64Array(n * e);
  const p = new Float64Array(e);
  const scratch = limitScratch(n, e);
  const outside = scratch.outside;
  let vol = 0;
  let hv = 0;
  for (let k = 0; k < n; k++) {
    const i = ord[k];
    for (let j = 0; j < e; j++) p[j] = data[i * d + j];
    const c = clippedFront(p, kept, m, e, -1, clip, scratch);
    charge(8 + m * e + (e === 4 && c > 0 ? c * c : 0));
    if (c >= 0) {
      let box = 1;
      for (let j = 0; j < e; j++) box *= lref[j] - p[j];
      vol += box - (c === 0 ? 0 : lower(clip, c, e, lref));
      // Evict the kept points p weakly dominates (their boxes lie inside p's), then append p.
      let w = 0;
      for (let a = 0; a < m; a++) {
        if (outside[a] & 0x80) continue;
        if (w !== a) for (let j = 0; j < e; j++) kept[w * e + j] = kept[a * e + j];
        w++;
      }
      for (let j = 0; j < e; j++) kept[w * e + j] = p[j];
      m = w + 1;
    }
    const next = k + 1 < n ? data[ord[k + 1] * d + e] : ref[e];
    hv += vol * (next - data[i * d + e]);
  }
  return hv;
}
