/**
 * The js backend's attention for long sequences: per (sequence, head) the head's rows are gathered
 * into contiguous L×headDim blocks and the four products of attention — S = QKᵀ, O = PV and, for
 * the backward, dP = dO·Vᵀ, dV = Pᵀ·dO, dQ = dS·K, dK = dSᵀ·Q — run on the js matmul's WebAssembly
 * SIMD micro-kernel (matmulFast.ts). That computes the full L×L square (the causal half is
 * discarded), twice the scalar loop's multiply-adds, and is still several times faster at L ≥ 32;
 * shorter sequences keep the scalar loops of attention.ts.
 */
import { matmulFast } from './matmulFast';

/** Sequences at least this long take the blocked (matmul) path in attentionJs / attentionBackwardJs. */
export const ATTENTION_BLOCKED_MIN_LEN = 32;

/** Scratch for one call: six L×headDim blocks, two L×L matrices and L row indices, L = the longest sequence. */
export interface AttentionScratch {
  /** The backward's live query rows of one (sequence, head). */
  live: Int32Array;
  qh: Float32Array;
  kh: Float32Array;
  vh: Float32Array;
  gh: Float32Array;
  ah: Float32Array;
  bh: Float32Array;
  p: Float32Array;
  dp: Float32Array;
}

/**
 * Allocates the scratch of {@link attentionHeadBlocked} / {@link attentionBackwardHeadBlocked}.
 *
 * @param maxLen - the longest sequence
 * @param headDim - the head width
 * @returns zeroed scratch
 * @example
 * attentionScratch(256, 16).p.length; // 65536
 */
export function attentionScratch(maxLen: number, headDim: number): AttentionScratch {
  const block = () => new Float32Array(maxLen * headDim);
  return { live: new Int32Array(maxLen), qh: block(), kh: block(), vh: block(), gh: block(), ah: block(), bh: block(), p: new Float32Array(maxLen * maxLen), dp: new Float32Array(maxLen * maxLen) };
}

// Element loops rather than set(subarray(…)): a view per row per head was most of the GC load.
function gather(src: Float32Array, start: number, len: number, width: number, hOff: number, headDim: number, dst: Float32Array): void {
  for (let j = 0, d = 0; j < len; j++) {
    const o = (start + j) * width + hOff;
    for (let c = 0; c < headDim; c++, d++) dst[d] = src[o + c];
  }
}

function scatter(src: Float32Array, start: number, len: number, width: number, hOff: number, headDim: number, dst: Float32Array): void {
  for (let j = 0, s = 0; j < len; j++) {
    const o = (start + j) * width + hOff;
    for (let c = 0; c < headDim; c++, s++) dst[o + c] = src[s];
  }
}

/**
 * Forward attention of one (sequence, head) through two matmuls; writes the head's columns of
 * `out` and its triangle of `probs` (at `probsOffset`, rows packed as in attention.ts).
 *
 * @param q - [T, width] (likewise k, v, out)
 * @param start - first token of the sequence
 * @param len - sequence length
 * @param width - heads·headDim
 * @param hOff - first column of the head
 * @param headDim - head width
 * @param scale - score scale
 * @param probs - triangular probabilities (output)
 * @param probsOffset - where this head's triangle starts
 * @param scratch - {@link attentionScratch}
 * @param rows - the query rows to compute, relative to `start` (increasing); default all
 * @example
 * attentionHeadBlocked(q, k, v, out, 0, 256, 64, 0, 16, 0.25, probs, 0, attentionScratch(256, 16));
 */
export function attentionHeadBlocked(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  out: Float32Array,
  start: number,
  len: number,
  width: number,
  hOff: number,
  headDim: number,
  scale: number,
  probs: Float32Array,
  probsOffset: number,
  scratch: AttentionScratch,
  rows?: Int32Array,
): void {
  const { qh, kh, vh, ah, p } = scratch;
  // Query rows: all of the sequence, or `rows` (relative to start). Each product row depends on
  // its own query row alone, so a subset computes the same bits for its rows.
  const m = rows === undefined ? len : rows.length;
  if (rows === undefined) gather(q, start, len, width, hOff, headDim, qh);
  else gatherPicked(q, start, rows, m, width, hOff, headDim, qh);
  gather(k, start, len, width, hOff, headDim, kh);
  gather(v, start, len, width, hOff, headDim, vh);
  matmulFast({ a: qh, b: kh, out: p, m, k: headDim, n: len, transB: true }, 1);
  for (let r = 0, o = 0; r < m; r++, o += len) {
    const i = rows === undefined ? r : rows[r];
    let max = -Infinity;
    for (let j = 0; j <= i; j++) {
      const x = p[o + j] * scale;
      p[o + j] = x;
      if (x > max) max = x;
    }
    let sum = 0;
    for (let j = 0; j <= i; j++) {
      const e = Math.exp(p[o + j] - max);
      p[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    const row = probsOffset + (i * (i + 1)) / 2;
    for (let j = 0; j <= i; j++) {
      const x = p[o + j] * inv;
      p[o + j] = x;
      probs[row + j] = x;
    }
    p.fill(0, o + i + 1, o + len);
  }
  matmulFast({ a: p, b: vh, out: ah, m, k: len, n: headDim }, 1);
  if (rows === undefined) scatter(ah, start, len, width, hOff, headDim, out);
  else scatterPicked(ah, start, rows, m, width, hOff, headDim, out);
}

// gather / scatter of the first `count` listed rows (relative to start) only.
function gatherPicked(src: Float32Array, start: number, rows: Int32Array, count: number, width: number, hOff: number, headDim: number, dst: Float32Array): void {
  for (let r = 0, d = 0; r < count; r++) {
    const o = (start + rows[r]) * width + hOff;
    for (let c = 0; c < headDim; c++, d++) dst[d] = src[o + c];
  }
}

function scatterPicked(src: Float32Array, start: number, rows: Int32Array, count: number, width: number, hOff: number, headDim: number, dst: Float32Array): void {
  for (let r = 0, s = 0; r < count; r++) {
    const o = (start + rows[r]) * width + hOff;
    for (let c = 0; c < headDim; c++, s++) dst[o + c] = src[s];
  }
}

/**
 * Backward attention of one (sequence, head) through four matmuls; overwrites the head's columns
 * of dq, dk and dv. Only the live query rows (a nonzero dOut in this head) enter the products: a
 * dead row's terms are exact zeros (dP, dS rows of ±0) and the micro-kernel sums in order from
 * +0, which a zero term never changes, so the result has the bits of the full products. An RL
 * backward has dOut on the loss rows in the last block and on the unshared rows below it.
 *
 * @param q - [T, width] (likewise k, v, dOut, dq, dk, dv)
 * @param probs - triangular probabilities of the forward
 * @param probsOffset - where this head's triangle starts
 * @param scratch - {@link attentionScratch}
 * @example
 * attentionBackwardHeadBlocked(q, k, v, dOut, dq, dk, dv, 0, 256, 64, 0, 16, 0.25, probs, 0, attentionScratch(256, 16));
 */
export function attentionBackwardHeadBlocked(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dOut: Float32Array,
  dq: Float32Array,
  dk: Float32Array,
  dv: Float32Array,
  start: number,
  len: number,
  width: number,
  hOff: number,
  headDim: number,
  scale: number,
  probs: Float32Array,
  probsOffset: number,
  scratch: AttentionScratch,
): void {
  const { live, qh, kh, vh, gh, ah, bh, p, dp } = scratch;
  // m live query rows, relative to start; dead rows of dq get 0 here (they have no gradient).
  let m = 0;
  for (let i = 0; i < len; i++) {
    const o = (start + i) * width + hOff;
    let isLive = false;
    for (let c = 0; c < headDim; c++) if (dOut[o + c] !== 0) isLive = true;
    if (isLive) live[m++] = i;
    else for (let c = 0; c < headDim; c++) dq[o + c] = 0;
  }
  if (m === 0) {
    for (let j = 0; j < len; j++) {
      const o = (start + j) * width + hOff;
      for (let c = 0; c < headDim; c++) dk[o + c] = dv[o + c] = 0;
    }
    return;
  }
  gatherPicked(q, start, live, m, width, hOff, headDim, qh);
  gather(k, start, len, width, hOff, headDim, kh);
  gather(v, start, len, width, hOff, headDim, vh);
  gatherPicked(dOut, start, live, m, width, hOff, headDim, gh);
  for (let r = 0, o = 0; r < m; r++, o += len) {
    const i = live[r];
    for (let j = 0, src = probsOffset + (i * (i + 1)) / 2; j <= i; j++) p[o + j] = probs[src + j];
    p.fill(0, o + i + 1, o + len);
  }
  matmulFast({ a: gh, b: vh, out: dp, m, k: headDim, n: len, transB: true }, 1);
  matmulFast({ a: p, b: gh, out: ah, m: len, k: m, n: headDim, transA: true }, 1);
  scatter(ah, start, len, width, hOff, headDim, dv);
  // Softmax Jacobian row by row: dS = P ⊙ (dP − Σ_j P·dP), zero above the diagonal.
  for (let r = 0, o = 0; r < m; r++, o += len) {
    const i = live[r];
    let dot = 0;
    for (let j = 0; j <= i; j++) dot += p[o + j] * dp[o + j];
    for (let j = 0; j <= i; j++) dp[o + j] = p[o + j] * (dp[o + j] - dot) * scale;
    dp.fill(0, o + i + 1, o + len);
  }
  matmulFast({ a: dp, b: kh, out: ah, m, k: len, n: headDim }, 1);
  scatterPicked(ah, start, live, m, width, hOff, headDim, dq);
  matmulFast({ a: dp, b: qh, out: bh, m: len, k: m, n: headDim, transA: true }, 1);
  scatter(bh, start, len, width, hOff, headDim, dk);
}
