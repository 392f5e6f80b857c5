import { RankSet } from '../exact/bitset';
import { limitScratch } from '../exact/limitSet';
import { argsortColumn, argsortInto, sortTies } from '../exact/sort';
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
  // Every buffer is allocated before the first loop, and each loop lives in a function of its
  // own that ends with it. A function that runs one long loop per call enters it through the
  // loop's cached on-stack-replacement code, compiled before the code after the loop had ever
  // run: with code there, every call fell back to the interpreter twice (V8's trace-deopt:
  // "insufficient type feedback", from the same cached code on every call).
  const s = scratch2d(m);
  // xs[m] = rx: a sentinel group that closes the last staircase point's segment.
  const { xs, ys, bx, bdy, order } = s;
  argsortInto(data, m, 2, 0, order);
  gatherByOrder(data, order, m, xs, ys);
  xs[m] = rx;
  sweep2d(xs, ys, order, m, ry, bx, bdy, out);
}

/** Buffers of {@link contributions2d} for up to `n` rows. */
interface Scratch2d {
  readonly n: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly bx: Float64Array;
  readonly bdy: Float64Array;
  readonly order: Uint32Array;
}

/**
 * Buffers reused across calls up to {@link POOL_2D} rows (at most 4.7 MB kept): allocating 4.4 MB
 * of typed arrays per 1e5-point call made V8 collect garbage for their external memory, every
 * few calls a full collection whose cost grows with the application's heap (a heap of 2·10⁶
 * numbers beside the call raised its median CPU time by a fifth). Larger calls allocate their own.
 */
let pool2d: Scratch2d | undefined;

/**
 * Rows to allocate for a call of `m` rows when the pool holds `held`: past `cap` exactly `m` (not
 * kept); below it at least double the pool (so a growing caller reallocates O(log n) times), at
 * least 64, at most `cap`.
 */
function scratchRows(m: number, held: number, cap: number): number {
  return m > cap ? m : Math.min(Math.max(m, 2 * held, 64), cap);
}
const POOL_2D = 1 << 17;

function scratch2d(m: number): Scratch2d {
  if (pool2d !== undefined && pool2d.n >= m) return pool2d;
  const size = scratchRows(m, pool2d?.n ?? 0, POOL_2D);
  const made: Scratch2d = {
    n: size,
    xs: new Float64Array(size + 1),
    ys: new Float64Array(size),
    bx: new Float64Array(size),
    bdy: new Float64Array(size),
    order: new Uint32Array(size),
  };
  if (m <= POOL_2D) pool2d = made;
  return made;
}

/** xs[t], ys[t] = the row order[t] of 2-column `data` (the sweep then reads memory sequentially). */
function gatherByOrder(data: Float64Array, order: Uint32Array, m: number, xs: Float64Array, ys: Float64Array): void {
  for (let t = 0; t < m; t++) {
    const o = order[t] * 2;
    xs[t] = data[o];
    ys[t] = data[o + 1];
  }
}

/**
 * The sweep of {@link contributions2d} over the rows sorted by x (m ≥ 1, xs[m] = rx). No double
 * carried across its iterations starts from a parameter or meets the literal 0 in a conditional:
 * the compiled loop kept such values boxed, up to two fresh heap numbers per row (3 MB per call
 * at n = 1e5, and about three young-generation collections).
 */
function sweep2d(
  xs: Float64Array,
  ys: Float64Array,
  order: Uint32Array,
  m: number,
  ry: number,
  bx: Float64Array,
  bdy: Float64Array,
  out: Float64Array,
): void {
  // ry + 0 is a double: ry itself is a tagged parameter, and the variables below that start
  // from it would stay tagged.
  const top = ry + 0;
  let nb = 0;
  let cur = -1;
  let curX = 0;
  let curY = top;
  let curDup = false;
  let yLeft = top;
  let subMin = top;
  let t = 0;
  // One pass more than there are groups: at t = m, x = rx closes the last staircase point's
  // segment, so the loop holds the only store (no code after it).
  for (;;) {
    const end = t === m;
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
    const opened = end || ymin < curY;
    if (opened) {
      if (cur >= 0) {
        if (curDup) out[order[cur]] = 0;
        else out[order[cur]] = segment(curX, curY, yLeft, x, bx, bdy, nb);
      }
      if (end) return;
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
}

/** Rectangle [x, xRight) × [y, yLeft) minus the union of the dominated points' boxes inside it. */
function segment(x: number, y: number, yLeft: number, xRight: number, bx: Float64Array, bdy: Float64Array, nb: number): number {
  let v = (xRight - x) * (yLeft - y);
  for (let j = 0; j < nb; j++) v -= (xRight - bx[j]) * bdy[j];
  // Rounding can leave a tiny negative; NaN (∞ − ∞ after an overflow) must reach the caller's
  // finiteness check instead of becoming 0: Math.max does both (and keeps the result a double).
  return Math.max(v, 0);
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
  const s = scratch3d(m);
  const { byZ, byX, posOf, stair } = s;
  argsortInto(data, m, 3, 2, byZ);
  sortTies(data, byZ, m, 3, 2, 0, 1);
  argsortInto(data, m, 3, 0, byX);
  sortTies(data, byX, m, 3, 0, 1, 2);
  // Everything below is indexed by position in the sweep (z order) or by (x, y, z) rank, so the
  // sweep reads its per-point arrays sequentially instead of jumping through `data`.
  for (let t = 0; t < m; t++) posOf[byZ[t]] = t;
  const { xs, ys, posAt, rankAt, zs, acc, dup, nx, ny, head, tail } = s;
  for (let r = 0; r < m; r++) {
    const i = byX[r];
    xs[r] = data[i * 3];
    ys[r] = data[i * 3 + 1];
    posAt[r] = posOf[i];
    rankAt[posOf[i]] = r;
  }
  // Index m is the reference corner: "no neighbour" and "the end of the sweep" read it there.
  xs[m] = rx;
  ys[m] = ry;
  for (let t = 0; t < m; t++) zs[t] = data[byZ[t] * 3 + 2];
  zs[m] = rz;
  for (let u = 0; u < m; u++) {
    nx[u] = xs[rankAt[u]];
    ny[u] = ys[rankAt[u]];
  }
  acc.fill(0, 0, m);
  dup.fill(0, 0, m);
  head.fill(-1, 0, m);
  tail.fill(-1, 0, m);
  stair.clear();
  sweep3d(s, m);
  for (let u = 0; u < m; u++) out[byZ[u]] = dup[u] ? 0 : acc[u];
}

/**
 * Buffers of {@link contributions3d} for up to `n` rows. Per sweep position: accumulated volume,
 * current exclusive area, z of its last update, duplicate flag, (x, y) of the point. The private
 * points of each staircase point form a doubly linked list (x ascending, y descending) whose nodes
 * are sweep positions, since a point becomes a private point at most once (when it is dominated
 * on arrival, or pushed off the staircase): typed arrays instead of one JS array per owner.
 */
interface Scratch3d {
  readonly n: number;
  readonly byZ: Uint32Array;
  readonly byX: Uint32Array;
  readonly posOf: Uint32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly posAt: Uint32Array;
  readonly rankAt: Uint32Array;
  readonly zs: Float64Array;
  readonly acc: Float64Array;
  readonly area: Float64Array;
  readonly zl: Float64Array;
  readonly dup: Uint8Array;
  readonly nx: Float64Array;
  readonly ny: Float64Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly stair: RankSet;
}

/**
 * Buffers reused across calls up to {@link POOL_3D} rows (at most 3.3 MB kept; as for 2-D, see
 * {@link pool2d}: the 1e4-point call allocated 1 MB of typed arrays each time). Larger calls
 * allocate their own.
 */
let pool3d: Scratch3d | undefined;
const POOL_3D = 1 << 15;

function scratch3d(m: number): Scratch3d {
  if (pool3d !== undefined && pool3d.n >= m) return pool3d;
  const size = scratchRows(m, pool3d?.n ?? 0, POOL_3D);
  const made: Scratch3d = {
    n: size,
    byZ: new Uint32Array(size),
    byX: new Uint32Array(size),
    posOf: new Uint32Array(size),
    xs: new Float64Array(size + 1),
    ys: new Float64Array(size + 1),
    posAt: new Uint32Array(size),
    rankAt: new Uint32Array(size),
    zs: new Float64Array(size + 1),
    acc: new Float64Array(size),
    area: new Float64Array(size),
    zl: new Float64Array(size),
    dup: new Uint8Array(size),
    nx: new Float64Array(size),
    ny: new Float64Array(size),
    next: new Int32Array(size),
    prev: new Int32Array(size),
    head: new Int32Array(size),
    tail: new Int32Array(size),
    stair: new RankSet(size),
  };
  if (m <= POOL_3D) pool3d = made;
  return made;
}

/**
 * The z-sweep of {@link contributions3d} over m ≥ 1 prepared rows in `s`: leaves every sweep
 * position's exclusive volume in `acc` and marks duplicates in `dup`. Its helpers are module
 * functions that take the buffers: as closures made per call (before), each call's new closures
 * sent the compiled sweep back to the interpreter ("wrong call target", 7 times in 150 calls of
 * the 1e4-point bench). The sweep calls nothing that could start another contributions3d, so
 * the pooled buffers are never in use twice.
 */
function sweep3d(s: Scratch3d, m: number): void {
  const { xs, ys, zs, rankAt, posAt, nx, ny, next, prev, head, tail, zl, dup, stair } = s;
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
      if (insertPrivate(s, owner, u0)) {
        settle(s, owner, u0);
        refreshArea(s, pr, m);
      }
      continue;
    }
    if (copies > 1) dup[u0] = 1;
    // The staircase points q dominates become its private points, in x order.
    let sn = stair.next(rq + 1);
    while (sn >= 0 && ys[sn] >= qy) {
      const u = posAt[sn];
      settle(s, u, u0);
      head[u] = -1;
      next[u] = -1;
      prev[u] = tail[u0];
      if (tail[u0] >= 0) next[tail[u0]] = u;
      else head[u0] = u;
      tail[u0] = u;
      stair.erase(sn);
      sn = stair.next(sn + 1);
    }
    if (pr >= 0) {
      // Private points of the left neighbour at x ≥ qx are now covered by q.
      const u = posAt[pr];
      settle(s, u, u0);
      let k = tail[u];
      while (k >= 0 && nx[k] >= qx) k = prev[k];
      tail[u] = k;
      if (k >= 0) next[k] = -1;
      else head[u] = -1;
    }
    if (sn >= 0) {
      // Likewise those of the right neighbour at y ≥ qy.
      const u = posAt[sn];
      settle(s, u, u0);
      let k = head[u];
      while (k >= 0 && ny[k] >= qy) k = next[k];
      head[u] = k;
      if (k >= 0) prev[k] = -1;
      else tail[u] = -1;
    }
    stair.insert(rq);
    zl[u0] = qz;
    setArea(s, rq, sn >= 0 ? sn : m, pr >= 0 ? pr : m);
    if (pr >= 0) {
      const pl = pr > 0 ? stair.prev(pr - 1) : -1;
      setArea(s, pr, rq, pl >= 0 ? pl : m);
    }
    if (sn >= 0) {
      const sr = stair.next(sn + 1);
      setArea(s, sn, sr >= 0 ? sr : m, rq);
    }
  }
  for (let r = stair.next(0); r >= 0; r = stair.next(r + 1)) settle(s, posAt[r], m);
}

/**
 * Exclusive area of staircase rank r between its right neighbour (rank; m for none) and its
 * left neighbour (rank; m for none): the rectangle less its private points.
 */
function setArea(s: Scratch3d, r: number, right: number, left: number): void {
  const { xs, ys, nx, ny, next } = s;
  const xR = xs[right];
  const yL = ys[left];
  const u = s.posAt[r];
  let a = (xR - xs[r]) * (yL - ys[r]);
  let yPrev = yL;
  for (let k = s.head[u]; k >= 0; k = next[k]) {
    a -= (xR - nx[k]) * (yPrev - ny[k]);
    yPrev = ny[k];
  }
  s.area[u] = a > 0 || Number.isNaN(a) ? a : 0; // NaN: as in segment
}

/** {@link setArea} of staircase rank r with its current neighbours. */
function refreshArea(s: Scratch3d, r: number, m: number): void {
  const right = s.stair.next(r + 1);
  const left = r > 0 ? s.stair.prev(r - 1) : -1;
  setArea(s, r, right >= 0 ? right : m, left >= 0 ? left : m);
}

/** Brings sweep position u's volume up to the z of sweep position t (m: the reference point). */
function settle(s: Scratch3d, u: number, t: number): void {
  const z = s.zs[t];
  s.acc[u] += s.area[u] * (z - s.zl[u]);
  s.zl[u] = z;
}

/**
 * Adds node `id` to owner's private list unless a member weakly dominates it, dropping the
 * members it dominates. Returns whether the list changed.
 */
function insertPrivate(s: Scratch3d, owner: number, id: number): boolean {
  const { nx, ny, next, prev } = s;
  const x = nx[id];
  const y = ny[id];
  let before = -1;
  let k = s.head[owner];
  while (k >= 0 && nx[k] <= x) {
    before = k;
    k = next[k];
  }
  if (before >= 0 && ny[before] <= y) return false;
  // A member with the same x and a larger y is dominated too: the new node replaces it.
  let start = k;
  let after = before;
  if (before >= 0 && nx[before] === x) {
    start = before;
    after = prev[before];
  }
  let end = start;
  while (end >= 0 && ny[end] >= y) end = next[end];
  prev[id] = after;
  next[id] = end;
  if (after >= 0) next[after] = id;
  else s.head[owner] = id;
  if (end >= 0) prev[end] = id;
  else s.tail[owner] = id;
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
