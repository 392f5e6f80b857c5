import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend, type BackendInfo } from '@paretopo/kernels';
import { AdamW, TinyGPT, loadCheckpoint, type TagTokenizer } from '@paretopo/policy';
import { Rng } from '@paretopo/random';
import { readJsonlSync, type ReadJsonlOptions, type TaskItem, type Tool } from '@paretopo/envs';
import type { RolloutTask } from '@paretopo/rollout';
import type { TrainConfig } from '../config/schema';
import { ConfigError, configDifferences, mergeConfig, resolveConfig } from '../config/load';
import { isBuiltIn, trainConfigSchema } from '../config/schema';
import { benchmarkPools } from '../benchmarks';
import { createEnvironment } from '../environment';
import { evaluatePolicy, type EvalLimits } from '../evaluation';
import { MethodState } from '../methods';
import { Progress, type ProgressStream } from '../progress';
import { frozenReference, rlStep, type RlMetricsRow, type RlParts, type RlStepOptions } from '../rl-step';
import { chatTasks, closeTinker, connectTinker, engineLine, evaluateTinker, readEngineSft, readEngineState, saveEngineState, tinkerRlStep } from './train-tinker';
import { loadTrainState, paramsHash, saveTrainState, TrainCheckpointError } from '../run/checkpoint';
import { appendJsonl, writeJsonAtomic, writeJsonlAtomic } from '../run/files';
import { folderKindError, openFolder } from '../run/folder';
import { runConfigDifferences, runState, savedRunConfig } from '../run/jobs';
import { RUN_FILES, type EvalPool, type EvalRow, type RunSummary, type StepRow } from '../run/types';

/** Options of {@link runTrain} that are not part of the saved configuration. */
export interface TrainRunOptions {
  /** Continue the run in `config.out` from its latest checkpoint. */
  resume?: boolean;
  /** Stops after the step in flight; a checkpoint is saved first (Ctrl-C in the CLI). */
  signal?: AbortSignal;
  /** Progress output (default stderr); `false` for none. */
  progress?: ProgressStream | false;
  /** Log lines (backend choice, evaluations). Default: stderr. */
  log?: (line: string) => void;
  /** A started backend to use instead of starting `config.backend` (tests, compare in-process). */
  backend?: Backend;
  /** The progress bar's label [`train <method> seed <seed>`]; the bar's figures show the stage. */
  label?: string;
}

/** What {@link runTrain} returns. */
export interface TrainRunResult {
  status: 'finished' | 'interrupted';
  dir: string;
  /** RL steps completed. */
  step: number;
  summary: RunSummary | null;
  /** The kernels backend of the local engine; null on a Tinker engine. */
  backend: BackendInfo | null;
}

/**
 * The prompts of RL step `step`: `count` distinct questions drawn from the pool by a stream
 * derived from (seed, step), so a resumed run draws exactly what the uninterrupted one would.
 *
 * @param pool - training questions
 * @param count - prompts per step
 * @param seed - run seed
 * @param step - RL step
 * @returns the step's questions
 * @example
 * stepTasks(env.rl, 4, 1, 0).length; // 4
 */
export function stepTasks<T>(pool: readonly T[], count: number, seed: number, step: number): T[] {
  const rng = Rng.derive(seed, step);
  const n = pool.length;
  const k = Math.min(count, n);
  const picked = new Set<number>();
  const out: T[] = [];
  while (out.length < k) {
    const i = Math.floor(rng.next() * n);
    if (picked.has(i)) continue;
    picked.add(i);
    out.push(pool[i]);
  }
  return out;
}

const finite = (x: number | null | undefined): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/**
 * `paretopo train`: RL with one method from a warm start, in a run folder (config.json,
 * metrics.jsonl, eval.jsonl, test.json, checkpoints/, summary.json). Evaluates greedily on the
 * validation pool before the first step, every `eval.every` steps and after the last (eval.jsonl),
 * then once on the test pool unless `eval.test` is false (test.json, summary.test); checkpoints every
 * `checkpoint.every` steps and at the end; on `signal` it finishes the step in flight, saves a
 * checkpoint and returns `interrupted`. `resume` continues exactly: same prompts, rollouts,
 * optimiser, method state (N_opt, archive, stage), so the metrics equal an uninterrupted run's.
 *
 * @param config - the resolved train config
 * @param options - resume, signal, progress, log, backend
 * @returns status, folder, steps done, summary
 * @throws ConfigError when the folder belongs to another command, holds a run of other settings,
 *   holds a checkpoint (without `resume`) or holds no run (with `resume`), or the local engine's
 *   warm start is missing
 * @throws TrainCheckpointError when resuming from a corrupt checkpoint, another warm start or
 *   engine model, or a method state that does not match the config
 * @example
 * const r = await runTrain(trainConfigSchema.parse({ env: 'arith', init: 'runs/sft-arith', out: 'runs/a' }));
 * r.summary?.final.accuracy;
 */
export async function runTrain(config: TrainConfig, options: TrainRunOptions = {}): Promise<TrainRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = config.out;
  openFolder(dir, 'train', log);
  // One rule for what the folder holds (the one compare and study plan with): a run that stopped
  // before its first checkpoint holds nothing to resume, so it starts over whether or not
  // `resume` was asked; a checkpoint is never overwritten.
  const state = runState(config, 'train');
  const saved = savedRunConfig(dir, 'train');
  if (options.resume && saved === null) {
    throw new ConfigError(`resume: ${dir} holds no run to resume (no ${RUN_FILES.config}: it stopped before it started); run the same command without --resume`);
  }
  if (!options.resume && state !== 'start') {
    throw new ConfigError(
      state === 'done'
        ? `train: ${dir} already holds a finished run; choose another --out`
        : `train: ${dir} already holds a run; continue it with \`paretopo train --resume --out ${dir}\` or choose another --out`,
    );
  }
  // The warm start is the local engine's policy; a Tinker engine starts from its base model.
  if (config.engine.name === 'local' && !existsSync(config.init!)) {
    throw new ConfigError(
      `train: the warm start ${config.init} is missing${options.resume && config.init === saved?.init ? ` (the path saved in ${join(dir, RUN_FILES.config)}; a relative path counts from where the command runs, so moving the run or the warm start loses it)` : ''}; pass --init DIR pointing at it (its weights hash is checked against the run's)`,
    );
  }
  const files = {
    config: join(dir, RUN_FILES.config),
    metrics: join(dir, RUN_FILES.metrics),
    evals: join(dir, RUN_FILES.evals),
    summary: join(dir, RUN_FILES.summary),
    test: join(dir, RUN_FILES.test),
  };
  const env = await trainPools(config, log);
  const limits: EvalLimits = {
    maxTurns: config.maxTurns,
    maxToolCalls: config.maxToolCalls,
    maxTokens: config.maxTokens ?? env.maxTokens,
    alpha: config.reward.alpha,
    match: env.match,
  };
  const resume = state !== 'start';
  const engine = config.engine.name === 'tinker' ? await openTinkerEngine(config, env, limits, resume, log) : await openLocalEngine(config, env, limits, resume, options, log);
  try {
    // A warm start found at a new path (--init after a move) is recorded, so the next resume needs only --out.
    if (resume && config.init !== saved?.init) writeRunConfig(files.config, config);
    return await trainLoop(config, options, log, env, limits, files, engine, saved !== null);
  } finally {
    await engine.close();
  }
}

/** What a run trains and evaluates on: a built-in task's pools, or a real benchmark's. */
export interface TrainPools {
  rl: (RolloutTask & { oracleCalls?: number })[];
  validation: (RolloutTask & { oracleCalls?: number })[];
  test: (RolloutTask & { oracleCalls?: number })[];
  /** Tools of the tasks without their own. */
  tools: readonly Tool<any>[];
  maxTokens: number;
  /** The answer rule (real benchmarks); default the rollout's. */
  match?: (prediction: string, gold: string) => boolean;
}

async function trainPools(config: TrainConfig, log: (line: string) => void): Promise<TrainPools> {
  if (isBuiltIn(config.env)) return createEnvironment(config.env, config.task);
  const pools = await benchmarkPools(config.env, { eval: config.data?.eval, train: config.data?.train, seed: config.task.seed, validationCount: config.task.validationCount, testCount: config.task.testCount });
  log(`data: ${pools.provenance}`);
  return pools;
}

/** The model work of a run, on one engine; the loop, files and method are shared. */
interface RunEngine {
  method: MethodState;
  /** RL steps already done (0 for a fresh run). */
  start: number;
  /** The checkpoint a resumed run continues from (undefined for a fresh run). */
  resumedFrom?: string;
  backend: BackendInfo | null;
  evaluate(pool: EvalPool, step: number): Promise<EvalRow>;
  step(tasks: RolloutTask[], options: RlStepOptions): Promise<RlMetricsRow>;
  checkpoint(step: number): Promise<unknown>;
  close(): Promise<void>;
}

async function openLocalEngine(config: TrainConfig, env: TrainPools, limits: EvalLimits, resume: boolean, options: TrainRunOptions, log: (line: string) => void): Promise<RunEngine> {
  const backend = options.backend ?? (await createBackend(config.backend, { log: (m) => log(`backend: ${m}`) }));
  log(`engine: local (TinyGPT)`);
  log(`backend: ${backend.info.name}${backend.info.adapter ? ` (${backend.info.adapter})` : ''}`);
  const dir = config.out;
  const init = await loadCheckpoint(config.init!, backend);
  const initHash = paramsHash(init.model.params);
  const reference = frozenReference(init.model);
  const tokenizer: TagTokenizer = init.tokenizer;

  let model: TinyGPT;
  let optimizer: AdamW;
  let method: MethodState;
  let start = 0;
  let resumedFrom: string | undefined;
  if (resume) {
    const saved = await loadTrainState(dir, backend);
    if (saved.initHash !== initHash) {
      throw new TrainCheckpointError(`resume: the warm start ${config.init} is not the one this run started from (weights hash differs); pass --init DIR pointing at the warm start it was trained from`);
    }
    checkMethodState(saved.method, config, saved.dir);
    ({ model, optimizer, method } = saved);
    start = saved.step;
    resumedFrom = saved.dir;
  } else {
    model = TinyGPT.fromParams(init.model.config, backend, init.model.params.slice());
    optimizer = new AdamW(backend, model.layout, {
      lr: config.lr,
      warmupSteps: config.warmupSteps,
      // AdamW's totalSteps 0 holds lr after warmup; the optimiser keeps these options in its checkpoint.
      totalSteps: config.lrSchedule === 'cosine' ? config.steps : 0,
      clipNorm: config.clipNorm,
      weightDecay: config.weightDecay,
    });
    method = new MethodState(config.method, { totalSteps: config.steps, ...config.reward });
  }
  const parts: RlParts = { model, reference, tokenizer, optimizer, method, tools: env.tools };
  return {
    method,
    start,
    resumedFrom,
    backend: backend.info,
    evaluate: async (pool, step) => {
      const { row } = await evaluatePolicy(model, tokenizer, env[pool] as TaskItem<any>[], env.tools, limits, step);
      return { pool, ...row };
    },
    step: (tasks, stepOptions) => rlStep(parts, tasks, stepOptions),
    checkpoint: (step) => saveTrainState(dir, { model, tokenizer, optimizer, method, step, initHash }, config.checkpoint.keep),
    close: async () => {},
  };
}

async function openTinkerEngine(config: TrainConfig, env: TrainPools, limits: EvalLimits, resume: boolean, log: (line: string) => void): Promise<RunEngine> {
  log(engineLine(config.engine, `LoRA rank ${config.engine.loraRank}`));
  const saved = resume ? readEngineState(config.out, config) : undefined;
  if (saved !== undefined) checkMethodState(saved.method, config, saved.dir);
  let init: string | undefined;
  if (config.init !== undefined) {
    const warm = readEngineSft(config.init, 'train --init');
    if (warm.baseModel !== config.engine.baseModel || warm.loraRank !== config.engine.loraRank) {
      throw new ConfigError(`train --init: ${config.init} is a LoRA of ${warm.baseModel} rank ${warm.loraRank}; the config asks for ${config.engine.baseModel} rank ${config.engine.loraRank}`);
    }
    init = warm.weights;
    log(`init: ${config.init} (engine SFT, ${warm.steps} steps)`);
  }
  // The KL reference is the warm start: a resumed run must start from the same one.
  if (saved !== undefined && saved.state.init !== undefined && (saved.state.init ?? undefined) !== init) {
    throw new TrainCheckpointError(
      `resume: ${saved.dir} was trained from ${saved.state.init === null ? 'the base model' : `the warm start ${saved.state.init}`}, the config's init gives ${init === undefined ? 'the base model' : init}; pass --init pointing at the engine SFT folder it started from`,
    );
  }
  const trainer = await connectTinker(config, saved?.state.weights, init);
  const method = saved?.method ?? new MethodState(config.method, { totalSteps: config.steps, ...config.reward });
  const chat = { system: !isBuiltIn(config.env), tools: env.tools };
  return {
    method,
    start: saved?.state.step ?? 0,
    resumedFrom: saved?.dir,
    backend: null,
    evaluate: (pool, step) => evaluateTinker(trainer, env[pool], env.tools, limits, pool, step, chat),
    step: (tasks, stepOptions) => tinkerRlStep(trainer, method, env.tools, chatTasks(trainer.template, tasks, chat), stepOptions),
    checkpoint: (step) => saveEngineState(config.out, trainer, method, step, config.checkpoint.keep),
    close: () => closeTinker(trainer),
  };
}

async function trainLoop(
  config: TrainConfig,
  options: TrainRunOptions,
  log: (line: string) => void,
  env: TrainPools,
  limits: EvalLimits,
  files: Record<'config' | 'metrics' | 'evals' | 'summary' | 'test', string>,
  engine: RunEngine,
  startedBefore: boolean,
): Promise<TrainRunResult> {
  const dir = config.out;
  const start = engine.start;
  const resumed = engine.resumedFrom !== undefined;
  if (resumed) {
    // Rows written after the checkpoint belong to steps that run again.
    // A row a kill cut short (the last line, without its newline) was written after the checkpoint too.
    // A run interrupted before its first step has no metrics.jsonl yet.
    const readBack: ReadJsonlOptions = { missing: 'empty', tornTail: 'drop' };
    writeJsonlAtomic(files.metrics, Array.from(readJsonlSync<StepRow>(files.metrics, readBack), (r) => r.value).filter((r) => r.step < start));
    writeJsonlAtomic(files.evals, Array.from(readJsonlSync<EvalRow>(files.evals, readBack), (r) => r.value).filter((r) => r.step <= start));
    log(`resume: ${dir} from step ${start} (${engine.resumedFrom})`);
  } else {
    if (startedBefore) log(`train: ${dir} stopped before its first checkpoint; starting it from step 0`);
    for (const f of [files.metrics, files.evals, files.test, files.summary, join(dir, RUN_FILES.checkpoints)]) rmSync(f, { recursive: true, force: true });
    writeRunConfig(files.config, config);
    const row = await engine.evaluate('validation', 0);
    appendJsonl(files.evals, row);
    log(`validation step 0: accuracy ${row.accuracy.toFixed(3)}, calls ${row.meanCalls.toFixed(2)}, HV ${row.hv.toFixed(3)}`);
  }

  const progress = options.progress === false ? null : new Progress(options.label ?? `train ${config.method} seed ${config.seed}`, config.steps, { stream: options.progress });
  const t0 = performance.now();
  const checkpoint = (step: number) => engine.checkpoint(step);
  let step = start;
  let lastEval: EvalRow | null = null;
  while (step < config.steps) {
    if (options.signal?.aborted) {
      // The checkpoint a run resumed from is not written again (a kill while replacing it would lose it).
      if (step !== start || !resumed) await checkpoint(step);
      progress?.finish();
      log(`interrupted at step ${step}: checkpoint saved; continue with --resume`);
      return { status: 'interrupted', dir, step, summary: null, backend: engine.backend };
    }
    const tasks = stepTasks(env.rl, config.promptsPerStep, config.seed, step);
    const row = await engine.step(tasks, {
      groupSize: config.groupSize,
      maxTurns: config.maxTurns,
      maxToolCalls: config.maxToolCalls,
      maxTokens: limits.maxTokens,
      temperature: config.temperature,
      seed: config.seed,
      epsLow: config.loss.epsLow,
      epsHigh: config.loss.epsHigh,
      betaKl: config.loss.betaKl,
      aggregation: config.loss.aggregation,
      dualClip: config.loss.dualClip,
      klClamp: config.loss.klClamp,
      match: limits.match,
    });
    appendJsonl(files.metrics, { ...row, time: new Date().toISOString() } satisfies StepRow);
    step++;
    if (step % config.eval.every === 0 || step === config.steps) {
      lastEval = await engine.evaluate('validation', step);
      appendJsonl(files.evals, lastEval);
    }
    if (step % config.checkpoint.every === 0 || step === config.steps) await checkpoint(step);
    progress?.update(step, {
      stage: row.stage,
      acc: row.accuracy,
      calls: row.meanCalls,
      HV: row.hv,
      'val acc': finite(lastEval?.accuracy),
      'tok/s': Math.round(row.tokensPerSecond),
    });
  }
  progress?.finish();
  let test: EvalRow | null = null;
  if (config.eval.test) {
    test = await engine.evaluate('test', step);
    writeJsonAtomic(files.test, test);
  }
  const evals = Array.from(readJsonlSync<EvalRow>(files.evals), (r) => r.value);
  const summary: RunSummary = {
    env: config.env,
    method: config.method,
    seed: config.seed,
    steps: config.steps,
    switchStep: Array.from(readJsonlSync<StepRow>(files.metrics, { missing: 'empty' }), (r) => r.value).at(-1)?.switchStep ?? null,
    initial: evals[0],
    final: evals[evals.length - 1],
    test,
    seconds: (performance.now() - t0) / 1000,
  };
  writeJsonAtomic(files.summary, summary);
  const onTest = test === null ? '' : `; test accuracy ${test.accuracy.toFixed(3)}, calls ${test.meanCalls.toFixed(2)}`;
  log(
    `done (validation): accuracy ${summary.initial.accuracy.toFixed(3)} → ${summary.final.accuracy.toFixed(3)}, calls ${summary.initial.meanCalls.toFixed(2)} → ${summary.final.meanCalls.toFixed(2)}, HV ${summary.initial.hv.toFixed(3)} → ${summary.final.hv.toFixed(3)}${onTest}`,
  );
  return { status: 'finished', dir, step, summary, backend: engine.backend };
}

// config.json holds the settings, not where the folder is: a moved run folder resumes from its new place.
function writeRunConfig(path: string, config: TrainConfig): void {
  const { out: _out, ...settings } = config;
  writeJsonAtomic(path, { command: 'train', ...settings });
}

// The checkpoint's method state must be the config's method with the config's options; a hand-edited
// config.json would otherwise resume one method's state under another's name.
function checkMethodState(method: MethodState, config: TrainConfig, dir: string): void {
  const expected = new MethodState(config.method, { totalSteps: config.steps, ...config.reward });
  const differs = [
    ...(method.name === expected.name ? [] : [`method (${method.name} in the checkpoint, ${expected.name} in the config)`]),
    ...configDifferences(expected.options, method.options).map((k) => `${k === 'totalSteps' ? 'steps' : `reward.${k}`} (${JSON.stringify(method.options[k as keyof typeof method.options])} in the checkpoint)`),
  ];
  if (differs.length > 0) {
    throw new TrainCheckpointError(
      `resume: ${dir} holds the method state of other settings than ${join(config.out, RUN_FILES.config)}: ${differs.join(', ')}; restore the settings the run was started with, or start a new run in another folder`,
    );
  }
}

/**
 * The config `train --resume` continues with: the run folder's saved config (the truth), with the
 * folder as `out` and, when given, a new `init` path (a moved warm start; its weights hash is
 * checked). Omitted flags take the saved values; an explicit flag that contradicts them is an error.
 *
 * @param dir - the run folder (`--out`)
 * @param explicit - the flags and config file given with `--resume`
 * @returns the config to resume with
 * @throws ConfigError when the folder holds no readable config, or an explicit value contradicts it
 * @example
 * resumeConfig('runs/a', {}).method; // 'paretopo'
 */
export function resumeConfig(dir: string, explicit: Record<string, unknown>): TrainConfig {
  const refused = folderKindError(dir, 'train');
  if (refused !== null) throw refused;
  const saved = savedRunConfig(dir, 'resume');
  if (saved === null) {
    throw new ConfigError(`resume: ${dir} holds no run to resume (no ${RUN_FILES.config}); start it without --resume, or check --out`);
  }
  const config = resolveConfig(trainConfigSchema, mergeConfig(saved as unknown as Record<string, unknown>, { ...explicit, out: dir }), 'resume');
  const differs = runConfigDifferences(config, saved);
  if (differs.length > 0) {
    throw new ConfigError(
      `resume: ${differs.map((k) => `${k} (${JSON.stringify((config as Record<string, unknown>)[k])})`).join(', ')} contradict${differs.length === 1 ? 's' : ''} the run's saved config in ${join(dir, RUN_FILES.config)} (${differs.map((k) => `${k} ${JSON.stringify((saved as Record<string, unknown>)[k])}`).join(', ')}); --resume needs only --out: leave the flag out, or start a new run in another folder`,
    );
  }
  return config;
}
