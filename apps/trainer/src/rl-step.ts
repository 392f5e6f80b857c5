import { broadcastToTokens } from '@paretopo/advantage';
import type { Tool } from '@paretopo/envs';
import { hypervolume } from '@paretopo/hypervolume';
import { Op, type PgAggregation, type PgLossSettings } from '@paretopo/kernels';
import { TinyGPT, asRolloutPolicy, nextTokenTargets, toPositions, type AdamW, type TagTokenizer } from '@paretopo/policy';
import { rollout, type Policy, type RolloutTask, type Trajectories } from '@paretopo/rollout';
import type { MethodLog, MethodState, MethodStepResult } from './methods';

/** The long-lived pieces one RL step works on; the caller owns them across steps. */
export interface RlParts {
  /** The policy being trained (updated in place). */
  model: TinyGPT;
  /** Frozen copy of the initial policy for the KL term (see {@link frozenReference}). */
  reference: TinyGPT;
  tokenizer: TagTokenizer;
  optimizer: AdamW;
  /** The method's per-run state (N_opt, archive, stage). */
  method: MethodState;
  /** Tools of the environment, e.g. `[createCalculator()]` for arith. */
  tools: readonly Tool<any>[];
}

/** Options of {@link rlStep}; the loss defaults are METHOD.md §5's. */
export interface RlStepOptions extends PgLossSettings {
  /** Samples per prompt G [8]. */
  groupSize?: number;
  /** Turn limit per episode [4]. */
  maxTurns?: number;
  /** Tool-call limit per episode [8]. */
  maxToolCalls?: number;
  /** Generated-token budget per episode [64]. */
  maxTokens?: number;
  /** Sampling temperature [1]. */
  temperature?: number;
  /** Run seed; the rollout of step t uses a seed derived from (seed, t) [0]. */
  seed?: number;
  /** Answer equivalence of the task (a real benchmark's); default the rollout's numeric or exact match. */
  match?: (prediction: string, gold: string) => boolean;
}

/** One row of metrics per RL step (the DESIGN.md "One RL step" fields known at this level). */
export interface RlMetricsRow
  extends Pick<MethodLog, 'step' | 'stage' | 'weights' | 'rPareto' | 'deltaHvSmoothed' | 'archiveSize' | 'switchStep'> {
  /** Fraction of correct episodes in the batch. */
  accuracy: number;
  /** Mean tool calls (valid + invalid) per episode. */
  meanCalls: number;
  /** Mean r_tool (tool efficiency) of the batch. */
  meanToolReward: number;
  /** HV of the batch point (accuracy, mean r_tool) against (0, 0): their product. */
  hv: number;
  /** Mean advantage magnitude (0 means the step carried no signal). */
  meanAbsAdvantage: number;
  /**
   * Fraction of prompt groups whose episodes did not all make the same number of tool calls. A group
   * where every episode calls alike gives no method a call-count contrast to learn from.
   */
  callsVaryingGroups: number;
  /**
   * Fraction of prompt groups holding two correct episodes with different numbers of calls: the
   * contrast a tool-efficiency reward needs to prefer the cheaper correct answer.
   */
  correctCallsVaryingGroups: number;
  loss: number;
  kl: number;
  /** Mean next-token entropy over generated tokens under the current policy. */
  entropy: number;
  clipFraction: number;
  /** Fraction of generated tokens whose loss the dual clip capped (stale old log-probs). */
  dualClipFraction: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  lr: number;
  episodes: number;
  /** Generated (trained-on) tokens. */
  generatedTokens: number;
  /** All tokens of the batch (prompt, generated, tool output). */
  tokens: number;
  /** Batch tokens per wall-clock second of the whole step (rollout + update). */
  tokensPerSecond: number;
  seconds: number;
}

/** Statistics of {@link policyGradient}. */
export interface PolicyGradientStats {
  loss: number;
  kl: number;
  clipFraction: number;
  dualClipFraction: number;
  tokens: number;
  entropy: number;
}

/**
 * A frozen copy of a model's current parameters (the KL reference π_ref of METHOD.md §5).
 *
 * @param model - the policy at the start of RL
 * @returns an independent `TinyGPT` on the same backend
 * @example
 * const ref = frozenReference(model); ref.params !== model.params; // true
 */
export function frozenReference(model: TinyGPT): TinyGPT {
  return TinyGPT.fromParams(model.config, model.backend, model.params.slice());
}

/**
 * Gradient of the METHOD.md §5 loss over a rollout batch, written into `grads` (overwritten).
 * The rollout's per-token arrays are moved to the positions that predict each token (see
 * {@link toPositions}) so they line up with `TinyGPT.forward`'s log-probs.
 *
 * @param model - the policy
 * @param reference - π_ref, or `null` to skip the KL term (then β_KL is ignored)
 * @param traj - the rollout batch (tokens, offsets, loss mask, old log-probs)
 * @param tokenAdvantages - advantage per token (0 off the mask), e.g. from `broadcastToTokens`
 * @param options - ε_low, ε_high, β_KL, aggregation, and the dual clip and KL clamp (default 3 and
 *   10, `null` = off)
 * @param grads - gradient output, length `model.params.length`
 * @returns loss, mean k3 KL, clip fraction, generated tokens, mean entropy
 * @example
 * const s = await policyGradient(model, ref, traj, adv, { epsLow: 0.2, epsHigh: 0.2, betaKl: 0.001, aggregation: 'token-mean' }, grads);
 * // s.clipFraction is 0 on the first update (ρ = 1)
 */
export async function policyGradient(
  model: TinyGPT,
  reference: TinyGPT | null,
  traj: Pick<Trajectories, 'tokens' | 'offsets' | 'lossMask' | 'oldLogprobs'>,
  tokenAdvantages: Float32Array,
  options: { epsLow: number; epsHigh: number; betaKl: number; aggregation: PgAggregation; dualClip?: number | null; klClamp?: number | null },
  grads: Float32Array,
): Promise<PolicyGradientStats> {
  const { tokens, offsets } = traj;
  const T = tokens.length;
  const batch = { tokens, seqOffsets: offsets, targets: nextTokenTargets(tokens, offsets) };
  const mask = toPositions(traj.lossMask, offsets, new Uint8Array(T));
  const oldLogprobs = toPositions(traj.oldLogprobs, offsets, new Float32Array(T));
  const advantages = toPositions(tokenAdvantages, offsets, new Float32Array(T));
  // Only the loss positions' log-probs are read (pgLoss, the entropy), so the last block's MLP and
  // the head run on those rows alone: the same numbers from a third of the rows.
  const rows = maskRows(mask);
  const fwd = await model.forward(batch, { rows });
  // The reference's activations are never differentiated: its buffers go back to its pool at once.
  let refLogprobs: Float32Array | undefined;
  if (reference !== null) {
    const refFwd = await reference.forward(batch, { rows });
    reference.release(refFwd);
    refLogprobs = refFwd.logprobs;
  }
  const dLogprobs = new Float32Array(T);
  const res = await model.backend.run(Op.PgLoss, {
    logprobs: fwd.logprobs,
    oldLogprobs,
    refLogprobs,
    advantages,
    mask,
    seqOffsets: offsets,
    epsLow: options.epsLow,
    epsHigh: options.epsHigh,
    betaKl: reference === null ? 0 : options.betaKl,
    aggregation: options.aggregation,
    dualClip: options.dualClip,
    klClamp: options.klClamp,
    dLogprobs,
  });
  await model.backward(fwd, dLogprobs, grads);
  const entropy = await entropySum(model, fwd.logits, rows.length);
  model.release(fwd);
  return { loss: res.loss, kl: res.kl, clipFraction: res.clipFraction, dualClipFraction: res.dualClipFraction, tokens: res.tokens, entropy: res.tokens > 0 ? entropy / res.tokens : 0 };
}

/** Positions where `mask` is non-zero, in order. */
function maskRows(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let t = 0; t < mask.length; t++) if (mask[t] !== 0) n++;
  const rows = new Int32Array(n);
  for (let t = 0, r = 0; t < mask.length; t++) if (mask[t] !== 0) rows[r++] = t;
  return rows;
}

// Σ of the next-token entropy over `rows` rows of logits (the masked positions, in position order).
async function entropySum(model: TinyGPT, logits: Float32Array, rows: number): Promise<number> {
  const ent = new Float32Array(rows);
  if (rows > 0) await model.backend.run(Op.Entropy, { logits, out: ent, rows, vocab: model.config.vocab });
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += ent[r];
  return sum;
}

/**
 * The rollout seed of RL step `step`: (seed, step) mixed into 32 bits (Knuth's multiplicative
 * constant spreads steps apart), so a resumed run samples what the uninterrupted one would.
 *
 * @param seed - run seed
 * @param step - RL step
 * @returns a 32-bit unsigned seed
 * @example
 * stepSeed(1, 0); // 2654435761
 */
export const stepSeed = (seed: number, step: number): number => (Math.imul(seed >>> 0, 2654435761) + step) >>> 0;

/**
 * Per prompt group: do its episodes' call counts differ, and do those of its correct episodes?
 *
 * @param correct - per episode
 * @param calls - tool calls per episode
 * @param groupIds - prompt group of each episode
 * @returns the fractions of groups (0 for an empty batch)
 * @example
 * callSpread([true, true, false, true], [1, 1, 2, 0], Int32Array.of(0, 0, 1, 1)); // { varying: 0.5, correctVarying: 0 }
 */
export function callSpread(correct: readonly boolean[], calls: readonly number[], groupIds: Int32Array): { varying: number; correctVarying: number } {
  if (correct.length !== calls.length || groupIds.length !== calls.length) {
    throw new RangeError(`callSpread: correct, calls and groupIds must have one entry per episode (got ${correct.length}, ${calls.length}, ${groupIds.length})`);
  }
  // [min, max, min over correct, max over correct] per group.
  const groups = new Map<number, [number, number, number, number]>();
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i];
    let g = groups.get(groupIds[i]);
    if (g === undefined) groups.set(groupIds[i], (g = [c, c, Infinity, -Infinity]));
    if (c < g[0]) g[0] = c;
    if (c > g[1]) g[1] = c;
    if (correct[i]) {
      if (c < g[2]) g[2] = c;
      if (c > g[3]) g[3] = c;
    }
  }
  let varying = 0;
  let correctVarying = 0;
  for (const g of groups.values()) {
    if (g[1] > g[0]) varying++;
    if (g[3] > g[2]) correctVarying++;
  }
  return groups.size === 0 ? { varying: 0, correctVarying: 0 } : { varying: varying / groups.size, correctVarying: correctVarying / groups.size };
}

/**
 * The metrics row of one RL step from its parts, shared by every engine's RL step: the method's log,
 * the batch's accuracy, mean calls, mean r_tool, HV of (accuracy, mean r_tool) and mean |A|, the
 * loss statistics and the optimiser's figures.
 *
 * @param step - the RL step
 * @param out - the method's result for the batch
 * @param correct - per episode
 * @param calls - tool calls per episode
 * @param groupIds - prompt group of each episode
 * @param pg - loss, KL, entropy, clip fractions, generated tokens
 * @param opt - gradient norm and learning rate of the optimiser step
 * @param batchTokens - all tokens of the batch
 * @param seconds - wall time of the step
 * @returns the row (batch figures 0 for an empty batch)
 * @example
 * metricsRowOf(0, method.step(facts), [true, false], [1, 0], Int32Array.of(0, 0), pg, opt, 120, 2).accuracy; // 0.5
 */
export function metricsRowOf(
  step: number,
  out: MethodStepResult,
  correct: readonly boolean[],
  calls: readonly number[],
  groupIds: Int32Array,
  pg: PolicyGradientStats,
  opt: { gradNorm: number; lr: number },
  batchTokens: number,
  seconds: number,
): RlMetricsRow {
  const n = correct.length;
  let nCorrect = 0;
  let nCalls = 0;
  let rTool = 0;
  let absAdv = 0;
  for (let i = 0; i < n; i++) {
    nCorrect += correct[i] ? 1 : 0;
    nCalls += calls[i];
    rTool += out.rewards[2 * i + 1];
    absAdv += Math.abs(out.advantages[i]);
  }
  const accuracy = n > 0 ? nCorrect / n : 0;
  const meanToolReward = n > 0 ? rTool / n : 0;
  const spread = callSpread(correct, calls, groupIds);
  const log = out.log;
  return {
    step,
    stage: log.stage,
    weights: log.weights,
    rPareto: log.rPareto,
    deltaHvSmoothed: log.deltaHvSmoothed,
    archiveSize: log.archiveSize,
    switchStep: log.switchStep,
    accuracy,
    meanCalls: n > 0 ? nCalls / n : 0,
    meanToolReward,
    hv: hypervolume({ data: Float64Array.of(accuracy, meanToolReward), n: 1, d: 2 }, [0, 0], { maximize: true }),
    meanAbsAdvantage: n > 0 ? absAdv / n : 0,
    callsVaryingGroups: spread.varying,
    correctCallsVaryingGroups: spread.correctVarying,
    loss: pg.loss,
    kl: pg.kl,
    entropy: pg.entropy,
    clipFraction: pg.clipFraction,
    dualClipFraction: pg.dualClipFraction,
    gradNorm: opt.gradNorm,
    lr: opt.lr,
    episodes: n,
    generatedTokens: pg.tokens,
    tokens: batchTokens,
    tokensPerSecond: batchTokens / Math.max(seconds, 1e-9),
    seconds,
  };
}

/**
 * The model-independent half of an RL step, shared by every engine: rollout of `tasks` × G with
 * `policy` (seeded by (seed, step)), the episode facts, the method's rewards and advantages, and the
 * advantages broadcast onto the generated tokens.
 *
 * @param policy - the rollout policy (the local TinyGPT's, or an engine's sampler)
 * @param method - the run's method state (advanced by one step)
 * @param tools - the environment's tools
 * @param tasks - the step's prompts
 * @param options - episode limits, temperature, seed
 * @param maxContextTokens - the policy's context length, when it has one
 * @returns the step, the rollout batch, per-episode correctness and calls, the method's result, token advantages
 * @example
 * const { traj, tokenAdv } = await methodRollout(policy, method, env.tools, tasks, { groupSize: 4 });
 */
export async function methodRollout(
  policy: Policy,
  method: MethodState,
  tools: readonly Tool<any>[],
  tasks: readonly RolloutTask[],
  options: RlStepOptions,
  maxContextTokens?: number,
): Promise<{ step: number; traj: Trajectories; correct: boolean[]; calls: number[]; out: MethodStepResult; tokenAdv: Float32Array }> {
  const step = method.stepCount;
  const traj = await rollout(policy, tasks, {
    groupSize: options.groupSize ?? 8,
    tools,
    maxTurns: options.maxTurns ?? 4,
    maxToolCalls: options.maxToolCalls ?? 8,
    maxTokens: options.maxTokens ?? 64,
    maxContextTokens,
    temperature: options.temperature ?? 1,
    seed: stepSeed(options.seed ?? 0, step),
    match: options.match,
  });
  const correct = traj.episodes.map((e) => e.correct);
  const calls = traj.episodes.map((e) => e.validCalls + e.invalidCalls);
  const out = method.step({ correct, calls, taskIds: traj.taskIds, groupIds: traj.groupIds });
  const tokenAdv = broadcastToTokens(out.advantages, traj.offsets, traj.lossMask);
  return { step, traj, correct, calls, out, tokenAdv };
}

/**
 * One RL step (DESIGN.md "One RL step"): rollout of `tasks` × G with the policy, episode facts →
 * the method's rewards and advantages → token advantages → METHOD.md §5 loss gradient → AdamW.
 *
 * @param parts - model, frozen reference, tokenizer, optimiser, method state, tools
 * @param tasks - the step's prompts (id, prompt, answer)
 * @param options - {@link RlStepOptions}
 * @returns the step's metrics row
 * @example
 * const row = await rlStep(parts, arithTasks({ seed: 1, count: 4 }), { groupSize: 4 });
 * // row: { step: 0, stage: 1, accuracy, meanCalls, hv, loss, kl, clipFraction, … }
 */
export async function rlStep(parts: RlParts, tasks: readonly RolloutTask[], options: RlStepOptions = {}): Promise<RlMetricsRow> {
  const start = performance.now();
  const { model, method } = parts;
  const policy = asRolloutPolicy(model, parts.tokenizer, { reuseKv: true });
  const { step, traj, correct, calls, out, tokenAdv } = await methodRollout(policy, method, parts.tools, tasks, options, model.config.context);
  // The rollout's kept keys and values go back to the model's memory, which the forwards reuse.
  policy.release();
  const grads = new Float32Array(model.params.length);
  const pg = await policyGradient(
    model,
    parts.reference,
    traj,
    tokenAdv,
    {
      epsLow: options.epsLow ?? 0.2,
      epsHigh: options.epsHigh ?? 0.2,
      betaKl: options.betaKl ?? 0.001,
      aggregation: options.aggregation ?? 'token-mean',
      dualClip: options.dualClip,
      klClamp: options.klClamp,
    },
    grads,
  );
  const opt = await parts.optimizer.step(model.params, grads);
  const seconds = (performance.now() - start) / 1000;

  return metricsRowOf(step, out, correct, calls, traj.groupIds, pg, opt, traj.tokens.length, seconds);
}
