import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILES, learningRate, resolveAdamWOptions } from '@paretopo/policy';
import type { Tokenizer } from '@paretopo/rollout';
import { TinkerPolicy, packedDatums, type ChatTemplate, type Datum } from '@paretopo/tinker';
import { ConfigError } from '../config/load';
import type { SftConfig } from '../config/schema';
import { createEnvironment, type Demonstration } from '../environment';
import { Progress } from '../progress';
import { appendJsonl, writeFileAtomic, writeJsonAtomic } from '../run/files';
import { openFolder } from '../run/folder';
import { Interrupted } from '../run/interrupted';
import { RUN_FILES, type EvalPool, type EvalRow } from '../run/types';
import { packTeacherTraces } from '../sft';
import type { SftRunOptions } from './sft';
import { ENGINE_SFT_FILE, chatTasks, connectEngine, engineLine, evaluateTinker, writeEngineSft } from './train-tinker';

/** What {@link runSftTinker} returns. */
export interface SftTinkerResult {
  dir: string;
  /** Mean cross-entropy per teacher token of every step (before its update). */
  losses: number[];
  /** Evaluation of the final weights on the validation pool. */
  final: EvalRow;
  /** Evaluation of the final weights on the test pool; null when `evalTest` is false. */
  test: EvalRow | null;
  /** The engine's `save_weights` path of the warm start. */
  weights: string;
}

/**
 * SFT datums of teacher traces for a real chat model: each trace's prompt goes through the model's
 * chat template (one user turn and the generation prompt, as `train --engine tinker` renders it),
 * then prompt, teacher text and tool outputs are tokenised segment by segment, as a rollout lays
 * out the same episode; `cross_entropy` weights are 1 on the teacher's tokens and 0 on the prompt
 * and tool outputs (shifted by one token, as the API defines).
 *
 * @param tokenizer - the model's tokenizer (`hfTokenizer`)
 * @param template - the model's chat template
 * @param traces - teacher traces (`Environment.teacherTraces`)
 * @returns one datum per trace
 * @example
 * const [d] = engineSftDatums(tok, template, [{ prompt: 'What is 2+3?\n', segments: [{ role: 'policy', text: '<ans>5</ans>' }] }]);
 * d.loss_fn_inputs.weights!.data.filter((w) => w === 1).length; // the tokens of '<ans>5</ans>'
 */
export function engineSftDatums(tokenizer: Pick<Tokenizer, 'encode'>, template: ChatTemplate, traces: readonly Demonstration[]): Datum[] {
  const rendered = chatTasks(
    template,
    traces.map((t, i) => ({ id: String(i), prompt: t.prompt, answer: '' })),
  );
  const packed = packTeacherTraces(
    tokenizer,
    traces.map((t, i) => ({ prompt: rendered[i].prompt, segments: t.segments })),
  );
  return packedDatums(packed);
}

/**
 * `paretopo sft --engine tinker`: the supervised warm start of a LoRA of the engine's base model on
 * the built-in task's teacher traces ({@link engineSftDatums}): per step `forward_backward` with
 * `cross_entropy` on `batchSize` traces, then `optim_step` (Adam, linear warmup, cosine decay as the
 * local SFT). Writes `sft.jsonl` (mean loss per teacher token, lr, gradient norm), `eval.json`
 * (greedy, validation), `test.json` (unless `evalTest` is false) and `engine-sft.json` (the engine's
 * `save_weights` path, base model, rank; with `checksums.json`), which `train --engine tinker --init`
 * and `eval --engine tinker --checkpoint` read.
 *
 * @param config - the resolved SFT config (`engine.name` 'tinker')
 * @param options - progress, log, signal, onStep
 * @returns folder, losses, evaluations, weights path
 * @throws ConfigError when `config.out` belongs to another command or already holds a warm start
 * @throws {@link Interrupted} when `options.signal` aborts (nothing is written: the warm start is saved at the end only)
 * @example
 * const r = await runSftTinker(sftConfigSchema.parse({ env: 'arith', out: 'runs/sft-q', engine: { name: 'tinker', url, baseModel } }));
 * r.losses.at(-1)! < r.losses[0]; // true
 */
export async function runSftTinker(config: SftConfig, options: SftRunOptions = {}): Promise<SftTinkerResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  openFolder(config.out, 'sft', log);
  for (const f of [ENGINE_SFT_FILE, CHECKPOINT_FILES.weights]) {
    if (existsSync(join(config.out, f))) {
      throw new ConfigError(`sft: ${config.out} already holds a warm start (${f}); runs trained from it check it, so it is never replaced: choose another --out, or remove the folder to train it again`);
    }
  }
  const { loraRank } = config.engine;
  log(engineLine(config.engine, `LoRA rank ${loraRank}`));
  const env = createEnvironment(config.env, config.task);
  const traces = env.teacherTraces({ seed: config.seed + 1, overuse: config.teacher.overuse, repeat: config.teacher.repeat });
  const session = await connectEngine(config.engine, 'sft');
  const { client } = session;
  let modelId: string | undefined;
  try {
    modelId = (await client.createModel({ baseModel: session.baseModel, loraRank, seed: config.seed })).modelId;
    const adam = resolveAdamWOptions({ lr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.steps });
    const lossFile = join(config.out, 'sft.jsonl');
    writeJsonAtomic(join(config.out, 'sft-config.json'), { command: 'sft', ...config });
    writeFileAtomic(lossFile, '');
    const progress = options.progress === false ? null : new Progress(`sft ${config.env} (engine)`, config.steps, { stream: options.progress });
    const losses: number[] = [];
    const b = config.batchSize;
    for (let s = 0; s < config.steps; s++) {
      if (options.signal?.aborted) {
        progress?.finish();
        throw new Interrupted(`sft: interrupted at step ${s} of ${config.steps}; nothing saved (the warm start is written only at the end), run it again to start over`);
      }
      const chunk = Array.from({ length: b }, (_, i) => traces[(s * b + i) % traces.length]);
      const datums = engineSftDatums(session.tokenizer, session.template, chunk);
      const out = await client.forwardBackward(modelId, datums, 'cross_entropy');
      // The loss before the update, per teacher token, from the log-probs the engine returns.
      let nll = 0;
      let tokens = 0;
      for (let d = 0; d < datums.length; d++) {
        const w = datums[d].loss_fn_inputs.weights!.data;
        const lp = out.outputs[d].logprobs;
        for (let i = 0; i < w.length; i++) {
          if (w[i] === 0) continue;
          nll -= w[i] * lp[i];
          tokens += w[i];
        }
      }
      const loss = tokens > 0 ? nll / tokens : 0;
      const lr = learningRate(s + 1, adam);
      const metrics = await client.optimStep(modelId, { learningRate: lr, beta1: adam.beta1, beta2: adam.beta2, eps: adam.eps, weightDecay: adam.weightDecay });
      losses.push(loss);
      const gradNorm = metrics['skyrl.ai/grad_norm'] ?? null;
      appendJsonl(lossFile, { step: s, loss, lr, gradNorm, tokens });
      progress?.update(s + 1, { loss, lr });
      options.onStep?.(s + 1);
    }
    progress?.finish();
    const policy = new TinkerPolicy({ client, sampler: { modelPath: await client.saveWeightsForSampler(modelId, 'sft') }, tokenizer: session.tokenizer });
    const limits = { maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens: config.maxTokens ?? env.maxTokens, alpha: 0.5 };
    const evaluateOn = (pool: EvalPool): Promise<EvalRow> => evaluateTinker({ policy, template: session.template }, env[pool], env.tools, limits, pool, config.steps);
    const final = await evaluateOn('validation');
    const test = config.evalTest ? await evaluateOn('test') : null;
    const weights = await client.saveWeights(modelId, 'sft');
    writeJsonAtomic(join(config.out, 'eval.json'), final);
    if (test !== null) writeJsonAtomic(join(config.out, RUN_FILES.test), test);
    // Written last: its presence marks a finished warm start.
    writeEngineSft(config.out, { type: 'paretopo-engine-sft', version: 1, weights, baseModel: session.baseModel, loraRank, steps: config.steps });
    const onTest = test === null ? '' : `, test accuracy ${test.accuracy.toFixed(3)}, calls ${test.meanCalls.toFixed(2)}`;
    log(`sft done: loss ${losses[0]?.toFixed(3)} → ${losses.at(-1)?.toFixed(3)}; validation accuracy ${final.accuracy.toFixed(3)}, calls ${final.meanCalls.toFixed(2)}${onTest}; engine weights ${weights}`);
    return { dir: config.out, losses, final, test, weights };
  } finally {
    if (modelId !== undefined) await client.unloadModel(modelId).catch(() => undefined);
    client.close();
  }
}
