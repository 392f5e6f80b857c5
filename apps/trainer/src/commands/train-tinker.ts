import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Tool } from '@paretopo/envs';
import { learningRate, resolveAdamWOptions, type ResolvedAdamWOptions } from '@paretopo/policy';
import { evaluate, systemPrompt, type RolloutTask, type Tokenizer } from '@paretopo/rollout';
import { ChatTemplate, TinkerClient, TinkerPolicy, clippedLossStep, hfTokenizer, packedDatums, readTokenizerFiles } from '@paretopo/tinker';
import type { TrainConfig } from '../config/schema';
import { evalRowOf, oracleMapOf, type EvalLimits } from '../evaluation';
import { MethodState, type MethodStateJSON } from '../methods';
import { methodRollout, metricsRowOf, type RlMetricsRow, type RlStepOptions } from '../rl-step';
import { readLatestCheckpoint, readVerifiedJson, TrainCheckpointError, writeCheckpointDir, writeJsonWithChecksums } from '../run/checkpoint';
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
  /** The warm start's `save_weights` path (engine SFT), or null for the base model; absent in checkpoints saved before warm starts. */
  init?: string | null;
}

/** The model work of one run on a Tinker engine: a training model, its sampler, an optional KL reference. */
export interface TinkerTrainer {
  client: TinkerClient;
  modelId: string;
  /** π_ref: the warm start's LoRA, or an untrained one (the identity adapter), when β_KL > 0. */
  referenceId: string | null;
  policy: TinkerPolicy;
  /** The chat template every prompt goes through. */
  template: ChatTemplate;
  baseModel: string;
  loraRank: number;
  adam: ResolvedAdamWOptions;
  /** The warm start's `save_weights` path (an engine SFT), or null for the base model. */
  init: string | null;
}

/** The engine settings of `sft`, `train` and `eval` (`--engine tinker --engine.url … --engine.baseModel …`). */
export type EngineSettings = TrainConfig['engine'];

/** A connected engine session: the client, and the model's tokenizer and chat template. */
export interface EngineSession {
  client: TinkerClient;
  tokenizer: Tokenizer;
  template: ChatTemplate;
  baseModel: string;
}

/**
 * Prompts rendered with the model's chat template (and its generation prompt), so the engine sees
 * what its chat model expects. The built-in tasks are one user turn (their SFT teaches the tool
 * tags); with `options.system`, a real benchmark's question follows a system turn that explains its
 * tools and the answer tag (rollout's `systemPrompt` of the task's own tools, else `options.tools`).
 *
 * @param template - the model's chat template
 * @param tasks - tasks with plain-text prompts
 * @param options - `system`: add the system turn; `tools`: the tools of tasks without their own
 * @returns the same tasks with rendered prompts
 * @example
 * chatTasks(template, [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }])[0].prompt;
 * // '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n'
 */
export function chatTasks<T extends RolloutTask>(template: ChatTemplate, tasks: readonly T[], options: { system?: boolean; tools?: readonly Tool<any>[] } = {}): T[] {
  return tasks.map((t) => ({
    ...t,
    prompt: template.render(
      options.system === true
        ? [
            { role: 'system', content: systemPrompt(t.tools ?? options.tools ?? []) },
            { role: 'user', content: t.prompt },
          ]
        : [{ role: 'user', content: t.prompt }],
    ),
  }));
}

/**
 * The start line that names the engine a command runs on, the same for `sft`, `train` and `eval`.
 *
 * @param engine - the command's engine settings
 * @param what - what is trained or evaluated there, e.g. `LoRA rank 4` or `no adapter`
 * @returns e.g. `engine: tinker (http://127.0.0.1:8000, base model M, LoRA rank 4, hosted Tinker protocol)`
 * @example
 * engineLine({ name: 'tinker', url: 'http://h', baseModel: 'M', loraRank: 4 }, 'LoRA rank 4'); // 'engine: tinker (http://h, base model M, LoRA rank 4)'
 */
export function engineLine(engine: EngineSettings, what: string): string {
  return `engine: tinker (${engine.url}, base model ${engine.baseModel}, ${what}${engine.hosted ? ', hosted Tinker protocol' : ''})`;
}

/**
 * Opens a session on the engine of `engine` and reads the base model's tokenizer and chat template
 * (from `engine.tokenizer`, else `engine.baseModel` when it is a folder).
 *
 * @param engine - the resolved engine settings (`name` 'tinker')
 * @param fn - the caller, for the messages
 * @returns the session; `client.close()` it when done
 * @throws TypeError when `engine.url` or `engine.baseModel` is missing
 * @example
 * const s = await connectEngine(config.engine, 'eval'); s.template.render([{ role: 'user', content: 'Hi' }]);
 */
export async function connectEngine(engine: EngineSettings, fn: string): Promise<EngineSession> {
  const { url, baseModel } = engine;
  if (url === undefined || baseModel === undefined) throw new TypeError(`${fn}: config.engine needs url and baseModel (got ${JSON.stringify({ url, baseModel })})`);
  const files = readTokenizerFiles(engine.tokenizer ?? baseModel);
  // Built before the session opens: building Qwen3's tokenizer blocks the event loop for seconds on
  // a loaded machine, which would otherwise sit between the session's first requests. (A request
  // that goes out on a keep-alive socket the server closed meanwhile is sent again by the client.)
  const tokenizer = hfTokenizer(files);
  const template = new ChatTemplate(files.tokenizerConfig);
  const client = await TinkerClient.connect({ baseUrl: url, hosted: engine.hosted === true });
  return { client, tokenizer, template, baseModel };
}

/**
 * Connects to the engine of `config.engine`, creates the LoRA model (and the KL reference), and,
 * with `resumeFrom`, loads the checkpoint's weights and Adam moments into it; with `init` (an
 * engine SFT's `save_weights` path) a fresh run starts from the warm start's weights, and the KL
 * reference is the warm start, as on the local engine.
 *
 * @param config - the resolved train config (`engine.name` 'tinker')
 * @param resumeFrom - a checkpoint's `save_weights` path, or undefined for a fresh run
 * @param init - the warm start's `save_weights` path, or undefined for the base model
 * @returns the connected trainer; {@link closeTinker} it when done
 * @example
 * const t = await connectTinker(config); t.policy.sampler; // { baseModel: 'Qwen/Qwen3-0.6B' }
 */
export async function connectTinker(config: TrainConfig, resumeFrom?: string, init?: string): Promise<TinkerTrainer> {
  const { baseModel, loraRank } = config.engine;
  const session = await connectEngine(config.engine, 'connectTinker');
  const { client } = session;
  try {
    const { modelId } = await client.createModel({ baseModel: session.baseModel, loraRank, seed: config.seed });
    let referenceId: string | null = null;
    if (config.loss.betaKl > 0) {
      referenceId = (await client.createModel({ baseModel: session.baseModel, loraRank, seed: config.seed })).modelId;
      if (init !== undefined) await client.loadWeights(referenceId, init, { optimizer: false });
    }
    if (resumeFrom !== undefined) await client.loadWeights(modelId, resumeFrom, { optimizer: true });
    else if (init !== undefined) await client.loadWeights(modelId, init, { optimizer: false });
    const start = resumeFrom ?? init;
    const sampler = start === undefined ? { baseModel: session.baseModel } : { modelPath: await client.saveWeightsForSampler(modelId, resumeFrom === undefined ? 'init' : 'resume') };
    const policy = new TinkerPolicy({ client, sampler, tokenizer: session.tokenizer });
    const adam = resolveAdamWOptions({
      lr: config.lr,
      warmupSteps: config.warmupSteps,
      totalSteps: config.lrSchedule === 'cosine' ? config.steps : 0,
      clipNorm: config.clipNorm,
      weightDecay: config.weightDecay,
    });
    return { client, modelId, referenceId, policy, template: session.template, baseModel: baseModel!, loraRank, adam, init: init ?? null };
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
  return metricsRowOf(step, out, correct, calls, traj.groupIds, stats, { gradNorm: metrics['skyrl.ai/grad_norm'] ?? Number.NaN, lr }, traj.tokens.length, seconds);
}

/**
 * Greedy evaluation on the engine's current sampler weights (the same row as the local engine's).
 *
 * @param trainer - the sampler and the chat template (from {@link connectTinker}, or an eval session)
 * @param tasks - the pool (plain-text prompts; rendered here)
 * @param tools - the environment's tools (tasks with their own keep theirs)
 * @param limits - episode limits, α and the answer rule
 * @param pool - which pool, for the row
 * @param step - RL steps done
 * @param chat - `system`: render a system turn explaining the tools (real benchmarks)
 * @returns the evaluation row
 * @example
 * (await evaluateTinker(trainer, env.validation, env.tools, limits, 'validation', 0)).accuracy;
 */
export async function evaluateTinker(
  trainer: Pick<TinkerTrainer, 'policy' | 'template'>,
  tasks: readonly (RolloutTask & { oracleCalls?: number })[],
  tools: readonly Tool<any>[],
  limits: EvalLimits,
  pool: EvalPool,
  step: number,
  chat: { system?: boolean } = {},
): Promise<EvalRow> {
  const result = await evaluate(trainer.policy, chatTasks(trainer.template, tasks, { system: chat.system, tools }), {
    tools,
    maxTurns: limits.maxTurns,
    maxToolCalls: limits.maxToolCalls,
    maxTokens: limits.maxTokens,
    match: limits.match,
  });
  return { pool, ...evalRowOf(step, result, limits.alpha, oracleMapOf(tasks)) };
}

/**
 * Saves a Tinker-engine checkpoint: the engine's `save_weights` (LoRA weights and Adam moments, kept
 * on the server) and, in the run folder, its path with the method state in `engine-state.json`,
 * with `checksums.json` (size and SHA-256, as local checkpoints carry).
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
  const state: EngineTrainState = {
    type: 'paretopo-engine-state',
    version: 1,
    step,
    method: method.toJSON(),
    weights,
    baseModel: trainer.baseModel,
    loraRank: trainer.loraRank,
    init: trainer.init,
  };
  return writeCheckpointDir(runDir, step, keep, (tmp) => writeJsonWithChecksums(tmp, ENGINE_STATE_FILE, state));
}

function engineStateOf(path: string, value: unknown, fn: string, step?: number): EngineTrainState {
  const state = value as EngineTrainState | null;
  if (
    state === null ||
    typeof state !== 'object' ||
    state.type !== 'paretopo-engine-state' ||
    state.version !== 1 ||
    !Number.isInteger(state.step) ||
    (step !== undefined && state.step !== step) ||
    typeof state.weights !== 'string' ||
    typeof state.baseModel !== 'string' ||
    !Number.isInteger(state.loraRank) ||
    (state.init !== undefined && state.init !== null && typeof state.init !== 'string')
  ) {
    throw new TrainCheckpointError(`${fn}: ${path} is not the engine state${step === undefined ? '' : ` of step ${step}`}`);
  }
  return state;
}

/**
 * Reads the latest Tinker-engine checkpoint of a run (for `--resume`), checked against its
 * `checksums.json` first.
 *
 * @param runDir - the run folder
 * @param config - the run's config: base model and LoRA rank must match the checkpoint's
 * @param warn - where a missing-manifest warning goes (a checkpoint saved before checksums)
 * @returns the state, its method and its directory
 * @throws TrainCheckpointError when missing, corrupt (a byte that differs from what was saved) or of another engine
 * @example
 * readEngineState('runs/a', config).state.step; // 1
 */
export function readEngineState(runDir: string, config: TrainConfig, warn?: (message: string) => void): { state: EngineTrainState; method: MethodState; dir: string } {
  const latest = readLatestCheckpoint(runDir, 'resume');
  if (latest === null) throw new TrainCheckpointError(`resume: no checkpoint in ${runDir}`);
  const path = join(latest.dir, ENGINE_STATE_FILE);
  if (!existsSync(path)) throw new TrainCheckpointError(`resume: ${path} is missing (a checkpoint of the local engine, or incomplete)`);
  const state = engineStateOf(path, readVerifiedJson(latest.dir, ENGINE_STATE_FILE, 'resume', warn), 'resume', latest.step);
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

/** The state file of an engine SFT folder (`paretopo sft --engine tinker`). */
export const ENGINE_SFT_FILE = 'engine-sft.json';

/** What an engine SFT folder keeps: the engine's `save_weights` path of the warm start. */
export interface EngineSftState {
  type: 'paretopo-engine-sft';
  version: 1;
  /** The `save_weights` path on the server (LoRA weights and Adam moments). */
  weights: string;
  baseModel: string;
  loraRank: number;
  /** SFT steps done. */
  steps: number;
}

/**
 * Writes an engine SFT folder's state (`engine-sft.json` with `checksums.json`).
 *
 * @param dir - the SFT folder
 * @param state - the warm start's weights path, base model, rank and steps
 * @example
 * writeEngineSft('runs/sft-q', { type: 'paretopo-engine-sft', version: 1, weights: 'tinker://…', baseModel: 'Qwen/Qwen3-0.6B', loraRank: 32, steps: 200 });
 */
export function writeEngineSft(dir: string, state: EngineSftState): void {
  writeJsonWithChecksums(dir, ENGINE_SFT_FILE, state);
}

/**
 * Reads an engine SFT folder's state, checked against its `checksums.json` first.
 *
 * @param dir - the SFT folder
 * @param fn - the caller, for the messages
 * @returns the state
 * @throws TrainCheckpointError when missing, corrupt or malformed
 * @example
 * readEngineSft('runs/sft-q', 'train --init').weights; // 'tinker://…'
 */
export function readEngineSft(dir: string, fn: string): EngineSftState {
  const path = join(dir, ENGINE_SFT_FILE);
  if (!existsSync(path)) throw new TrainCheckpointError(`${fn}: ${dir} is not an engine warm start (no ${ENGINE_SFT_FILE}; paretopo sft --engine tinker writes one)`);
  const state = readVerifiedJson(dir, ENGINE_SFT_FILE, fn) as EngineSftState | null;
  if (
    state === null ||
    typeof state !== 'object' ||
    state.type !== 'paretopo-engine-sft' ||
    state.version !== 1 ||
    typeof state.weights !== 'string' ||
    typeof state.baseModel !== 'string' ||
    !Number.isInteger(state.loraRank) ||
    !Number.isInteger(state.steps)
  ) {
    throw new TrainCheckpointError(`${fn}: ${path} is not an engine SFT state`);
  }
  return state;
}

/**
 * What `eval --engine tinker --checkpoint PATH` evaluates: an engine SFT folder, a run folder (its
 * latest checkpoint) or one `checkpoints/step-NNNNNN` of a run on the engine.
 *
 * @param path - the folder given
 * @returns the weights path on the server, its base model and LoRA rank, and what it is
 * @throws TrainCheckpointError when the folder holds none of them, or it is corrupt
 * @example
 * engineCheckpointOf('runs/q').what; // 'runs/q/checkpoints/step-000003 (step 3)'
 */
export function engineCheckpointOf(path: string): { weights: string; baseModel: string; loraRank: number; what: string } {
  if (existsSync(join(path, ENGINE_SFT_FILE))) {
    const s = readEngineSft(path, 'eval');
    return { weights: s.weights, baseModel: s.baseModel, loraRank: s.loraRank, what: `${path} (engine SFT, ${s.steps} steps)` };
  }
  const dir = existsSync(join(path, ENGINE_STATE_FILE)) ? path : readLatestCheckpoint(path, 'eval')?.dir;
  if (dir === undefined || !existsSync(join(dir, ENGINE_STATE_FILE))) {
    throw new TrainCheckpointError(`eval: ${path} holds no engine checkpoint (an engine SFT folder with ${ENGINE_SFT_FILE}, or a run of train --engine tinker with ${ENGINE_STATE_FILE})`);
  }
  const s = engineStateOf(join(dir, ENGINE_STATE_FILE), readVerifiedJson(dir, ENGINE_STATE_FILE, 'eval'), 'eval');
  return { weights: s.weights, baseModel: s.baseModel, loraRank: s.loraRank, what: `${dir} (step ${s.step})` };
}
