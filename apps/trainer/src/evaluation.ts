import type { Tool } from '@paretopo/envs';
import { asRolloutPolicy, type TagTokenizer, type TinyGPT } from '@paretopo/policy';
import { evaluate, type EvaluateResult, type RolloutTask } from '@paretopo/rollout';
import type { EvalRow } from './run/types';

/** Episode limits of an evaluation (the same as the run's rollouts). */
export interface EvalLimits {
  maxTurns: number;
  maxToolCalls: number;
  maxTokens: number;
  /** α of the tool-efficiency yardstick exp(−α·N_call). */
  alpha: number;
  /** Answer equivalence (default: rollout's, numeric or SQuAD exact match). */
  match?: (prediction: string, gold: string) => boolean;
}

/**
 * Turns an evaluation into an {@link EvalRow}: accuracy, mean calls, tool productivity, tool
 * efficiency = mean exp(−α·N_call) (METHOD.md's r_tool with N_opt = 0, one scale for every method),
 * and the hypervolume of (accuracy, efficiency) against (0, 0), which for one point is their product.
 *
 * @param step - RL steps done
 * @param result - from rollout's `evaluate`
 * @param alpha - α of the yardstick
 * @returns the row
 * @example
 * evalRowOf(0, { accuracy: 0.5, meanCalls: 1, toolProductivity: 0.5, n: 2, correct: 1, calls: 2, episodes }, 0.5).hv;
 */
export function evalRowOf(step: number, result: EvaluateResult, alpha: number): EvalRow {
  let eff = 0;
  for (const e of result.episodes) eff += Math.exp(-alpha * (e.validCalls + e.invalidCalls));
  const toolEfficiency = result.n > 0 ? eff / result.n : 0;
  return {
    step,
    accuracy: result.accuracy,
    meanCalls: result.meanCalls,
    toolProductivity: result.toolProductivity,
    toolEfficiency,
    hv: result.accuracy * toolEfficiency,
    n: result.n,
    time: new Date().toISOString(),
  };
}

/**
 * Greedy evaluation of the local policy on a question list.
 *
 * @param model - the policy
 * @param tokenizer - its tokenizer
 * @param tasks - questions with gold answers (a task may carry its own tools)
 * @param tools - the environment's tools
 * @param limits - episode limits and α
 * @param step - RL steps done (recorded in the row)
 * @returns the evaluation row and the raw result (per-episode records)
 * @example
 * const { row } = await evaluatePolicy(model, tok, env.test, env.tools, { maxTurns: 4, maxToolCalls: 4, maxTokens: 64, alpha: 0.5 }, 0);
 */
export async function evaluatePolicy(
  model: TinyGPT,
  tokenizer: TagTokenizer,
  tasks: readonly RolloutTask[],
  tools: readonly Tool<any>[],
  limits: EvalLimits,
  step: number,
): Promise<{ row: EvalRow; result: EvaluateResult }> {
  const result = await evaluate(asRolloutPolicy(model, tokenizer), tasks, {
    tools,
    maxTurns: limits.maxTurns,
    maxToolCalls: limits.maxToolCalls,
    maxTokens: limits.maxTokens,
    maxContextTokens: model.config.context,
    match: limits.match,
  });
  return { row: evalRowOf(step, result, limits.alpha), result };
}
