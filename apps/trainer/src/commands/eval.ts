import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackend, type Backend } from '@paretopo/kernels';
import { loadCheckpoint } from '@paretopo/policy';
import { OpenAIChatPolicy, evaluate } from '@paretopo/rollout';
import type { EvalConfig } from '../config/schema';
import { createEnvironment } from '../environment';
import { evalRowOf, evaluatePolicy } from '../evaluation';
import { writeJsonAtomic } from '../run/files';
import { RUN_FILES, type EvalRow } from '../run/types';

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
  const pointer = join(path, RUN_FILES.checkpoints, 'latest.json');
  if (!existsSync(join(path, 'model.safetensors')) && existsSync(pointer)) {
    const latest = JSON.parse(readFileSync(pointer, 'utf8')) as { dir: string };
    return join(path, RUN_FILES.checkpoints, latest.dir);
  }
  return path;
}

/**
 * `paretopo eval`: one policy's accuracy–efficiency point on a split of a built-in task, from a
 * local checkpoint (greedy) or an OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp, Ollama).
 *
 * @param config - the resolved eval config
 * @param options - log and an optional started backend
 * @returns the evaluation row (written to `config.out/eval.json` when `out` is set)
 * @example
 * (await runEval(evalConfigSchema.parse({ env: 'arith', checkpoint: 'runs/sft-arith' }))).accuracy;
 */
export async function runEval(config: EvalConfig, options: { log?: (line: string) => void; backend?: Backend } = {}): Promise<EvalRow> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = createEnvironment(config.env, config.task);
  const tasks = config.split === 'test' ? env.test : env.train.slice(0, config.task.testCount);
  const maxTokens = config.maxTokens ?? env.maxTokens;
  let row: EvalRow;
  if (config.checkpoint !== undefined) {
    const backend = options.backend ?? (await createBackend(config.backend, { log: (m) => log(`backend: ${m}`) }));
    log(`backend: ${backend.info.name}${backend.info.adapter ? ` (${backend.info.adapter})` : ''}`);
    const dir = resolveCheckpointDir(config.checkpoint);
    const { model, tokenizer } = await loadCheckpoint(dir, backend);
    row = (await evaluatePolicy(model, tokenizer, tasks, env.tools, { maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens, alpha: 0.5 }, 0)).row;
  } else {
    const policy = new OpenAIChatPolicy({ baseUrl: config.endpoint!, model: config.model!, apiKey: config.apiKey });
    const result = await evaluate(
      policy,
      tasks.map((t) => ({ id: t.id, prompt: t.prompt, answer: t.answer })),
      { tools: env.tools, maxTurns: config.maxTurns, maxToolCalls: config.maxToolCalls, maxTokens, protocol: config.protocol },
    );
    row = evalRowOf(0, result, 0.5);
  }
  if (config.out !== undefined) {
    mkdirSync(config.out, { recursive: true });
    writeJsonAtomic(join(config.out, 'eval.json'), { config, ...row });
  }
  return row;
}
