/**
 * The gpu.js sources of attention (one function per kernel, compiled for the cpu, webasm, webgpu
 * and headlessgl modes) and the host-side helpers that feed them: per-token sequence layout as
 * float arrays, and packing of the dense probabilities into the triangular `probs` layout of
 * attention.ts.
 */
import type { KernelThis } from './kernelThis';

/**
 * For gpu.js kernels: the first token of each token's sequence, as floats (gpu.js arrays are float).
 *
 * @param seqOffsets - packed ragged offsets
 * @returns Float32Array(T) with the sequence start of every token
 * @example
 * tokenSequenceStarts(Int32Array.of(0, 2, 3)); // Float32Array [0, 0, 2]
 */
export function tokenSequenceStarts(seqOffsets: Int32Array): Float32Array {
  const starts = new Float32Array(seqOffsets[seqOffsets.length - 1]);
  for (let s = 0; s + 1 < seqOffsets.length; s++) starts.fill(seqOffsets[s], seqOffsets[s], seqOffsets[s + 1]);
  return starts;
}

/*
 * gpu.js attention forward in three launches, each O(L) or O(L·headDim) per output entry (a single
 * kernel per output column would recompute the row's softmax headDim or L times over):
 *   1. lse[t, h] = log Σ_j exp(s_tj), one pass with the online softmax of Milakov & Gimelshein
 *      (2018) — a running max and a running sum rescaled by e^{m_old − m_new};
 *   2. dense probabilities p[t, h, a] = exp(s_t,start+a − lse[t, h]), [maxLen, T·heads];
 *   3. out[t, col] = Σ_a p[t, h, a]·v[start + a, col].
 * Constants: headDim, width = heads·headDim, heads, scale. Integer loop counters: WGSL cannot
 * increment a float loop variable.
 */

/**
 * gpu.js kernel source for the per-row log-sum-exp of the scores, output [heads, T].
 *
 * @param q - [T, width]
 * @param k - [T, width]
 * @param starts - {@link tokenSequenceStarts}
 * @returns lse at (token y, head x)
 * @example
 * gpu.createKernel(attentionLseKernel).setOutput([heads, T]).setConstants({ headDim, width, heads, scale })(q, k, starts);
 */
export function attentionLseKernel(this: KernelThis, q: number[], k: number[], starts: number[]): number {
  const headDim = this.constants.headDim;
  const width = this.constants.width;
  const t = this.thread.y;
  const hOff = this.thread.x * headDim;
  const start = starts[t];
  const qi = t * width + hOff;
  let m = -1e30;
  let l = 0;
  for (let a = 0; a <= t - start; a++) {
    const kj = (start + a) * width + hOff;
    let dot = 0;
    for (let c = 0; c < headDim; c++) dot += q[qi + c] * k[kj + c];
    const sc = dot * this.constants.scale;
    const mNew = Math.max(m, sc);
    l = l * Math.exp(m - mNew) + Math.exp(sc - mNew);
    m = mNew;
  }
  return m + Math.log(l);
}

/**
 * gpu.js kernel source for the dense attention probabilities, output [maxLen, T·heads]
 * (y = t·heads + h, x = key offset a from the sequence start; 0 where start + a > t); the host
 * packs them with {@link packAttentionProbs}.
 *
 * @param q - [T, width]
 * @param k - [T, width]
 * @param lse - output of {@link attentionLseKernel}, [T, heads]
 * @param starts - {@link tokenSequenceStarts}
 * @returns p(query t, key start + x) of head h
 * @example
 * gpu.createKernel(attentionProbsKernel).setOutput([maxLen, T * heads]).setConstants({ headDim, width, heads, scale })(q, k, lse, starts);
 */
export function attentionProbsKernel(this: KernelThis, q: number[], k: number[], lse: number[], starts: number[]): number {
  const headDim = this.constants.headDim;
  const width = this.constants.width;
  const heads = this.constants.heads;
  const t = Math.floor(this.thread.y / heads);
  const h = this.thread.y - t * heads;
  const start = starts[t];
  if (start + this.thread.x > t) return 0;
  const qi = t * width + h * headDim;
  const kj = (start + this.thread.x) * width + h * headDim;
  let dot = 0;
  for (let c = 0; c < headDim; c++) dot += q[qi + c] * k[kj + c];
  return Math.exp(dot * this.constants.scale - lse[this.thread.y]);
}

/**
 * gpu.js kernel source for the attention output from the dense probabilities, [width, T].
 * Constants: headDim, width, heads, maxLen.
 *
 * @param dense - output of {@link attentionProbsKernel}
 * @param v - [T, width]
 * @param starts - {@link tokenSequenceStarts}
 * @returns out at (token y, column x)
 * @example
 * gpu.createKernel(attentionOutKernel).setOutput([width, T]).setConstants({ headDim, width, heads, maxLen })(dense, v, starts);
 */
export function attentionOutKernel(this: KernelThis, dense: number[], v: number[], starts: number[]): number {
  const width = this.constants.width;
  const t = this.thread.y;
  const col = this.thread.x;
  const h = Math.floor(col / this.constants.headDim);
  const start = starts[t];
  const row = (t * this.constants.heads + h) * this.constants.maxLen;
  let acc = 0;
  for (let a = 0; a <= t - start; a++) acc += dense[row + a] * v[(start + a) * width + col];
  return acc;
}

/**
 * Packs the dense [T·heads, maxLen] probabilities of {@link attentionProbsKernel} into the
 * triangular `probs` layout of attention.
 *
 * @param dense - row-major [T·heads, maxLen]
 * @param seqOffsets - packed ragged offsets
 * @param heads - number of heads
 * @param maxLen - the longest sequence (row stride of `dense`)
 * @param probs - output, length {@link attentionProbsSize}
 * @example
 * packAttentionProbs(dense, seqOffsets, heads, maxLen, probs);
 */
export function packAttentionProbs(
  dense: Float32Array,
  seqOffsets: Int32Array,
  heads: number,
  maxLen: number,
  probs: Float32Array,
): void {
  let base = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const start = seqOffsets[s];
    const len = seqOffsets[s + 1] - start;
    const tri = (len * (len + 1)) / 2;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < len; i++) {
        const src = ((start + i) * heads + h) * maxLen;
        probs.set(dense.subarray(src, src + i + 1), base + h * tri + (i * (i + 1)) / 2);
      }
    }
    base += heads * tri;
  }
}

/**
 * For the gpu.js backward kernels: per token t, its sequence's start (layout[3t]), end, exclusive
 * (layout[3t+1]) and the offset of that sequence's head-0 triangle in `probs` (layout[3t+2]), as
 * floats (exact below 2²⁴). One interleaved array because WebGPU allows only 8 storage buffers per
 * shader stage by default, and dq/dk already read six.
 *
 * @param seqOffsets - packed ragged offsets
 * @param heads - number of heads
 * @returns Float32Array(3T)
 * @example
 * tokenSequenceLayout(Int32Array.of(0, 2, 3), 2); // Float32Array [0, 2, 0,  0, 2, 0,  2, 3, 6]
 */
export function tokenSequenceLayout(seqOffsets: Int32Array, heads: number): Float32Array {
  const layout = new Float32Array(3 * seqOffsets[seqOffsets.length - 1]);
  let base = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const len = seqOffsets[s + 1] - seqOffsets[s];
    for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) {
      layout[3 * t] = seqOffsets[s];
      layout[3 * t + 1] = seqOffsets[s + 1];
      layout[3 * t + 2] = base;
    }
    base += (heads * len * (len + 1)) / 2;
  }
  return layout;
}

/*
 * gpu.js attention backward, as gathers (every output entry sums over what feeds it, so no
 * scatter and no atomics), in four launches plus the dv one:
 *   1. D[i, h] = Σ_j p_ij·(dOut_i·v_j), [heads, T];
 *   2. dense ds[i, h, a] = s·p_ij·(dOut_i·v_j − D[i, h]) with j = start + a, [maxLen, T·heads];
 *   3. dq_i = Σ_{j ≤ i} ds_ij·k_j,  dk_j = Σ_{i ≥ j} ds_ij·q_i,  dv_j = Σ_{i ≥ j} p_ij·dOut_i
 *      (i, j in the same sequence; s = scale), each O(L) per entry.
 * p_ij is read from the triangular `probs` at base + h·L(L+1)/2 + (i−s0)(i−s0+1)/2 + (j−s0).
 * Constants: headDim, width, heads, scale, maxLen.
 */

/**
 * gpu.js kernel source for D[i, h] = Σ_j p_ij·(dOut_i·v_j), output [heads, T].
 *
 * @param v - [T, width]
 * @param probs - triangular probabilities of the forward
 * @param dOut - [T, width]
 * @param layout - {@link tokenSequenceLayout}
 * @returns D at (token y, head x)
 * @example
 * gpu.createKernel(attentionRowDotKernel).setOutput([heads, T]).setConstants({ headDim, width, heads })(v, probs, dOut, layout);
 */
export function attentionRowDotKernel(this: KernelThis, v: number[], probs: number[], dOut: number[], layout: number[]): number {
  const headDim = this.constants.headDim;
  const width = this.constants.width;
  const i = this.thread.y;
  const h = this.thread.x;
  const s0 = layout[3 * i];
  const len = layout[3 * i + 1] - s0;
  const row = layout[3 * i + 2] + (h * len * (len + 1)) / 2 + ((i - s0) * (i - s0 + 1)) / 2;
  const oi = i * width + h * headDim;
  let total = 0;
  for (let a = 0; a <= i - s0; a++) {
    const vj = (s0 + a) * width + h * headDim;
    let dp = 0;
    for (let c = 0; c < headDim; c++) dp += dOut[oi + c] * v[vj + c];
    total += probs[row + a] * dp;
  }
  return total;
}

/**
 * gpu.js kernel source for the dense score gradient ds, output [maxLen, T·heads] (y = i·heads + h,
 * x = key offset a; 0 where start + a > i).
 *
 * @param v - [T, width]
 * @param probs - triangular probabilities of the forward
 * @param dOut - [T, width]
 * @param rowDot - output of {@link attentionRowDotKernel}, [T, heads]
 * @param layout - {@link tokenSequenceLayout}
 * @returns scale·p·(dp − D) at (y, x)
 * @example
 * gpu.createKernel(attentionDsKernel).setOutput([maxLen, T * heads]).setConstants({ headDim, width, heads, scale })(v, probs, dOut, rowDot, layout);
 */
export function attentionDsKernel(this: KernelThis, v: number[], probs: number[], dOut: number[], rowDot: number[], layout: number[]): number {
  const headDim = this.constants.headDim;
  const width = this.constants.width;
  const heads = this.constants.heads;
  const i = Math.floor(this.thread.y / heads);
  const h = this.thread.y - i * heads;
  const s0 = layout[3 * i];
  const a = this.thread.x;
  if (s0 + a > i) return 0;
  const len = layout[3 * i + 1] - s0;
  const p = probs[layout[3 * i + 2] + (h * len * (len + 1)) / 2 + ((i - s0) * (i - s0 + 1)) / 2 + a];
  const oi = i * width + h * headDim;
  const vj = (s0 + a) * width + h * headDim;
  let dp = 0;
  for (let c = 0; c < headDim; c++) dp += dOut[oi + c] * v[vj + c];
  return this.constants.scale * p * (dp - rowDot[this.thread.y]);
}

/**
 * gpu.js kernel source for dq_i = Σ_{j ≤ i} ds_ij·k_j, output [width, T].
 *
 * @param ds - output of {@link attentionDsKernel}
 * @param k - [T, width]
 * @param layout - {@link tokenSequenceLayout}
 * @returns dq at (token y, column x)
 * @example
 * gpu.createKernel(attentionDqKernel).setOutput([width, T]).setConstants({ headDim, width, heads, maxLen })(ds, k, layout);
 */
export function attentionDqKernel(this: KernelThis, ds: number[], k: number[], layout: number[]): number {
  const width = this.constants.width;
  const i = this.thread.y;
  const col = this.thread.x;
  const h = Math.floor(col / this.constants.headDim);
  const s0 = layout[3 * i];
  const row = (i * this.constants.heads + h) * this.constants.maxLen;
  let total = 0;
  for (let a = 0; a <= i - s0; a++) total += ds[row + a] * k[(s0 + a) * width + col];
  return total;
}

/**
 * gpu.js kernel source for dk_j = Σ_{i ≥ j} ds_ij·q_i, output [width, T].
 *
 * @param ds - output of {@link attentionDsKernel}
 * @param q - [T, width]
 * @param layout - {@link tokenSequenceLayout}
 * @returns dk at (token y, column x)
 * @example
 * gpu.createKernel(attentionDkKernel).setOutput([width, T]).setConstants({ headDim, width, heads, maxLen })(ds, q, layout);
 */
export function attentionDkKernel(this: KernelThis, ds: number[], q: number[], layout: number[]): number {
  const width = this.constants.width;
  const heads = this.constants.heads;
  const j = this.thread.y;
  const col = this.thread.x;
  const h = Math.floor(col / this.constants.headDim);
  const a = j - layout[3 * j];
  let total = 0;
  for (let b = 0; b < layout[3 * j + 1] - j; b++) total += ds[((j + b) * heads + h) * this.constants.maxLen + a] * q[(j + b) * width + col];
  return total;
}

/**
 * gpu.js kernel source for dv_j = Σ_{i ≥ j} p_ij·dOut_i, output [width, T].
 *
 * @param probs - triangular probabilities of the forward
 * @param dOut - [T, width]
 * @param layout - {@link tokenSequenceLayout}
 * @returns dv at (token y, column x)
 * @example
 * gpu.createKernel(attentionDvKernel).setOutput([width, T]).setConstants({ headDim, width, heads })(probs, dOut, layout);
 */
export function attentionDvKernel(this: KernelThis, probs: number[], dOut: number[], layout: number[]): number {
  const headDim = this.constants.headDim;
  const width = this.constants.width;
  const j = this.thread.y;
  const col = this.thread.x;
  const h = Math.floor(col / headDim);
  const s0 = layout[3 * j];
  const len = layout[3 * j + 1] - s0;
  const head = layout[3 * j + 2] + (h * len * (len + 1)) / 2;
  let total = 0;
  for (let b = 0; b < layout[3 * j + 1] - j; b++) {
    const ri = j - s0 + b;
    total += probs[head + (ri * (ri + 1)) / 2 + (j - s0)] * dOut[(j + b) * width + col];
  }
  return total;
}
