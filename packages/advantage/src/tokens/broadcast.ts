import { describeValue } from '@paretopo/pareto';
import { assertFiniteRows } from '../batch';
import { checkOffsets } from './offsets';
import { broadcastTokensWasm } from './broadcastWasm';
import { wasmKernelsEnabled } from '../wasm/switch';

/**
 * Spreads one advantage per sequence over its tokens (METHOD.md §3 credit assignment): token t of
 * sequence s gets `adv[s]` where `lossMask[t] ≠ 0` (tokens the policy generated, tool calls
 * included) and 0 elsewhere (prompt, tool output, padding). Values are rounded to float32.
 *
 * @param adv - n per-sequence advantages (finite)
 * @param seqOffsets - n + 1 non-decreasing offsets, the first 0 and the last `lossMask.length`
 * @param lossMask - per-token mask; 0 = no advantage, any other value = the sequence's advantage
 * @param out - optional Float32Array of the token count (every entry is overwritten)
 * @returns per-token advantages
 * @example
 * broadcastToTokens(Float64Array.of(2, -1), Int32Array.of(0, 3, 5), Uint8Array.of(0, 1, 1, 1, 0));
 * // Float32Array [0, 2, 2, -1, 0]
 */
export function broadcastToTokens(
  adv: Float64Array,
  seqOffsets: ArrayLike<number>,
  lossMask: Uint8Array,
  out?: Float32Array,
): Float32Array {
  const fn = 'broadcastToTokens';
  if (!(adv instanceof Float64Array)) throw new TypeError(`${fn}: adv must be a Float64Array (got ${describeValue(adv)})`);
  if (!(lossMask instanceof Uint8Array)) throw new TypeError(`${fn}: lossMask must be a Uint8Array (got ${describeValue(lossMask)})`);
  const T = lossMask.length;
  const nSeq = checkOffsets(fn, seqOffsets, T);
  if (nSeq !== adv.length) {
    throw new RangeError(`${fn}: seqOffsets must have length adv.length + 1 = ${adv.length + 1} (got ${nSeq + 1})`);
  }
  assertFiniteRows(fn, 'adv', adv, 1);
  let tokens: Float32Array;
  if (out === undefined) tokens = new Float32Array(T);
  else {
    if (!(out instanceof Float32Array)) throw new TypeError(`${fn}: out must be a Float32Array (got ${describeValue(out)})`);
    if (out.length !== T) throw new RangeError(`${fn}: out must have length ${T} (got ${out.length})`);
    tokens = out;
  }
  if (T === 0) return tokens;
  // The WebAssembly kernel (same bits), else the word-at-a-time JavaScript path, else token by token.
  if (wasmKernelsEnabled() && broadcastTokensWasm(adv, seqOffsets, lossMask, tokens)) return tokens;
  if (!broadcastWords(adv, seqOffsets, lossMask, tokens, nSeq)) broadcastTokens(adv, seqOffsets, lossMask, tokens, 0, 0, T);
  return tokens;
}

/** Token-by-token broadcast of tokens [from, T), starting in sequence `s`; returns nothing. */
function broadcastTokens(adv: Float64Array, offsets: ArrayLike<number>, mask: Uint8Array, out: Float32Array, s: number, from: number, T: number): void {
  let end = offsets[s + 1];
  let a = adv[s];
  for (let t = from; t < T; t++) {
    while (end <= t) {
      s++;
      end = offsets[s + 1];
      a = adv[s];
    }
    out[t] = mask[t] !== 0 ? a : 0;
  }
}

/** The bit pattern of eight mask bytes equal to 1, read as one float64 (a normal number, ≈ 7.7e-304). */
const ALL_ONES = new Float64Array(new Uint8Array(8).fill(1).buffer)[0];

/** The word path reads mask bytes out of int32 words and token pairs out of float64 words in memory order. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** 1 for a non-zero mask byte `b` (0–255), 0 for zero, without a branch. */
const nz = (b: number) => (b + 255) >> 8;

/**
 * The fast path, sequence by sequence: the mask is read 8 bytes at a time as one word and the
 * output written as four float64 words, each holding the bit pattern of two float32 tokens.
 * Masks come in long runs (prompt, generated text, tool output), so nearly every word is all ones
 * (one float64 compare) or all zeros (two int32 loads), and costs four stores. A mixed word, at a
 * run boundary, costs four more: each pair of tokens picks one of four precomputed patterns
 * `[0|0, a|0, 0|a, a|a]` by its two mask bits, so no branch depends on the mask. The unaligned
 * head and tail of a sequence pick per token from `[0, a]`. A pattern is never a NaN: its high
 * half is 0 or a finite or infinite float32, whose float64 reading has a non-maximal exponent.
 * Measured here faster than a native `fill` per sequence plus a pass zeroing the mask-0 runs.
 *
 * @returns false (and writes nothing) when `out` and `lossMask` cannot both be word-aligned, when
 *   the batch holds no aligned word, or on a big-endian platform
 */
function broadcastWords(adv: Float64Array, offsets: ArrayLike<number>, mask: Uint8Array, out: Float32Array, nSeq: number): boolean {
  const T = mask.length;
  // Tokens before the first mask byte on an 8-byte boundary; the output must be 8-aligned there too.
  const h = (8 - (mask.byteOffset & 7)) & 7;
  if (!LITTLE_ENDIAN || h + 8 > T || (out.byteOffset + 4 * h) % 8 !== 0) return false;
  const W = (T - h) >>> 3;
  const m64 = new Float64Array(mask.buffer, mask.byteOffset + h, W);
  const m32 = new Int32Array(mask.buffer, mask.byteOffset + h, 2 * W);
  const o64 = new Float64Array(out.buffer, out.byteOffset + 4 * h, 4 * W);
  const pick = new Float32Array(2);
  // quad[nz(first) | nz(second) << 1] is the pattern of a token pair (little-endian: first = low half).
  const quad = new Float64Array(4);
  const quad32 = new Float32Array(quad.buffer);
  const ones = ALL_ONES;
  for (let s = 0; s < nSeq; s++) {
    const st = offsets[s];
    const en = offsets[s + 1];
    const a = adv[s];
    pick[1] = a;
    quad32[2] = a;
    quad32[5] = a;
    quad32[6] = a;
    quad32[7] = a;
    const aa = quad[3];
    // Words lying wholly inside [st, en): i0 .. i1 − 1, covering tokens w0 .. w1 − 1.
    const i0 = st <= h ? 0 : (st - h + 7) >>> 3;
    const i1 = en < h ? 0 : (en - h) >>> 3;
    if (i0 >= i1) {
      for (let t = st; t < en; t++) out[t] = pick[nz(mask[t])];
      continue;
    }
    const w0 = h + 8 * i0;
    const w1 = h + 8 * i1;
    for (let t = st; t < w0; t++) out[t] = pick[nz(mask[t])];
    for (let i = i0; i < i1; i++) {
      const q = 4 * i;
      if (m64[i] === ones) {
        o64[q] = aa;
        o64[q + 1] = aa;
        o64[q + 2] = aa;
        o64[q + 3] = aa;
        continue;
      }
      const lo = m32[2 * i];
      const hi = m32[2 * i + 1];
      if ((lo | hi) === 0) {
        o64[q] = 0;
        o64[q + 1] = 0;
        o64[q + 2] = 0;
        o64[q + 3] = 0;
        continue;
      }
      o64[q] = quad[nz(lo & 255) | (nz((lo >>> 8) & 255) << 1)];
      o64[q + 1] = quad[nz((lo >>> 16) & 255) | (nz(lo >>> 24) << 1)];
      o64[q + 2] = quad[nz(hi & 255) | (nz((hi >>> 8) & 255) << 1)];
      o64[q + 3] = quad[nz((hi >>> 16) & 255) | (nz(hi >>> 24) << 1)];
    }
    for (let t = w1; t < en; t++) out[t] = pick[nz(mask[t])];
  }
  return true;
}

/** Statistics of token advantages over the masked-in tokens, as a trainer logs them. */
export interface MaskedStats {
  /** Number of tokens with mask ≠ 0. */
  readonly count: number;
  /** Mean over those tokens (NaN when count = 0). */
  readonly mean: number;
  /** Population standard deviation over those tokens (NaN when count = 0). */
  readonly std: number;
  /** Minimum (NaN when count = 0). */
  readonly min: number;
  /** Maximum (NaN when count = 0). */
  readonly max: number;
}

/**
 * Count, mean, population std, min and max of `values` over the tokens whose mask is non-zero.
 * With no masked-in token every statistic but `count` is NaN (there is nothing to summarise).
 *
 * @param values - per-token values (e.g. from {@link broadcastToTokens})
 * @param lossMask - per-token mask, same length
 * @returns {@link MaskedStats}
 * @example
 * maskedStats(Float32Array.of(0, 2, 2, -1, 0), Uint8Array.of(0, 1, 1, 1, 0));
 * // { count: 3, mean: 1, std: 1.4142136, min: -1, max: 2 }
 */
export function maskedStats(values: Float32Array | Float64Array, lossMask: Uint8Array): MaskedStats {
  const fn = 'maskedStats';
  if (!(values instanceof Float32Array) && !(values instanceof Float64Array)) {
    throw new TypeError(`${fn}: values must be a Float32Array or Float64Array (got ${describeValue(values)})`);
  }
  if (!(lossMask instanceof Uint8Array)) throw new TypeError(`${fn}: lossMask must be a Uint8Array (got ${describeValue(lossMask)})`);
  if (lossMask.length !== values.length) {
    throw new RangeError(`${fn}: lossMask must have length ${values.length} like values (got ${lossMask.length})`);
  }
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let t = 0; t < values.length; t++) {
    if (lossMask[t] === 0) continue;
    const v = values[t];
    if (!Number.isFinite(v)) throw new RangeError(`${fn}: values must be finite (got ${describeValue(v)} at token ${t})`);
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (count === 0) return { count, mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = sum / count;
  let ssd = 0;
  for (let t = 0; t < values.length; t++) {
    if (lossMask[t] === 0) continue;
    const d = values[t] - mean;
    ssd += d * d;
  }
  return { count, mean, std: Math.sqrt(ssd / count), min, max };
}
