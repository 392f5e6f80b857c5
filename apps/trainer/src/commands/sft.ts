import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend, type BackendInfo } from '@paretopo/kernels';
import { AdamW, CHECKPOINT_FILES, PRESETS, TagTokenizer, TinyGPT, saveCheckpoint } from '@paretopo/policy';
import { ConfigError } from '../config/load';
import type { SftConfig } from '../config/schema';
import { createEnvironment } from '../environment';
import { evaluatePolicy } from '../evaluation';
import { Progress, type ProgressStream } from '../progress';
import { paramsHash } from '../run/checkpoint';
import { appendJsonl, writeFileAtomic, writeJsonAtomic } from '../run/files';
import { openFolder } from '../run/folder';
import { Interrupted } from '../run/interrupted';
import { RUN_FILES, type EvalPool, type EvalRow } from '../run/types';
import { packTeacherTraces, sftStep } from '../sft';

/** Options of {@link runSft} that are not part of the saved configuration. */
export interface SftRunOptions {
  progress?: ProgressStream | false;
  log?: (line: string) => void;
  backend?: Backend;
  /** When aborted, SFT stops before its next step and throws {@link Interrupted}; nothing is saved. */
  signal?: AbortSignal;
  /** Called after each step with the steps done (a caller's own progress bar, e.g. the study's). */
  onStep?: (done: number) => void;
}

/** What {@link runSft} returns. */
export interface SftRunResult {
  dir: string;
  /** Loss of every step (before its update). */
  losses: number[];
  /** Evaluation of the final policy on the validation pool. */
  final: EvalRow;
  /** Evaluation of the final policy on the test pool; null when `evalTest` is false. */
  test: EvalRow | null;
  /** SHA-256 of the final weights (the same config and backend reproduce it bit for bit). */
  weightsHash: string;
  backend: BackendInfo;
}

/**
 * `paretopo sft`: the supervised warm start. Trains a fresh `TinyGPT` on the scripted teacher's
 * traces (tool over-use included, so the result is accurate-ish and wasteful), with AdamW,
 * linear warmup and cosine decay, and saves a policy checkpoint in `config.out` (model,
 * tokenizer, `sft.jsonl` losses, `eval.json` of the final policy on the validation pool and,
 * unless `evalTest` is false, `test.json` on the test pool). Deterministic: the same
 * config on the same backend gives the same weights.
 *
 * @param config - the resolved SFT config
 * @param options - progress, log, backend, signal
 * @returns folder, losses, final evaluation, weights hash
 * @throws ConfigError when `config.out` belongs to another command or already holds a warm start
 * @throws {@link Interrupted} when `options.signal` aborts (SFT keeps no checkpoint: the model is
 *   written only at the end, so an interrupted run leaves no `model.safetensors`)
 * @example
 * const r = await runSft(sftConfigSchema.parse({ env: 'arith', out: 'runs/sft-arith' }));
 * r.final.accuracy; // the warm start's test accuracy (r.final.oracle holds calls against the oracle, per stratum)
 */
export async function runSft(config: SftConfig, options: SftRunOptions = {}): Promise<SftRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (config.engine.name !== 'local') throw new ConfigError(`runSft: trains the local TinyGPT (engine.name 'local'; got ${JSON.stringify(config.engine.name)}); an engine's warm start is runSftTinker`);
  openFolder(config.out, 'sft', log);
  if (existsSync(join(config.out, CHECKPOINT_FILES.weights))) {
    throw new ConfigError(`sft: ${config.out} already holds a warm start (${CHECKPOINT_FILES.weights}); runs trained from it check its weights, so it is never replaced: choose another --out, or remove the folder to train it again`);
  }
  const backend = options.backend ?? (await createBackend(config.backend, { log: (m) => log(`backend: ${m}`) }));
  log(`backend: ${backend.info.name}${backend.info.adapter ? ` (${backend.info.adapter})` : ''}`);
  const env = createEnvironment(config.env, config.task);
  const tokenizer = TagTokenizer.create();
  const preset = PRESETS[config.model.preset];
  const modelConfig = {
    ...preset,
    ...Object.fromEntries(Object.entries(config.model).filter(([k, v]) => k !== 'preset' && v !== undefined)),
    vocab: tokenizer.size,
  };
  const model = TinyGPT.create(modelConfig, backend, { seed: config.seed });
  const optimizer = new AdamW(backend, model.layout, { lr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.steps });
  const traces = env.demonstrations({ seed: config.seed + 1, overuse: config.teacher.overuse, repeat: config.teacher.repeat });
  const lossFile = join(config.out, 'sft.jsonl');
  writeJsonAtomic(join(config.out, 'sft-config.json'), { command: 'sft', ...config });
  writeFileAtomic(lossFile, ''); // truncates an earlier run's log; rows follow
  const limits = { maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens: config.maxTokens ?? env.maxTokens, alpha: 0.5 };
  const evaluateOn = async (pool: EvalPool, step: number): Promise<EvalRow> => {
    const { row } = await evaluatePolicy(model, tokenizer, env[pool], env.tools, limits, step);
    return { pool, ...row };
  };
  const progress = options.progress === false ? null : new Progress(`sft ${config.env}`, config.steps, { stream: options.progress });
  const losses: number[] = [];
  const b = config.batchSize;
  for (let s = 0; s < config.steps; s++) {
    // A step never waits on I/O, so without this the loop would hold the event loop and a Ctrl-C
    // (delivered as an event) would only be seen after the last step.
    if (options.signal !== undefined) await new Promise<void>((resolve) => setImmediate(resolve));
    if (options.signal?.aborted) {
      progress?.finish();
      throw new Interrupted(`sft: interrupted at step ${s} of ${config.steps}; nothing saved (the model is written only at the end), run it again to start over`);
    }
    const chunk = Array.from({ length: b }, (_, i) => traces[(s * b + i) % traces.length]);
    const info = await sftStep(model, optimizer, packTeacherTraces(tokenizer, chunk, model.config.context));
    losses.push(info.loss);
    const row: Record<string, number> = { step: s, loss: info.loss, lr: info.lr, gradNorm: info.gradNorm };
    if (config.evalEvery > 0 && (s + 1) % config.evalEvery === 0 && s + 1 < config.steps) {
      const ev = await evaluateOn('validation', s + 1);
      Object.assign(row, { validationAccuracy: ev.accuracy, validationCalls: ev.meanCalls });
    }
    appendJsonl(lossFile, row);
    progress?.update(s + 1, { loss: info.loss, lr: info.lr });
    options.onStep?.(s + 1);
  }
  progress?.finish();
  const final = await evaluateOn('validation', config.steps);
  const test = config.evalTest ? await evaluateOn('test', config.steps) : null;
  const weightsHash = paramsHash(model.params);
  await saveCheckpoint(config.out, { model, tokenizer, extra: { type: 'paretopo-sft', config, weightsHash } });
  writeJsonAtomic(join(config.out, 'eval.json'), final);
  if (test !== null) writeJsonAtomic(join(config.out, RUN_FILES.test), test);
  const onTest = test === null ? '' : `, test accuracy ${test.accuracy.toFixed(3)}, calls ${test.meanCalls.toFixed(2)}`;
  log(`sft done: validation accuracy ${final.accuracy.toFixed(3)}, calls ${final.meanCalls.toFixed(2)}${onTest}, weights sha256 ${weightsHash}`);
  return { dir: config.out, losses, final, test, weightsHash, backend: backend.info };
}
