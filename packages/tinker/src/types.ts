/** A tensor as the Tinker API writes it: a flat list plus, optionally, its dtype and shape. */
export interface TensorData {
  data: number[];
  dtype?: 'int64' | 'float32';
  shape?: number[];
}

/** One training example on the wire: the tokens the model reads and what the loss needs per position. */
export interface Datum {
  /** The tokens read, as chunks (text chunks only in this client). */
  model_input: { chunks: { type: 'encoded_text'; tokens: number[] }[] };
  /**
   * Per-position inputs of the loss. Position i of the input predicts `target_tokens[i]`.
   * `weights` scale each position's loss (0 = not trained); `logprobs` are the sampler's (old)
   * log-probs of the targets; `advantages` the per-token advantages.
   */
  loss_fn_inputs: {
    target_tokens: TensorData;
    weights?: TensorData;
    logprobs?: TensorData;
    advantages?: TensorData;
  };
}

/**
 * Losses the engine computes (sums over positions):
 * `cross_entropy` −Σ w·logp; `importance_sampling` −Σ (p/q)·A; `ppo` the clipped surrogate with
 * `clipLow`/`clipHigh` as ratio bounds.
 */
export type LossFn = 'cross_entropy' | 'importance_sampling' | 'ppo';

/** Adam parameters of one `optim_step` (the server's defaults where left out). */
export interface AdamParams {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

/** Per-datum output of `forward` / `forward_backward`, aligned with the datum's target positions. */
export interface LossFnOutput {
  /** log p(target_tokens[i]) under the current weights. */
  logprobs: Float32Array;
  /** The loss at each position (before the sum). */
  elementwiseLoss: Float32Array;
}

/** Result of `forward` / `forward_backward`. */
export interface ForwardResult {
  /** One entry per datum, in order. */
  outputs: LossFnOutput[];
  /** Server metrics (names as the server sends them). */
  metrics: Record<string, number>;
}

/** Sampling parameters of one `sample` call. */
export interface SamplingParams {
  /** Most new tokens per sequence. */
  maxTokens: number;
  /** Default 1. */
  temperature?: number;
  /** Seed of the sampler (the server picks one when absent). */
  seed?: number;
  /** Stop on any of these strings, or on any of these token ids (not mixed). */
  stop?: readonly string[] | readonly number[];
  /** Default -1 (off). */
  topK?: number;
  /** Default 1 (off). */
  topP?: number;
}

/** One sampled continuation. */
export interface SampledSequence {
  /** Generated token ids (a matched stop sequence included, as the engine returns it). */
  tokens: Int32Array;
  /** Sampling log-prob of each generated token. */
  logprobs: Float32Array;
  /** Why it ended: `'stop'` (a stop sequence or end of text) or `'length'` (`maxTokens`). */
  stopReason: string;
}

/** Result of `sample`. */
export interface SampleResult {
  sequences: SampledSequence[];
  /**
   * With `promptLogprobs: true`: log p(prompt[i+1] | prompt[..i]) for each prompt position after
   * the first (length prompt − 1); otherwise null.
   */
  promptLogprobs: Float32Array | null;
}

/** Which weights a `sample` call uses: the untouched base model, or a sampler checkpoint. */
export type SamplerRef = { baseModel: string } | { modelPath: string };
