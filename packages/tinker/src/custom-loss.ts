import { pgLossOp, type PgAggregation, type PgLossResult, type PgLossSettings } from '@paretopo/kernels';
import { describeValue } from '@paretopo/pareto';
import type { TinkerClient } from './client';
import type { Datum, ForwardResult } from './types';

/** Settings of METHOD.md §5's clipped loss (the defaults are METHOD.md's). */
export interface ClippedLossOptions extends PgLossSettings {
  /**
   * Reference log-probs per datum position (one Float32Array per datum, same lengths as the
   * targets), e.g. from {@link TinkerClient.forward} on an untrained model or the base model's
   * `promptLogprobs`.
   */
  refLogprobs?: readonly Float32Array[];
}

/** What {@link clippedLossStep} and {@link clippedLossWeights} report. */
export interface ClippedLossResult extends PgLossResult {
  /** The datums sent to `cross_entropy`: weights = −dL/dlogp per position. */
  datums: Datum[];
}

/**
 * The custom-loss route for a loss the engine lacks: turns current log-probs into `cross_entropy`
 * datums whose weights are −dL/dlogp. The engine's cross-entropy is −Σ w·logp, whose gradient
 * with respect to logp is −w, so these weights make its backward pass carry exactly dL/dθ of
 * METHOD.md §5's clipped surrogate with k3 KL (computed by `@paretopo/kernels`' pgLoss, the same
 * function the local trainer uses).
 *
 * @param datums - Datums with `weights` (the loss mask), `logprobs` (old) and `advantages`.
 * @param logprobs - Current log-probs per datum position (from `forward` on the same weights).
 * @param options - Clip range, KL weight and reference, aggregation.
 * @returns The loss, clip fraction, mean k3 and token count, and the datums to send.
 * @example
 * // one trained position, ρ = 1, A = 1: loss −1, gradient −1 → weight 1
 * const d = episodeDatum({ tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(0, 1), oldLogprobs: Float32Array.of(0, -1), advantages: Float32Array.of(0, 1) });
 * clippedLossWeights([d], [Float32Array.of(-1)], { betaKl: 0 }).datums[0].loss_fn_inputs.weights!.data; // [1]
 */
export function clippedLossWeights(datums: readonly Datum[], logprobs: readonly Float32Array[], options: ClippedLossOptions = {}): ClippedLossResult {
  const fn = 'clippedLossWeights';
  if (!Array.isArray(datums) || datums.length === 0) throw new TypeError(`${fn}: datums must be a non-empty array (got ${describeValue(datums)})`);
  if (!Array.isArray(logprobs) || logprobs.length !== datums.length) {
    throw new RangeError(`${fn}: logprobs must hold one Float32Array per datum (${datums.length}) (got ${describeValue(logprobs)})`);
  }
  const ref = options.refLogprobs;
  if (ref !== undefined && (!Array.isArray(ref) || ref.length !== datums.length)) {
    throw new RangeError(`${fn}: options.refLogprobs must hold one Float32Array per datum (${datums.length}) (got ${describeValue(ref)})`);
  }
  const seqOffsets = new Int32Array(datums.length + 1);
  for (let i = 0; i < datums.length; i++) {
    const n = datums[i].loss_fn_inputs.target_tokens.data.length;
    if (logprobs[i]?.length !== n) throw new RangeError(`${fn}: logprobs[${i}] must have ${n} values (got ${describeValue(logprobs[i])})`);
    if (ref !== undefined && ref[i]?.length !== n) throw new RangeError(`${fn}: options.refLogprobs[${i}] must have ${n} values (got ${describeValue(ref[i])})`);
    for (const key of ['weights', 'logprobs', 'advantages'] as const) {
      if (datums[i].loss_fn_inputs[key]?.data.length !== n) throw new TypeError(`${fn}: datums[${i}].loss_fn_inputs.${key} must have ${n} values (the clipped loss needs the mask, old log-probs and advantages)`);
    }
    seqOffsets[i + 1] = seqOffsets[i] + n;
  }
  const total = seqOffsets[datums.length];
  const args = {
    logprobs: new Float32Array(total),
    oldLogprobs: new Float32Array(total),
    refLogprobs: ref === undefined ? undefined : new Float32Array(total),
    advantages: new Float32Array(total),
    mask: new Uint8Array(total),
    seqOffsets,
    epsLow: options.epsLow ?? 0.2,
    epsHigh: options.epsHigh ?? 0.2,
    betaKl: options.betaKl ?? 0.001,
    aggregation: options.aggregation ?? ('token-mean' as PgAggregation),
    dualClip: options.dualClip,
    klClamp: options.klClamp,
    dLogprobs: new Float32Array(total),
  };
  for (let i = 0; i < datums.length; i++) {
    const at = seqOffsets[i];
    const inp = datums[i].loss_fn_inputs;
    args.logprobs.set(logprobs[i], at);
    args.oldLogprobs.set(inp.logprobs!.data, at);
    args.advantages.set(inp.advantages!.data, at);
    if (args.refLogprobs !== undefined) args.refLogprobs.set(ref![i], at);
    const w = inp.weights!.data;
    for (let j = 0; j < w.length; j++) args.mask[at + j] = w[j] !== 0 ? 1 : 0;
  }
  pgLossOp.validate(args);
  const result = pgLossOp.js(args) as PgLossResult;
  const out: Datum[] = datums.map((d, i) => {
    const weights = new Array<number>(seqOffsets[i + 1] - seqOffsets[i]);
    // `|| 0` turns the −0 of an untrained position into 0 on the wire.
    for (let j = 0; j < weights.length; j++) weights[j] = -args.dLogprobs[seqOffsets[i] + j] || 0;
    return { model_input: d.model_input, loss_fn_inputs: { target_tokens: d.loss_fn_inputs.target_tokens, weights: { data: weights, dtype: 'float32' } } };
  });
  return { ...result, datums: out };
}

/**
 * One gradient accumulation of METHOD.md §5's loss through the engine: `forward` for the current
 * log-probs, the loss and its gradient here ({@link clippedLossWeights}), then `forward_backward`
 * with `cross_entropy` on those weights. Both passes see the same weights (no optimiser step in
 * between), so the gradient is exact. Follow with {@link TinkerClient.optimStep}.
 *
 * @param client - A connected client.
 * @param modelId - The model.
 * @param datums - Datums with mask, old log-probs and advantages.
 * @param options - Clip range, KL weight and reference, aggregation.
 * @returns The loss figures, the datums sent and the engine's forward_backward result.
 * @example
 * const r = await clippedLossStep(client, model.modelId, packedDatums(batch, adv), { betaKl: 0 });
 * await client.optimStep(model.modelId, { learningRate: 1e-5 });
 * r.clipFraction; // 0 on the first step of a batch (ρ = 1)
 */
export async function clippedLossStep(
  client: TinkerClient,
  modelId: string,
  datums: readonly Datum[],
  options: ClippedLossOptions = {},
): Promise<ClippedLossResult & { engine: ForwardResult }> {
  const forward = await client.forward(modelId, datums, 'cross_entropy');
  const result = clippedLossWeights(
    datums,
    forward.outputs.map((o) => o.logprobs),
    options,
  );
  const engine = await client.forwardBackward(modelId, result.datums, 'cross_entropy');
  return { ...result, engine };
}
