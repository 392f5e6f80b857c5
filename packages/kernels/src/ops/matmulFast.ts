/**
 * The js backend's matmul: operands packed into one WebAssembly memory, multiplied by the SIMD
 * micro-kernel of matmulWasm.ts, and (for large products) split by row blocks over worker threads
 * that share that memory. Synchronous: the calling thread computes its own row range, then waits on
 * an Atomics flag per worker, so no promise depends on a worker and the workers can stay unref'd
 * (they never keep the process alive).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { matmulWasmBytes } from './matmulWasm';
import type { MatmulArgs } from './types';
import { Wasm, type WasmMemory } from './wasmApi';

/**
 * Products below this many multiply-adds (m·k·n) stay on the calling thread. Measured on the 2-core
 * machine (one thread vs two, same product): 64³ (0.26 M) 48 µs vs 106 µs, 96³ (0.9 M) and 128³
 * (2.1 M) still faster on one thread, 160³ (4.1 M) a tie, 512×64×192 (6.3 M) and 256³ (16.8 M) up
 * to 1.3–1.7× faster on two. The packing and the worker hand-off (~50–100 µs) are serial.
 *
 * @example
 * 256 * 256 * 256 >= MATMUL_THREAD_MIN_MACS; // true: a 256³ product is split over the threads
 */
export const MATMUL_THREAD_MIN_MACS = 6_000_000;

// Control block at the start of the WASM memory (int32 words). A threaded product is cut into
// row chunks that the calling thread and the workers claim one at a time (work sharing), so a
// worker the OS has not scheduled yet costs the caller nothing: it computes the chunks itself.
//  GO: job generation, bumped per threaded product (−1: quit); workers sleep on it.
//  WORD: (epoch << 16) | next unclaimed chunk, claimed by compare-and-swap; CLOSED while the
//    parameters are rewritten. A claim succeeds only if WORD did not change since the claimer read
//    the parameters, so a late worker never mixes two products' parameters.
//  ACTIVE: workers inside a product; the caller returns once it is 0 and every chunk is claimed.
//  PARAMS: a, b, c, k, nPanels, mPad, nChunks, chunk rows.
const GO = 0;
const WORD = 1;
const ACTIVE = 2;
const PARAMS = 3;
const CLOSED = 0xffff;
const MAX_THREADS = 16;
const CTL_BYTES = 64;
const MAX_PAGES = 16384;
const WAIT_MS = 30_000;

interface State {
  memory: WasmMemory;
  mm: (a: number, b: number, c: number, i0: number, i1: number, k: number, nPanels: number) => void;
  bytes: Uint8Array;
  f32: Float32Array;
  ctl: Int32Array;
  workers: Worker[];
  /** Epoch of the last threaded product (15 bits, see WORD). */
  epoch: number;
}

let state: State | undefined;

function init(): State {
  const bytes = matmulWasmBytes(true, MAX_PAGES);
  const memory = new Wasm.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new Wasm.Instance(new Wasm.Module(bytes), { e: { m: memory } });
  const mm = instance.exports.mm as State['mm'];
  const s: State = { memory, mm, bytes, f32: new Float32Array(memory.buffer), ctl: new Int32Array(memory.buffer, 0, CTL_BYTES / 4), workers: [], epoch: 0 };
  return s;
}

function ensureBytes(s: State, bytes: number): void {
  const have = s.memory.buffer.byteLength;
  if (bytes > have) s.memory.grow(Math.ceil((bytes - have) / 65536));
  if (s.f32.buffer.byteLength !== s.memory.buffer.byteLength) {
    s.f32 = new Float32Array(s.memory.buffer);
    s.ctl = new Int32Array(s.memory.buffer, 0, CTL_BYTES / 4);
  }
}

// Claims chunks of the posted product until none is left. The workers run this function's own
// source text (see WORKER_SOURCE), so it may use only its arguments, Atomics, Math and the
// control-word constants, which the worker defines too.
function claimChunks(ctl: Int32Array, mm: State['mm']): void {
  for (;;) {
    const w = Atomics.load(ctl, WORD);
    const a = ctl[PARAMS], b = ctl[PARAMS + 1], c = ctl[PARAMS + 2], k = ctl[PARAMS + 3], np = ctl[PARAMS + 4];
    const mPad = ctl[PARAMS + 5], nChunks = ctl[PARAMS + 6], rows = ctl[PARAMS + 7];
    const idx = w & 0xffff;
    if (idx >= nChunks) return;
    if (Atomics.compareExchange(ctl, WORD, w, w + 1) !== w) continue;
    mm(a, b, c, idx * rows, Math.min(mPad, (idx + 1) * rows), k, np);
  }
}

// A worker sleeps on GO and is woken by Atomics.notify: no postMessage (whose structured clone and
// event-loop hop cost more than a small product's share).
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const mm = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), { e: { m: workerData.memory } }).exports.mm;
const ctl = new Int32Array(workerData.memory.buffer, 0, ${CTL_BYTES / 4});
const [GO, WORD, ACTIVE, PARAMS] = [${GO}, ${WORD}, ${ACTIVE}, ${PARAMS}];
const claimChunks = ${claimChunksSource()};
let seen = 0;
for (;;) {
  Atomics.wait(ctl, GO, seen);
  const g = Atomics.load(ctl, GO);
  if (g < 0) break;
  if (g === seen) continue;
  seen = g;
  Atomics.add(ctl, ACTIVE, 1);
  claimChunks(ctl, mm);
  Atomics.sub(ctl, ACTIVE, 1);
  Atomics.notify(ctl, ACTIVE);
}
`;

function claimChunksSource(): string {
  return claimChunks.toString();
}

/**
 * Threads the js matmul uses for large products (the calling thread plus workers): min(2, cores).
 *
 * @example
 * matmulThreads() // 2 on a 2-core machine
 */
export function matmulThreads(): number {
  // Read once: every product asks, and the system call showed in profiles.
  return (threadCount ??= Math.max(1, Math.min(2, availableParallelism())));
}
let threadCount: number | undefined;

function workers(s: State, count: number): Worker[] {
  while (s.workers.length < count) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes: s.bytes, memory: s.memory } });
    worker.unref();
    s.workers.push(worker);
  }
  return s.workers;
}

/** Rounds up to a multiple of `to`. */
const roundUp = (x: number, to: number): number => Math.ceil(x / to) * to;

// Products on the calling thread alone run in a second instance of the kernel over a private,
// non-shared memory: a typed array over it is an ordinary one (V8 keeps its length in a register),
// so the packing loops write straight into it and the result is read from it in place, where the
// shared memory needed a scratch copy each way and a slow copy into it.
interface Local {
  memory: WasmMemory;
  mm: State['mm'];
  f32: Float32Array;
}
let local: Local | undefined;

function initLocal(): Local {
  const memory = new Wasm.Memory({ initial: 16 });
  const instance = new Wasm.Instance(new Wasm.Module(matmulWasmBytes(false)), { e: { m: memory } });
  return { memory, mm: instance.exports.mm as State['mm'], f32: new Float32Array(memory.buffer) };
}

/** The single-thread product: same packing and kernel as the threaded one, so the same bits. */
function matmulLocal(args: MatmulArgs, mPad: number): void {
  const { a, b, out, m, k, n, transA = false, transB = false, bias, accumulate = false, bKey } = args;
  const L = (local ??= initLocal());
  const nPanels = Math.ceil(n / 8);
  const nPad = nPanels * 8;
  // No control block here; 64 bytes keep the operands where the shared path has them.
  const aOff = CTL_BYTES;
  const bOff = aOff + mPad * k * 4;
  const cOff = bOff + nPad * k * 4;
  const need = cOff + mPad * nPad * 4;
  const have = L.memory.buffer.byteLength;
  if (need > have) L.memory.grow(Math.ceil((need - have) / 65536));
  // Growing detaches the old buffer.
  if (L.f32.buffer !== L.memory.buffer) L.f32 = new Float32Array(L.memory.buffer);
  const f = L.f32;
  const a0 = aOff >> 2;
  if (!transA) f.set(a.subarray(0, m * k), a0);
  else packTransposed(a, m, k, f, a0);
  f.fill(0, a0 + m * k, a0 + mPad * k);
  const b0 = bOff >> 2;
  if (bKey !== undefined) f.set(packedB(b, k, n, transB, nPad, bKey), b0);
  else if (!transB) packPanels(b, k, n, f, b0);
  else packPanelsTransposed(b, k, n, f, b0);
  L.mm(aOff, bOff, cOff, 0, mPad, k, nPanels);
  const c0 = cOff >> 2;
  if (!bias && !accumulate && nPad === n) out.set(f.subarray(c0, c0 + m * n));
  else unpackSums(f, c0, nPad, out, m, n, bias, accumulate);
}

/**
 * Fast f32 matmul (the js backend's implementation; arguments already validated).
 *
 * @param args - see MatmulArgs
 * @param threads - threads to use for large products (default `matmulThreads()`; 1 = calling thread only)
 * @example
 * matmulFast({ a: Float32Array.of(1, 2), b: Float32Array.of(3, 4), out, m: 1, k: 2, n: 1 }) // out = [11]
 */
export function matmulFast(args: MatmulArgs, threads = matmulThreads()): void {
  const { a, b, out, m, k, n, transA = false, transB = false, bias, accumulate = false, bKey } = args;
  const mPad = roundUp(m, 4);
  const blocks = mPad / 4;
  const useThreads = threads > 1 && blocks >= 2 && m * k * n >= MATMUL_THREAD_MIN_MACS ? Math.min(threads, blocks, MAX_THREADS) : 1;
  if (useThreads === 1) {
    matmulLocal(args, mPad);
    return;
  }
  const s = (state ??= init());
  const nPanels = Math.ceil(n / 8);
  const nPad = nPanels * 8;
  const aOff = CTL_BYTES;
  const bOff = aOff + mPad * k * 4;
  const cOff = bOff + nPad * k * 4;
  ensureBytes(s, cOff + mPad * nPad * 4);
  const f = s.f32;

  // Element loops write to a private (non-shared) scratch and one memcpy moves the result into
  // the WASM memory: element access to a typed array over the shared, growable memory measured
  // 5–10× slower than to an ordinary one (V8 cannot keep its length in a register).
  // Pack A (m×k row-major, zero rows to mPad).
  const a0 = aOff >> 2;
  if (!transA) f.set(a.subarray(0, m * k), a0);
  else f.set(packTransposed(a, m, k, scratch(m * k)), a0);
  f.fill(0, a0 + m * k, a0 + mPad * k);

  // Pack B into k×8 panels (zero columns to nPad).
  f.set(packedB(b, k, n, transB, nPad, bKey), bOff >> 2);

  workers(s, useThreads - 1);
  // About 8 chunks per thread: small enough that a late worker leaves little for the caller to
  // wait on, large enough that claiming costs nothing next to a chunk.
  const rows = Math.ceil(blocks / (8 * useThreads)) * 4;
  const ctl = s.ctl;
  Atomics.store(ctl, WORD, (Atomics.load(ctl, WORD) & ~0xffff) | CLOSED);
  ctl[PARAMS] = aOff;
  ctl[PARAMS + 1] = bOff;
  ctl[PARAMS + 2] = cOff;
  ctl[PARAMS + 3] = k;
  ctl[PARAMS + 4] = nPanels;
  ctl[PARAMS + 5] = mPad;
  ctl[PARAMS + 6] = Math.ceil(mPad / rows);
  ctl[PARAMS + 7] = rows;
  s.epoch = (s.epoch + 1) & 0x7fff;
  Atomics.store(ctl, WORD, s.epoch << 16);
  Atomics.store(ctl, GO, (Atomics.load(ctl, GO) + 1) & 0x3fffffff);
  Atomics.notify(ctl, GO);
  claimChunks(ctl, s.mm);
  for (let active = Atomics.load(ctl, ACTIVE); active !== 0; active = Atomics.load(ctl, ACTIVE)) {
    if (Atomics.wait(ctl, ACTIVE, active, WAIT_MS) === 'timed-out' && Atomics.load(ctl, ACTIVE) === active) {
      throw new Error(`matmul: a worker thread did not finish its chunk within ${WAIT_MS} ms`);
    }
  }

  // Unpack C (+ bias, + previous out).
  const c0 = cOff >> 2;
  if (!bias && !accumulate && nPad === n) {
    out.set(f.subarray(c0, c0 + m * n));
    return;
  }
  // One copy out of the shared memory, then element loops (a view per row was garbage per call:
  // attention's score products, n = the sequence length, run a few hundred times per forward).
  const c = scratch(m * nPad);
  c.set(f.subarray(c0, c0 + m * nPad));
  unpackSums(c, 0, nPad, out, m, n, bias, accumulate);
}

// Packed copies of B kept for the caller's bKey (MatmulArgs.bKey): weights during one sampling
// call are packed once instead of at every decoding step. Keyed weakly by the B array.
const packedCache = new WeakMap<Float32Array, { key: object; k: number; n: number; transB: boolean; panels: Float32Array }>();

// B (k×n, or n×k with transB) as k×8 column panels, zero columns to nPad.
function packedB(b: Float32Array, k: number, n: number, transB: boolean, nPad: number, key: object | undefined): Float32Array {
  if (key !== undefined) {
    const hit = packedCache.get(b);
    if (hit !== undefined && hit.key === key && hit.k === k && hit.n === n && hit.transB === transB) return hit.panels;
  }
  const panels = key === undefined ? scratch(nPad * k) : new Float32Array(nPad * k);
  if (!transB) packPanels(b, k, n, panels, 0);
  else packPanelsTransposed(b, k, n, panels, 0);
  if (key !== undefined) packedCache.set(b, { key, k, n, transB, panels });
  return panels;
}

// The private scratch of the packing and unpacking loops (grown, never shrunk). Returns a view of
// exactly `size` elements.
let scratchBuf = new Float32Array(0);
function scratch(size: number): Float32Array {
  if (scratchBuf.length < size) scratchBuf = new Float32Array(Math.max(size, 2 * scratchBuf.length));
  return scratchBuf.subarray(0, size);
}

// out = c + bias (+ out), summed in float64 with one rounding to f32 at the store, in that order
// (or out = c, dropping the padding columns).
function unpackSums(c: Float32Array, c0: number, nPad: number, out: Float32Array, m: number, n: number, bias: Float32Array | undefined, accumulate: boolean): void {
  if (!bias && !accumulate) {
    for (let i = 0, src = c0, dst = 0; i < m; i++, src += nPad, dst += n) {
      for (let j = 0; j < n; j++) out[dst + j] = c[src + j];
    }
  } else if (bias && accumulate) {
    for (let i = 0, src = c0, dst = 0; i < m; i++, src += nPad, dst += n) {
      for (let j = 0; j < n; j++) out[dst + j] = c[src + j] + bias[j] + out[dst + j];
    }
  } else if (bias) {
    for (let i = 0, src = c0, dst = 0; i < m; i++, src += nPad, dst += n) {
      for (let j = 0; j < n; j++) out[dst + j] = c[src + j] + bias[j];
    }
  } else {
    for (let i = 0, src = c0, dst = 0; i < m; i++, src += nPad, dst += n) {
      for (let j = 0; j < n; j++) out[dst + j] = c[src + j] + out[dst + j];
    }
  }
}

// Aᵀ stored k×m → A rows (m×k): 8×8 tiles, so reads and writes both stay in a few cache lines.
function packTransposed(a: Float32Array, m: number, k: number, f: Float32Array, o = 0): Float32Array {
  for (let i0 = 0; i0 < m; i0 += 8) {
    const i1 = Math.min(m, i0 + 8);
    for (let p0 = 0; p0 < k; p0 += 8) {
      const p1 = Math.min(k, p0 + 8);
      for (let p = p0; p < p1; p++) {
        const src = p * m;
        for (let i = i0; i < i1; i++) f[o + i * k + p] = a[src + i];
      }
    }
  }
  return f;
}

// B (k×n row-major) → k×8 column panels, the last one zero-padded; one sweep over B's rows.
function packPanels(b: Float32Array, k: number, n: number, f: Float32Array, o: number): void {
  const full = n >> 3;
  const w = n - full * 8;
  const stride = k * 8;
  for (let p = 0; p < k; p++) {
    const row = p * n;
    let dst = o + p * 8;
    for (let jb = 0; jb < full; jb++, dst += stride) {
      const s = row + jb * 8;
      f[dst] = b[s];
      f[dst + 1] = b[s + 1];
      f[dst + 2] = b[s + 2];
      f[dst + 3] = b[s + 3];
      f[dst + 4] = b[s + 4];
      f[dst + 5] = b[s + 5];
      f[dst + 6] = b[s + 6];
      f[dst + 7] = b[s + 7];
    }
    if (w > 0) {
      const s = row + full * 8;
      for (let jj = 0; jj < w; jj++) f[dst + jj] = b[s + jj];
      for (let jj = w; jj < 8; jj++) f[dst + jj] = 0;
    }
  }
}

// Bᵀ stored n×k → the same panels: each column of B is a contiguous row of the input.
function packPanelsTransposed(b: Float32Array, k: number, n: number, f: Float32Array, o: number): void {
  const nPanels = Math.ceil(n / 8);
  for (let jb = 0; jb < nPanels; jb++) {
    const base = o + jb * k * 8;
    const j0 = jb * 8;
    const w = Math.min(8, n - j0);
    for (let jj = 0; jj < w; jj++) {
      const src = (j0 + jj) * k;
      for (let p = 0, dst = base + jj; p < k; p++, dst += 8) f[dst] = b[src + p];
    }
    for (let jj = w; jj < 8; jj++) for (let p = 0, dst = base + jj; p < k; p++, dst += 8) f[dst] = 0;
  }
}

/**
 * Worker threads currently started by the js matmul (0 until a product crosses the threshold).
 *
 * @example
 * matmulWorkerCount() // 0 in a program that only multiplies small matrices
 */
export function matmulWorkerCount(): number {
  return state?.workers.length ?? 0;
}

/**
 * Terminates the matmul worker threads (they are unref'd, so this is only needed to free them early).
 *
 * @example
 * await disposeMatmulPool();
 */
export async function disposeMatmulPool(): Promise<void> {
  const s = state;
  if (!s) return;
  const ws = s.workers.splice(0);
  Atomics.store(s.ctl, GO, -1);
  Atomics.notify(s.ctl, GO);
  await Promise.all(ws.map((w) => w.terminate()));
  Atomics.store(s.ctl, GO, 0);
}
