import { describeValue } from '@paretopo/pareto';
import type { Datum } from './types';

/** One episode as packed token arrays (all of length T). */
export interface EpisodeTokens {
  /** The whole episode: prompt, generated tokens, tool outputs. */
  tokens: Int32Array;
  /** 1 on generated tokens (trained), 0 on prompt and tool output. */
  lossMask: Uint8Array;
  /** Sampling (old) log-prob of each token; read where the mask is 1. */
  oldLogprobs?: Float32Array;
  /** Advantage of each token (e.g. `broadcastToTokens`); read where the mask is 1. */
  advantages?: Float32Array;
}

function checkLength(name: string, v: ArrayLike<number> | undefined, t: number): void {
  if (v !== undefined && v.length !== t) {
    throw new RangeError(`episodeDatum: episode.${name} must have the length of episode.tokens (${t}) (got ${describeValue(v)})`);
  }
}

/**
 * The Tinker datum of one episode, shifted by one token as the API defines it: the model reads
 * `tokens[0 .. T−1)` and position i predicts `target_tokens[i] = tokens[i+1]`, so every per-token
 * value of token t+1 (mask, old log-prob, advantage) lands at position t. The first token is never
 * a target (nothing precedes it). `weights` is the loss mask as 0/1 floats.
 *
 * @param episode - Tokens, loss mask and, for the RL losses, old log-probs and advantages.
 * @returns The datum (input length T − 1).
 * @throws RangeError for fewer than 2 tokens or arrays of different lengths.
 * @example
 * const d = episodeDatum({ tokens: Int32Array.of(5, 6, 7), lossMask: Uint8Array.of(0, 1, 1) });
 * d.model_input.chunks[0].tokens;      // [5, 6]
 * d.loss_fn_inputs.target_tokens.data; // [6, 7]
 * d.loss_fn_inputs.weights!.data;      // [1, 1]
 */
export function episodeDatum(episode: EpisodeTokens): Datum {
  const { tokens, lossMask, oldLogprobs, advantages } = episode;
  if (!(tokens instanceof Int32Array) || tokens.length < 2) {
    throw new RangeError(`episodeDatum: episode.tokens must be an Int32Array of at least 2 tokens (got ${describeValue(tokens)})`);
  }
  const t = tokens.length;
  if (!(lossMask instanceof Uint8Array)) {
    throw new TypeError(`episodeDatum: episode.lossMask must be a Uint8Array (got ${describeValue(lossMask)})`);
  }
  checkLength('lossMask', lossMask, t);
  checkLength('oldLogprobs', oldLogprobs, t);
  checkLength('advantages', advantages, t);
  const n = t - 1;
  const input = new Array<number>(n);
  const targets = new Array<number>(n);
  const weights = new Array<number>(n);
  const logprobs = oldLogprobs === undefined ? undefined : new Array<number>(n);
  const adv = advantages === undefined ? undefined : new Array<number>(n);
  for (let i = 0; i < n; i++) {
    input[i] = tokens[i];
    targets[i] = tokens[i + 1];
    const on = lossMask[i + 1] !== 0;
    weights[i] = on ? 1 : 0;
    // Off-mask positions carry 0, not the stored value: the engine multiplies by the weight, but a
    // NaN or ±Inf there would still poison the sum.
    if (logprobs !== undefined) logprobs[i] = on ? checkFinite('oldLogprobs', oldLogprobs![i + 1], i + 1) : 0;
    if (adv !== undefined) adv[i] = on ? checkFinite('advantages', advantages![i + 1], i + 1) : 0;
  }
  const datum: Datum = {
    model_input: { chunks: [{ type: 'encoded_text', tokens: input }] },
    loss_fn_inputs: {
      target_tokens: { data: targets, dtype: 'int64' },
      weights: { data: weights, dtype: 'float32' },
    },
  };
  if (logprobs !== undefined) datum.loss_fn_inputs.logprobs = { data: logprobs, dtype: 'float32' };
  if (adv !== undefined) datum.loss_fn_inputs.advantages = { data: adv, dtype: 'float32' };
  return datum;
}

function checkFinite(name: string, v: number, at: number): number {
  if (!Number.isFinite(v)) throw new RangeError(`episodeDatum: episode.${name}[${at}] must be finite on a trained token (got ${describeValue(v)})`);
  return v;
}

/** A packed batch of episodes (the shape `@paretopo/rollout` returns). */
export interface PackedEpisodes {
  tokens: Int32Array;
  /** Episode e spans `tokens[offsets[e] .. offsets[e+1])`. */
  offsets: Int32Array;
  lossMask: Uint8Array;
  oldLogprobs?: Float32Array;
}

/**
 * One datum per episode of a packed batch ({@link episodeDatum} on each slice).
 *
 * @param batch - Packed tokens, offsets, loss mask and old log-probs.
 * @param tokenAdvantages - Per-token advantages over the whole batch (length of `batch.tokens`), or omit for SFT.
 * @returns `offsets.length − 1` datums, in order.
 * @example
 * const ds = packedDatums({ tokens: Int32Array.of(1, 2, 3, 4), offsets: Int32Array.of(0, 2, 4), lossMask: Uint8Array.of(0, 1, 0, 1) });
 * ds.map((d) => d.loss_fn_inputs.target_tokens.data); // [[2], [4]]
 */
export function packedDatums(batch: PackedEpisodes, tokenAdvantages?: Float32Array): Datum[] {
  const { tokens, offsets, lossMask, oldLogprobs } = batch;
  if (!(offsets instanceof Int32Array) || offsets.length < 1 || offsets[0] !== 0 || offsets[offsets.length - 1] !== tokens.length) {
    throw new RangeError(`packedDatums: batch.offsets must be an Int32Array from 0 to tokens.length (${tokens.length}) (got ${describeValue(offsets)})`);
  }
  if (tokenAdvantages !== undefined && tokenAdvantages.length !== tokens.length) {
    throw new RangeError(`packedDatums: tokenAdvantages must have the length of batch.tokens (${tokens.length}) (got ${describeValue(tokenAdvantages)})`);
  }
  const out: Datum[] = [];
  for (let e = 0; e + 1 < offsets.length; e++) {
    const a = offsets[e];
    const b = offsets[e + 1];
    if (b < a) throw new RangeError(`packedDatums: batch.offsets must not decrease (offsets[${e + 1}] = ${b} < ${a})`);
    out.push(
      episodeDatum({
        tokens: tokens.subarray(a, b),
        lossMask: lossMask.subarray(a, b),
        oldLogprobs: oldLogprobs?.subarray(a, b),
        advantages: tokenAdvantages?.subarray(a, b),
      }),
    );
  }
  return out;
}

/**
 * The inverse shift: per-position values of a datum (length T − 1, e.g. `forward` log-probs)
 * placed back on the episode's tokens (length T); token 0 gets `fill`.
 *
 * @param positions - Values by datum position.
 * @param fill - Value of the first token (default 0).
 * @returns Values by token.
 * @example
 * tokenAligned(Float32Array.of(-1, -2)); // Float32Array [0, -1, -2]
 */
export function tokenAligned(positions: Float32Array, fill = 0): Float32Array {
  const out = new Float32Array(positions.length + 1);
  out[0] = fill;
  out.set(positions, 1);
  return out;
}
