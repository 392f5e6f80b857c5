import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertFinite, assertInRange, assertOffsets, assertOneOf, assertU8 } from './validate';
import type { PgAggregation, PgLossArgs, PgLossResult } from './types';

/*
 * METHOD.md §5: per generated token t (mask 1),
 *   ℓ_t = −min(ρ_t·A_t, clip(ρ_t, 1−ε_low, 1+ε_high)·A_t) + β_KL·k3_t,
 *   ρ_t = exp(logπθ − logπold),  k3_t = exp(−d_t) + d_t − 1 with d_t = logπθ − logπref
 * (Schulman's k3 estimator: unbiased, non-negative), with two bounds as in verl:
 *   dual clip (Ye et al. 2020, "Mastering Complex Control in MOBA Games"): where A_t < 0 the policy
 *     term is min(−min(…), c·|A_t|): a stale old log-prob can make ρ_t huge and the term −ρ_t·A_t
 *     unbounded; capped, its gradient is 0;
 *   KL clamp: k3_t is replaced by min(k3_t, K), gradient 0 above K (k3 grows like e^{−d} when the
 *     policy leaves the reference).
 * The loss is Σ_t w_t·ℓ_t with the aggregation's token weights w_t:
 *   token-mean               w_t = 1 / N                 (N generated tokens in the batch)
 *   seq-mean-token-mean      w_t = 1 / (S · n_s)         (n_s generated tokens of t's sequence s)
 *   seq-mean-token-sum-norm  w_t = 1 / (S · n_max)       (Dr. GRPO's sum over a length normaliser;
 *                                                         here n_max, the largest n_s of *this*
 *                                                         batch, so it changes from batch to batch —
 *                                                         Dr. GRPO and verl use a fixed constant,
 *                                                         the generation budget)
 * where S counts the sequences with at least one generated token (a prompt-only sequence carries
 * no loss and does not dilute the others). The min picks the clipped branch — whose gradient is 0 —
 * exactly when A > 0 and ρ > 1+ε_high, or A < 0 and ρ < 1−ε_low; those tokens are `clipFraction`.
 * A token with A = 0 contributes 0 to the policy term even when ρ overflows (∞·0 would be NaN).
 * d(−ρA)/dlogπθ = −ρA and d k3/dlogπθ = 1 − exp(−d).
 */

/**
 * Defaults of pgLoss's optional bounds, verl's values: dual clip c = 3 (`clip_ratio_c`) and the k3
 * KL clamp at 10 (`low_var_kl`).
 *
 * @example
 * PG_LOSS_DEFAULTS.dualClip; // 3
 */
export const PG_LOSS_DEFAULTS: Readonly<{ dualClip: number; klClamp: number }> = Object.freeze({ dualClip: 3, klClamp: 10 });

/**
 * Resolves pgLoss's optional bounds: `undefined` → the default, `null` → off.
 *
 * @param args - `dualClip` and `klClamp` as passed
 * @returns the bounds in effect (`null` = off)
 * @example
 * pgLossBounds({ dualClip: null }); // { dualClip: null, klClamp: 10 }
 */
export function pgLossBounds(args: Pick<PgLossArgs, 'dualClip' | 'klClamp'>): { dualClip: number | null; klClamp: number | null } {
  return {
    dualClip: args.dualClip === undefined ? PG_LOSS_DEFAULTS.dualClip : args.dualClip,
    klClamp: args.klClamp === undefined ? PG_LOSS_DEFAULTS.klClamp : args.klClamp,
  };
}

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
 * @returns `{ loss, clipFraction, dualClipFraction, kl (mean k3 over generated tokens after the clamp, 0
 *   without a reference), tokens }`
 * @example
 * // ρ = e^{0.5} ≈ 1.65 > 1.2 with A = 1: clipped, loss = −1.2, gradient 0
 * pgLossReference({ logprobs: Float32Array.of(0.5), oldLogprobs: Float32Array.of(0), advantages: Float32Array.of(1),
 *   mask: Uint8Array.of(1), seqOffsets: Int32Array.of(0, 1), epsLow: 0.2, epsHigh: 0.2, betaKl: 0,
 *   aggregation: 'token-mean', dLogprobs }); // { loss: −1.2, clipFraction: 1, dualClipFraction: 0, kl: 0, tokens: 1 }
 */
export function pgLossReference(args: PgLossArgs): PgLossResult {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask, seqOffsets, epsLow, epsHigh, betaKl, aggregation, dLogprobs } = args;
  const { dualClip, klClamp } = pgLossBounds(args);
  const nSeq = seqOffsets.length - 1;
  const T = seqOffsets[nSeq];
  const tokenLoss = new Float64Array(T);
  const tokenGrad = new Float64Array(T);
  let tokens = 0;
  let clipped = 0;
  let dualClipped = 0;
  let klSum = 0;
  for (let t = 0; t < T; t++) {
    if (mask[t] === 0) continue;
    tokens++;
    const a = advantages[t];
    if (a !== 0) {
      const ratio = Math.exp(logprobs[t] - oldLogprobs[t]);
      const clippedRatio = Math.min(Math.max(ratio, 1 - epsLow), 1 + epsHigh);
      const unclippedTerm = ratio * a;
      const clippedTerm = clippedRatio * a;
      const isClipped = clippedTerm < unclippedTerm;
      if (isClipped) clipped++;
      tokenLoss[t] = -Math.min(unclippedTerm, clippedTerm);
      tokenGrad[t] = isClipped ? 0 : -unclippedTerm;
      if (dualClip !== null && a < 0 && tokenLoss[t] > -dualClip * a) {
        dualClipped++;
        tokenLoss[t] = -dualClip * a;
        tokenGrad[t] = 0;
      }
    }
    if (refLogprobs !== undefined) {
      const d = logprobs[t] - refLogprobs[t];
      const k3 = Math.exp(-d) + d - 1;
      const capped = klClamp !== null && k3 > klClamp;
      klSum += capped ? klClamp : k3;
      tokenLoss[t] += betaKl * (capped ? klClamp : k3);
      tokenGrad[t] += capped ? 0 : betaKl * (1 - Math.exp(-d));
    }
  }
  dLogprobs.fill(0, 0, T);
  if (tokens === 0) return { loss: 0, clipFraction: 0, dualClipFraction: 0, kl: 0, tokens: 0 };
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
  return { loss, clipFraction: clipped / tokens, dualClipFraction: dualClipped / tokens, kl: refLogprobs === undefined ? 0 : klSum / tokens, tokens };
}

/**
 * Fast policy-gradient loss: the aggregation's token weights first ({@link pgTokenWeights}), then
 * one fused pass for loss, gradient, clip count and KL.
 *
 * @param args - {@link PgLossArgs}
 * @returns the same as {@link pgLossReference}
 * @example
 * pgLossJs({ ...args, aggregation: 'seq-mean-token-mean' }); // { loss, clipFraction, dualClipFraction, kl, tokens }
 */
export function pgLossJs(args: PgLossArgs): PgLossResult {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask, seqOffsets, epsLow, epsHigh, betaKl, aggregation, dLogprobs } = args;
  const T = seqOffsets[seqOffsets.length - 1];
  const { weights, tokens } = pgTokenWeights(mask, seqOffsets, aggregation);
  const { dualClip, klClamp } = pgLossBounds(args);
  const lo = 1 - epsLow;
  const hi = 1 + epsHigh;
  // Off: a ratio can never exceed +∞, so one comparison serves both settings.
  const dual = dualClip ?? Number.POSITIVE_INFINITY;
  const klCap = klClamp ?? Number.POSITIVE_INFINITY;
  let loss = 0;
  let clipped = 0;
  let dualClipped = 0;
  let klSum = 0;
  for (let t = 0; t < T; t++) {
    if (mask[t] === 0) {
      dLogprobs[t] = 0;
      continue;
    }
    const lp = logprobs[t];
    const a = advantages[t];
    const w = weights[t];
    let grad = 0;
    if (a !== 0) {
      const ratio = Math.exp(lp - oldLogprobs[t]);
      if ((a > 0 && ratio > hi) || (a < 0 && ratio < lo)) {
        clipped++;
        loss -= w * (a > 0 ? hi : lo) * a;
      } else if (a < 0 && ratio > dual) {
        // For A < 0 the unclipped branch's loss is ρ·|A| (ρ ≥ 1−ε here): the cap c·|A| binds iff ρ > c.
        dualClipped++;
        loss -= w * dual * a;
      } else {
        loss -= w * ratio * a;
        grad = -w * ratio * a;
      }
    }
    if (refLogprobs !== undefined) {
      const d = lp - refLogprobs[t];
      const e = Math.exp(-d);
      const k3 = e + d - 1;
      if (k3 > klCap) {
        klSum += klCap;
        loss += w * betaKl * klCap;
      } else {
        klSum += k3;
        loss += w * betaKl * k3;
        grad += w * betaKl * (1 - e);
      }
    }
    dLogprobs[t] = grad;
  }
  if (tokens === 0) return { loss: 0, clipFraction: 0, dualClipFraction: 0, kl: 0, tokens: 0 };
  return { loss, clipFraction: clipped / tokens, dualClipFraction: dualClipped / tokens, kl: refLogprobs === undefined ? 0 : klSum / tokens, tokens };
}

const AGGREGATIONS: readonly PgAggregation[] = ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'];

/**
 * The pgLoss op (METHOD.md §5): returns `{ loss, clipFraction, dualClipFraction, kl, tokens }` and writes
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
    // NaN in, error out: a non-finite log-prob or advantage on a generated token would make the
    // loss and every gradient NaN.
    const inputs = [['logprobs', a.logprobs], ['oldLogprobs', a.oldLogprobs], ['refLogprobs', a.refLogprobs], ['advantages', a.advantages]] as const;
    for (const [name, values] of inputs) {
      if (values === undefined) continue;
      for (let t = 0; t < T; t++) {
        if (a.mask[t] !== 0 && !Number.isFinite(values[t])) throw new RangeError(`pgLoss: ${name}[${t}] must be finite on a generated token (got ${values[t]})`);
      }
    }
    assertInRange(op, 'epsLow', a.epsLow, 0, 1);
    assertFinite(op, 'epsHigh', a.epsHigh);
    if (a.epsHigh < 0) throw new RangeError(`pgLoss: epsHigh must be >= 0 (got ${a.epsHigh})`);
    assertFinite(op, 'betaKl', a.betaKl);
    if (a.betaKl < 0) throw new RangeError(`pgLoss: betaKl must be >= 0 (got ${a.betaKl})`);
    if (a.betaKl > 0 && a.refLogprobs === undefined) throw new RangeError(`pgLoss: refLogprobs is required when betaKl > 0 (got betaKl = ${a.betaKl})`);
    assertOneOf(op, 'aggregation', a.aggregation, AGGREGATIONS);
    // verl asserts clip_ratio_c > 1: at c ≤ 1 the cap would bind on tokens the ε-clip already handles.
    if (a.dualClip != null && !(typeof a.dualClip === 'number' && a.dualClip > 1 && Number.isFinite(a.dualClip))) {
      throw new RangeError(`pgLoss: dualClip must be a finite number > 1, or null to turn it off (got ${String(a.dualClip)})`);
    }
    if (a.klClamp != null && !(typeof a.klClamp === 'number' && a.klClamp > 0 && Number.isFinite(a.klClamp))) {
      throw new RangeError(`pgLoss: klClamp must be a finite number > 0, or null to turn it off (got ${String(a.klClamp)})`);
    }
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
      // Fresh old log-probs (|log ρ| ≤ 0.4) and stale ones (|log ρ| ≤ 2.5, a policy far from its
      // reference) under the default bounds, no bounds, and tighter ones, so every branch runs.
      const bounds = [{}, { dualClip: null, klClamp: null }, { dualClip: 1.5, klClamp: 2 }] as const;
      return nSeqs.flatMap((nSeq, index) =>
        AGGREGATIONS.flatMap((aggregation, ai) => [false, true].map((stale) => {
          const seqOffsets = rng.offsets(nSeq, 1, 12);
          const T = seqOffsets[nSeq];
          const mask = new Uint8Array(T);
          for (let t = 0; t < T; t++) mask[t] = rng.next() < 0.7 ? 1 : 0;
          const oldLogprobs = rng.f32(T, -3, -0.1);
          const logprobs = new Float32Array(T);
          for (let t = 0; t < T; t++) logprobs[t] = oldLogprobs[t] + (rng.next() - 0.5) * (stale ? 5 : 0.8);
          const withRef = index % 2 === 0 || stale;
          const bound = bounds[(index + ai) % bounds.length];
          return {
            label: `nSeq=${nSeq} ${aggregation}${withRef ? ' +kl' : ''}${stale ? ' stale' : ''} ${JSON.stringify(bound)}`,
            args: {
              ...bound,
              logprobs,
              oldLogprobs,
              refLogprobs: withRef ? rng.f32(T, stale ? -6 : -3, -0.1) : undefined,
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
        })),
      );
    },
  },
});
