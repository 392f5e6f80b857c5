import { RankSet } from '../exact/bitset';
import { limitScratch } from '../exact/limitSet';
import { argsortColumn, sortTies } from '../exact/sort';
import { exclusiveVolume } from './exclusive';

/*
 * Unchecked contribution cores. Input: m rows (minimised, each strictly inside the box of `ref`);
 * output: `out[k]` = HV(all) − HV(all without row k). Conventions shared by every core:
 * a weakly dominated row gets 0, every copy of a duplicated row gets 0 (removing one copy loses
 * nothing), and dominated rows still shrink the contribution of the point that dominates them.
 */

/**
 * 2-D, O(n log n): after sorting by x, a staircase point's contribution is the rectangle between
 * its neighbours on the staircase, minus what the points it alone dominates cover inside that
 * rectangle (a small 2-D hypervolume with the rectangle's far corner as reference, accumulated in
 * the same sweep because those points arrive in x order).
 *
 * @example
 * const out = new Float64Array(4);
 * contributions2d(Float64Array.of(5, 5, 4, 6, 2, 7, 7, 4), 4, 10, 10, out); // out → [2, 1, 6, 3]
 */
export function contributions2d(data: Float64Array, m: number, rx: number, ry: number, out: Float64Array): void {
  out.fill(0, 0, m);
  if (m === 0) return;
  const order = argsortColumn(data, m, 2, 0);
  // Gather once in x order: the sweep then reads memory sequentially.
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  for (let t = 0; t < m; t++) {
    const o = order[t] * 2;
    xs[t] = data[o];
    ys[t] = data[o + 1];
  }
  const bx = new Float64Array(m);
  const bdy = new Float64Array(m);
  let nb = 0;
  let cur = -1;
  let curX = 0;
  let curY = ry;
  let curDup = false;
  let yLeft = ry;
  let subMin = ry;
  let t = 0;
  while (t < m) {
    const x = xs[t];
    let g = t;
    let ymin = Infinity;
    let rep = -1;
    let copies = 0;
    while (g < m && xs[g] === x) {
      const y = ys[g];
      if (y < ymin) {
        ymin = y;
        rep = g;
        copies = 1;
      } else if (y === ymin) copies++;
      g++;
    }
    const opened = ymin < curY;
    if (opened) {
      if (cur >= 0) out[order[cur]] = curDup ? 0 : segment(curX, curY, yLeft, x, bx, bdy, nb);
      yLeft = curY;
      cur = rep;
      curX = x;
      curY = ymin;
      curDup = copies > 1;
      nb = 0;
      subMin = yLeft;
    }
    // Every other member of the group is dominated (by `cur`); only those below the running
    // minimum of the segment add to what `cur` shares with dominated points. Copies of `cur`
    // itself are skipped: they already make its contribution 0.
    for (let s = t; s < g; s++) {
      const y = ys[s];
      if (y < subMin && !(opened && y === curY)) {
        bx[nb] = x;
        bdy[nb] = subMin - y;
        nb++;
        subMin = y;
      }
    }
    t = g;
  }
  out[order[cur]] = curDup ? 0 : segment(curX, curY, yLeft, rx, bx, bdy, nb);
}

/** Rectangle [x, xRight) × [y, yLeft) minus the union of the dominated points' boxes inside it. */
function segment(x: number, y: number, yLeft: number, xRight: number, bx: Float64Array, bdy: Float64Array, nb: number): number {
  let v = (xRight - x) * (yLeft - y);
  for (let j = 0; j < nb; j++) v -= (xRight - bx[j]) * bdy[j];
  // Rounding can leave a tiny negative; NaN (∞ − ∞ after an overflow) must reach the caller's
  // finiteness check instead of becoming 0.
  return v > 0 || Number.isNaN(v) ? v : 0;
}

/**
 * 3-D: a sweep in z over the 2-D staircase of the points seen so far (after HVC3D, Guerreiro &
 * Fonseca 2018). A point's exclusive volume is the integral over z of its exclusive area in the
 * slice. That area is the rectangle between its staircase neighbours minus what its "private"
 * points cover inside it: points of the slice that it alone dominates in (x, y), i.e. the points
 * its insertion pushed off the staircase and dominated points that land in its rectangle. Each
 * insertion changes the areas of at most three points (itself and its two neighbours) or one
 * (a dominated point). The staircase is a {@link RankSet} over (x, y, z)-lexicographic ranks, so
 * neighbour queries cost O(log₃₂ n) and nothing is shifted: O(n log n) plus work proportional
 * to the private lists touched, which stay short on fronts (O(n²) in contrived worst cases).
 *
 * @example
 * const out = new Float64Array(2);
 * contributions3d(Float64Array.of(1, 0, 1, 0, 1, 0), 2, Float64Array.of(2, 2, 2), out); // out → [1, 3]
 */
export function contributions3d(data: Float64Array, m: number, ref: Float64Array, out: Float64Array): void {
  out.fill(0, 0, m);
  if (m === 0) return;
  const rx = ref[0];
  const ry = ref[1];
  const rz = ref[2];
  const byZ = argsortColumn(data, m, 3, 2);
  sortTies(data, byZ, m, 3, 2, 0, 1);
  const byX = argsortColumn(data, m, 3, 0);
  sortTies(data, byX, m, 3, 0, 1, 2);
  // Everything below is indexed by position in the sweep (z order) or by (x, y, z) rank, so the
  // sweep reads its per-point arrays sequentially instead of jumping through `data`.
  const posOf = new Uint32Array(m);
  for (let t = 0; t < m; t++) posOf[byZ[t]] = t;
  const xs = new Float64Array(m);
  const ys = new Float64Array(m);
  const posAt = new Uint32Array(m);
  const rankAt = new Uint32Array(m);
  for (let r = 0; r < m; r++) {
    const i = byX[r];
    xs[r] = data[i * 3];
    ys[r] = data[i * 3 + 1];
    posAt[r] = posOf[i];
    rankAt[posOf[i]] = r;
  }
  const zs = new Float64Array(m);
  for (let t = 0; t < m; t++) zs[t] = data[byZ[t] * 3 + 2];
  const stair = new RankSet(m);
  // Per sweep position: accumulated volume, current exclusive area, z of its last update.
  const acc = new Float64Array(m);
  const area = new Float64Array(m);
  const zl = new Float64Array(m);
  const dup = new Uint8Array(m);
  // Private points of each staircase point, as [x0, y0, x1, y1, …] with x ascending, y descending.
  const priv: (number[] | undefined)[] = new Array(m);

  // Exclusive area of staircase rank r given its right neighbour's x and left neighbour's y.
  const areaWith = (r: number, xR: number, yL: number): number => {
    let a = (xR - xs[r]) * (yL - ys[r]);
    const list = priv[posAt[r]];
    if (list !== undefined) {
      let yPrev = yL;
      for (let i = 0; i < list.length; i += 2) {
        a -= (xR - list[i]) * (yPrev - list[i + 1]);
        yPrev = list[i + 1];
      }
    }
    return a > 0 || Number.isNaN(a) ? a : 0; // NaN: as in segment
  };
  const areaOf = (r: number): number => {
    const right = stair.next(r + 1);
    const left = r > 0 ? stair.prev(r - 1) : -1;
    return areaWith(r, right >= 0 ? xs[right] : rx, left >= 0 ? ys[left] : ry);
  };
  const settle = (u: number, z: number): void => {
    acc[u] += area[u] * (z - zl[u]);
    zl[u] = z;
  };

  let t = 0;
  while (t < m) {
    const u0 = t;
    const rq = rankAt[t];
    const qx = xs[rq];
    const qy = ys[rq];
    const qz = zs[t];
    let g = t + 1;
    while (g < m && zs[g] === qz) {
      const rg = rankAt[g];
      if (xs[rg] !== qx || ys[rg] !== qy) break;
      g++;
    }
    const copies = g - t;
    t = g;
    // Lexicographic ranks put every staircase point with x ≤ qx (and y ≤ qy on equal x, or equal
    // (x, y) with a smaller z) before rq: the predecessor alone decides 2-D dominance.
    const pr = rq > 0 ? stair.prev(rq - 1) : -1;
    if (pr >= 0 && ys[pr] <= qy) {
      // Dominated. Covered by two staircase points: it takes nothing from anyone's exclusive area.
      const pp = pr > 0 ? stair.prev(pr - 1) : -1;
      if (pp >= 0 && ys[pp] <= qy) continue;
      const owner = posAt[pr];
      const list = priv[owner] ?? (priv[owner] = []);
      if (insertStep(list, qx, qy)) {
        settle(owner, qz);
        area[owner] = areaOf(pr);
      }
      continue;
    }
    if (copies > 1) dup[u0] = 1;
    let mine: number[] | undefined;
    let s = stair.next(rq + 1);
    while (s >= 0 && ys[s] >= qy) {
      const u = posAt[s];
      settle(u, qz);
      priv[u] = undefined;
      (mine ??= []).push(xs[s], ys[s]);
      stair.erase(s);
      s = stair.next(s + 1);
    }
    if (pr >= 0) {
      const u = posAt[pr];
      settle(u, qz);
      const list = priv[u];
      if (list !== undefined) {
        let cut = list.length;
        while (cut > 0 && list[cut - 2] >= qx) cut -= 2;
        list.length = cut;
      }
    }
    if (s >= 0) {
      const u = posAt[s];
      settle(u, qz);
      const list = priv[u];
      if (list !== undefined) {
        let cut = 0;
        while (cut < list.length && list[cut + 1] >= qy) cut += 2;
        if (cut > 0) list.splice(0, cut);
      }
    }
    stair.insert(rq);
    priv[u0] = mine;
    zl[u0] = qz;
    const xR = s >= 0 ? xs[s] : rx;
    const yL = pr >= 0 ? ys[pr] : ry;
    area[u0] = areaWith(rq, xR, yL);
    if (pr >= 0) {
      const pl = pr > 0 ? stair.prev(pr - 1) : -1;
      area[posAt[pr]] = areaWith(pr, qx, pl >= 0 ? ys[pl] : ry);
    }
    if (s >= 0) {
      const sr = stair.next(s + 1);
      area[posAt[s]] = areaWith(s, sr >= 0 ? xs[sr] : rx, qy);
    }
  }
  for (let r = stair.next(0); r >= 0; r = stair.next(r + 1)) settle(posAt[r], rz);
  for (let u = 0; u < m; u++) out[byZ[u]] = dup[u] ? 0 : acc[u];
}

/**
 * Adds (x, y) to a 2-D staircase list unless a member weakly dominates it, dropping the members
 * it dominates. Returns whether the list changed.
 */
function insertStep(list: number[], x: number, y: number): boolean {
  let i = 0;
  while (i < list.length && list[i] <= x) i += 2;
  if (i > 0 && list[i - 1] <= y) return false;
  const start = i > 0 && list[i - 2] === x ? i - 2 : i;
  let end = start;
  while (end < list.length && list[end + 1] >= y) end += 2;
  list.splice(start, end - start, x, y);
  return true;
}


/**
 * Any d: each point's exclusive volume through its limit set ({@link exclusiveVolume}). Rows are
 * visited in order of their coordinate sum, so likely dominators come first and the
 * non-dominated filter of each limit set stays small.
 *
 * @example
 * const out = new Float64Array(2);
 * contributionsGeneral(Float64Array.of(0, 0, 0, 1, 1, 1, 1, 0), 2, 4, Float64Array.of(2, 2, 2, 2), out); // out → [7, 1]
 */
export function contributionsGeneral(data: Float64Array, m: number, d: number, ref: Float64Array, out: Float64Array): void {
  out.fill(0, 0, m);
  if (m === 0) return;
  const sums = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += data[r * d + j];
    sums[r] = s;
  }
  const order = argsortColumn(sums, m, 1, 0);
  const sorted = new Float64Array(m * d);
  for (let t = 0; t < m; t++) sorted.set(data.subarray(order[t] * d, order[t] * d + d), t * d);
  const scratch = new Float64Array((m + 1) * d);
  const limit = limitScratch(m, d);
  const p = new Float64Array(d);
  for (let t = 0; t < m; t++) {
    p.set(sorted.subarray(t * d, t * d + d));
    out[order[t]] = exclusiveVolume(p, sorted, m, d, t, ref, scratch, limit);
  }
}
