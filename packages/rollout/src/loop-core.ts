import {
  episodeFacts,
  extractFinalAnswer,
  defaultAnswerMatch,
  formatToolResult,
  parseToolCalls,
  runTool,
  type Tool,
  type ToolResult,
} from '@paretopo/envs';
import { RolloutError } from './errors';
import { ConcurrencyLimiter } from './limiter';
import type { ResolvedLoopOptions, ToolSet } from './options';
import type { ChatToolCall, EpisodeRecord, FinishReason, RolloutTask, Segment, ToolCallOutcome } from './types';

/** Mutable state of one episode while the loop runs. */
export interface EpisodeState {
  index: number;
  task: RolloutTask;
  groupId: number;
  /** The episode's tools: its task's own, else `options.tools`. */
  toolSet: ToolSet;
  segments: Segment[];
  /** Completion text (generated + tool outputs). */
  text: string;
  calls: ToolCallOutcome[];
  turns: number;
  generatedTokens: number;
  /** Tokens of all segments (token-level policies; 0 otherwise). */
  contextTokens: number;
  stopReason: Exclude<FinishReason, 'answer' | 'malformed'> | undefined;
  done: boolean;
}

/** One turn of one episode as a driver returns it. */
export interface TurnOutput {
  text: string;
  /** Tokens generated (counted toward `maxTokens`). */
  count: number;
  finish: 'stop' | 'length';
  tokens?: Int32Array;
  logprobs?: Float32Array;
  nativeCalls?: ChatToolCall[];
}

/** The policy side of the loop: token-level or chat. The core never looks at token values. */
export interface TurnDriver {
  /** Native `tool_calls` protocol instead of text tags. */
  readonly native: boolean;
  promptSegment(task: RolloutTask): Segment;
  /** Tokens the episode may still generate (<= 0 ends it with `max-tokens`). */
  budget(episode: EpisodeState): number;
  generate(episodes: EpisodeState[], budgets: number[], round: number): Promise<TurnOutput[]>;
  toolSegment(episode: EpisodeState, text: string, toolCallId: string | undefined): Segment;
}

interface FoundCall {
  outcome: ToolCallOutcome;
  tool: Tool<any> | undefined;
  id: string | undefined;
}

interface TurnCalls {
  calls: FoundCall[];
  /** The turn ends the episode whatever the calls (answer, unclosed tag). */
  ends: boolean;
  answered: boolean;
}

function invalid(name: string, args: unknown, message: string): ToolCallOutcome {
  return { name, args, valid: false, ok: false, output: `error: ${message}`, error: 'invalid-call', ran: false };
}

function textCalls(text: string, { tools, tagLimits }: ToolSet, answerTag: string): TurnCalls {
  const parsed = parseToolCalls(text, { tools: tagLimits, answerTag });
  let unclosed = false;
  const calls: FoundCall[] = [];
  for (const c of parsed.calls) {
    const tool = tools.find((t) => t.tag === c.tag);
    // A registered tag without its closing tag runs to the end of the turn: the policy stopped
    // (end-of-sequence) mid-call, so the episode ends instead of answering a half-written call.
    if (tool !== undefined && !text.startsWith(`</${c.tag}>`, c.bodyEnd)) unclosed = true;
    const outcome = c.valid
      ? { name: tool!.name, args: tool!.argsFromText(c.body), valid: true, ok: false, output: '', ran: false }
      : invalid(tool?.name ?? c.tag, c.body, c.error ?? 'invalid call');
    calls.push({ outcome, tool, id: undefined });
  }
  const answered = parsed.answer !== null;
  return { calls, ends: answered || parsed.unclosedAnswer || unclosed, answered };
}

function nativeCalls(out: TurnOutput, tools: readonly Tool<any>[]): TurnCalls {
  const list = out.nativeCalls ?? [];
  const calls: FoundCall[] = list.map((nc) => {
    const tool = tools.find((t) => t.name === nc.name);
    if (tool === undefined) {
      const avail = tools.map((t) => t.name).join(', ') || 'none';
      return { outcome: invalid(nc.name, nc.arguments, `unknown tool "${nc.name}"; available: ${avail}`), tool, id: nc.id };
    }
    let args: unknown;
    try {
      args = JSON.parse(nc.arguments === '' ? '{}' : nc.arguments);
    } catch {
      return { outcome: invalid(nc.name, nc.arguments, `arguments of ${nc.name} are not valid JSON`), tool, id: nc.id };
    }
    if (args === null || typeof args !== 'object' || Array.isArray(args)) {
      return { outcome: invalid(nc.name, nc.arguments, `arguments of ${nc.name} must be a JSON object`), tool, id: nc.id };
    }
    return { outcome: { name: tool.name, args, valid: true, ok: false, output: '', ran: false }, tool, id: nc.id };
  });
  return { calls, ends: list.length === 0, answered: list.length === 0 && extractFinalAnswer(out.text) !== null };
}

/**
 * The multi-turn loop over segments, shared by token-level and chat policies: generate for every
 * active episode, find the calls of the new turn, run them (concurrency-limited, with timeouts),
 * append their outputs as `tool` segments, and stop each episode on an answer, end-of-sequence
 * or a limit. Masks are later built from segment kinds, never from token values.
 */
export async function runEpisodes(
  tasks: readonly RolloutTask[],
  driver: TurnDriver,
  o: ResolvedLoopOptions,
): Promise<EpisodeState[]> {
  const episodes: EpisodeState[] = [];
  for (let t = 0; t < tasks.length; t++) {
    for (let g = 0; g < o.groupSize; g++) {
      const prompt = driver.promptSegment(tasks[t]);
      episodes.push({
        index: episodes.length,
        task: tasks[t],
        groupId: t,
        toolSet: o.toolSets[t],
        segments: [prompt],
        text: '',
        calls: [],
        turns: 0,
        generatedTokens: 0,
        contextTokens: prompt.tokens?.length ?? 0,
        stopReason: undefined,
        done: false,
      });
    }
  }
  const limiter = new ConcurrencyLimiter(o.toolConcurrency);
  const push = (e: EpisodeState, seg: Segment): void => {
    e.segments.push(seg);
    e.text += seg.text;
    e.contextTokens += seg.tokens?.length ?? 0;
  };
  for (let round = 0; ; round++) {
    const ready: EpisodeState[] = [];
    const budgets: number[] = [];
    for (const e of episodes) {
      if (e.done) continue;
      const b = driver.budget(e);
      if (b <= 0) {
        e.done = true;
        e.stopReason = 'max-tokens';
      } else {
        ready.push(e);
        budgets.push(b);
      }
    }
    if (ready.length === 0) break;
    if (o.signal?.aborted) throw new RolloutError('aborted', 'rollout: aborted', { cause: o.signal.reason });
    const outs = await driver.generate(ready, budgets, round);
    const pending: { e: EpisodeState; call: FoundCall }[] = [];
    for (let i = 0; i < ready.length; i++) {
      const e = ready[i];
      const out = outs[i];
      const seg: Segment = { kind: 'generated', text: out.text };
      if (out.tokens) seg.tokens = out.tokens;
      if (out.logprobs) seg.logprobs = out.logprobs;
      if (out.nativeCalls && out.nativeCalls.length > 0) seg.nativeCalls = out.nativeCalls;
      push(e, seg);
      e.turns++;
      e.generatedTokens += out.count;
      const found = driver.native ? nativeCalls(out, e.toolSet.tools) : textCalls(out.text, e.toolSet, o.answerTag);
      if (found.ends || out.finish === 'length' || found.calls.length === 0) {
        for (const c of found.calls) {
          if (c.outcome.valid) c.outcome.error = 'not-run';
          e.calls.push(c.outcome);
        }
        e.done = true;
        if (out.finish === 'length' && !found.answered) e.stopReason = 'max-tokens';
        continue;
      }
      for (const c of found.calls) {
        if (e.stopReason === 'max-tool-calls' || e.calls.length >= o.maxToolCalls) {
          // The call past the limit is recorded (episode facts count it) but never run.
          if (c.outcome.valid) c.outcome.error = 'not-run';
          e.calls.push(c.outcome);
          e.stopReason = 'max-tool-calls';
          e.done = true;
          continue;
        }
        e.calls.push(c.outcome);
        pending.push({ e, call: c });
      }
    }
    await Promise.all(
      pending.map(async ({ call }) => {
        const { outcome, tool } = call;
        if (!outcome.valid || tool === undefined) {
          outcome.ran = true;
          return;
        }
        const result: ToolResult = await limiter.run(() =>
          runTool(tool, outcome.args, { timeoutMs: o.toolTimeoutMs, signal: o.signal }),
        );
        outcome.ran = true;
        outcome.ok = result.ok;
        outcome.output = result.output;
        if (!result.ok) outcome.error = result.error ?? 'error';
      }),
    );
    for (const { e, call } of pending) {
      const cap = o.toolOutputChars;
      const result = { ok: call.outcome.ok, output: call.outcome.output };
      const text = driver.native
        ? result.output.length > cap ? result.output.slice(0, cap) : result.output
        : formatToolResult({ resultTag: call.tool?.resultTag ?? e.toolSet.defaultResultTag }, result, cap);
      push(e, driver.toolSegment(e, text, call.id));
    }
    for (const e of ready) {
      if (e.done) continue;
      if (e.turns >= o.maxTurns) {
        e.done = true;
        e.stopReason = 'max-turns';
      } else if (driver.budget(e) <= 0) {
        e.done = true;
        e.stopReason = 'max-tokens';
      }
    }
  }
  return episodes;
}

/** Per-episode record from the loop state, with envs' `episodeFacts` (text protocol). */
export function episodeRecord(e: EpisodeState, o: ResolvedLoopOptions, native: boolean): EpisodeRecord {
  const match = o.match ?? defaultAnswerMatch;
  let answer: string | null;
  let finishReason: FinishReason;
  let validCalls: number;
  let invalidCalls: number;
  let correct: boolean;
  if (!native) {
    const facts = episodeFacts(e.text, {
      tools: e.toolSet.tagLimits,
      gold: e.task.answer,
      match,
      turns: e.turns,
      generatedTokens: e.generatedTokens,
      stopReason: e.stopReason,
      answerTag: o.answerTag,
    });
    ({ answer, finishReason, validCalls, invalidCalls, correct } = facts);
  } else {
    // Native calls are not in the text, so the facts come from the call records; the answer is
    // the last turn's `<ans>`, `\boxed{}` or `####` (envs' extractFinalAnswer).
    validCalls = e.calls.filter((c) => c.valid).length;
    invalidCalls = e.calls.length - validCalls;
    const last = e.segments[e.segments.length - 1];
    answer = last.kind === 'generated' && !last.nativeCalls ? extractFinalAnswer(last.text) : null;
    if (answer !== null) answer = answer.trim();
    finishReason = e.stopReason ?? (invalidCalls > 0 || answer === null ? 'malformed' : 'answer');
    correct = finishReason === 'answer' && answer !== null && match(answer, e.task.answer);
  }
  return {
    index: e.index,
    taskId: e.task.id,
    groupId: e.groupId,
    toolCalls: e.calls,
    answer,
    finishReason,
    correct,
    validCalls,
    invalidCalls,
    turns: e.turns,
    generatedTokens: e.generatedTokens,
    text: e.text,
  };
}
