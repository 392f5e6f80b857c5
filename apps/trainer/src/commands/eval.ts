import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend } from '@paretopo/kernels';
import { loadCheckpoint } from '@paretopo/policy';
import { OpenAIChatPolicy, evaluate } from '@paretopo/rollout';
import type { EvalConfig } from '../config/schema';
import { benchmarkSuite, type BenchmarkSuite } from '../benchmarks';
import { createEnvironment } from '../environment';
import { evalRowOf, evaluatePolicy, oracleMapOf, type EvalLimits } from '../evaluation';
import { ConfigError } from '../config/load';
import { TinkerPolicy, type SamplerRef } from '@paretopo/tinker';
import { connectEngine, engineCheckpointOf, engineLine, evaluateTinker } from './train-tinker';
import { readLatestCheckpoint } from '../run/checkpoint';
import { writeJsonAtomic } from '../run/files';
import { openFolder } from '../run/folder';
import type { EvalRow } from '../run/types';

/**
 * Resolves what `--checkpoint` names: a policy checkpoint directory (an SFT output or a
 * `checkpoints/step-NNNNNN`), or a run folder (its latest checkpoint).
 *
 * @param path - directory given by the user
 * @returns the policy checkpoint directory
 * @example
 * resolveCheckpointDir('runs/a'); // 'runs/a/checkpoints/step-000150'
 */
export function resolveCheckpointDir(path: string): string {
  if (existsSync(join(path, 'model.safetensors'))) return path;
  return readLatestCheckpoint(path, 'eval')?.dir ?? path;
}

/** Largest API key file read, in bytes (a key is under 200 bytes; a bigger file is the wrong file). */
export const MAX_API_KEY_FILE_BYTES = 4096;

/**
 * The endpoint's API key: the contents of `apiKeyFile` when given, else `$OPENAI_API_KEY`, else
 * none. Errors name the file, never its contents.
 *
 * @param config - the eval config (`apiKeyFile`)
 * @param env - the environment to read `OPENAI_API_KEY` from
 * @returns the key, trimmed, or `undefined`
 * @example
 * readApiKey({ apiKeyFile: undefined }, { OPENAI_API_KEY: 'sk-…' }); // 'sk-…'
 */
export function readApiKey(config: Pick<EvalConfig, 'apiKeyFile'>, env: NodeJS.ProcessEnv): string | undefined {
  if (config.apiKeyFile === undefined) {
    const key = env.OPENAI_API_KEY?.trim();
    return key === undefined || key === '' ? undefined : key;
  }
  const file = config.apiKeyFile;
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_API_KEY_FILE_BYTES) throw new Error(`it is ${size} bytes, over the ${MAX_API_KEY_FILE_BYTES}-byte cap for a key file`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`eval: cannot use --api-key-file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const key = text.trim();
  if (key === '' || /\s/.test(key)) throw new Error(`eval: --api-key-file ${file} must hold one key on one line`);
  return key;
}

/**
 * `paretopo eval`: one policy's accuracy–efficiency point, from a local checkpoint (greedy), an
 * OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama) or, with `engine.name` 'tinker', a
 * Tinker engine's model (greedy; the base model, or an engine SFT / run checkpoint), on a split of a built-in task or
 * on a real benchmark (GSM8K with the calculator, MATH-500 with the sandboxed code tool, HotpotQA
 * with a search over each question's own 10 paragraphs).
 *
 * @param config - the resolved eval config
 * @param options - log, an optional started backend, and the environment the endpoint's API key
 *   is read from (default `process.env`; see {@link readApiKey})
 * @returns the evaluation row (written to `config.out/eval.json` when `out` is set)
 * @throws ConfigError when `out` belongs to another command (an SFT warm start, a run, …), or an
 *   engine checkpoint is of another base model than `engine.baseModel`
 * @throws TrainCheckpointError when an engine checkpoint is missing or corrupt
 * @example
 * (await runEval(evalConfigSchema.parse({ env: 'gsm8k', endpoint: 'http://127.0.0.1:8000/v1', model: 'qwen', limit: 50 }))).accuracy;
 */
export async function runEval(config: EvalConfig, options: { log?: (line: string) => void; backend?: Backend; env?: NodeJS.ProcessEnv } = {}): Promise<EvalRow> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Refused before the evaluation runs when --out belongs to another command (a warm start's eval.json is its own).
  if (config.out !== undefined) openFolder(config.out, 'eval', log);
  let suite: BenchmarkSuite;
  if (config.env === 'arith' || config.env === 'kb') {
    const env = createEnvironment(config.env, config.task);
    const items = env[config.split];
    suite = { tasks: items.map((t) => ({ id: t.id, prompt: t.prompt, answer: t.answer, oracleCalls: t.oracleCalls })), tools: env.tools, maxTokens: env.maxTokens };
  } else suite = await benchmarkSuite(config.env, config.data, config.limit);
  const tasks = config.limit > 0 ? suite.tasks.slice(0, config.limit) : suite.tasks;
  if (tasks.length === 0) {
    const from = config.env === 'arith' || config.env === 'kb' ? `the ${config.split} split of ${config.env}` : `the ${config.env} data file${config.data === undefined ? '' : ` ${config.data}`}`;
    throw new Error(`eval: no questions to evaluate in ${from}; an empty evaluation has no accuracy`);
  }
  const limits = { maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens: config.maxTokens ?? suite.maxTokens, alpha: 0.5, match: suite.match };
  let row: EvalRow;
  if (config.engine.name === 'tinker') {
    row = await evaluateOnEngine(config, suite.tools, tasks, limits, log, config.env !== 'arith' && config.env !== 'kb');
  } else if (config.checkpoint !== undefined) {
    const backend = options.backend ?? (await createBackend(config.backend, { log: (m) => log(`backend: ${m}`) }));
    log(`backend: ${backend.info.name}${backend.info.adapter ? ` (${backend.info.adapter})` : ''}`);
    const { model, tokenizer } = await loadCheckpoint(resolveCheckpointDir(config.checkpoint), backend);
    row = (await evaluatePolicy(model, tokenizer, tasks, suite.tools, limits, 0)).row;
  } else {
    const policy = new OpenAIChatPolicy({
      baseUrl: config.endpoint!,
      model: config.model!,
      apiKey: readApiKey(config, options.env ?? process.env),
      timeoutMs: config.timeoutMs,
      deadlineMs: config.deadlineMs,
      maxAttempts: config.maxAttempts,
    });
    const { alpha, ...loop } = limits;
    row = evalRowOf(0, await evaluate(policy, tasks, { ...loop, tools: suite.tools, protocol: config.protocol }), alpha, oracleMapOf(tasks));
  }
  if (config.out !== undefined) writeJsonAtomic(join(config.out, 'eval.json'), { config, ...row });
  return row;
}

/**
 * Greedy evaluation of the engine's model: the base model, or with `config.checkpoint` the weights
 * of an engine SFT folder or a run's engine checkpoint, loaded into a fresh LoRA (unloaded after).
 */
async function evaluateOnEngine(
  config: EvalConfig,
  tools: BenchmarkSuite['tools'],
  tasks: BenchmarkSuite['tasks'],
  limits: EvalLimits,
  log: (line: string) => void,
  system: boolean,
): Promise<EvalRow> {
  const { engine } = config;
  const from = config.checkpoint === undefined ? undefined : engineCheckpointOf(config.checkpoint);
  if (from !== undefined && from.baseModel !== engine.baseModel) {
    throw new ConfigError(`eval: ${from.what} is a LoRA of ${from.baseModel}; --engine.baseModel is ${engine.baseModel}`);
  }
  log(engineLine(engine, from === undefined ? 'no adapter' : from.what));
  const session = await connectEngine(engine, 'eval');
  const { client } = session;
  let modelId: string | undefined;
  try {
    let sampler: SamplerRef = { baseModel: session.baseModel };
    if (from !== undefined) {
      modelId = (await client.createModel({ baseModel: session.baseModel, loraRank: from.loraRank, seed: config.seed })).modelId;
      await client.loadWeights(modelId, from.weights, { optimizer: false });
      sampler = { modelPath: await client.saveWeightsForSampler(modelId, 'eval') };
    }
    const policy = new TinkerPolicy({ client, sampler, tokenizer: session.tokenizer });
    // Like the local row, without a pool tag: the evaluated split is in the config.
    const { pool: _pool, ...row } = await evaluateTinker({ policy, template: session.template }, tasks, tools, limits, 'test', 0, { system });
    return row;
  } finally {
    if (modelId !== undefined) await client.unloadModel(modelId).catch(() => undefined);
    client.close();
  }
}
