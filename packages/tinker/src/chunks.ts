import type { Datum, ForwardResult } from './types';

/*
 * Hosted Tinker takes at most `fwdbwd_max_chunk_len` datums and about
 * `fwdbwd_max_chunk_bytes_count` bytes in one forward/backward request. The official SDK splits a
 * larger batch into several requests, each with its own seq_id, and merges their results; these
 * are the same rules (checked against tinker 0.38.0's behaviour in `src/chunks.test.ts`).
 */

/**
 * The SDK's estimate of a datum's protobuf size: 4 bytes per input token plus every loss input's
 * data at its dtype's width.
 *
 * @param d - A datum.
 * @returns Estimated bytes.
 * @example
 * // 3 input tokens, int64 targets, float32 weights: 3·4 + 3·8 + 3·4
 * datumBytes(episodeDatum({ tokens: Int32Array.of(1, 2, 3, 4), lossMask: Uint8Array.of(0, 1, 1, 1) })); // 48
 */
export function datumBytes(d: Datum): number {
  let bytes = 0;
  for (const c of d.model_input.chunks) bytes += 4 * c.tokens.length;
  for (const t of Object.values(d.loss_fn_inputs)) if (t !== undefined) bytes += (t.dtype === 'int64' ? 8 : 4) * t.data.length;
  return bytes;
}

/**
 * Splits datums into consecutive requests: a new request starts when the current one holds
 * `maxLen` datums or the next datum would take it past `maxBytes`. A datum larger than `maxBytes`
 * alone still goes, alone (as the SDK sends it; the server is the judge).
 *
 * @param datums - The batch, in order.
 * @param maxLen - Most datums per request.
 * @param maxBytes - Most estimated bytes per request ({@link datumBytes}).
 * @returns The parts, in order; their concatenation is `datums`.
 * @example
 * splitDatums([d, d, d], 2, 5_000_000).map((p) => p.length); // [2, 1]
 */
export function splitDatums(datums: readonly Datum[], maxLen: number, maxBytes: number): Datum[][] {
  const parts: Datum[][] = [];
  let part: Datum[] = [];
  let bytes = 0;
  for (const d of datums) {
    const b = datumBytes(d);
    if (part.length > 0 && (part.length === maxLen || bytes + b > maxBytes)) {
      parts.push(part);
      part = [];
      bytes = 0;
    }
    part.push(d);
    bytes += b;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * Merges the results of one batch's requests as the SDK does: outputs concatenated in order;
 * metrics named `name:reduction` reduced over the parts (`mean` and `slack` weighted by each
 * part's datum count, `sum`, `min`, `max`, `hash2` a 64-bit wrapping sum of the integer parts,
 * `unique` keeps every part's value: the first under the key, the others as `key_1`, `key_2`, …).
 * A metric that some part lacks, or whose reduction is unknown, is dropped.
 *
 * @param parts - Each request's result, in the order of {@link splitDatums}.
 * @returns One result for the whole batch.
 * @example
 * combineForwardResults([a, b]).metrics; // a: 1 datum { 'loss:sum': 1, 'n:mean': 4 }, b: 3 datums { 'loss:sum': 2, 'n:mean': 0 } → { 'loss:sum': 3, 'n:mean': 1 }
 */
export function combineForwardResults(parts: readonly ForwardResult[]): ForwardResult {
  if (parts.length === 1) return parts[0];
  const outputs = parts.flatMap((p) => p.outputs);
  const weights = parts.map((p) => p.outputs.length);
  const total = weights.reduce((a, b) => a + b, 0);
  const metrics: Record<string, number> = {};
  for (const key of Object.keys(parts[0]?.metrics ?? {})) {
    const colon = key.lastIndexOf(':');
    if (colon < 0 || !parts.every((p) => typeof p.metrics[key] === 'number')) continue;
    const values = parts.map((p) => p.metrics[key]);
    const weightedMean = () => values.reduce((a, v, i) => a + v * weights[i], 0) / total;
    switch (key.slice(colon + 1)) {
      case 'mean':
        metrics[key] = weightedMean();
        break;
      case 'sum':
        metrics[key] = values.reduce((a, b) => a + b, 0);
        break;
      case 'min':
        metrics[key] = Math.min(...values);
        break;
      case 'max':
        metrics[key] = Math.max(...values);
        break;
      case 'slack':
        metrics[key] = Math.max(...values) - weightedMean();
        break;
      case 'hash2': {
        if (!values.every(Number.isFinite)) break;
        let h = 0n;
        for (const v of values) h = (h + (BigInt(Math.trunc(v)) & MASK64)) & MASK64;
        metrics[key] = Number(h);
        break;
      }
      case 'unique':
        metrics[key] = values[0];
        for (let i = 1; i < values.length; i++) metrics[`${key}_${i}`] = values[i];
        break;
      default:
        break;
    }
  }
  return { outputs, metrics };
}
