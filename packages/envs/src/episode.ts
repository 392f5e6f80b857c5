import { defaultAnswerMatch } from './answer-match';
import { type ParsedCalls, parseToolCalls } from './parse-calls';

/** Why an episode ended. */
export type FinishReason = 'answer' | 'max-turns' | 'max-tool-calls' | 'max-tokens' | 'malformed';

/** Limits an episode ran under; exceeding one sets the matching finish reason. */
export interface EpisodeLimits {
  maxTurns?: number;
  maxToolCalls?: number;
  maxTokens?: number;
}

/** Options of {@link episodeFacts}. */
export interface EpisodeFactsOptions {
  /** Registered tool tags with their longest body, e.g. `{ calc: 200 }` (see `toolTagLimits`). */
  tools: Record<string, number>;
  /** Gold answer. */
  gold: string;
  /** Answer equivalence. Default: {@link defaultAnswerMatch}. */
  match?: (prediction: string, gold: string) => boolean;
  /** Limits the episode ran under. */
  limits?: EpisodeLimits;
  /** Policy-generated tokens, when the caller counted them. */
  generatedTokens?: number;
  /** Policy turns, when the caller counted them (default: derived from the text). */
  turns?: number;
  /** The limit the rollout loop stopped on, if any (takes precedence). */
  stopReason?: Exclude<FinishReason, 'answer' | 'malformed'>;
  /** Answer tag. Default `'ans'`. */
  answerTag?: string;
}

/** Per-episode facts that rewards are computed from. */
export interface EpisodeFacts {
  /** Answered correctly, with no invalid call and within limits (METHOD §1: malformed scores 0). */
  correct: boolean;
  /** The extracted answer, or null. */
  answer: string | null;
  validCalls: number;
  invalidCalls: number;
  turns: number;
  generatedTokens?: number;
  finishReason: FinishReason;
}

function countTurns(text: string, parsed: ParsedCalls): number {
  const lastCallEnd = parsed.calls.length > 0 ? parsed.calls[parsed.calls.length - 1].end : 0;
  const tail = parsed.answer !== null ? 1 : text.slice(lastCallEnd).trim() !== '' ? 1 : 0;
  return parsed.calls.length + tail;
}

/**
 * Reads the facts of one finished episode from its text (the completion after the prompt,
 * tool outputs included). The finish reason is, in order: the caller's `stopReason`; a limit
 * exceeded by the counts; `malformed` when any call is invalid, the answer tag is unclosed or
 * there is no answer; else `answer`. Only `answer` episodes can be correct.
 *
 * @param text - Episode text after the prompt.
 * @param options - Tools, gold answer, limits (see {@link EpisodeFactsOptions}).
 * @returns The episode's facts.
 * @example
 * episodeFacts('<calc>37*46</calc><res>1702</res><ans>1702</ans>', { tools: { calc: 200 }, gold: '1702' }).correct; // true
 */
export function episodeFacts(text: string, options: EpisodeFactsOptions): EpisodeFacts {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`episodeFacts: options must be an object (got ${String(options)})`);
  }
  if (typeof options.gold !== 'string') {
    throw new TypeError(`episodeFacts: options.gold must be a string (got ${typeof options.gold})`);
  }
  const match = options.match ?? defaultAnswerMatch;
  const parsed = parseToolCalls(typeof text === 'string' ? text : '', { tools: options.tools, answerTag: options.answerTag });
  const turns = options.turns ?? countTurns(typeof text === 'string' ? text : '', parsed);
  const calls = parsed.validCalls + parsed.invalidCalls;
  const limits = options.limits ?? {};
  let finishReason: FinishReason;
  if (options.stopReason !== undefined) finishReason = options.stopReason;
  else if (limits.maxToolCalls !== undefined && calls > limits.maxToolCalls) finishReason = 'max-tool-calls';
  else if (limits.maxTurns !== undefined && turns > limits.maxTurns) finishReason = 'max-turns';
  else if (limits.maxTokens !== undefined && (options.generatedTokens ?? 0) > limits.maxTokens) finishReason = 'max-tokens';
  else if (parsed.invalidCalls > 0 || parsed.unclosedAnswer || parsed.answer === null) finishReason = 'malformed';
  else finishReason = 'answer';
  const answer = parsed.answer?.text ?? null;
  const facts: EpisodeFacts = {
    correct: finishReason === 'answer' && answer !== null && match(answer, options.gold),
    answer,
    validCalls: parsed.validCalls,
    invalidCalls: parsed.invalidCalls,
    turns,
    finishReason,
  };
  if (options.generatedTokens !== undefined) facts.generatedTokens = options.generatedTokens;
  return facts;
}
