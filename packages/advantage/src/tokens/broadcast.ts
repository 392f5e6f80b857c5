import { describeValue } from '@paretopo/pareto';
import { assertFiniteRows } from '../batch';
import { checkOffsets } from './offsets';

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
  if (lossMask.byteOffset % 4 === 0 && tokens.byteOffset % 8 === 0) broadcastBlocks(adv, seqOffsets, lossMask, tokens, T);
  else broadcastTokens(adv, seqOffsets, lossMask, tokens, 0, 0, T);
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

/**
 * The fast path: 8 tokens per step, reading the mask as two 32-bit words and writing the output as
 * four float64 words, each holding the bit pattern of two float32 copies of the advantage. Blocks
 * that are all 1 or all 0 inside one sequence (nearly all of them: masks come in long runs) cost
 * two loads and four stores; the rest fall back to tokens. The pattern is never a NaN (the
 * advantage is finite), so no engine can canonicalise it on store.
 */
function broadcastBlocks(adv: Float64Array, offsets: ArrayLike<number>, mask: Uint8Array, out: Float32Array, T: number): void {
  const nBlocks = T >>> 3;
  const m32 = new Uint32Array(mask.buffer, mask.byteOffset, nBlocks * 2);
  const o64 = new Float64Array(out.buffer, out.byteOffset, nBlocks * 4);
  const pair32 = new Float32Array(2);
  const pair64 = new Float64Array(pair32.buffer);
  let s = 0;
  let end = offsets[1];
  let a = adv[0];
  pair32[0] = a;
  pair32[1] = a;
  let aa = pair64[0];
  for (let b = 0; b < nBlocks; b++) {
    const t = b << 3;
    while (end <= t) {
      s++;
      end = offsets[s + 1];
      a = adv[s];
      pair32[0] = a;
      pair32[1] = a;
      aa = pair64[0];
    }
    const q = b << 2;
    if (t + 8 <= end) {
      const w0 = m32[2 * b];
      const w1 = m32[2 * b + 1];
      if (w0 === 0x01010101 && w1 === 0x01010101) {
        o64[q] = aa;
        o64[q + 1] = aa;
        o64[q + 2] = aa;
        o64[q + 3] = aa;
        continue;
      }
      if ((w0 | w1) === 0) {
        o64[q] = 0;
        o64[q + 1] = 0;
        o64[q + 2] = 0;
        o64[q + 3] = 0;
        continue;
      }
    }
    for (let u = t; u < t + 8; u++) {
      while (end <= u) {
        s++;
        end = offsets[s + 1];
        a = adv[s];
        pair32[0] = a;
        pair32[1] = a;
        aa = pair64[0];
      }
      out[u] = mask[u] !== 0 ? a : 0;
    }
  }
  // Tail of fewer than 8 tokens: find its sequence, then go token by token.
  const from = nBlocks << 3;
  while (from < T && offsets[s + 1] <= from) s++;
  if (from < T) broadcastTokens(adv, offsets, mask, out, s, from, T);
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
