import { argsortInto } from './sort';

/**
 * Exact 4-D hypervolume (unchecked core, contract as {@link hv1d}), after HV4D+ (Guerreiro &
 * Fonseca 2018): sweep the points by ascending w, keeping the 3-D volume of the (x, y, z)
 * projections seen so far; each new point adds its exclusive 3-D contribution, computed in one
 * pass over the live points, an interleaved list sorted by z (below p, visited downwards from
 * p's z: the part of p's (x, y) box already covered; above p: a z-sweep of the covered area,
 * kept as a clipped staircase).
 * O(n²) time, O(n) memory; points dominated in 3-D by a live one are dropped, and live points
 * that p dominates are evicted. Uses module-level scratch (grown on demand, never shared
 * between calls in flight: the core calls nothing back).
 *
 * @example
 * hv4d(Float64Array.of(1, 0, 1, 0, 0, 1, 0, 0), 2, Float64Array.of(2, 2, 2, 1)); // 5
 */
export function hv4d(data: Float64Array, n: number, ref: Float64Array): number {
  if (n === 0) return 0;
  // Scratch reused across calls: the dimension sweep calls this core once per point on small
  // clipped sets, where allocating typed arrays would cost more than the work itself.
  if (scratchN < n) grow(n);
  const ordW = ordBuf;
  argsortInto(data, n, 4, 3, ordW);
  const L = liveBuf;
  liveCount = 0;
  let vol3 = 0;
  let hv = 0;
  for (let k = 0; k < n; k++) {
    const i = ordW[k];
    if (contribution3d(data, i, L, ref, stairX, stairY)) {
      const c = stairIo[IO_VOLUME];
      const px = data[4 * i];
      const py = data[4 * i + 1];
      const pz = data[4 * i + 2];
      // The exclusive volume is a difference of nearly equal areas, so it can round below 0;
      // p must still join the live list (it has already evicted the points it dominates).
      // NaN (∞ − ∞ after an overflow) is kept so that the caller's finiteness check sees it.
      if (c > 0 || Number.isNaN(c)) vol3 += c;
      // Insert p into the live list, kept sorted by z, after the points at or below pz.
      const a = insertAt;
      // Short moves take a plain loop: the d = 5 sweep's clipped sets are a few dozen points,
      // where copyWithin's builtin call costs more than the move.
      if (liveCount - a > 32) L.copyWithin(3 * a + 3, 3 * a, 3 * liveCount);
      else for (let t = 3 * liveCount - 1; t >= 3 * a; t--) L[t + 3] = L[t];
      L[3 * a] = px;
      L[3 * a + 1] = py;
      L[3 * a + 2] = pz;
      liveCount++;
    }
    const wNext = k + 1 < n ? data[4 * ordW[k + 1] + 3] : ref[3];
    hv += vol3 * (wNext - data[4 * i + 3]);
  }
  return hv;
}

let scratchN = 0;
let liveCount = 0;
/** Live (x, y, z) triples, interleaved and sorted by z, so each pass reads memory sequentially. */
let liveBuf = new Float64Array(0);
let stairX = liveBuf;
let stairY = liveBuf;
let ordBuf = new Uint32Array(0);

function grow(n: number): void {
  scratchN = Math.max(n, 2 * scratchN, 64);
  liveBuf = new Float64Array(3 * scratchN + 3);
  stairX = new Float64Array(scratchN + 1);
  stairY = new Float64Array(scratchN + 1);
  ordBuf = new Uint32Array(scratchN);
}

/**
 * Exclusive 3-D volume of p = (x, y, z) of row i of `data` (4 columns) against the live points
 * (possibly a rounding error below 0), left in `stairIo[IO_VOLUME]`; returns false, with no
 * volume, when a live point weakly dominates p. The flag is separate from the volume, not "any
 * negative number": a rounded exclusive volume can be −1e-16, and treating that as dominated
 * dropped p after it had evicted the live points it dominates (so a later duplicate re-added
 * their volume). Live points that p weakly
 * dominates (and differ from it) are removed from the list on the way: their boxes lie in p's
 * box, so the union does not change once p joins.
 *
 * The live points at or below pz only cover part of p's (x, y) box; they are visited from pz
 * downwards, because the nearest ones in z tend to be the nearest in (x, y) too: their clipped
 * boxes become the strips and steps that reject most of the lower points in O(1) (visiting them
 * upwards made five times as many staircase insertions on 4-D fronts). The points above pz are
 * then swept upwards, adding the uncovered area × Δz.
 */
function contribution3d(
  data: Float64Array,
  i: number,
  L: Float64Array,
  ref: Float64Array,
  sx: Float64Array,
  sy: Float64Array,
): boolean {
  const px = data[4 * i];
  const py = data[4 * i + 1];
  const pz = data[4 * i + 2];
  const rx = ref[0];
  const ry = ref[1];
  const io = stairIo;
  io[IO_RX] = rx;
  io[IO_RY] = ry;
  io[IO_COVERED] = 0;
  const boxArea = (rx - px) * (ry - py);
  const count = liveCount;
  // First live point above pz.
  let split = 0;
  let hi = count;
  while (split < hi) {
    const mid = (split + hi) >>> 1;
    if (L[3 * mid + 2] <= pz) split = mid + 1;
    else hi = mid;
  }
  stairLen = 0;
  let bx = rx;
  let by = ry;
  // A clipped point with y = py covers the whole strip x ≥ qx of p's box (likewise x = px):
  // the best such strips reject most points without a search of the staircase.
  // Only the live points at pz itself (the top of the range below) can be evicted from below;
  // checking them apart keeps that test out of the loop over every lower point.
  let evictBelow = false;
  for (let u = split - 1; u >= 0 && L[3 * u + 2] === pz; u--) {
    if (L[3 * u] >= px && L[3 * u + 1] >= py) evictBelow = true;
  }
  for (let u = split - 1; u >= 0; u--) {
    const qx = Math.max(L[3 * u], px);
    const qy = Math.max(L[3 * u + 1], py);
    // Most points fall in a strip: test that first, branch-free. Such a point cannot dominate p
    // in (x, y), since bx > px and by > py (every point lies strictly below ref).
    if ((+(qx >= bx) | +(qy >= by)) !== 0) continue;
    // The live points form an antichain, so a p that a live point dominates evicts nothing.
    if (qx === px && qy === py) return false;
    if (qy === py) bx = qx;
    else if (qx === px) by = qy;
    io[IO_QX] = qx;
    io[IO_QY] = qy;
    stairInsert(sx, sy, io);
  }
  let w = split;
  if (evictBelow) {
    // Rare: p shares its z with live points it dominates in (x, y).
    let u = split;
    while (u > 0 && L[3 * u - 1] === pz) u--;
    w = u;
    for (; u < split; u++) {
      const ux = L[3 * u];
      const uy = L[3 * u + 1];
      if (ux >= px && uy >= py) continue;
      L[3 * w] = ux;
      L[3 * w + 1] = uy;
      L[3 * w + 2] = pz;
      w++;
    }
  }
  insertAt = w;
  // The uncovered area changes only where a point enters the staircase, so the volume is added
  // there (and at the end), over the z range since the previous entry: no product per point.
  let vol = 0;
  let zPrev = pz;
  let uncovered = boxArea - io[IO_COVERED];
  for (let u = split; u < count; u++) {
    const ux = L[3 * u];
    const uy = L[3 * u + 1];
    const qz = L[3 * u + 2];
    const qx = Math.max(ux, px);
    const qy = Math.max(uy, py);
    // Above pz, p weakly dominates u exactly when it does in (x, y).
    if (qx !== ux || qy !== uy) {
      if (w !== u) {
        L[3 * w] = ux;
        L[3 * w + 1] = uy;
        L[3 * w + 2] = qz;
      }
      w++;
    }
    if (qx === px && qy === py) {
      // p's (x, y) box is covered for every higher z.
      if (w !== u + 1) {
        // Short moves take a plain loop (see hv4d's insertion).
        if (count - u > 32) L.copyWithin(3 * w, 3 * (u + 1), 3 * count);
        else for (let t = 3 * (u + 1), o = 3 * w; t < 3 * count; t++, o++) L[o] = L[t];
      }
      liveCount = w + count - u - 1;
      io[IO_VOLUME] = vol + uncovered * (qz - zPrev);
      return true;
    }
    if ((+(qx >= bx) | +(qy >= by)) !== 0) continue;
    if (qy === py) bx = qx;
    else if (qx === px) by = qy;
    io[IO_QX] = qx;
    io[IO_QY] = qy;
    stairInsert(sx, sy, io);
    vol += uncovered * (qz - zPrev);
    zPrev = qz;
    uncovered = boxArea - io[IO_COVERED];
  }
  liveCount = w;
  io[IO_VOLUME] = vol + uncovered * (ref[2] - zPrev);
  return true;
}

/**
 * Where p goes in the live list after a {@link contribution3d} call that returned true: the
 * number of live points left at or below its z.
 */
let insertAt = 0;

/** Length of the staircase in `stairX` / `stairY` during one {@link contribution3d} call. */
let stairLen = 0;

/**
 * Doubles passed to and from {@link stairInsert}: the clipped point, the reference corner and the
 * covered area it accumulates; and the volume {@link contribution3d} returns. TurboFan inlines only one of its two call sites, and a non-inlined
 * call boxes every double argument and its return value into a fresh heap number: that was
 * ~2.6 MB of garbage per 1000-point 4-D call (a fifth of the time in GC). Passing them through
 * one Float64Array allocates nothing. For the same reason {@link contribution3d} takes p's row
 * index instead of its coordinates, and leaves its volume here: returned, it became a fresh heap
 * number per point (25 000 per 1000-point 5-D hypervolume, a ninth of its time in GC).
 */
const stairIo = new Float64Array(6);
const IO_QX = 0;
const IO_QY = 1;
const IO_RX = 2;
const IO_RY = 3;
const IO_COVERED = 4;
const IO_VOLUME = 5;

/**
 * Inserts the clipped (qx, qy) into the 2-D staircase sx↑ / sy↓ of length {@link stairLen}
 * (unless a step already dominates it) and adds the area it adds inside [·, rx) × [·, ry) to the
 * covered area. (qx, qy), (rx, ry) and the covered area live in `io` (see {@link stairIo}).
 */
function stairInsert(sx: Float64Array, sy: Float64Array, io: Float64Array): void {
  const qx = io[IO_QX];
  const qy = io[IO_QY];
  const rx = io[IO_RX];
  const ry = io[IO_RY];
  const m = stairLen;
  let pos = 0;
  let b = m;
  while (pos < b) {
    const mid = (pos + b) >>> 1;
    if (sx[mid] < qx || (sx[mid] === qx && sy[mid] <= qy)) pos = mid + 1;
    else b = mid;
  }
  if (pos > 0 && sy[pos - 1] <= qy) return;
  let added = 0;
  let top = pos > 0 ? sy[pos - 1] : ry;
  let curX = qx;
  let j = pos;
  while (j < m && sy[j] >= qy) {
    added += (sx[j] - curX) * (top - qy);
    curX = sx[j];
    top = sy[j];
    j++;
  }
  added += ((j < m ? sx[j] : rx) - curX) * (top - qy);
  if (j === pos) {
    for (let t = m; t > pos; t--) {
      sx[t] = sx[t - 1];
      sy[t] = sy[t - 1];
    }
    stairLen = m + 1;
  } else if (j > pos + 1) {
    const gap = j - pos - 1;
    for (let t = j; t < m; t++) {
      sx[t - gap] = sx[t];
      sy[t - gap] = sy[t];
    }
    stairLen = m - gap;
  }
  sx[pos] = qx;
  sy[pos] = qy;
  io[IO_COVERED] += added;
}
