import type { Tokenizer } from './types';

/**
 * A tokenizer with one token per UTF-16 code unit (id = code unit). For tests, scripted policies
 * and character-level models; `decode` reads ids modulo 65536 so a test can tag ids in the high
 * bits without changing the text.
 *
 * @returns A {@link Tokenizer}.
 * @example
 * charTokenizer().decode(charTokenizer().encode('<calc>1</calc>')); // '<calc>1</calc>'
 */
export function charTokenizer(): Tokenizer {
  return {
    encode(text: string): Int32Array {
      const out = new Int32Array(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
      return out;
    },
    decode(tokens: Int32Array): string {
      let s = '';
      // Chunked String.fromCharCode keeps long decodes off the argument-count limit.
      for (let i = 0; i < tokens.length; i += 4096) {
        const end = Math.min(tokens.length, i + 4096);
        const codes = new Array<number>(end - i);
        for (let j = i; j < end; j++) codes[j - i] = tokens[j] & 0xffff;
        s += String.fromCharCode(...codes);
      }
      return s;
    },
  };
}
