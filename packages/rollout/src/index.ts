export { RolloutError } from './errors';
export { ConcurrencyLimiter } from './limiter';
export { charTokenizer } from './char-tokenizer';
export { scriptedPolicy } from './scripted-policy';
export type { ScriptContext, ScriptedPolicyOptions } from './scripted-policy';
export { rollout } from './rollout';
export type { RolloutOptions } from './rollout';
export { chatRollout } from './chat-rollout';
export type { ChatRolloutOptions } from './chat-rollout';
export { OpenAIChatPolicy, retryAfterMs } from './openai-chat';
export type { OpenAIChatPolicyOptions } from './openai-chat';
export { evaluate, summarizeEpisodes } from './evaluate';
export type { EvaluateOptions, EvaluateResult } from './evaluate';
export { systemPrompt } from './prompt';
export type { LoopOptions } from './options';
export type {
  Tokenizer,
  Policy,
  GenerateOptions,
  Generation,
  ChatPolicy,
  ChatMessage,
  ChatWireToolCall,
  ChatToolCall,
  ChatCompleteOptions,
  ChatReply,
  RolloutTask,
  Segment,
  ToolCallOutcome,
  EpisodeRecord,
  FinishReason,
  Trajectories,
} from './types';
