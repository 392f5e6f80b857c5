import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertFinite, assertInRange, assertOffsets, assertOneOf, assertU8 } from './validate';
import type { PgAggregation, PgLossArgs, PgLossResult } from './types';

/*
 * METHOD.md §5: per generated token t (mask 1),
 *   ℓ_t = −min(ρ_t·A_t, clip(ρ_t, 1−ε_low, 1+ε_high)·A_t) + β_KL·k3_t,
 *   ρ_t = exp(logπθ − logπold),  k3_t = exp(−d_t) + d_t − 1 with d_t = logπθ − logπref
 * (Schulman's k3 estimator: unbiased, non-negative). The loss is Σ_t w_t·ℓ_t with the
 * aggregation's token weights w_t:
 *   token-mean               w_t = 1 / N                 (N generated tokens in the batch)
 *   seq-mean-token-mean      w_t = 1 / (S · n_s)         (n_s generated tokens of t's sequence s)
 *   seq-mean-token-sum-norm  w_t = 1 / (S · n_max)       (Dr. GRPO: a constant length, here the
 *                                                         largest n_s of the batch)
 * where S counts the sequences with at least one generated token (a prompt-only sequence carries
 * no loss and does not dilute the others). The min picks the clipped branch — whose gradient is 0 —
 * exactly when A > 0 and ρ > 1+ε_high, or A < 0 and ρ < 1−ε_low; those tokens are `clipFraction`.
 * d(−ρA)/dlogπθ = −ρA and d k3/dlogπθ = 1 − exp(−d).
 */

/**
 * Per-token weights of an aggregation (see the comment above); `weights[t]` = 0 off the mask.
 *
 * @param mask - 1 on generated tokens
 * @param seqOffsets - packed ragged offsets
 * @param aggregation - the reduction
 * @returns `{ weights: Float64Array(T), tokens }`
 * @example
 * pgTokenWeights(Uint8Array.of(1, 1, 1), Int32Array.of(0, 1, 3), 'seq-mean-token-mean').weights; // [0.5, 0.25, 0.25]
 */
export function pgTokenWeights(
  mask: Uint8Array,
  seqOffsets: Int32Array,
  aggregation: PgAggregation,
): { weights: Float64Array; tokens: number } {
  const nSeq = seqOffsets.length - 1;
  const weights = new Float64Array(seqOffsets[nSeq]);
  let tokens = 0;
  let seqs = 0;
  let maxCount = 0;
  for (let s = 0; s < nSeq; s++) {
    let count = 0;
    for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) if (mask[t] !== 0) count++;
    tokens += count;
    if (count > 0) seqs++;
    maxCount = Math.max(maxCount, count);
  }
  if (tokens === 0) return { weights, tokens };
  for (let s = 0; s < nSeq; s++) {
    let count = 0;
    for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) if (mask[t] !== 0) count++;
    const w =
      aggregation === 'token-mean' ? 1 / tokens : aggregation === 'seq-mean-token-mean' ? 1 / (seqs * count) : 1 / (seqs * maxCount);
    for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) if (mask[t] !== 0) weights[t] = w;
  }
  return { weights, tokens };
}

/**
 * Reference policy-gradient loss in float64, written term by term from METHOD.md §5: per-token
 * losses, then the aggregation as an explicit mean of means; the gradient per token from the
 * branch the min picked.
 *
 * @param args - {@link PgLossArgs}; writes dLogprobs (0 off the mask)
 * @returns `{ loss, clipFraction, kl (mean k3 over generated tokens, 0 without a reference), tokens }`
 * @example
 * // ρ = e^{0.5} ≈ 1.65 > 1.2 with A = 1: clipped, loss = −1.2, gradient 0
 * pgLossReference({ logprobs: Float32Array.of(0.5), oldLogprobs: Float32Array.of(0), advantages: Float32Array.of(1),
 *   mask: Uint8Array.of(1), seqOffsets: Int32Array.of(0, 1), epsLow: 0.2, epsHigh: 0.2, betaKl: 0,
 *   aggregation: 'token-mean', dLogprobs }); // { loss: −1.2, clipFraction: 1, kl: 0, tokens: 1 }
 */
export function pgLossReference(args: PgLossArgs): PgLossResult {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask, seqOffsets, epsLow, epsHigh, betaKl, aggregation, dLogprobs } = args;
  const nSeq = seqOffsets.length - 1;
  const T = seqOffsets[nSeq];
  const tokenLoss = new Float64Array(T);
  const tokenGrad = new Float64Array(T);
  let tokens = 0;
  let clipped = 0;
  let klSum = 0;
  for (let t = 0; t < T; t++) {
    if (mask[t] === 0) continue;
    tokens++;
    const ratio = Math.exp(logprobs[t] - oldLogprobs[t]);
    const a = advantages[t];
    const clippedRatio = Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh);
    const unclippedTerm = ratio * a;
    const clippedTerm = clippedRatio * a;
    const isClipped = clippedTerm < unclippedTerm;
    if (isClipped) clipped++;
    tokenLoss[t] = -Math.min(unclippedTerm, clippedTerm);
    tokenGrad[t] = isClipped ? 0 : -unclippedTerm;
    if (refLogprobs !== undefined) {
      const d = logprobs[t] - refLogprobs[t];
      const k3 = Math.exp(-d) + d - 1;
      klSum += k3;
      tokenLoss[t] += betaKl * k3;
      tokenGrad[t] += betaKl * (1 - Math.exp(-d));
    }
  }
  dLogprobs.fill(0, 0, T);
  if (tokens === 0) return { loss: 0, clipFraction: 0, kl: 0, tokens: 0 };
  let loss = 0;
  if (aggregation === 'token-mean') {
    for (let t = 0; t < T; t++) {
      if (mask[t] === 0) continue;
      loss += tokenLoss[t] / tokens;
      dLogprobs[t] = tokenGrad[t] / tokens;
    }
  } else {
    const counts: number[] = [];
    for (let s = 0; s < nSeq; s++) {
      let c = 0;
      for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) if (mask[t] !== 0) c++;
      counts.push(c);
    }
    const seqs = counts.filter((c) => c > 0).length;
    const maxCount = Math.max(...counts);
    for (let s = 0; s < nSeq; s++) {
      if (counts[s] === 0) continue;
      const norm = aggregation === 'seq-mean-token-mean' ? counts[s] : maxCount;
      let seqLoss = 0;
      for (let t = seqOffsets[s]; t < seqOffsets[s + 1]; t++) {
        if (mask[t] === 0) continue;
        seqLoss += tokenLoss[t] / norm;
        dLogprobs[t] = tokenGrad[t] / norm / seqs;
      }
      loss += seqLoss / seqs;
    }
  }
  return { loss, clipFraction: clipped / tokens, kl: refLogprobs === undefined ? 0 : klSum / tokens, tokens };
}

/**
 * Fast policy-gradient loss: the aggregation's token weights first ({@link pgTokenWeights}), then
 * one fused pass for loss, gradient, clip count and KL.
 *
 * @param args - {@link PgLossArgs}
 * @returns the same as {@link pgLossReference}
 * @example
 * pgLossJs({ ...args, aggregation: 'seq-mean-token-mean' }); // { loss, clipFraction, kl, tokens }
 */
export function pgLossJs(args: PgLossArgs): PgLossResult {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask, seqOffsets, epsLow, epsHigh, betaKl, aggregation, dLogprobs } = args;
  const T = seqOffsets[seqOffsets.length - 1];
  const { weights, tokens } = pgTokenWeights(mask, seqOffsets, aggregation);
  const lo = 1 - epsLow;
  const hi = 1 + epsHigh;
  let loss = 0;
  let clipped = 0;
  let klSum = 0;
  for (let t = 0; t < T; t++) {
    if (mask[t] === 0) {
      dLogprobs[t] = 0;
      continue;
    }
    const lp = logprobs[t];
    const ratio = Math.exp(lp - oldLogprobs[t]);
    const a = advantages[t];
    const w = weights[t];
    let grad: number;
    if ((a > 0 && ratio > hi) || (a < 0 && ratio < lo)) {
      clipped++;
      loss -= w * (a > 0 ? hi : lo) * a;
      grad = 0;
    } else {
      loss -= w * ratio * a;
      grad = -w * ratio * a;
    }
    if (refLogprobs !== undefined) {
      const d = lp - refLogprobs[t];
      const e = Math.exp(-d);
      const k3 = e + d - 1;
      klSum += k3;
      loss += w * betaKl * k3;
      grad += w * betaKl * (1 - e);
    }
    dLogprobs[t] = grad;
  }
  if (tokens === 0) return { loss: 0, clipFraction: 0, kl: 0, tokens: 0 };
  return { loss, clipFraction: clipped / tokens, kl: refLogprobs === undefined ? 0 : klSum / tokens, tokens };
}

const AGGREGATIONS: readonly PgAggregation[] = ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'];

/**
 * The pgLoss op (METHOD.md §5): returns `{ loss, clipFraction, kl, tokens }` and writes
 * dLoss/dlogprobs.
 *
 * @example
 * const { loss, clipFraction } = await backend.run(Op.PgLoss, { logprobs, oldLogprobs, refLogprobs, advantages, mask,
 *   seqOffsets, epsLow: 0.2, epsHigh: 0.2, betaKl: 0.001, aggregation: 'token-mean', dLogprobs });
 */
export const pgLossOp = defineOp({
  name: Op.PgLoss,
  validate(a) {
    const op = 'pgLoss';
    assertOffsets(op, 'seqOffsets', a.seqOffsets);
    const T = a.seqOffsets[a.seqOffsets.length - 1];
    assertF32(op, 'logprobs', a.logprobs, T);
    assertF32(op, 'oldLogprobs', a.oldLogprobs, T);
    if (a.refLogprobs !== undefined) assertF32(op, 'refLogprobs', a.refLogprobs, T);
    assertF32(op, 'advantages', a.advantages, T);
    assertU8(op, 'mask', a.mask, T);
    assertF32(op, 'dLogprobs', a.dLogprobs, T);
    assertInRange(op, 'epsLow', a.epsLow, 0, 1);
    assertFinite(op, 'epsHigh', a.epsHigh);
    if (a.epsHigh < 0) throw new RangeError(`pgLoss: epsHigh must be >= 0 (got ${a.epsHigh})`);
    assertFinite(op, 'betaKl', a.betaKl);
    if (a.betaKl < 0) throw new RangeError(`pgLoss: betaKl must be >= 0 (got ${a.betaKl})`);
    if (a.betaKl > 0 && a.refLogprobs === undefined) throw new RangeError(`pgLoss: refLogprobs is required when betaKl > 0 (got betaKl = ${a.betaKl})`);
    assertOneOf(op, 'aggregation', a.aggregation, AGGREGATIONS);
  },
  reference: pgLossReference,
  js: pgLossJs,
  gaps: [
    {
      backends: ['webgpu', 'headlessgl', 'webasm', 'cpu'],
      reason: 'a reduction to four scalars with per-sequence normalisers over ~10³ tokens: a gpu.js launch and read-back cost more than the whole js pass',
    },
  ],
  conformance: {
    outputs: ['dLogprobs'],
    cases(rng, { small }) {
      const nSeqs = small ? [1, 3] : [1, 3, 16];
      return nSeqs.flatMap((nSeq, index) =>
        AGGREGATIONS.map((aggregation) => {
          const seqOffsets = rng.offsets(nSeq, 1, 12);
          const T = seqOffsets[nSeq];
          const mask = new Uint8Array(T);
          for (let t = 0; t < T; t++) mask[t] = rng.next() < 0.7 ? 1 : 0;
          const oldLogprobs = rng.f32(T, -3, -0.1);
          const logprobs = new Float32Array(T);
          for (let t = 0; t < T; t++) logprobs[t] = oldLogprobs[t] + (rng.next() - 0.5) * 0.8;
          const withRef = index % 2 === 0;
          return {
            label: `nSeq=${nSeq} ${aggregation}${withRef ? ' +kl' : ''}`,
            args: {
              logprobs,
              oldLogprobs,
              refLogprobs: withRef ? rng.f32(T, -3, -0.1) : undefined,
              advantages: rng.f32(T, -2, 2),
              mask,
              seqOffsets,
              epsLow: 0.2,
              epsHigh: 0.28,
              betaKl: withRef ? 0.05 : 0,
              aggregation,
              dLogprobs: rng.f32(T),
            },
          };
        }),
      );
    },
  },
});
