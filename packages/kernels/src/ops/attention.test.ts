import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { dot, f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import {
  attentionBackwardJs,
  attentionBackwardOp,
  attentionBackwardReference,
  attentionJs,
  attentionOp,
  attentionProbsSize,
  attentionReference,
} from './attention';
import { packAttentionProbs, tokenSequenceLayout, tokenSequenceStarts } from './attentionKernels';
import { ATTENTION_BLOCKED_MIN_LEN } from './attentionBlocked';

const impls = [
  ['reference', attentionReference],
  ['js', attentionJs],
] as const;

describe('attention', () => {
  it.each([
    [[0, 1], 1, 1],
    [[0, 2, 5], 4, 36],
    [[0, 0, 3], 2, 12],
    [[0], 3, 0],
  ])('attentionProbsSize(%j, heads %i) = %i', (offsets, heads, expected) => {
    expect(attentionProbsSize(Int32Array.from(offsets), heads)).toBe(expected);
  });

  it.each(impls)('%s: two tokens, one head, by hand', (_, fn) => {
    // headDim 1, scale 1: token 0 sees only itself; token 1 has scores q1·k0 = 2·0 = 0, q1·k1 = 2·1 = 2,
    // p = [1/(1+e²), e²/(1+e²)] = [0.1192029, 0.8807971], out1 = 0.1192029·10 + 0.8807971·20.
    const out = new Float32Array(2);
    const probs = new Float32Array(3);
    fn({ q: Float32Array.of(5, 2), k: Float32Array.of(0, 1), v: Float32Array.of(10, 20), out, probs, seqOffsets: Int32Array.of(0, 2), heads: 1, headDim: 1, scale: 1 });
    expect(probs[0]).toBe(1);
    expect(probs[1]).toBeCloseTo(0.1192029, 6);
    expect(probs[2]).toBeCloseTo(0.8807971, 6);
    expect(out[0]).toBe(10);
    expect(out[1]).toBeCloseTo(18.807971, 4);
  });

  it.each(impls)('%s: probability rows sum to 1 and never cross a sequence boundary', (_, fn) => {
    const rng = caseRng(5);
    const seqOffsets = Int32Array.of(0, 4, 5, 9);
    const heads = 2;
    const headDim = 3;
    const size = 9 * heads * headDim;
    const q = rng.f32(size);
    const k = rng.f32(size);
    const v = rng.f32(size);
    const out = new Float32Array(size);
    const probs = new Float32Array(attentionProbsSize(seqOffsets, heads));
    fn({ q, k, v, out, probs, seqOffsets, heads, headDim });
    let offset = 0;
    for (const len of [4, 1, 4]) {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < len; i++, offset += i) {
          let sum = 0;
          for (let j = 0; j <= i; j++) sum += probs[offset + j];
          expect(sum).toBeCloseTo(1, 6);
        }
      }
    }
    expect(offset).toBe(probs.length);
    // Changing the keys and values of sequences 1 and 2 leaves sequence 0's output untouched.
    const k2 = k.slice();
    const v2 = v.slice();
    k2.fill(7, 4 * heads * headDim);
    v2.fill(-7, 4 * heads * headDim);
    const out2 = new Float32Array(size);
    fn({ q, k: k2, v: v2, out: out2, probs, seqOffsets, heads, headDim });
    expect(Array.from(out2.subarray(0, 4 * heads * headDim))).toEqual(Array.from(out.subarray(0, 4 * heads * headDim)));
    // A sequence of length 1 attends only to itself: out = v.
    expect(Array.from(out.subarray(4 * heads * headDim, 5 * heads * headDim))).toEqual(Array.from(v.subarray(4 * heads * headDim, 5 * heads * headDim)));
  });

  it.each([
    ['short sequences (scalar loops)', Int32Array.of(0, 1, 13, 44, 50)],
    ['lengths around the blocked-path threshold', Int32Array.of(0, ATTENTION_BLOCKED_MIN_LEN - 1, 2 * ATTENTION_BLOCKED_MIN_LEN - 1, 3 * ATTENTION_BLOCKED_MIN_LEN, 3 * ATTENTION_BLOCKED_MIN_LEN + 70)],
  ])('js matches the reference on seeded random inputs: %s (forward and backward)', (_, seqOffsets) => {
    const rng = caseRng(17);
    const T = seqOffsets[seqOffsets.length - 1];
    const heads = 4;
    const headDim = 16;
    const size = T * heads * headDim;
    const q = rng.f32(size, -2, 2);
    const k = rng.f32(size, -2, 2);
    const v = rng.f32(size);
    const dOut = rng.f32(size);
    const P = attentionProbsSize(seqOffsets, heads);
    const [outR, outJ] = [new Float32Array(size), new Float32Array(size)];
    const [probsR, probsJ] = [new Float32Array(P), new Float32Array(P)];
    attentionReference({ q, k, v, out: outR, probs: probsR, seqOffsets, heads, headDim });
    attentionJs({ q, k, v, out: outJ, probs: probsJ, seqOffsets, heads, headDim });
    expect(maxMixedError(outJ, outR)).toBeLessThan(1e-5);
    expect(maxMixedError(probsJ, probsR)).toBeLessThan(1e-5);
    const gR = { dq: new Float32Array(size), dk: new Float32Array(size), dv: new Float32Array(size) };
    const gJ = { dq: rng.f32(size), dk: rng.f32(size), dv: rng.f32(size) };
    attentionBackwardReference({ q, k, v, probs: probsR, dOut, ...gR, seqOffsets, heads, headDim });
    attentionBackwardJs({ q, k, v, probs: probsR, dOut, ...gJ, seqOffsets, heads, headDim });
    expect(maxMixedError(gJ.dq, gR.dq)).toBeLessThan(1e-5);
    expect(maxMixedError(gJ.dk, gR.dk)).toBeLessThan(1e-5);
    expect(maxMixedError(gJ.dv, gR.dv)).toBeLessThan(1e-5);
  });

  it('backward with rows of zero dOut (the RL backward: gradient on some rows only) matches the reference, and those rows get dq = 0', () => {
    // Blocked and scalar lengths; every third row dead, a row dead in one head only, a sequence all dead.
    const seqOffsets = Int32Array.of(0, 13, 13 + ATTENTION_BLOCKED_MIN_LEN, 13 + 3 * ATTENTION_BLOCKED_MIN_LEN + 5, 13 + 4 * ATTENTION_BLOCKED_MIN_LEN + 5);
    const rng = caseRng(29);
    const T = seqOffsets[seqOffsets.length - 1];
    const heads = 2;
    const headDim = 16;
    const width = heads * headDim;
    const size = T * width;
    const [q, k, v] = [rng.f32(size, -2, 2), rng.f32(size, -2, 2), rng.f32(size)];
    const dOut = rng.f32(size);
    const lastStart = seqOffsets[seqOffsets.length - 2];
    for (let t = 0; t < T; t++) {
      if (t % 3 === 0 || t >= lastStart) dOut.fill(0, t * width, (t + 1) * width);
      else if (t % 3 === 1 && t % 2 === 0) dOut.fill(0, t * width, t * width + headDim);
    }
    const probs = new Float32Array(attentionProbsSize(seqOffsets, heads));
    attentionReference({ q, k, v, out: new Float32Array(size), probs, seqOffsets, heads, headDim });
    const gR = { dq: new Float32Array(size), dk: new Float32Array(size), dv: new Float32Array(size) };
    const gJ = { dq: rng.f32(size), dk: rng.f32(size), dv: rng.f32(size) };
    attentionBackwardReference({ q, k, v, probs, dOut, ...gR, seqOffsets, heads, headDim });
    attentionBackwardJs({ q, k, v, probs, dOut, ...gJ, seqOffsets, heads, headDim });
    expect(maxMixedError(gJ.dq, gR.dq)).toBeLessThan(1e-5);
    expect(maxMixedError(gJ.dk, gR.dk)).toBeLessThan(1e-5);
    expect(maxMixedError(gJ.dv, gR.dv)).toBeLessThan(1e-5);
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < heads; h++) {
        const o = t * width + h * headDim;
        if (dOut.subarray(o, o + headDim).every((x) => x === 0)) expect(Array.from(gJ.dq.subarray(o, o + headDim))).toEqual(new Array(headDim).fill(0));
      }
    }
    // The all-dead sequence gets no gradient at all.
    expect(gJ.dk.subarray(lastStart * width).every((x) => x === 0) && gJ.dv.subarray(lastStart * width).every((x) => x === 0)).toBe(true);
  });

  it('backward matches central finite differences in float64 (q, k, v)', () => {
    const seqOffsets = Int32Array.of(0, 3, 4, 7);
    const heads = 2;
    const headDim = 3;
    const size = 7 * heads * headDim;
    const scale = 0.8;
    const q = randomF64(size, 31, -1.5, 1.5);
    const k = randomF64(size, 32, -1.5, 1.5);
    const v = randomF64(size, 33);
    const c = randomF64(size, 34);
    const out = f64(size);
    const probs = f64(attentionProbsSize(seqOffsets, heads));
    const loss = () => {
      attentionReference({ q, k, v, out, probs, seqOffsets, heads, headDim, scale });
      return dot(c, out);
    };
    loss();
    const dq = f64(size);
    const dk = f64(size);
    const dv = f64(size);
    attentionBackwardReference({ q, k, v, probs, dOut: c, dq, dk, dv, seqOffsets, heads, headDim, scale });
    expect(maxMixedError(dq, numericGradient(q, loss))).toBeLessThan(1e-7);
    expect(maxMixedError(dk, numericGradient(k, loss))).toBeLessThan(1e-7);
    expect(maxMixedError(dv, numericGradient(v, loss))).toBeLessThan(1e-7);
  });

  it('packAttentionProbs turns the dense per-token layout into the triangular one', () => {
    const seqOffsets = Int32Array.of(0, 2, 3);
    const starts = tokenSequenceStarts(seqOffsets);
    expect(Array.from(starts)).toEqual([0, 0, 2]);
    // heads 1, maxLen 2: dense rows per token [p(j=0), p(j=1)].
    const dense = Float32Array.of(1, 0, 0.25, 0.75, 1, 0);
    const probs = new Float32Array(attentionProbsSize(seqOffsets, 1));
    packAttentionProbs(dense, seqOffsets, 1, 2, probs);
    expect(Array.from(probs)).toEqual([1, 0.25, 0.75, 1]);
  });

  it('tokenSequenceLayout gives each token its sequence start, end and probs offset', () => {
    // Sequences of 2 and 1 tokens, 2 heads: the second sequence's triangles start at 2·3 = 6.
    expect(Array.from(tokenSequenceLayout(Int32Array.of(0, 2, 3), 2))).toEqual([0, 2, 0, 0, 2, 0, 2, 3, 6]);
  });

  it.each(impls)('%s: with queryRows, those rows equal the full computation bit for bit, the others are untouched', (_, fn) => {
    // Lengths on both sides of the blocked-path threshold; every third row wanted, plus a sequence with none.
    const seqOffsets = Int32Array.of(0, 7, 7 + 2 * ATTENTION_BLOCKED_MIN_LEN + 3, 7 + 2 * ATTENTION_BLOCKED_MIN_LEN + 5);
    const rng = caseRng(23);
    const T = seqOffsets[seqOffsets.length - 1];
    const heads = 2;
    const headDim = 16;
    const size = T * heads * headDim;
    const [q, k, v] = [rng.f32(size, -2, 2), rng.f32(size, -2, 2), rng.f32(size)];
    const P = attentionProbsSize(seqOffsets, heads);
    const full = { out: new Float32Array(size), probs: new Float32Array(P) };
    fn({ q, k, v, ...full, seqOffsets, heads, headDim });
    const queryRows = Int32Array.from({ length: T }, (_, t) => t).filter((t) => t % 3 === 1 && t < T - 2);
    const part = { out: new Float32Array(size).fill(7), probs: new Float32Array(P).fill(7) };
    fn({ q, k, v, ...part, seqOffsets, heads, headDim, queryRows });
    const wanted = new Set(queryRows);
    const bits = (x: number): number => new Uint32Array(Float32Array.of(x).buffer)[0];
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < heads * headDim; c++) {
        const i = t * heads * headDim + c;
        expect(bits(part.out[i])).toBe(wanted.has(t) ? bits(full.out[i]) : bits(7));
      }
    }
    let base = 0;
    for (let s = 0; s + 1 < seqOffsets.length; s++) {
      const start = seqOffsets[s];
      const len = seqOffsets[s + 1] - start;
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < len; i++) {
          const row = base + (h * len * (len + 1)) / 2 + (i * (i + 1)) / 2;
          for (let j = 0; j <= i; j++) expect(bits(part.probs[row + j])).toBe(wanted.has(start + i) ? bits(full.probs[row + j]) : bits(7));
        }
      }
      base += (heads * len * (len + 1)) / 2;
    }
  });

  it('validate rejects bad offsets, short arrays and a non-finite scale', () => {
    const seqOffsets = Int32Array.of(0, 2);
    const ok = {
      q: new Float32Array(4),
      k: new Float32Array(4),
      v: new Float32Array(4),
      out: new Float32Array(4),
      probs: new Float32Array(6),
      seqOffsets,
      heads: 2,
      headDim: 1,
    };
    expect(() => attentionOp.validate(ok)).not.toThrow();
    expect(() => attentionOp.validate({ ...ok, seqOffsets: Int32Array.of(0, 3, 2) })).toThrow(/attention: seqOffsets must be non-decreasing/);
    expect(() => attentionOp.validate({ ...ok, seqOffsets: Int32Array.of(1, 2) })).toThrow(/attention: seqOffsets must start with 0/);
    expect(() => attentionOp.validate({ ...ok, probs: new Float32Array(5) })).toThrow(/attention: probs must have length >= 6 \(got 5\)/);
    expect(() => attentionOp.validate({ ...ok, scale: Number.POSITIVE_INFINITY })).toThrow(/attention: scale must be a finite number/);
    expect(() => attentionOp.validate({ ...ok, heads: 0 })).toThrow(/attention: heads must be an integer >= 1 \(got 0\)/);
    expect(() => attentionOp.validate({ ...ok, queryRows: Int32Array.of(2) })).toThrow(/attention: queryRows\[0\] must be in \[0, 2\) \(got 2\)/);
    expect(() => attentionOp.validate({ ...ok, queryRows: Int32Array.of(1, 1) })).toThrow(/attention: queryRows must be strictly increasing/);
    expect(() =>
      attentionBackwardOp.validate({ ...ok, dOut: new Float32Array(4), dq: new Float32Array(4), dk: new Float32Array(3), dv: new Float32Array(4) }),
    ).toThrow(/attentionBackward: dk must have length >= 4 \(got 3\)/);
  });
});
