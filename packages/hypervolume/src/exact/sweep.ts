import { charge } from './budget';
import { clippedFront, clippedFrontSorted4, limitScratch } from './limitSet';
import type { LimitScratch } from './limitSet';
import { argsortInto } from './sort';

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
  const s = sweepScratch(n, d);
  const ord = s.ord;
  argsortInto(data, n, d, e, ord);
  const lref = s.lref;
  for (let j = 0; j < e; j++) lref[j] = ref[j];
  // Kept projections, compacted, and the scratch for the clipped set.
  const kept = s.kept;
  let m = 0;
  const clip = s.clip;
  const p = s.p;
  const scratch = s.limit;
  const best = scratch.best;
  const cut = s.cut;
  let vol = 0;
  let hv = 0;
  for (let k = 0; k < n; k++) {
    const i = ord[k];
    for (let j = 0; j < e; j++) p[j] = data[i * d + j];
    // With 4 objectives left, the kept rows are sorted by their first objective, so the filter
    // scans only the rows that can matter (see clippedFrontSorted4).
    const c = e === 4 ? clippedFrontSorted4(p, kept, m, clip, scratch) : clippedFront(p, kept, m, e, -1, clip, scratch);
    charge(8 + m * e + (e === 4 && c > 0 ? c * c : 0));
    if (c >= 0) {
      // The slabs (the first rows of the clipped set, one per objective j with a finite best[j])
      // cover every point of p's box with x_j ≥ best[j]. What they leave is the box from p to
      // cut = min(best, ref), and only the other rows, all inside it, can cover part of that:
      // their hypervolume against cut is computed on fewer points (and smaller volumes).
      let strong = 0;
      let box = 1;
      for (let j = 0; j < e; j++) {
        const b = best[j];
        if (b !== Infinity) strong++;
        const top = b < lref[j] ? b : lref[j];
        cut[j] = top;
        box *= top - p[j];
      }
      const rest = c - strong;
      if (rest > 0 && strong > 0) clip.copyWithin(0, strong * e, c * e);
      vol += box - (rest === 0 ? 0 : lower(clip, rest, e, cut));
      // Evict the kept points p weakly dominates (their boxes lie inside p's; with e = 4 only
      // among the rows the filter examined), then add p. The runs of surviving rows between
      // evicted ones move in one copyWithin (a memmove) each.
      const ne = scratch.evicted;
      if (ne > 0) {
        const ev = scratch.evictedRows;
        let w = ev[0];
        for (let k = 0; k < ne; k++) {
          const from = ev[k] + 1;
          const to = k + 1 < ne ? ev[k + 1] : m;
          if (to > from) kept.copyWithin(w * e, from * e, to * e);
          w += to - from;
        }
        m = w;
      }
      // Sorted by the first objective when e = 4: p goes after the rows with q0 ≤ p0.
      let at = m;
      if (e === 4) {
        let lo = 0;
        while (lo < at) {
          const mid = (lo + at) >>> 1;
          if (kept[4 * mid] <= p[0]) lo = mid + 1;
          else at = mid;
        }
        if (at !== m) kept.copyWithin(4 * at + 4, 4 * at, 4 * m);
      }
      for (let j = 0; j < e; j++) kept[at * e + j] = p[j];
      m++;
    }
    const next = k + 1 < n ? data[ord[k + 1] * d + e] : ref[e];
    hv += vol * (next - data[i * d + e]);
  }
  return hv;
}

/** Buffers of one {@link hvSweep} level, for up to `n` points. */
interface SweepScratch {
  readonly n: number;
  readonly ord: Uint32Array;
  readonly lref: Float64Array;
  readonly cut: Float64Array;
  readonly kept: Float64Array;
  readonly clip: Float64Array;
  readonly p: Float64Array;
  readonly limit: LimitScratch;
}

/**
 * Buffers per dimension d, reused across calls. A d = 6 sweep calls the d = 5 level once per
 * point, and allocating its eight typed arrays each time spent a fifth of the time in the
 * garbage collector. One set per d is enough: a level only calls the level below (d − 1), so
 * two calls in flight never share a d. Calls on more than {@link POOL_MAX} points allocate their
 * own (rare top-level calls whose work dwarfs the allocation), so the pool holds buffers for at
 * most that many points per dimension.
 */
const pools: (SweepScratch | undefined)[] = [];
const POOL_MAX = 4096;

function sweepScratch(n: number, d: number): SweepScratch {
  const have = pools[d];
  if (have !== undefined && have.n >= n) return have;
  if (n > POOL_MAX) return makeScratch(n, d);
  const made = makeScratch(Math.min(Math.max(n, 2 * (have?.n ?? 0), 64), POOL_MAX), d);
  pools[d] = made;
  return made;
}

function makeScratch(size: number, d: number): SweepScratch {
  const e = d - 1;
  return {
    n: size,
    ord: new Uint32Array(size),
    lref: new Float64Array(e),
    cut: new Float64Array(e),
    kept: new Float64Array(size * e),
    clip: new Float64Array(size * e),
    p: new Float64Array(e),
    limit: limitScratch(size, e),
  };
}
