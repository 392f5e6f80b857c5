import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describeValue } from '@paretopo/pareto';
import type { Tokenizer } from '@paretopo/rollout';

/** A model's tokenizer files, parsed: `tokenizer.json` and `tokenizer_config.json`. */
export interface TokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** Largest tokenizer file read (Qwen3's tokenizer.json is 11 MB). */
const MAX_TOKENIZER_FILE = 64 * 1024 * 1024;

function readJson(fn: string, path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8');
  if (text.length > MAX_TOKENIZER_FILE) throw new RangeError(`${fn}: ${path} is larger than ${MAX_TOKENIZER_FILE} characters`);
  const value = JSON.parse(text) as unknown;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${fn}: ${path} must hold a JSON object (got ${describeValue(value)})`);
  return value as Record<string, unknown>;
}

/**
 * Reads `tokenizer.json` and `tokenizer_config.json` from a model folder (a Hugging Face model
 * snapshot, or the files SkyRL serves the model from).
 *
 * @param dir - The folder.
 * @returns The parsed files.
 * @example
 * const files = readTokenizerFiles('/models/Qwen3-0.6B');
 * typeof files.tokenizerConfig.chat_template; // 'string'
 */
export function readTokenizerFiles(dir: string): TokenizerFiles {
  return { tokenizerJson: readJson('readTokenizerFiles', join(dir, 'tokenizer.json')), tokenizerConfig: readJson('readTokenizerFiles', join(dir, 'tokenizer_config.json')) };
}

/**
 * The model's own tokenizer (Hugging Face `tokenizers` semantics, in JavaScript) as a rollout
 * {@link Tokenizer}. Special tokens written as text (`<|im_start|>`) map to their ids, no BOS/EOS
 * is added (chat templates write them), and decoding keeps special tokens, so that a rendered
 * chat prompt, the engine's sampled ids and tool outputs concatenate token for token.
 *
 * @param files - The model's tokenizer files.
 * @returns A tokenizer whose ids are the engine's.
 * @example
 * const tok = hfTokenizer(readTokenizerFiles(dir));
 * Array.from(tok.encode('<|im_start|>user')); // [151644, 872] for Qwen3
 */
export function hfTokenizer(files: TokenizerFiles): Tokenizer {
  if (files === null || typeof files !== 'object' || typeof files.tokenizerJson !== 'object' || typeof files.tokenizerConfig !== 'object') {
    throw new TypeError(`hfTokenizer: files must be { tokenizerJson, tokenizerConfig } objects (got ${describeValue(files)})`);
  }
  const tok = new HfTokenizer(files.tokenizerJson, files.tokenizerConfig);
  return {
    encode: (text: string) => Int32Array.from(tok.encode(text, { add_special_tokens: false }).ids),
    decode: (tokens: Int32Array) => tok.decode(Array.from(tokens), { skip_special_tokens: false }),
  };
}

/** A chat message as chat templates read it. */
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
}

/**
 * Renders conversations with a model's own chat template (a Jinja program from
 * `tokenizer_config.json`, run by `@huggingface/jinja`, which never evaluates host code).
 *
 * @example
 * const chat = new ChatTemplate(readTokenizerFiles(dir).tokenizerConfig);
 * chat.render([{ role: 'user', content: 'What is 2+3?' }], { addGenerationPrompt: true });
 * // '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n' for Qwen3
 */
export class ChatTemplate {
  private readonly template: Template;
  private readonly specials: Record<string, unknown>;

  /** @param tokenizerConfig - The model's `tokenizer_config.json` (its `chat_template` and special tokens). */
  constructor(tokenizerConfig: Record<string, unknown>) {
    const source = tokenizerConfig?.chat_template;
    if (typeof source !== 'string' || source === '') {
      throw new TypeError(`ChatTemplate: tokenizerConfig.chat_template must be a non-empty string (got ${describeValue(source)})`);
    }
    this.template = new Template(source);
    const name = (v: unknown): unknown => (v !== null && typeof v === 'object' && 'content' in v ? (v as { content: unknown }).content : v);
    this.specials = { bos_token: name(tokenizerConfig.bos_token) ?? '', eos_token: name(tokenizerConfig.eos_token) ?? '' };
  }

  /**
   * Renders `messages`.
   *
   * @param messages - The conversation.
   * @param options - `addGenerationPrompt`: end with the assistant header [true]; `extra`: further template variables (e.g. `enable_thinking: false` for Qwen3).
   * @returns The prompt text.
   */
  render(messages: readonly TemplateMessage[], options: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> } = {}): string {
    if (!Array.isArray(messages) || messages.length === 0) throw new TypeError(`ChatTemplate.render: messages must be a non-empty array (got ${describeValue(messages)})`);
    return this.template.render({ ...this.specials, ...(options.extra ?? {}), messages, add_generation_prompt: options.addGenerationPrompt ?? true });
  }
}
