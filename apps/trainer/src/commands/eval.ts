import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createCodeTool,
  gsm8kTasks,
  hotpotQATasks,
  loadGsm8k,
  loadHotpotQA,
  loadMath500,
  mathEqual,
  qaAnswerMatch,
  type Tool,
} from '@paretopo/envs';
import { createBackend, type Backend } from '@paretopo/kernels';
import { loadCheckpoint } from '@paretopo/policy';
import { OpenAIChatPolicy, evaluate, type RolloutTask } from '@paretopo/rollout';
import type { BenchmarkName, EvalConfig } from '../config/schema';
import { createEnvironment } from '../environment';
import { evalRowOf, evaluatePolicy, oracleMapOf } from '../evaluation';
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

/** What an evaluation runs on: questions (each may carry its own tools), the shared tools, the answer rule. */
interface EvalSuite {
  tasks: (RolloutTask & { oracleCalls?: number })[];
  tools: readonly Tool<any>[];
  maxTokens: number;
  match?: (prediction: string, gold: string) => boolean;
}

/** The first `limit` items (all when `limit` is 0), taken before any per-question work such as HotpotQA's indexes. */
const firstOf = <T>(items: T[], limit: number): T[] => (limit > 0 ? items.slice(0, limit) : items);

async function benchmarkSuite(name: BenchmarkName, data: string | undefined, limit: number): Promise<EvalSuite> {
  if (name === 'gsm8k') return { tasks: gsm8kTasks(firstOf(await loadGsm8k(data), limit)), tools: [], maxTokens: 512 };
  // HotpotQA's official metric (SQuAD exact match) without its ways to accept a wrong answer.
  if (name === 'hotpotqa') return { tasks: hotpotQATasks(firstOf(await loadHotpotQA(data), limit)), tools: [], maxTokens: 256, match: qaAnswerMatch };
  // MATH-500 in the ToRL setting: a JavaScript interpreter in the sandbox, MATH-style equivalence.
  const items = firstOf(await loadMath500(data), limit);
  return {
    tasks: items.map((q) => ({ id: q.id, prompt: `${q.problem}\n`, answer: q.answer })),
    tools: [createCodeTool()],
    maxTokens: 1024,
    match: mathEqual,
  };
}

/**
 * `paretopo eval`: one policy's accuracy–efficiency point, from a local checkpoint (greedy) or an
 * OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama), on a split of a built-in task or
 * on a real benchmark (GSM8K with the calculator, MATH-500 with the sandboxed code tool, HotpotQA
 * with a search over each question's own 10 paragraphs).
 *
 * @param config - the resolved eval config
 * @param options - log, an optional started backend, and the environment the endpoint's API key
 *   is read from (default `process.env`; see {@link readApiKey})
 * @returns the evaluation row (written to `config.out/eval.json` when `out` is set)
 * @throws ConfigError when `out` belongs to another command (an SFT warm start, a run, …)
 * @example
 * (await runEval(evalConfigSchema.parse({ env: 'gsm8k', endpoint: 'http://127.0.0.1:8000/v1', model: 'qwen', limit: 50 }))).accuracy;
 */
export async function runEval(config: EvalConfig, options: { log?: (line: string) => void; backend?: Backend; env?: NodeJS.ProcessEnv } = {}): Promise<EvalRow> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Refused before the evaluation runs when --out belongs to another command (a warm start's eval.json is its own).
  if (config.out !== undefined) openFolder(config.out, 'eval', log);
  let suite: EvalSuite;
  if (config.env === 'arith' || config.env === 'kb') {
    const env = createEnvironment(config.env, config.task);
    const items = env[config.split];
    suite = { tasks: items.map((t) => ({ id: t.id, prompt: t.prompt, answer: t.answer, oracleCalls: t.oracleCalls })), tools: env.tools, maxTokens: env.maxTokens };
  } else suite = await benchmarkSuite(config.env, config.data, config.limit);
  const tasks = firstOf(suite.tasks, config.limit);
  if (tasks.length === 0) {
    const from = config.env === 'arith' || config.env === 'kb' ? `the ${config.split} split of ${config.env}` : `the ${config.env} data file${config.data === undefined ? '' : ` ${config.data}`}`;
    throw new Error(`eval: no questions to evaluate in ${from}; an empty evaluation has no accuracy`);
  }
  const limits = { maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens: config.maxTokens ?? suite.maxTokens, alpha: 0.5, match: suite.match };
  let row: EvalRow;
  if (config.checkpoint !== undefined) {
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
