import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskItem, Tool } from '@paretopo/envs';
import { learningRate, resolveAdamWOptions, type ResolvedAdamWOptions } from '@paretopo/policy';
import { evaluate, type RolloutTask } from '@paretopo/rollout';
import { ChatTemplate, TinkerClient, TinkerPolicy, clippedLossStep, hfTokenizer, packedDatums, readTokenizerFiles } from '@paretopo/tinker';
import type { TrainConfig } from '../config/schema';
import { evalRowOf, oracleMapOf, type EvalLimits } from '../evaluation';
import { MethodState, type MethodStateJSON } from '../methods';
import { methodRollout, metricsRowOf, type RlMetricsRow, type RlStepOptions } from '../rl-step';
import { readLatestCheckpoint, TrainCheckpointError, writeCheckpointDir } from '../run/checkpoint';
import { writeJsonAtomic } from '../run/files';
import type { EvalPool, EvalRow } from '../run/types';

/** The state file of a Tinker-engine checkpoint (`checkpoints/step-NNNNNN/engine-state.json`). */
export const ENGINE_STATE_FILE = 'engine-state.json';

/** What a Tinker-engine checkpoint keeps: the engine's own checkpoint path and the method state. */
export interface EngineTrainState {
  type: 'paretopo-engine-state';
  version: 1;
  /** RL steps completed. */
  step: number;
  method: MethodStateJSON;
  /** The `save_weights` path on the server (LoRA weights and Adam moments). */
  weights: string;
  baseModel: string;
  loraRank: number;
}

/** The model work of one run on a Tinker engine: a training model, its sampler, an optional KL reference. */
export interface TinkerTrainer {
  client: TinkerClient;
  modelId: string;
  /** An untrained LoRA of the base model (the identity adapter: π_ref), when β_KL > 0. */
  referenceId: string | null;
  policy: TinkerPolicy;
  /** The chat template every built-in prompt goes through. */
  template: ChatTemplate;
  baseModel: string;
  loraRank: number;
  adam: ResolvedAdamWOptions;
}

/**
 * The built-in tasks' prompts rendered as one user turn with the model's chat template (and its
 * generation prompt), so the engine sees what its chat model expects.
 *
 * @param template - the model's chat template
 * @param tasks - tasks with plain-text prompts
 * @returns the same tasks with rendered prompts
 * @example
 * chatTasks(template, [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }])[0].prompt;
 * // '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n'
 */
export function chatTasks<T extends RolloutTask>(template: ChatTemplate, tasks: readonly T[]): T[] {
  return tasks.map((t) => ({ ...t, prompt: template.render([{ role: 'user', content: t.prompt }]) }));
}

/**
 * Connects to the engine of `config.engine`, creates the LoRA model (and the KL reference), and,
 * with `resumeFrom`, loads the checkpoint's weights and Adam moments into it.
 *
 * @param config - the resolved train config (`engine.name` 'tinker')
 * @param resumeFrom - a checkpoint's `save_weights` path, or undefined for a fresh run
 * @returns the connected trainer; `close()` its client when done
 * @example
 * const t = await connectTinker(config); t.policy.sampler; // { modelPath: 'tinker://…' }
 */
export async function connectTinker(config: TrainConfig, resumeFrom?: string): Promise<TinkerTrainer> {
  const { url, baseModel, loraRank } = config.engine;
  if (url === undefined || baseModel === undefined) throw new TypeError('connectTinker: config.engine needs url and baseModel');
  const files = readTokenizerFiles(config.engine.tokenizer ?? baseModel);
  const client = await TinkerClient.connect({ baseUrl: url });
  try {
    const { modelId } = await client.createModel({ baseModel, loraRank, seed: config.seed });
    const referenceId = config.loss.betaKl > 0 ? (await client.createModel({ baseModel, loraRank, seed: config.seed })).modelId : null;
    if (resumeFrom !== undefined) await client.loadWeights(modelId, resumeFrom, { optimizer: true });
    const sampler = resumeFrom === undefined ? { baseModel } : { modelPath: await client.saveWeightsForSampler(modelId, 'resume') };
    const policy = new TinkerPolicy({ client, sampler, tokenizer: hfTokenizer(files) });
    const adam = resolveAdamWOptions({
      lr: config.lr,
      warmupSteps: config.warmupSteps,
      totalSteps: config.lrSchedule === 'cosine' ? config.steps : 0,
      clipNorm: config.clipNorm,
      weightDecay: config.weightDecay,
    });
    return { client, modelId, referenceId, policy, template: new ChatTemplate(files.tokenizerConfig), baseModel, loraRank, adam };
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * Unloads the run's models from the engine (their adapter slots are freed; saved checkpoints stay)
 * and closes the session. Unloading is best effort: a server that is gone already freed them.
 *
 * @param trainer - from {@link connectTinker}
 * @example
 * await closeTinker(trainer);
 */
export async function closeTinker(trainer: TinkerTrainer): Promise<void> {
  for (const id of [trainer.modelId, trainer.referenceId]) {
    if (id !== null) await trainer.client.unloadModel(id).catch(() => undefined);
  }
  trainer.client.close();
}

/**
 * One RL step on a Tinker engine: the same rollout, method (rewards, N_opt, archive, ranks,
 * advantages) and METHOD.md §5 loss as {@link rlStep}, with the model work on the engine: the
 * engine samples (its log-probs are the old log-probs), the clipped loss with k3 KL goes through
 * the custom-loss route (`forward`, then `cross_entropy` with weights = −dL/dlogp), Adam steps on
 * the server, and the sampler moves to the new weights. Entropy is not reported (the engine
 * returns the targets' log-probs only): the row's `entropy` is NaN (`null` in metrics.jsonl).
 *
 * @param trainer - from {@link connectTinker}
 * @param method - the run's method state
 * @param tools - the environment's tools
 * @param tasks - the step's prompts, already through the chat template
 * @param options - episode limits, seed and loss settings as for {@link rlStep}
 * @returns the step's metrics row
 * @example
 * const row = await tinkerRlStep(trainer, method, env.tools, chatTasks(trainer.template, tasks), { groupSize: 4 });
 */
export async function tinkerRlStep(
  trainer: TinkerTrainer,
  method: MethodState,
  tools: readonly Tool<any>[],
  tasks: readonly RolloutTask[],
  options: RlStepOptions = {},
): Promise<RlMetricsRow> {
  const start = performance.now();
  const { client, modelId } = trainer;
  const { step, traj, correct, calls, out, tokenAdv } = await methodRollout(trainer.policy, method, tools, tasks, options);
  const datums = packedDatums(traj, tokenAdv);
  const refLogprobs = trainer.referenceId === null ? undefined : (await client.forward(trainer.referenceId, datums)).outputs.map((o) => o.logprobs);
  const pg = await clippedLossStep(client, modelId, datums, {
    epsLow: options.epsLow ?? 0.2,
    epsHigh: options.epsHigh ?? 0.2,
    betaKl: refLogprobs === undefined ? 0 : (options.betaKl ?? 0.001),
    aggregation: options.aggregation ?? 'token-mean',
    dualClip: options.dualClip,
    klClamp: options.klClamp,
    refLogprobs,
  });
  const lr = learningRate(step + 1, trainer.adam);
  const metrics = await client.optimStep(modelId, { learningRate: lr, beta1: trainer.adam.beta1, beta2: trainer.adam.beta2, eps: trainer.adam.eps, weightDecay: trainer.adam.weightDecay });
  trainer.policy.sampler = { modelPath: await client.saveWeightsForSampler(modelId, `step-${step + 1}`) };
  const seconds = (performance.now() - start) / 1000;
  // The engine returns the targets' log-probs only, so no entropy (NaN: null in metrics.jsonl); SkyRL
  // reports the gradient norm under its own key, another engine's absence shows the same way.
  const stats = { loss: pg.loss, kl: pg.kl, entropy: Number.NaN, clipFraction: pg.clipFraction, dualClipFraction: pg.dualClipFraction, tokens: pg.tokens };
  return metricsRowOf(step, out, correct, calls, stats, { gradNorm: metrics['skyrl.ai/grad_norm'] ?? Number.NaN, lr }, traj.tokens.length, seconds);
}

/**
 * Greedy evaluation on the engine's current sampler weights (the same row as the local engine's).
 *
 * @param trainer - from {@link connectTinker}
 * @param tasks - the pool (plain-text prompts; rendered here)
 * @param tools - the environment's tools
 * @param limits - episode limits and α
 * @param pool - which pool, for the row
 * @param step - RL steps done
 * @returns the evaluation row
 * @example
 * (await evaluateTinker(trainer, env.validation, env.tools, limits, 'validation', 0)).accuracy;
 */
export async function evaluateTinker(
  trainer: TinkerTrainer,
  tasks: readonly TaskItem<any>[],
  tools: readonly Tool<any>[],
  limits: EvalLimits,
  pool: EvalPool,
  step: number,
): Promise<EvalRow> {
  const result = await evaluate(trainer.policy, chatTasks(trainer.template, tasks), {
    tools,
    maxTurns: limits.maxTurns,
    maxToolCalls: limits.maxToolCalls,
    maxTokens: limits.maxTokens,
  });
  return { pool, ...evalRowOf(step, result, limits.alpha, oracleMapOf(tasks)) };
}

/**
 * Saves a Tinker-engine checkpoint: the engine's `save_weights` (LoRA weights and Adam moments, kept
 * on the server) and, in the run folder, its path with the method state.
 *
 * @param runDir - the run folder
 * @param trainer - from {@link connectTinker}
 * @param method - the method state
 * @param step - RL steps done
 * @param keep - checkpoints kept in the run folder
 * @returns the checkpoint directory
 * @example
 * await saveEngineState('runs/a', trainer, method, 3, 2); // 'runs/a/checkpoints/step-000003'
 */
export async function saveEngineState(runDir: string, trainer: TinkerTrainer, method: MethodState, step: number, keep: number): Promise<string> {
  const weights = await trainer.client.saveWeights(trainer.modelId, `step-${String(step).padStart(6, '0')}`);
  const state: EngineTrainState = { type: 'paretopo-engine-state', version: 1, step, method: method.toJSON(), weights, baseModel: trainer.baseModel, loraRank: trainer.loraRank };
  return writeCheckpointDir(runDir, step, keep, (tmp) => writeJsonAtomic(join(tmp, ENGINE_STATE_FILE), state));
}

/**
 * Reads the latest Tinker-engine checkpoint of a run (for `--resume`).
 *
 * @param runDir - the run folder
 * @param config - the run's config: base model and LoRA rank must match the checkpoint's
 * @returns the state, its method and its directory
 * @throws TrainCheckpointError when missing, corrupt or of another engine
 * @example
 * readEngineState('runs/a', config).state.step; // 1
 */
export function readEngineState(runDir: string, config: TrainConfig): { state: EngineTrainState; method: MethodState; dir: string } {
  const latest = readLatestCheckpoint(runDir, 'resume');
  if (latest === null) throw new TrainCheckpointError(`resume: no checkpoint in ${runDir}`);
  const path = join(latest.dir, ENGINE_STATE_FILE);
  if (!existsSync(path)) throw new TrainCheckpointError(`resume: ${path} is missing (a checkpoint of the local engine, or incomplete)`);
  let state: EngineTrainState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as EngineTrainState;
  } catch (err) {
    throw new TrainCheckpointError(`resume: ${path} is corrupt (${(err as Error).message})`, { cause: err });
  }
  if (state?.type !== 'paretopo-engine-state' || state.version !== 1 || state.step !== latest.step || typeof state.weights !== 'string') {
    throw new TrainCheckpointError(`resume: ${path} is not the engine state of step ${latest.step}`);
  }
  if (state.baseModel !== config.engine.baseModel || state.loraRank !== config.engine.loraRank) {
    throw new TrainCheckpointError(`resume: ${path} is of ${state.baseModel} rank ${state.loraRank}, the config asks for ${config.engine.baseModel} rank ${config.engine.loraRank}`);
  }
  let method: MethodState;
  try {
    method = MethodState.fromJSON(state.method);
  } catch (err) {
    throw new TrainCheckpointError(`resume: ${path} has a bad method state (${(err as Error).message})`, { cause: err });
  }
  if (method.stepCount !== state.step) throw new TrainCheckpointError(`resume: ${path} method state is at step ${method.stepCount}, the checkpoint at ${state.step}`);
  return { state, method, dir: latest.dir };
}
