import { describeValue } from '@paretopo/pareto';
import { chatRollout, type ChatRolloutOptions } from './chat-rollout';
import { rollout, type RolloutOptions } from './rollout';
import type { ChatPolicy, EpisodeRecord, Policy, RolloutTask } from './types';

/** Options of {@link evaluate}: the loop options of either policy kind; `groupSize` 1 and temperature 0 by default. */
export interface EvaluateOptions extends RolloutOptions, ChatRolloutOptions {}

/** One model's accuracy–efficiency point on a task split. */
export interface EvaluateResult {
  /** Correct episodes / episodes (0 for no episodes). */
  accuracy: number;
  /** Tool calls (valid + invalid) per episode. */
  meanCalls: number;
  /** Correct episodes / tool calls, with the calls floored at 1 so a tool-free run scores its correct count. */
  toolProductivity: number;
  /** Number of episodes. */
  n: number;
  correct: number;
  calls: number;
  episodes: EpisodeRecord[];
}

/**
 * Summarises episode records into accuracy, mean calls and tool productivity (OTC's
 * correct / calls; with no calls the denominator is 1).
 *
 * @param episodes - Records from {@link rollout}, {@link chatRollout} or {@link evaluate}.
 * @returns The summary with the records.
 * @example
 * summarizeEpisodes(records).accuracy; // e.g. 0.75
 */
export function summarizeEpisodes(episodes: readonly EpisodeRecord[]): EvaluateResult {
  if (!Array.isArray(episodes)) throw new TypeError(`summarizeEpisodes: episodes must be an array (got ${describeValue(episodes)})`);
  let correct = 0;
  let calls = 0;
  for (const e of episodes) {
    if (e.correct) correct++;
    calls += e.validCalls + e.invalidCalls;
  }
  const n = episodes.length;
  return {
    accuracy: n === 0 ? 0 : correct / n,
    meanCalls: n === 0 ? 0 : calls / n,
    toolProductivity: correct / Math.max(calls, 1),
    n,
    correct,
    calls,
    episodes: [...episodes],
  };
}

function isTokenPolicy(p: Policy | ChatPolicy): p is Policy {
  return typeof (p as Policy).generate === 'function';
}

/**
 * Runs a policy (token-level or chat) on a task split and returns its accuracy–efficiency
 * point: accuracy, mean tool calls, tool productivity and the per-episode records. Greedy
 * (temperature 0) and one sample per task unless the options say otherwise.
 *
 * @param policy - A {@link Policy} (runs {@link rollout}) or a {@link ChatPolicy} (runs {@link chatRollout}).
 * @param tasks - Tasks `{ id, prompt, answer, tools? }`, e.g. envs' `gsm8kTasks` (with the
 *   calculator) or `hotpotQATasks` (each with a `search` tool over its own paragraphs); a task's
 *   own `tools` replace `options.tools` for its episodes.
 * @param options - Loop options (see {@link EvaluateOptions}).
 * @returns See {@link EvaluateResult}.
 * @example
 * const policy = new OpenAIChatPolicy({ baseUrl: 'http://localhost:8000/v1', model: 'm' });
 * const r = await evaluate(policy, gsm8kTasks((await loadGsm8k()).slice(0, 50)));
 * [r.accuracy, r.meanCalls]; // e.g. [0.62, 1.4]
 */
export async function evaluate(
  policy: Policy | ChatPolicy,
  tasks: readonly RolloutTask[],
  options: EvaluateOptions = {},
): Promise<EvaluateResult> {
  if (policy === null || typeof policy !== 'object') {
    throw new TypeError(`evaluate: policy must be a Policy or a ChatPolicy (got ${describeValue(policy)})`);
  }
  const opts = { ...options, groupSize: options.groupSize ?? 1, temperature: options.temperature ?? 0 };
  if (isTokenPolicy(policy)) return summarizeEpisodes((await rollout(policy, tasks, opts)).episodes);
  if (typeof (policy as ChatPolicy).complete === 'function') return summarizeEpisodes(await chatRollout(policy, tasks, opts));
  throw new TypeError('evaluate: policy must have generate(contexts, options) or complete(messages, options)');
}
