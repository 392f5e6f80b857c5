import type { Tool } from '@paretopo/envs';
import { asRolloutPolicy, type TagTokenizer, type TinyGPT } from '@paretopo/policy';
import { evaluate, type EvaluateResult, type RolloutTask } from '@paretopo/rollout';
import type { EvalRow, OracleFigures, StratumFigures } from './run/types';

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
export function evalRowOf(
  step: number,
  result: EvaluateResult,
  alpha: number,
  oracleCalls?: ReadonlyMap<string, number>,
): EvalRow {
  let eff = 0;
  for (const e of result.episodes) eff += Math.exp(-alpha * (e.validCalls + e.invalidCalls));
  const toolEfficiency = result.n > 0 ? eff / result.n : 0;
  const oracle = oracleCalls === undefined ? undefined : oracleFiguresOf(result, alpha, oracleCalls);
  return {
    step,
    accuracy: result.accuracy,
    meanCalls: result.meanCalls,
    toolProductivity: result.toolProductivity,
    toolEfficiency,
    hv: result.accuracy * toolEfficiency,
    n: result.n,
    ...(oracle === undefined ? {} : { oracle }),
    time: new Date().toISOString(),
  };
}

/**
 * Excess and missing calls against each question's oracle calls, overall and per stratum, and the
 * oracle-relative efficiency mean exp(−α·max(0, calls − oracle)) with its HV (× accuracy).
 *
 * @param result - from rollout's `evaluate`
 * @param alpha - α of the efficiency
 * @param oracleCalls - task id → the oracle's minimum calls (every episode's task must be there)
 * @returns the figures; strata ascending by oracle calls
 * @throws RangeError when an episode's task has no oracle count
 * @example
 * oracleFiguresOf(result, 0.5, new Map(env.test.map((t) => [t.id, t.oracleCalls]))).excessCalls;
 */
export function oracleFiguresOf(result: EvaluateResult, alpha: number, oracleCalls: ReadonlyMap<string, number>): OracleFigures {
  const strata = new Map<number, StratumFigures>();
  let oracleSum = 0;
  let excess = 0;
  let missing = 0;
  let eff = 0;
  let correct = 0;
  for (const e of result.episodes) {
    const need = oracleCalls.get(e.taskId);
    if (need === undefined) throw new RangeError(`oracleFiguresOf: oracleCalls has no entry for task ${JSON.stringify(e.taskId)}`);
    const calls = e.validCalls + e.invalidCalls;
    const over = Math.max(0, calls - need);
    const under = Math.max(0, need - calls);
    oracleSum += need;
    excess += over;
    missing += under;
    eff += Math.exp(-alpha * over);
    if (e.correct) correct++;
    let s = strata.get(need);
    if (s === undefined) {
      s = { oracleCalls: need, n: 0, accuracy: 0, meanCalls: 0, excessCalls: 0, missingCalls: 0 };
      strata.set(need, s);
    }
    // Sums here; divided by n below.
    s.n++;
    s.accuracy += e.correct ? 1 : 0;
    s.meanCalls += calls;
    s.excessCalls += over;
    s.missingCalls += under;
  }
  const n = result.episodes.length;
  const mean = (x: number) => (n > 0 ? x / n : 0);
  const efficiency = mean(eff);
  return {
    meanOracleCalls: mean(oracleSum),
    excessCalls: mean(excess),
    missingCalls: mean(missing),
    efficiency,
    hv: mean(correct) * efficiency,
    strata: [...strata.values()]
      .sort((a, b) => a.oracleCalls - b.oracleCalls)
      .map((s) => ({
        oracleCalls: s.oracleCalls,
        n: s.n,
        accuracy: s.accuracy / s.n,
        meanCalls: s.meanCalls / s.n,
        excessCalls: s.excessCalls / s.n,
        missingCalls: s.missingCalls / s.n,
      })),
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
  tasks: readonly (RolloutTask & { oracleCalls?: number })[],
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
  return { row: evalRowOf(step, result, limits.alpha, oracleMapOf(tasks)), result };
}

/**
 * Task id → oracle calls when every task carries them (the built-in tasks do), else undefined.
 *
 * @param tasks - questions, possibly with `oracleCalls`
 * @returns the map, or undefined
 * @example
 * oracleMapOf(env.test)?.get(env.test[0].id); // e.g. 1
 */
export function oracleMapOf(tasks: readonly { id: string; oracleCalls?: number }[]): Map<string, number> | undefined {
  const map = new Map<string, number>();
  for (const t of tasks) {
    if (typeof t.oracleCalls !== 'number') return undefined;
    map.set(t.id, t.oracleCalls);
  }
  return map;
}
