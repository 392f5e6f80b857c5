/**
 * Argument and result types of every op (the fixed kernels ↔ policy contract). All tensors are
 * row-major `Float32Array`s; outputs are written into the caller's `out`/`d*` arrays, which are
 * overwritten unless the op says it ACCUMULATES.
 */
import type { OpName } from './names';

/** out(m×n) = op(a)(m×k) · op(b)(k×n) (+ bias over rows) (+ previous out when `accumulate`). */
export interface MatmulArgs {
  /** m×k, or k×m when `transA`. */
  a: Float32Array;
  /** k×n, or n×k when `transB`. */
  b: Float32Array;
  /** m×n output. */
  out: Float32Array;
  m: number;
  k: number;
  n: number;
  /** Use aᵀ (a is stored k×m). Default false. */
  transA?: boolean;
  /** Use bᵀ (b is stored n×k). Default false. */
  transB?: boolean;
  /** Length n, added to every row. */
  bias?: Float32Array;
  /** Add the product to the existing contents of `out`. Default false. */
  accumulate?: boolean;
  /**
   * The caller's promise that `b` holds the same values in every call that passes this object
   * (e.g. one per sampling call, whose weights do not change): a backend may then keep its packed
   * copy of `b` between those calls. Use a new object whenever `b` may have changed. Default none.
   */
  bKey?: object;
}

/** out[c] = Σ_r x[r, c] (+ out[c] when `accumulate`): the bias gradient of a linear layer. */
export interface SumRowsArgs {
  x: Float32Array;
  out: Float32Array;
  rows: number;
  cols: number;
  accumulate?: boolean;
}

/** out[t, :] = table[ids[t], :]; `out` has ids.length × dim entries. */
export interface EmbeddingArgs {
  table: Float32Array;
  ids: Int32Array;
  out: Float32Array;
  dim: number;
}

/** dTable[ids[t], :] += dOut[t, :] (scatter-ADD: duplicate ids accumulate; dTable is not cleared). */
export interface EmbeddingBackwardArgs {
  ids: Int32Array;
  dOut: Float32Array;
  dTable: Float32Array;
  dim: number;
}

/** Row-wise layer norm; also writes the per-row `mean` and `rstd` = 1/√(var+eps) the backward needs. */
export interface LayerNormArgs {
  x: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  out: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
  rows: number;
  dim: number;
  eps: number;
}

/** Gradient of layerNorm: writes dx, ACCUMULATES into dGamma and dBeta. */
export interface LayerNormBackwardArgs {
  x: Float32Array;
  gamma: Float32Array;
  mean: Float32Array;
  rstd: Float32Array;
  dOut: Float32Array;
  dx: Float32Array;
  dGamma: Float32Array;
  dBeta: Float32Array;
  rows: number;
  dim: number;
}

/** GELU, tanh approximation (GPT-2). */
export interface GeluArgs {
  x: Float32Array;
  out: Float32Array;
  n: number;
}

/** dx = dOut · gelu'(x). */
export interface GeluBackwardArgs {
  x: Float32Array;
  dOut: Float32Array;
  dx: Float32Array;
  n: number;
}

/** out = a + b (residual); `out` may alias `a`. */
export interface AddArgs {
  a: Float32Array;
  b: Float32Array;
  out: Float32Array;
  n: number;
}

/**
 * Causal multi-head attention over a packed ragged batch; never crosses a sequence boundary.
 * q, k, v, out: [T, heads·headDim]; `probs` is scratch for the backward, its size and layout are
 * given by `attentionProbsSize` (src/ops/attention.ts).
 */
export interface AttentionArgs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  out: Float32Array;
  probs: Float32Array;
  seqOffsets: Int32Array;
  heads: number;
  headDim: number;
  /** Default 1/√headDim. */
  scale?: number;
  /**
   * Query rows (positions in [0, T), strictly increasing) whose output and probabilities are
   * wanted, e.g. the rows a loss reads; a backend may skip the others (their `out` and `probs`
   * entries are then left as they were). Every row still serves as a key and value. Default: all.
   */
  queryRows?: Int32Array;
}

/** Gradient of attention given the forward's `probs`: writes dq, dk, dv. */
export interface AttentionBackwardArgs {
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  probs: Float32Array;
  dOut: Float32Array;
  dq: Float32Array;
  dk: Float32Array;
  dv: Float32Array;
  seqOffsets: Int32Array;
  heads: number;
  headDim: number;
  scale?: number;
}

/** out[r] = log softmax(logits[r, :])[targets[r]]. */
export interface LogSoftmaxGatherArgs {
  logits: Float32Array;
  targets: Int32Array;
  out: Float32Array;
  rows: number;
  vocab: number;
}

/** out[r] = −Σ_j p_j log p_j with p = softmax(logits[r, :]). */
export interface EntropyArgs {
  logits: Float32Array;
  out: Float32Array;
  rows: number;
  vocab: number;
}

/**
 * dLogits[r, :] = rowWeights[r] · (onehot(targets[r]) − softmax(logits[r, :])), i.e. the gradient of
 * Σ_r w_r · logp_r (overwrites dLogits). With `entropyWeights`, also adds Σ_r e_r · ∂H_r/∂logits
 * = −e_r · p_j (log p_j + H_r).
 */
export interface CrossEntropyBackwardArgs {
  logits: Float32Array;
  targets: Int32Array;
  rowWeights: Float32Array;
  dLogits: Float32Array;
  rows: number;
  vocab: number;
  entropyWeights?: Float32Array;
}

/** How per-token losses are reduced (METHOD.md §5). */
export type PgAggregation = 'token-mean' | 'seq-mean-token-mean' | 'seq-mean-token-sum-norm';

/**
 * The settings of METHOD.md §5's clipped policy-gradient loss, each optional with METHOD.md's
 * default, as callers of the `pgLoss` op (the trainer's RL step, the Tinker custom loss) take them.
 */
export interface PgLossSettings {
  /** Lower clip ε_low [0.2]. */
  epsLow?: number;
  /** Upper clip ε_high [0.2]. */
  epsHigh?: number;
  /** Weight β_KL of the k3 KL to the reference [0.001]. */
  betaKl?: number;
  /** Token aggregation [`'token-mean'`]. */
  aggregation?: PgAggregation;
  /** Dual-clip constant c (loss ≤ c·|A| where A < 0) [3]; `null` turns it off. */
  dualClip?: number | null;
  /** Upper clamp of each token's k3 KL term [10]; `null` turns it off. */
  klClamp?: number | null;
}

/**
 * The clipped policy-gradient loss of METHOD.md §5 with k3 KL to a reference; writes dLoss/dlogprobs
 * into `dLogprobs` (zero where mask is 0).
 */
export interface PgLossArgs {
  logprobs: Float32Array;
  oldLogprobs: Float32Array;
  refLogprobs?: Float32Array;
  advantages: Float32Array;
  mask: Uint8Array;
  seqOffsets: Int32Array;
  epsLow: number;
  epsHigh: number;
  betaKl: number;
  aggregation: PgAggregation;
  /**
   * Dual-clip constant c > 1 (Ye et al. 2020, as verl's `clip_ratio_c`): where A < 0 a token's
   * loss is capped at c·|A| and its gradient is then 0, so a stale `oldLogprobs` cannot make the
   * loss unbounded. Default 3 (`PG_LOSS_DEFAULTS`); `null` turns it off.
   */
  dualClip?: number | null;
  /**
   * Upper clamp of each token's k3 KL term (verl's `low_var_kl` clamps at 10); a clamped token's KL
   * gradient is 0. Default 10 (`PG_LOSS_DEFAULTS`); `null` turns it off.
   */
  klClamp?: number | null;
  dLogprobs: Float32Array;
}

/** What pgLoss returns. */
export interface PgLossResult {
  loss: number;
  /** Fraction of generated tokens on the ε-clipped branch (gradient 0). */
  clipFraction: number;
  /** Fraction of generated tokens whose loss the dual clip capped (A < 0, ρ·|A| > c·|A|). */
  dualClipFraction: number;
  /** Mean k3 KL over generated tokens as it entered the loss (after `klClamp`); 0 without a reference. */
  kl: number;
  tokens: number;
}

/** One AdamW step in place (decoupled weight decay, bias correction; `step` counts from 1). */
export interface AdamwArgs {
  params: Float32Array;
  grads: Float32Array;
  m: Float32Array;
  v: Float32Array;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/** Global L2 norm over several arrays. */
export interface GradNormArgs {
  arrays: Float32Array[];
}

/** x[i] *= factor for i < n, in place. */
export interface ScaleArgs {
  x: Float32Array;
  factor: number;
  n: number;
}

/**
 * Temperature / top-k sampling per row with caller-supplied uniforms (temperature 0 = greedy argmax,
 * lowest index on ties; topK 0 = no truncation). outLogprobs is the log-prob of the token under the
 * sampling distribution.
 */
export interface SampleArgs {
  logits: Float32Array;
  rows: number;
  vocab: number;
  temperature: number;
  topK: number;
  uniforms: Float64Array;
  outTokens: Int32Array;
  outLogprobs: Float32Array;
}

/** Arguments of every op, by name. */
export interface OpArgs {
  matmul: MatmulArgs;
  sumRows: SumRowsArgs;
  embedding: EmbeddingArgs;
  embeddingBackward: EmbeddingBackwardArgs;
  layerNorm: LayerNormArgs;
  layerNormBackward: LayerNormBackwardArgs;
  gelu: GeluArgs;
  geluBackward: GeluBackwardArgs;
  add: AddArgs;
  attention: AttentionArgs;
  attentionBackward: AttentionBackwardArgs;
  logSoftmaxGather: LogSoftmaxGatherArgs;
  entropy: EntropyArgs;
  crossEntropyBackward: CrossEntropyBackwardArgs;
  pgLoss: PgLossArgs;
  adamw: AdamwArgs;
  gradNorm: GradNormArgs;
  scale: ScaleArgs;
  sample: SampleArgs;
}

/** Result of every op, by name (`void` = the op only writes into its output arrays). */
export interface OpResult {
  matmul: void;
  sumRows: void;
  embedding: void;
  embeddingBackward: void;
  layerNorm: void;
  layerNormBackward: void;
  gelu: void;
  geluBackward: void;
  add: void;
  attention: void;
  attentionBackward: void;
  logSoftmaxGather: void;
  entropy: void;
  crossEntropyBackward: void;
  pgLoss: PgLossResult;
  adamw: void;
  gradNorm: { norm: number };
  scale: void;
  sample: void;
}

// Compile-time check that both maps cover exactly the op names: adding an op to `Op` without its
// argument and result types fails typecheck here.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
/** @internal Type-level coverage check; always `true`. */
export type OpMapsCoverOps = AssertTrue<Exact<keyof OpArgs, OpName> & Exact<keyof OpResult, OpName>>;
