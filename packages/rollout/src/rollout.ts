import { describeValue } from '@paretopo/pareto';
import { RolloutError } from './errors';
import { episodeRecord, runEpisodes, type EpisodeState, type TurnDriver, type TurnOutput } from './loop-core';
import { resolveLoopOptions, roundSeed, type LoopOptions, type ResolvedLoopOptions } from './options';
import { packEpisodes } from './pack';
import type { Generation, Policy, RolloutTask, Trajectories } from './types';

/** Options of {@link rollout}: the loop limits plus a context cap for local models. */
export interface RolloutOptions extends LoopOptions {
  /**
   * Most tokens in an episode's context (prompt + generated + tool outputs), e.g. the model's
   * position limit. A tool output is cut to fit; a full context ends the episode (`max-tokens`).
   * Default: no cap.
   */
  maxContextTokens?: number;
}

function concatTokens(e: EpisodeState): Int32Array {
  const out = new Int32Array(e.contextTokens);
  let at = 0;
  for (const s of e.segments) {
    if (!s.tokens) continue;
    out.set(s.tokens, at);
    at += s.tokens.length;
  }
  return out;
}

/** Checks one policy answer: a generation per context, typed arrays of equal length, finite log-probs. */
function checkGenerations(gens: unknown, n: number): Generation[] {
  if (!Array.isArray(gens) || gens.length !== n) {
    throw new RolloutError('policy-output', `rollout: policy.generate must return one generation per context (${n}, got ${describeValue(gens)})`);
  }
  for (let i = 0; i < n; i++) {
    const g = gens[i] as Generation | null;
    if (
      g === null ||
      typeof g !== 'object' ||
      !(g.tokens instanceof Int32Array) ||
      !(g.logprobs instanceof Float32Array) ||
      g.logprobs.length !== g.tokens.length ||
      (g.finish !== 'stop' && g.finish !== 'length')
    ) {
      throw new RolloutError(
        'policy-output',
        `rollout: generation ${i} must be { tokens: Int32Array, logprobs: Float32Array of the same length, finish: 'stop' | 'length' }`,
      );
    }
    for (let k = 0; k < g.logprobs.length; k++) {
      if (!Number.isFinite(g.logprobs[k])) {
        throw new RolloutError('policy-output', `rollout: generation ${i} has a non-finite log-prob at token ${k} (${g.logprobs[k]})`);
      }
    }
  }
  return gens as Generation[];
}

function tokenDriver(policy: Policy, o: ResolvedLoopOptions, maxContext: number): TurnDriver {
  const tok = policy.tokenizer;
  const budget = (e: EpisodeState): number => Math.min(o.maxTokens - e.generatedTokens, maxContext - e.contextTokens);
  /** One `generate` call for `episodes[at[j]]` (all sharing `stop`), results written to `into`. */
  const call = async (
    episodes: EpisodeState[],
    budgets: number[],
    at: number[],
    stop: readonly string[],
    seed: number,
    into: Generation[],
  ): Promise<void> => {
    const n = at.length;
    const contexts: Int32Array[] = new Array(n);
    let maxNewTokens = 0;
    for (let j = 0; j < n; j++) {
      const i = at[j];
      contexts[j] = concatTokens(episodes[i]);
      if (budgets[i] > maxNewTokens) maxNewTokens = budgets[i];
    }
    const gens = checkGenerations(await policy.generate(contexts, { maxNewTokens, stop, temperature: o.temperature, seed, signal: o.signal }), n);
    for (let j = 0; j < n; j++) into[at[j]] = gens[j];
  };
  return {
    native: false,
    promptSegment: (task) => ({ kind: 'prompt', text: task.prompt, tokens: tok.encode(task.prompt) }),
    budget,
    async generate(episodes, budgets, round): Promise<TurnOutput[]> {
      const gens: Generation[] = new Array(episodes.length);
      // Policy.generate takes one stop list per batch, so episodes whose tools differ in tags
      // go in separate calls (one per stop list, in order of first appearance, one after the
      // other: a local model need not be re-entrant); call k of a round gets seed stream k, and
      // stream 0 is the seed of a round without per-task tools. Tool sets with equal stop
      // strings share one array, so e.g. per-question search tools still make one batch.
      const groups = new Map<readonly string[], number[]>();
      for (let i = 0; i < episodes.length; i++) {
        const stops = episodes[i].toolSet.stops;
        const g = groups.get(stops);
        if (g === undefined) groups.set(stops, [i]);
        else g.push(i);
      }
      let k = 0;
      for (const [stop, at] of groups) await call(episodes, budgets, at, stop, roundSeed(o.seed, round, k++), gens);
      return gens.map((g, i) => {
        let tokens = g.tokens;
        let logprobs = g.logprobs;
        let finish = g.finish;
        // The batch shares one maxNewTokens (the largest budget); episodes with less left keep
        // only their budget, which a causal model's earlier tokens and log-probs do not depend on.
        if (tokens.length > budgets[i]) {
          tokens = tokens.slice(0, budgets[i]);
          logprobs = logprobs.slice(0, budgets[i]);
          finish = 'length';
        }
        return { text: tok.decode(tokens), count: tokens.length, finish, tokens, logprobs };
      });
    },
    toolSegment(e, text) {
      let tokens = tok.encode(text);
      const room = maxContext - e.contextTokens;
      if (tokens.length > room) {
        tokens = tokens.slice(0, Math.max(0, room));
        return { kind: 'tool', text: tok.decode(tokens), tokens };
      }
      return { kind: 'tool', text, tokens };
    },
  };
}

/**
 * Runs the multi-turn agent loop with a token-level policy: for each task, `groupSize` samples
 * generate (batched) until a tool tag closes, `</ans>` or end-of-sequence; tool calls are parsed
 * with envs' `parseToolCalls`, run with envs' `runTool` (concurrency-limited, timed out), and
 * their outputs appended in the result tag with loss mask 0; repeat until an answer or a limit.
 *
 * @param policy - Token-level policy (its tokenizer encodes prompts and tool outputs).
 * @param tasks - Tasks `{ id, prompt, answer, tools? }` (envs' `TaskItem`s fit); a task's own
 *   `tools` replace `options.tools` for its episodes (stop strings included: episodes whose tags
 *   differ are generated in separate `policy.generate` calls of the same round).
 * @param options - Limits and sampling (see {@link RolloutOptions}); `groupSize` default 8.
 * @returns Packed trajectories: tokens, offsets (n + 1), loss mask, old log-probs, group and task
 *   ids, and one record per episode (task-major order: task t, sample g → episode t·G + g).
 * @example
 * const calc = createCalculator();
 * const policy = scriptedPolicy(charTokenizer(), ({ text }) => (text.includes('<res>') ? '<ans>5</ans>' : '<calc>2+3</calc>'));
 * const out = await rollout(policy, [{ id: 'q', prompt: 'What is 2+3?\n', answer: '5' }], { groupSize: 1, tools: [calc] });
 * out.episodes[0].finishReason; // 'answer' (text '<calc>2+3</calc><res>5</res><ans>5</ans>')
 */
export async function rollout(policy: Policy, tasks: readonly RolloutTask[], options: RolloutOptions = {}): Promise<Trajectories> {
  if (policy === null || typeof policy !== 'object' || typeof policy.generate !== 'function') {
    throw new TypeError(`rollout: policy must have a generate(contexts, options) method (got ${describeValue(policy)})`);
  }
  const tk = policy.tokenizer;
  if (tk === null || typeof tk !== 'object' || typeof tk.encode !== 'function' || typeof tk.decode !== 'function') {
    throw new TypeError(`rollout: policy.tokenizer must have encode and decode (got ${describeValue(tk)})`);
  }
  const o = resolveLoopOptions('rollout', tasks, options, { groupSize: 8, temperature: 1 });
  const maxContext = options.maxContextTokens ?? Number.POSITIVE_INFINITY;
  if (!(maxContext === Number.POSITIVE_INFINITY || (Number.isInteger(maxContext) && maxContext >= 1))) {
    throw new RangeError(`rollout: options.maxContextTokens must be an integer >= 1 (got ${describeValue(maxContext)})`);
  }
  const states = await runEpisodes(tasks, tokenDriver(policy, o, maxContext), o);
  const packed = packEpisodes(states);
  return {
    ...packed,
    taskIds: states.map((e) => e.task.id),
    episodes: states.map((e) => episodeRecord(e, o, false)),
  };
}
