import { parseToolCalls, toOpenAITool, type OpenAIToolSpec } from '@paretopo/envs';
import { describeValue } from '@paretopo/pareto';
import { episodeRecord, runEpisodes, type EpisodeState, type TurnDriver, type TurnOutput } from './loop-core';
import { resolveLoopOptions, roundSeed, type LoopOptions, type ResolvedLoopOptions, type ToolSet } from './options';
import { systemPrompt } from './prompt';
import type { ChatMessage, ChatPolicy, ChatReply, EpisodeRecord, RolloutTask } from './types';

/** Options of {@link chatRollout}. */
export interface ChatRolloutOptions extends LoopOptions {
  /**
   * `'text'` (default): tools as text tags, stop strings = closing tags, tool output sent back
   * as a user message in the result tag. `'native'`: tools as OpenAI functions, `tool_calls`
   * mapped to the same call records, outputs sent as `role: 'tool'` messages.
   */
  protocol?: 'text' | 'native';
  /**
   * System message; `null` for none. Default {@link systemPrompt} for the episode's tools (its
   * task's own `tools` when present, else `options.tools`) and the protocol.
   */
  systemPrompt?: string | null;
}

/**
 * Restores the stop string a chat server dropped (OpenAI semantics: the matched stop is not part
 * of the text): vLLM's `stop_reason` when given, else the closing tag of a call or answer left
 * open at the end of the text.
 */
function restoreStop(reply: ChatReply, stops: readonly string[], tagLimits: Record<string, number>, answerTag: string): string {
  const text = reply.text;
  if (reply.finish !== 'stop') return text;
  if (reply.stop !== undefined) return stops.includes(reply.stop) && !text.endsWith(reply.stop) ? text + reply.stop : text;
  if (stops.some((s) => text.endsWith(s))) return text;
  const parsed = parseToolCalls(text, { tools: tagLimits, answerTag });
  const last = parsed.calls[parsed.calls.length - 1];
  if (last && Object.prototype.hasOwnProperty.call(tagLimits, last.tag) && last.bodyEnd === text.length && !text.endsWith(`</${last.tag}>`)) {
    return `${text}</${last.tag}>`;
  }
  if (parsed.unclosedAnswer) return `${text}</${answerTag}>`;
  return text;
}

function messagesOf(e: EpisodeState, system: string | null, native: boolean): ChatMessage[] {
  const msgs: ChatMessage[] = [];
  if (system !== null) msgs.push({ role: 'system', content: system });
  let lastWasTool = false;
  for (const s of e.segments) {
    if (s.kind === 'prompt') msgs.push({ role: 'user', content: s.text });
    else if (s.kind === 'generated') {
      const calls = s.nativeCalls?.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } }));
      msgs.push(calls ? { role: 'assistant', content: s.text === '' ? null : s.text, tool_calls: calls } : { role: 'assistant', content: s.text });
    } else if (native) msgs.push({ role: 'tool', tool_call_id: s.toolCallId ?? '', content: s.text });
    else if (lastWasTool) {
      // Several calls in one turn: their results share one user message (chat templates expect
      // user and assistant to alternate).
      const prev = msgs[msgs.length - 1] as { role: 'user'; content: string };
      prev.content += s.text;
    } else msgs.push({ role: 'user', content: s.text });
    lastWasTool = s.kind === 'tool';
  }
  return msgs;
}

/** What a chat request carries for one tool set: the native specs and the system message. */
interface ChatToolView {
  specs: OpenAIToolSpec[];
  system: string | null;
}

function chatDriver(
  policy: ChatPolicy,
  o: ResolvedLoopOptions,
  native: boolean,
  system: string | null | undefined,
): TurnDriver {
  // Built once per distinct tool set (a task's own tools, or options.tools), not per request.
  const views = new Map<ToolSet, ChatToolView>();
  for (const set of o.toolSets) {
    if (views.has(set)) continue;
    views.set(set, {
      specs: set.tools.map(toOpenAITool),
      system: system === undefined ? systemPrompt(set.tools, native ? 'native' : 'text', o.answerTag) : system,
    });
  }
  return {
    native,
    promptSegment: (task) => ({ kind: 'prompt', text: task.prompt }),
    budget: (e) => o.maxTokens - e.generatedTokens,
    generate(episodes, budgets, round): Promise<TurnOutput[]> {
      return Promise.all(
        episodes.map(async (e, i): Promise<TurnOutput> => {
          const set = e.toolSet;
          const view = views.get(set)!;
          const reply = await policy.complete(messagesOf(e, view.system, native), {
            maxTokens: budgets[i],
            ...(native ? (view.specs.length > 0 ? { tools: view.specs } : {}) : { stop: set.stops }),
            temperature: o.temperature,
            seed: roundSeed(o.seed, round, e.index),
            signal: o.signal,
          });
          const text = native ? reply.text : restoreStop(reply, set.stops, set.tagLimits, o.answerTag);
          // Servers that report no usage are charged about 4 characters per token.
          const count = reply.completionTokens ?? Math.ceil(text.length / 4);
          const out: TurnOutput = { text, count, finish: reply.finish === 'length' ? 'length' : 'stop' };
          if (native && reply.toolCalls.length > 0) out.nativeCalls = reply.toolCalls;
          return out;
        }),
      );
    },
    toolSegment: (_e, text, toolCallId) => (toolCallId === undefined ? { kind: 'tool', text } : { kind: 'tool', text, toolCallId }),
  };
}

/**
 * Runs the multi-turn loop with a chat policy (an OpenAI-compatible server): same limits, call
 * records and episode facts as {@link rollout}, without tokens (the server keeps them). Use it for
 * evaluation or for collecting trajectories from a served model.
 *
 * @param policy - A chat policy, e.g. {@link OpenAIChatPolicy}.
 * @param tasks - Tasks `{ id, prompt, answer, tools? }`; a task's own `tools` replace
 *   `options.tools` for its episodes (stop strings, native tool specs, default system prompt).
 * @param options - See {@link ChatRolloutOptions}; `groupSize` default 1, temperature default 1.
 * @returns One record per episode (task-major order).
 * @example
 * const eps = await chatRollout(new OpenAIChatPolicy({ baseUrl: 'http://127.0.0.1:8000/v1', model: 'm' }), tasks, { tools: [createCalculator()] });
 * eps[0].finishReason; // e.g. 'answer'
 */
export async function chatRollout(
  policy: ChatPolicy,
  tasks: readonly RolloutTask[],
  options: ChatRolloutOptions = {},
): Promise<EpisodeRecord[]> {
  if (policy === null || typeof policy !== 'object' || typeof policy.complete !== 'function') {
    throw new TypeError(`chatRollout: policy must have a complete(messages, options) method (got ${describeValue(policy)})`);
  }
  const o = resolveLoopOptions('chatRollout', tasks, options, { groupSize: 1, temperature: 1 });
  const protocol = options.protocol ?? 'text';
  if (protocol !== 'text' && protocol !== 'native') {
    throw new TypeError(`chatRollout: options.protocol must be 'text' or 'native' (got ${describeValue(protocol)})`);
  }
  const system = options.systemPrompt;
  if (system !== undefined && system !== null && typeof system !== 'string') {
    throw new TypeError(`chatRollout: options.systemPrompt must be a string or null (got ${describeValue(system)})`);
  }
  const native = protocol === 'native';
  const states = await runEpisodes(tasks, chatDriver(policy, o, native, system), o);
  return states.map((e) => episodeRecord(e, o, native));
}
