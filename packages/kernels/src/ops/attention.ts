import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertFinite, assertIndices, assertOffsets, assertSize } from './validate';
import type { CaseRng } from '../conformance/rng';
import { ATTENTION_BLOCKED_MIN_LEN, attentionBackwardHeadBlocked, attentionHeadBlocked, attentionScratch, type AttentionScratch } from './attentionBlocked';
import {
  attentionDkKernel,
  attentionDqKernel,
  attentionDsKernel,
  attentionDvKernel,
  attentionLseKernel,
  attentionOutKernel,
  attentionProbsKernel,
  attentionRowDotKernel,
  packAttentionProbs,
  tokenSequenceLayout,
  tokenSequenceStarts,
} from './attentionKernels';
import type { AttentionArgs, AttentionBackwardArgs } from './types';

/*
 * Layout of `probs`: for each sequence s (length L, in order), for each head h, the lower-triangular
 * L×L softmax matrix packed by rows: row i (query i of the sequence) holds the L' = i + 1
 * probabilities of keys 0..i. Sequence s starts at heads·Σ_{s'<s} L_{s'}(L_{s'}+1)/2, head h of it
 * at h·L(L+1)/2 further, row i at i(i+1)/2 further. Half the memory of a dense T×T mask and no
 * cross-sequence entries at all.
 */

/**
 * Number of floats the `probs` scratch of attention needs: heads · Σ_s L_s(L_s+1)/2.
 *
 * @param seqOffsets - packed ragged offsets, length nSeq + 1
 * @param heads - number of heads
 * @returns the required length of `probs`
 * @example
 * attentionProbsSize(Int32Array.of(0, 2, 5), 4); // 4 · (3 + 6) = 36
 */
export function attentionProbsSize(seqOffsets: Int32Array, heads: number): number {
  let total = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const len = seqOffsets[s + 1] - seqOffsets[s];
    total += (len * (len + 1)) / 2;
  }
  return total * heads;
}

// 1 at each of `queryRows`, 0 at every other of the T rows (undefined: every row is wanted); in the
// first T entries of `out` when given (a kept scratch), else in a new array.
function wantedRows(args: AttentionArgs, out?: Uint8Array): Uint8Array | undefined {
  if (args.queryRows === undefined) return undefined;
  const T = args.seqOffsets[args.seqOffsets.length - 1];
  const wanted = out === undefined ? new Uint8Array(T) : out.fill(0, 0, T);
  for (const t of args.queryRows) wanted[t] = 1;
  return wanted;
}

// The js attention's scratch, kept between calls and grown to the largest need (every call
// allocated it anew: hundreds of kilobytes per call, a few calls per forward and backward). The
// ops run synchronously, so one set serves every call; each call writes what it reads first.
interface JsScratch {
  maxLen: number;
  headDim: number;
  kT: Float32Array;
  vT: Float32Array;
  /** Scores (forward) or dp (backward) of one query row. */
  sc: Float64Array;
  picked: Int32Array;
  wanted: Uint8Array;
  blocked: AttentionScratch | undefined;
}
let jsScratch: JsScratch | undefined;

function scratchFor(maxLen: number, headDim: number, T: number): JsScratch {
  let s = jsScratch;
  if (s === undefined || s.maxLen < maxLen || s.headDim !== headDim) {
    const L = Math.max(maxLen, s !== undefined && s.headDim === headDim ? s.maxLen : 0);
    const f = (): Float32Array => new Float32Array(L * headDim);
    s = jsScratch = { maxLen: L, headDim, kT: f(), vT: f(), sc: new Float64Array(L), picked: new Int32Array(L), wanted: s?.wanted ?? new Uint8Array(0), blocked: undefined };
  }
  if (s.wanted.length < T) s.wanted = new Uint8Array(T);
  return s;
}

/** The blocked path's scratch from `js` (made on first use). */
function blockedScratch(js: JsScratch): AttentionScratch {
  return (js.blocked ??= attentionScratch(js.maxLen, js.headDim));
}

function resolveScale(scale: number | undefined, headDim: number): number {
  return scale === undefined ? 1 / Math.sqrt(headDim) : scale;
}

/**
 * Reference causal multi-head attention in float64 (scores, max-subtracted softmax, weighted sum of
 * values), per sequence and head, never across sequences.
 *
 * @param args - {@link AttentionArgs}; writes out and probs
 * @example
 * // one token attends only to itself: out = v
 * attentionReference({ q, k, v, out, probs, seqOffsets: Int32Array.of(0, 1), heads: 1, headDim: 2 }); // out = v, probs = [1]
 */
export function attentionReference(args: AttentionArgs): void {
  const { q, k, v, out, probs, seqOffsets, heads, headDim } = args;
  const scale = resolveScale(args.scale, headDim);
  const width = heads * headDim;
  const wanted = wantedRows(args);
  let base = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const start = seqOffsets[s];
    const len = seqOffsets[s + 1] - start;
    const tri = (len * (len + 1)) / 2;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < len; i++) {
        if (wanted !== undefined && wanted[start + i] === 0) continue;
        const qi = (start + i) * width + h * headDim;
        const scores = new Float64Array(i + 1);
        for (let j = 0; j <= i; j++) {
          const kj = (start + j) * width + h * headDim;
          let dot = 0;
          for (let c = 0; c < headDim; c++) dot += q[qi + c] * k[kj + c];
          scores[j] = dot * scale;
        }
        const max = Math.max(...scores);
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += Math.exp(scores[j] - max);
        const row = base + h * tri + (i * (i + 1)) / 2;
        const acc = new Float64Array(headDim);
        for (let j = 0; j <= i; j++) {
          const p = Math.exp(scores[j] - max) / sum;
          probs[row + j] = p;
          const vj = (start + j) * width + h * headDim;
          for (let c = 0; c < headDim; c++) acc[c] += p * v[vj + c];
        }
        for (let c = 0; c < headDim; c++) out[qi + c] = acc[c];
      }
    }
    base += heads * tri;
  }
}

/**
 * Reference attention backward in float64 from the forward's probs (softmax Jacobian
 * ds = p ⊙ (dp − Σ p·dp)); overwrites dq, dk and dv.
 *
 * @param args - {@link AttentionBackwardArgs}
 * @example
 * // a single token: dv = dOut, dq = dk = 0
 * attentionBackwardReference({ q, k, v, probs: Float32Array.of(1), dOut, dq, dk, dv, seqOffsets: Int32Array.of(0, 1), heads: 1, headDim: 2 });
 */
export function attentionBackwardReference(args: AttentionBackwardArgs): void {
  const { q, k, v, probs, dOut, dq, dk, dv, seqOffsets, heads, headDim } = args;
  const scale = resolveScale(args.scale, headDim);
  const width = heads * headDim;
  const total = seqOffsets[seqOffsets.length - 1] * width;
  const dq64 = new Float64Array(total);
  const dk64 = new Float64Array(total);
  const dv64 = new Float64Array(total);
  let base = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const start = seqOffsets[s];
    const len = seqOffsets[s + 1] - start;
    const tri = (len * (len + 1)) / 2;
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < len; i++) {
        const qi = (start + i) * width + h * headDim;
        const row = base + h * tri + (i * (i + 1)) / 2;
        const dp = new Float64Array(i + 1);
        let dot = 0;
        for (let j = 0; j <= i; j++) {
          const vj = (start + j) * width + h * headDim;
          let d = 0;
          for (let c = 0; c < headDim; c++) {
            d += dOut[qi + c] * v[vj + c];
            dv64[vj + c] += probs[row + j] * dOut[qi + c];
          }
          dp[j] = d;
          dot += probs[row + j] * d;
        }
        for (let j = 0; j <= i; j++) {
          const ds = probs[row + j] * (dp[j] - dot) * scale;
          const kj = (start + j) * width + h * headDim;
          for (let c = 0; c < headDim; c++) {
            dq64[qi + c] += ds * k[kj + c];
            dk64[kj + c] += ds * q[qi + c];
          }
        }
      }
    }
    base += heads * tri;
  }
  dq.set(dq64);
  dk.set(dk64);
  dv.set(dv64);
}

/**
 * Fast causal attention. Sequences of at least ATTENTION_BLOCKED_MIN_LEN tokens run per head as
 * two SIMD matmuls (attentionBlocked.ts). For shorter ones, per (sequence, head) the keys and
 * values are first transposed into contiguous scratch (kᵀ, vᵀ: headDim rows of L), so both the
 * score loop and the output loop run over j — long unit-stride loops — instead of headDim-long dot
 * products. One float64 scratch row holds the scores (no float32 round trip per partial sum);
 * softmax is max-subtracted.
 *
 * @param args - {@link AttentionArgs}
 * @example
 * attentionJs({ q, k, v, out, probs: new Float32Array(attentionProbsSize(seqOffsets, 4)), seqOffsets, heads: 4, headDim: 16 });
 */
export function attentionJs(args: AttentionArgs): void {
  const { q, k, v, out, probs, seqOffsets, heads, headDim } = args;
  const scale = resolveScale(args.scale, headDim);
  const width = heads * headDim;
  const maxLen = maxSequenceLength(seqOffsets);
  const T = seqOffsets[seqOffsets.length - 1];
  const js = scratchFor(maxLen, headDim, T);
  const { kT, vT, sc, picked } = js;
  const scratch = maxLen >= ATTENTION_BLOCKED_MIN_LEN ? blockedScratch(js) : undefined;
  const wanted = wantedRows(args, js.wanted);
  let base = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const start = seqOffsets[s];
    const len = seqOffsets[s + 1] - start;
    const tri = (len * (len + 1)) / 2;
    // The sequence's wanted rows (relative to its start); every row when none is listed.
    let nPicked = 0;
    for (let i = 0; i < len; i++) if (wanted === undefined || wanted[start + i] !== 0) picked[nPicked++] = i;
    if (nPicked === 0) {
      base += heads * tri;
      continue;
    }
    const rows = nPicked === len ? undefined : picked.subarray(0, nPicked);
    for (let h = 0; h < heads; h++) {
      const hOff = h * headDim;
      if (scratch !== undefined && len >= ATTENTION_BLOCKED_MIN_LEN) {
        attentionHeadBlocked(q, k, v, out, start, len, width, hOff, headDim, scale, probs, base + h * tri, scratch, rows);
        continue;
      }
      for (let j = 0; j < len; j++) {
        const src = (start + j) * width + hOff;
        for (let c = 0; c < headDim; c++) {
          kT[c * len + j] = k[src + c];
          vT[c * len + j] = v[src + c];
        }
      }
      for (let r = 0; r < nPicked; r++) {
        const i = picked[r];
        const qi = (start + i) * width + hOff;
        const row = base + h * tri + (i * (i + 1)) / 2;
        for (let j = 0; j <= i; j++) sc[j] = 0;
        for (let c = 0; c < headDim; c++) {
          const qc = q[qi + c] * scale;
          const kc = c * len;
          for (let j = 0; j <= i; j++) sc[j] += qc * kT[kc + j];
        }
        let max = -Infinity;
        for (let j = 0; j <= i; j++) if (sc[j] > max) max = sc[j];
        let sum = 0;
        for (let j = 0; j <= i; j++) {
          const e = Math.exp(sc[j] - max);
          sc[j] = e;
          sum += e;
        }
        const inv = 1 / sum;
        for (let j = 0; j <= i; j++) {
          sc[j] *= inv;
          probs[row + j] = sc[j];
        }
        for (let c = 0; c < headDim; c++) {
          const vc = c * len;
          let acc = 0;
          for (let j = 0; j <= i; j++) acc += sc[j] * vT[vc + j];
          out[qi + c] = acc;
        }
      }
    }
    base += heads * tri;
  }
}

/**
 * Fast attention backward; dq, dk, dv are overwritten (zeroed first). Sequences of at least
 * ATTENTION_BLOCKED_MIN_LEN tokens run per head as four SIMD matmuls (attentionBlocked.ts);
 * shorter ones use scalar loops with one scratch row of dp, accumulating key by key over rows of
 * k, v, dk, dv that are contiguous per head (a transposed variant as in {@link attentionJs}
 * measured slower here: it sweeps two j-arrays per column).
 *
 * @param args - {@link AttentionBackwardArgs}
 * @example
 * attentionBackwardJs({ q, k, v, probs, dOut, dq, dk, dv, seqOffsets, heads: 4, headDim: 16 });
 */
export function attentionBackwardJs(args: AttentionBackwardArgs): void {
  const { q, k, v, probs, dOut, dq, dk, dv, seqOffsets, heads, headDim } = args;
  const scale = resolveScale(args.scale, headDim);
  const width = heads * headDim;
  const nSeq = seqOffsets.length - 1;
  const total = seqOffsets[nSeq] * width;
  dq.fill(0, 0, total);
  dk.fill(0, 0, total);
  dv.fill(0, 0, total);
  const maxLen = maxSequenceLength(seqOffsets);
  const js = scratchFor(maxLen, headDim, 0);
  const dp = js.sc;
  const scratch = maxLen >= ATTENTION_BLOCKED_MIN_LEN ? blockedScratch(js) : undefined;
  let base = 0;
  for (let s = 0; s < nSeq; s++) {
    const start = seqOffsets[s];
    const len = seqOffsets[s + 1] - start;
    const tri = (len * (len + 1)) / 2;
    for (let h = 0; h < heads; h++) {
      const hOff = h * headDim;
      if (scratch !== undefined && len >= ATTENTION_BLOCKED_MIN_LEN) {
        attentionBackwardHeadBlocked(q, k, v, dOut, dq, dk, dv, start, len, width, hOff, headDim, scale, probs, base + h * tri, scratch);
        continue;
      }
      for (let i = 0; i < len; i++) {
        const qi = (start + i) * width + hOff;
        const row = base + h * tri + (i * (i + 1)) / 2;
        // A query row with no gradient (a row the loss never reads) adds ±0 to every sum below,
        // which leaves each sum's bits unchanged: skip it.
        let live = false;
        for (let c = 0; c < headDim; c++) if (dOut[qi + c] !== 0) live = true;
        if (!live) continue;
        let dot = 0;
        for (let j = 0, vj = start * width + hOff; j <= i; j++, vj += width) {
          const p = probs[row + j];
          let d = 0;
          for (let c = 0; c < headDim; c++) {
            const g = dOut[qi + c];
            d += g * v[vj + c];
            dv[vj + c] += p * g;
          }
          dp[j] = d;
          dot += p * d;
        }
        for (let j = 0, kj = start * width + hOff; j <= i; j++, kj += width) {
          const ds = probs[row + j] * (dp[j] - dot) * scale;
          for (let c = 0; c < headDim; c++) {
            dq[qi + c] += ds * k[kj + c];
            dk[kj + c] += ds * q[qi + c];
          }
        }
      }
    }
    base += heads * tri;
  }
}

function validateAttentionShape(op: string, a: AttentionArgs | AttentionBackwardArgs): number {
  assertSize(op, 'heads', a.heads);
  assertSize(op, 'headDim', a.headDim);
  assertOffsets(op, 'seqOffsets', a.seqOffsets);
  if (a.scale !== undefined) assertFinite(op, 'scale', a.scale);
  const T = a.seqOffsets[a.seqOffsets.length - 1];
  const size = T * a.heads * a.headDim;
  assertF32(op, 'q', a.q, size);
  assertF32(op, 'k', a.k, size);
  assertF32(op, 'v', a.v, size);
  assertF32(op, 'probs', a.probs, attentionProbsSize(a.seqOffsets, a.heads));
  return size;
}

function maxSequenceLength(seqOffsets: Int32Array): number {
  let maxLen = 0;
  for (let s = 0; s + 1 < seqOffsets.length; s++) maxLen = Math.max(maxLen, seqOffsets[s + 1] - seqOffsets[s]);
  return maxLen;
}

function attentionCases(rng: CaseRng, small: boolean): { seqOffsets: Int32Array; heads: number; headDim: number; scale?: number }[] {
  const cases: { seqOffsets: Int32Array; heads: number; headDim: number; scale?: number }[] = [
    { seqOffsets: Int32Array.of(0, 1), heads: 1, headDim: 1 },
    { seqOffsets: Int32Array.of(0, 3, 4, 8), heads: 2, headDim: 3 },
    // Same T, longest sequence and probs size as the case above: gpu.js backends reuse the compiled
    // kernels with different offsets.
    { seqOffsets: Int32Array.of(0, 1, 4, 8), heads: 2, headDim: 3 },
    { seqOffsets: Int32Array.of(0, 0, 5), heads: 1, headDim: 4, scale: 0.7 },
  ];
  if (!small) cases.push({ seqOffsets: rng.offsets(3, 20, 90), heads: 4, headDim: 16 });
  return cases;
}

/**
 * The attention op (causal, packed ragged, never across sequences). `probs` must hold
 * {@link attentionProbsSize} floats; its layout is documented at the top of src/ops/attention.ts.
 *
 * @example
 * const probs = new Float32Array(attentionProbsSize(seqOffsets, 4));
 * await backend.run(Op.Attention, { q, k, v, out, probs, seqOffsets, heads: 4, headDim: 16 });
 */
export const attentionOp = defineOp({
  name: Op.Attention,
  validate(a) {
    const size = validateAttentionShape('attention', a);
    assertF32('attention', 'out', a.out, size);
    if (a.queryRows !== undefined) {
      const T = a.seqOffsets[a.seqOffsets.length - 1];
      assertIndices('attention', 'queryRows', a.queryRows, a.queryRows.length, T);
      for (let r = 1; r < a.queryRows.length; r++) {
        if (a.queryRows[r] <= a.queryRows[r - 1]) throw new RangeError(`attention: queryRows must be strictly increasing (queryRows[${r}] = ${a.queryRows[r]} after ${a.queryRows[r - 1]})`);
      }
    }
  },
  reference: attentionReference,
  js: attentionJs,
  gpu: {
    key: (a) => `${a.seqOffsets[a.seqOffsets.length - 1]}|${maxSequenceLength(a.seqOffsets)}|${a.heads}x${a.headDim}|${a.scale ?? ''}`,
    build(ctx, first) {
      const { heads, headDim } = first;
      const T = first.seqOffsets[first.seqOffsets.length - 1];
      const maxLen = maxSequenceLength(first.seqOffsets);
      if (T === 0) return () => {};
      const width = heads * headDim;
      const scale = resolveScale(first.scale, headDim);
      const constants = { headDim, width, heads, scale, maxLen };
      const lseKernel = ctx.createKernel(attentionLseKernel as never, { output: [heads, T], constants });
      const probsKernel = ctx.createKernel(attentionProbsKernel as never, { output: [maxLen, T * heads], constants });
      const outKernel = ctx.createKernel(attentionOutKernel as never, { output: [width, T], constants });
      const lse = new Float32Array(T * heads);
      const dense = new Float32Array(maxLen * T * heads);
      return async (a) => {
        const starts = tokenSequenceStarts(a.seqOffsets);
        const q = a.q.subarray(0, T * width);
        const k = a.k.subarray(0, T * width);
        await ctx.readInto(lseKernel(q, k, starts), lse, lse.length);
        await ctx.readInto(probsKernel(q, k, lse, starts), dense, dense.length);
        await ctx.readInto(outKernel(dense, a.v.subarray(0, T * width), starts), a.out, T * width);
        packAttentionProbs(dense, a.seqOffsets, heads, maxLen, a.probs);
      };
    },
  },
  conformance: {
    outputs: ['out', 'probs'],
    cases: (rng, { small }) =>
      attentionCases(rng, small).map(({ seqOffsets, heads, headDim, scale }) => {
        const size = seqOffsets[seqOffsets.length - 1] * heads * headDim;
        return {
          label: `lengths=[${Array.from(seqOffsets.subarray(1), (o, i) => o - seqOffsets[i]).join(',')}] heads=${heads} headDim=${headDim}`,
          args: {
            q: rng.f32(size, -2, 2),
            k: rng.f32(size, -2, 2),
            v: rng.f32(size),
            out: new Float32Array(size),
            probs: new Float32Array(attentionProbsSize(seqOffsets, heads)),
            seqOffsets,
            heads,
            headDim,
            scale,
          },
        };
      }),
  },
});

/**
 * The attentionBackward op (dq, dk, dv overwritten), from the forward's `probs`.
 *
 * @example
 * await backend.run(Op.AttentionBackward, { q, k, v, probs, dOut, dq, dk, dv, seqOffsets, heads: 4, headDim: 16 });
 */
export const attentionBackwardOp = defineOp({
  name: Op.AttentionBackward,
  validate(a) {
    const op = 'attentionBackward';
    const size = validateAttentionShape(op, a);
    assertF32(op, 'dOut', a.dOut, size);
    assertF32(op, 'dq', a.dq, size);
    assertF32(op, 'dk', a.dk, size);
    assertF32(op, 'dv', a.dv, size);
  },
  reference: attentionBackwardReference,
  js: attentionBackwardJs,
  gpu: {
    // The probs length is part of the shape: gpu.js bakes argument sizes into a compiled kernel.
    key: (a) =>
      `${a.seqOffsets[a.seqOffsets.length - 1]}|${maxSequenceLength(a.seqOffsets)}|${attentionProbsSize(a.seqOffsets, a.heads)}|${a.heads}x${a.headDim}|${a.scale ?? ''}`,
    build(ctx, first) {
      const { heads, headDim } = first;
      const T = first.seqOffsets[first.seqOffsets.length - 1];
      if (T === 0) return () => {};
      const width = heads * headDim;
      const P = attentionProbsSize(first.seqOffsets, heads);
      const maxLen = maxSequenceLength(first.seqOffsets);
      const constants = { headDim, width, heads, scale: resolveScale(first.scale, headDim), maxLen };
      const rowDotKernel = ctx.createKernel(attentionRowDotKernel as never, { output: [heads, T], constants });
      const dsKernel = ctx.createKernel(attentionDsKernel as never, { output: [maxLen, T * heads], constants });
      const dqKernel = ctx.createKernel(attentionDqKernel as never, { output: [width, T], constants });
      const dkKernel = ctx.createKernel(attentionDkKernel as never, { output: [width, T], constants });
      const dvKernel = ctx.createKernel(attentionDvKernel as never, { output: [width, T], constants });
      const rowDot = new Float32Array(T * heads);
      const ds = new Float32Array(maxLen * T * heads);
      return async (a) => {
        const layout = tokenSequenceLayout(a.seqOffsets, heads);
        const [q, k, v, dOut] = [a.q, a.k, a.v, a.dOut].map((x) => x.subarray(0, T * width));
        const probs = a.probs.subarray(0, P);
        await ctx.readInto(rowDotKernel(v, probs, dOut, layout), rowDot, rowDot.length);
        await ctx.readInto(dsKernel(v, probs, dOut, rowDot, layout), ds, ds.length);
        await ctx.readInto(dqKernel(ds, k, layout), a.dq, T * width);
        await ctx.readInto(dkKernel(ds, q, layout), a.dk, T * width);
        await ctx.readInto(dvKernel(probs, dOut, layout), a.dv, T * width);
      };
    },
  },
  conformance: {
    outputs: ['dq', 'dk', 'dv'],
    cases: (rng, { small }) =>
      attentionCases(rng, small).map(({ seqOffsets, heads, headDim, scale }) => {
        const size = seqOffsets[seqOffsets.length - 1] * heads * headDim;
        const q = rng.f32(size, -2, 2);
        const k = rng.f32(size, -2, 2);
        const v = rng.f32(size);
        const probs = new Float32Array(attentionProbsSize(seqOffsets, heads));
        attentionReference({ q, k, v, out: new Float32Array(size), probs, seqOffsets, heads, headDim, scale });
        return {
          label: `lengths=[${Array.from(seqOffsets.subarray(1), (o, i) => o - seqOffsets[i]).join(',')}] heads=${heads} headDim=${headDim}`,
          args: {
            q,
            k,
            v,
            probs,
            dOut: rng.f32(size),
            dq: rng.f32(size),
            dk: rng.f32(size),
            dv: rng.f32(size),
            seqOffsets,
            heads,
            headDim,
            scale,
          },
        };
      }),
  },
});
