import type { FinishReason, Tool } from '@paretopo/envs';

/** Maps text to token ids and back. A local model's tokenizer implements this. */
export interface Tokenizer {
  /** Token ids of `text`. */
  encode(text: string): Int32Array;
  /** Text of `tokens`. */
  decode(tokens: Int32Array): string;
}

/** Options of one {@link Policy.generate} call (shared by every context of the batch). */
export interface GenerateOptions {
  /** Most tokens to generate per context. */
  maxNewTokens: number;
  /**
   * Stop strings (closing tool tags and `</ans>`): generation of a context pauses as soon as its
   * decoded output ends with one of them; the stop string stays in the output.
   */
  stop: readonly string[];
  /** Sampling temperature (0 = greedy). */
  temperature: number;
  /**
   * Seed of the sampler for this call, one for the whole batch: derive a distinct stream per
   * context (e.g. from the seed and the context's index), or the G samples of a prompt come out
   * identical.
   */
  seed: number;
  /** Aborts the call. */
  signal?: AbortSignal;
}

/** What a {@link Policy} produced for one context. */
export interface Generation {
  /** Generated token ids, the stop string included. */
  tokens: Int32Array;
  /** Sampling log-probability of each generated token (same length as `tokens`). */
  logprobs: Float32Array;
  /** `'stop'`: a stop string or end-of-sequence ended it; `'length'`: `maxNewTokens` was reached. */
  finish: 'stop' | 'length';
  /** The stop string that ended generation, when one did (absent for end-of-sequence). */
  stop?: string;
}

/**
 * A token-level policy for RL rollouts: batched generation with sampling log-probs. The local
 * tiny transformer (and any model whose tokens and log-probs are visible) implements this.
 */
export interface Policy {
  /** The tokenizer the policy's ids belong to. */
  readonly tokenizer: Tokenizer;
  /** Continues each context; one {@link Generation} per context, in order. */
  generate(contexts: Int32Array[], options: GenerateOptions): Promise<Generation[]>;
}

/** A native (OpenAI `tool_calls`) function call. */
export interface ChatToolCall {
  /** Call id, echoed back as `tool_call_id` of the tool message. */
  id: string;
  /** Function name. */
  name: string;
  /** Arguments as the JSON text the model wrote. */
  arguments: string;
}

/** One chat message in OpenAI chat-completions shape. */
export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatWireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A tool call as it travels in assistant messages. */
export interface ChatWireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Options of one {@link ChatPolicy.complete} request. */
export interface ChatCompleteOptions {
  /** Most tokens to generate. */
  maxTokens: number;
  /** Stop strings (text-tag protocol); servers drop the matched stop string from the text. */
  stop?: readonly string[];
  /** Tools in OpenAI function format (native protocol). */
  tools?: readonly { type: 'function'; function: { name: string; description: string; parameters: unknown } }[];
  /** Sampling temperature. */
  temperature?: number;
  /** Sampling seed (servers that support it). */
  seed?: number;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** What a {@link ChatPolicy} answered. */
export interface ChatReply {
  /** Assistant text (`''` when the reply only holds tool calls). */
  text: string;
  /** Native tool calls (empty in the text-tag protocol). */
  toolCalls: ChatToolCall[];
  /** Why the server stopped. */
  finish: 'stop' | 'length' | 'tool_calls';
  /** The matched stop string when the server reports it (vLLM's `stop_reason`). */
  stop?: string;
  /** Generated tokens reported by the server (`usage.completion_tokens`). */
  completionTokens?: number;
}

/** A text-level policy behind a chat API (OpenAI-compatible servers). */
export interface ChatPolicy {
  /** Completes one conversation. */
  complete(messages: readonly ChatMessage[], options: ChatCompleteOptions): Promise<ChatReply>;
}

/**
 * A task the loop runs: envs' `TaskItem`s, loader items mapped to this shape (envs'
 * `gsm8kTasks`, `hotpotQATasks`), or your own.
 */
export interface RolloutTask {
  /** Stable id (one N_opt entry per id downstream). */
  id: string;
  /** What the policy sees first. */
  prompt: string;
  /** Gold answer. */
  answer: string;
  /**
   * This task's own tools, e.g. a `search` tool over the task's own passages (HotpotQA). When
   * present (`[]` included: no tools), every episode of the task uses these instead of the
   * loop's `options.tools`: its calls, stop strings, result tags, native tool specs and default
   * system prompt all come from this list. Checked like `options.tools` (distinct tags and
   * names). Tasks that share one array share one resolved tool set.
   */
  tools?: readonly Tool<any>[];
}

/** The part of an episode one side wrote: mask 1 on `generated`, 0 on `prompt` and `tool`. */
export interface Segment {
  kind: 'prompt' | 'generated' | 'tool';
  text: string;
  /** Token ids (token-level policies only). */
  tokens?: Int32Array;
  /** Sampling log-probs of `generated` tokens. */
  logprobs?: Float32Array;
  /** Native calls of a `generated` segment (chat native protocol). */
  nativeCalls?: ChatToolCall[];
  /** The call a `tool` segment answers (chat native protocol). */
  toolCallId?: string;
}

/** One tool call of an episode, valid or not, run or not. */
export interface ToolCallOutcome {
  /** Tool name (`calculator`), or the tag / function name as written when unknown. */
  name: string;
  /** Arguments passed to the tool (`argsFromText` of the body, or the parsed JSON); the raw text when invalid. */
  args: unknown;
  /** Whether the call could be run (known tool, closed, non-empty, within length; JSON args in native mode). */
  valid: boolean;
  /** Whether the tool ran and succeeded. */
  ok: boolean;
  /** Tool output shown to the model (before the character cap), or the parse error. */
  output: string;
  /** Machine-readable reason when not ok (`timeout`, `exception`, `invalid-call`, `not-run`, …). */
  error?: string;
  /** False when the loop stopped before running it (a limit, an answer in the same turn, `length`). */
  ran: boolean;
}

/** Why an episode ended: envs' reasons (answer, max-turns, max-tool-calls, max-tokens, malformed). */
export type { FinishReason };

/** Per-episode record: envs' episode facts plus the calls and the completion text. */
export interface EpisodeRecord {
  /** Episode index in the batch (task-major: task t, sample g → t·G + g). */
  index: number;
  taskId: string;
  /** Group (= index of the task in the input). */
  groupId: number;
  toolCalls: ToolCallOutcome[];
  answer: string | null;
  finishReason: FinishReason;
  correct: boolean;
  validCalls: number;
  invalidCalls: number;
  turns: number;
  generatedTokens: number;
  /** Everything after the prompt: generated text and tool outputs. */
  text: string;
}

/** Packed trajectories of a batch: flat arrays plus offsets, the currency between packages. */
export interface Trajectories {
  /** All episodes' tokens (prompt, generated, tool output), concatenated. */
  tokens: Int32Array;
  /** Episode e spans `tokens[offsets[e] .. offsets[e+1])`; length n + 1. */
  offsets: Int32Array;
  /** 1 on policy-generated tokens, 0 on prompt and tool-output tokens. */
  lossMask: Uint8Array;
  /** Sampling log-prob of each generated token; 0 where the mask is 0. */
  oldLogprobs: Float32Array;
  /** Group of each episode (index of its task in the input); length n. */
  groupIds: Int32Array;
  /** Task id of each episode; length n. */
  taskIds: string[];
  /** Per-episode records, same order. */
  episodes: EpisodeRecord[];
}
