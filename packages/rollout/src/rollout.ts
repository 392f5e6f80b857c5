import { describeValue, stopSequences } from '@paretopo/envs';
import { RolloutError } from './errors';
import { episodeRecord, runEpisodes, type EpisodeState, type TurnDriver, type TurnOutput } from './loop-core';
import { resolveLoopOptions, roundSeed, type LoopOptions, type ResolvedLoopOptions } from './options';
import { packEpisodes } from './pack';
import type { Policy, RolloutTask, Trajectories } from './types';

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

function tokenDriver(policy: Policy, o: ResolvedLoopOptions, maxContext: number): TurnDriver {
  const tok = policy.tokenizer;
  const stop = stopSequences(
    o.tools.map((t) => t.tag),
    o.answerTag,
  );
  const budget = (e: EpisodeState): number => Math.min(o.maxTokens - e.generatedTokens, maxContext - e.contextTokens);
  return {
    native: false,
    promptSegment: (task) => ({ kind: 'prompt', text: task.prompt, tokens: tok.encode(task.prompt) }),
    budget,
    async generate(episodes, budgets, round): Promise<TurnOutput[]> {
      let maxNewTokens = 0;
      for (const b of budgets) if (b > maxNewTokens) maxNewTokens = b;
      const contexts = episodes.map(concatTokens);
      const gens = await policy.generate(contexts, {
        maxNewTokens,
        stop,
        temperature: o.temperature,
        seed: roundSeed(o.seed, round),
        signal: o.signal,
      });
      if (!Array.isArray(gens) || gens.length !== contexts.length) {
        throw new RolloutError(
          'policy-output',
          `rollout: policy.generate must return one generation per context (${contexts.length}, got ${describeValue(gens)})`,
        );
      }
      return gens.map((g, i) => {
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
 * @param tasks - Tasks `{ id, prompt, answer }` (envs' `TaskItem`s fit).
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
