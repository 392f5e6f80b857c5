/**
 * Text of the padding token (id 0).
 *
 * @example
 * TagTokenizer.create().id(PAD); // 0
 */
export const PAD = '<|pad|>';
/**
 * Text of the beginning-of-sequence token (id 1).
 *
 * @example
 * TagTokenizer.create().id(BOS); // 1
 */
export const BOS = '<|bos|>';
/**
 * Text of the end-of-sequence token (id 2).
 *
 * @example
 * TagTokenizer.create().id(EOS); // 2
 */
export const EOS = '<|eos|>';

/**
 * Tool and answer tags every tokenizer knows (one token each).
 *
 * @example
 * TagTokenizer.create().encode('<calc>').length; // 1
 */
export const DEFAULT_TAGS: readonly string[] = [
  '<calc>', '</calc>', '<res>', '</res>', '<search>', '</search>',
  '<doc>', '</doc>', '<ans>', '</ans>', '<code>', '</code>',
];

/**
 * Characters every tokenizer knows: newline and printable ASCII (space … `~`).
 *
 * @example
 * CHARSET.length; // 96
 */
export const CHARSET: string = (() => {
  let s = '\n';
  for (let c = 32; c <= 126; c++) s += String.fromCharCode(c);
  return s;
})();

/** JSON form of a {@link TagTokenizer} (stored in checkpoints as `tokenizer.json`). */
export interface TokenizerJSON {
  type: 'char-tag';
  version: 1;
  /** Every token's text, index = id. */
  vocab: string[];
}

/**
 * A character tokenizer with multi-character tag tokens. Ids: `0` PAD, `1` BOS, `2` EOS, then the
 * {@link CHARSET} characters, then the tags in order ({@link DEFAULT_TAGS} first, environment tags
 * appended by {@link TagTokenizer.withTags}), so extending a vocabulary never renumbers old ids and
 * a trained model keeps working after new tags are added (their embeddings start untrained).
 *
 * Encoding matches tags greedily, longest first; decoding concatenates token texts, so
 * `decode(encode(s)) === s` for every encodable `s`. It satisfies `@paretopo/rollout`'s
 * `Tokenizer` interface structurally.
 *
 * @example
 * const tok = TagTokenizer.create();
 * tok.decode(tok.encode('<calc>1+2</calc>')); // '<calc>1+2</calc>'
 * tok.encode('<calc>').length; // 1
 */
export class TagTokenizer {
  /** Text of every token, index = id. */
  readonly vocab: readonly string[];
  /** Number of tokens (the model's `vocab`). */
  readonly size: number;
  /** Id of {@link PAD}. */
  readonly padId = 0;
  /** Id of {@link BOS}. */
  readonly bosId = 1;
  /** Id of {@link EOS}. */
  readonly eosId = 2;
  private readonly charIds: Int32Array;
  /** Multi-character tokens by first char code, longest first (greedy longest match). */
  private readonly tagsByFirst: Map<number, { text: string; id: number }[]>;

  private constructor(vocab: string[]) {
    this.vocab = Object.freeze(vocab.slice());
    this.size = vocab.length;
    this.charIds = new Int32Array(128).fill(-1);
    this.tagsByFirst = new Map();
    for (let id = 0; id < vocab.length; id++) {
      const t = vocab[id];
      if (t.length === 1) {
        this.charIds[t.charCodeAt(0)] = id;
      } else {
        const first = t.charCodeAt(0);
        let list = this.tagsByFirst.get(first);
        if (list === undefined) this.tagsByFirst.set(first, (list = []));
        list.push({ text: t, id });
      }
    }
    for (const list of this.tagsByFirst.values()) list.sort((a, b) => b.text.length - a.text.length);
  }

  /**
   * The default tokenizer: PAD, BOS, EOS, {@link CHARSET}, {@link DEFAULT_TAGS}, then `extraTags`.
   *
   * @param extraTags - more tag tokens (e.g. an environment's tool tags)
   * @returns a tokenizer
   * @example
   * TagTokenizer.create().size; // 111
   */
  static create(extraTags: readonly string[] = []): TagTokenizer {
    return TagTokenizer.fromVocab('TagTokenizer.create', [PAD, BOS, EOS, ...CHARSET, ...DEFAULT_TAGS], extraTags);
  }

  /**
   * Rebuilds a tokenizer from its JSON form.
   *
   * @param json - the object {@link TagTokenizer.toJSON} returned (or its parsed text)
   * @returns the same tokenizer
   * @throws TypeError when the object is not a valid tokenizer JSON
   * @example
   * const tok = TagTokenizer.create(['<x>']);
   * TagTokenizer.fromJSON(tok.toJSON()).size === tok.size; // true
   */
  static fromJSON(json: unknown): TagTokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (j === null || typeof j !== 'object' || j.type !== 'char-tag' || j.version !== 1 || !Array.isArray(j.vocab)) {
      throw new TypeError("TagTokenizer.fromJSON: expected { type: 'char-tag', version: 1, vocab: string[] }");
    }
    const base = [PAD, BOS, EOS, ...CHARSET];
    for (let i = 0; i < base.length; i++) {
      if (j.vocab[i] !== base[i]) {
        throw new TypeError(`TagTokenizer.fromJSON: vocab[${i}] must be ${JSON.stringify(base[i])} (got ${JSON.stringify(j.vocab[i])})`);
      }
    }
    return TagTokenizer.fromVocab('TagTokenizer.fromJSON', base, j.vocab.slice(base.length));
  }

  private static fromVocab(fn: string, base: string[], tags: readonly unknown[]): TagTokenizer {
    const seen = new Set(base);
    const vocab = base.slice();
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i];
      if (typeof t !== 'string' || t.length < 2) {
        throw new TypeError(`${fn}: tag ${i} must be a string of at least 2 characters (got ${JSON.stringify(t)})`);
      }
      for (let c = 0; c < t.length; c++) {
        if (CHARSET.indexOf(t[c]) < 0) {
          throw new TypeError(`${fn}: tag ${JSON.stringify(t)} has a character outside the charset at ${c}`);
        }
      }
      if (seen.has(t)) throw new TypeError(`${fn}: duplicate tag ${JSON.stringify(t)}`);
      seen.add(t);
      vocab.push(t);
    }
    return new TagTokenizer(vocab);
  }

  /**
   * A tokenizer with `tags` appended (tags it already has are skipped); old ids are unchanged.
   *
   * @param tags - tag texts, at least 2 printable characters each
   * @returns a new tokenizer
   * @example
   * TagTokenizer.create().withTags(['<wiki>', '</wiki>']).size; // 113
   */
  withTags(tags: readonly string[]): TagTokenizer {
    if (!Array.isArray(tags)) throw new TypeError('TagTokenizer.withTags: tags must be an array of strings');
    const have = new Set(this.vocab);
    const fresh = tags.filter((t, i) => !have.has(t) && tags.indexOf(t) === i);
    const base = [PAD, BOS, EOS, ...CHARSET];
    return TagTokenizer.fromVocab('TagTokenizer.withTags', base, [...this.vocab.slice(base.length), ...fresh]);
  }

  /**
   * Id of one token's text.
   *
   * @param text - a character, tag, PAD, BOS or EOS
   * @returns the id
   * @throws RangeError when the text is no single token
   * @example
   * TagTokenizer.create().id('</calc>'); // 100
   */
  id(text: string): number {
    const i = this.vocab.indexOf(text);
    if (i < 0) throw new RangeError(`TagTokenizer.id: ${JSON.stringify(text)} is not a token`);
    return i;
  }

  /**
   * Token ids of `text` (greedy longest match of tags, then single characters).
   *
   * @param text - the text
   * @returns ids
   * @throws RangeError naming the character and its position when a character is not in the vocabulary
   * @example
   * Array.from(TagTokenizer.create().encode('a\n')); // [69, 3]
   */
  encode(text: string): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`TagTokenizer.encode: text must be a string (got ${typeof text})`);
    const out = new Int32Array(text.length);
    let n = 0;
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      const tags = this.tagsByFirst.get(c);
      let matched = false;
      if (tags !== undefined) {
        for (const t of tags) {
          if (text.startsWith(t.text, i)) {
            out[n++] = t.id;
            i += t.text.length;
            matched = true;
            break;
          }
        }
      }
      if (matched) continue;
      const id = c < 128 ? this.charIds[c] : -1;
      if (id < 0) {
        const cp = text.codePointAt(i)!;
        throw new RangeError(
          `TagTokenizer.encode: unknown character ${JSON.stringify(String.fromCodePoint(cp))} (U+${cp.toString(16).toUpperCase().padStart(4, '0')}) at position ${i}`,
        );
      }
      out[n++] = id;
      i++;
    }
    return out.slice(0, n);
  }

  /**
   * Text of `tokens` (the concatenation of their texts).
   *
   * @param tokens - ids in `[0, size)`
   * @returns the text
   * @throws RangeError naming the position of an id outside the vocabulary
   * @example
   * const tok = TagTokenizer.create();
   * tok.decode(tok.encode('<ans>4</ans>')); // '<ans>4</ans>'
   */
  decode(tokens: Int32Array | readonly number[]): string {
    const parts: string[] = new Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!Number.isInteger(t) || t < 0 || t >= this.size) {
        throw new RangeError(`TagTokenizer.decode: token ${i} is ${t}, outside [0, ${this.size})`);
      }
      parts[i] = this.vocab[t];
    }
    return parts.join('');
  }

  /**
   * JSON form (for checkpoints).
   *
   * @returns `{ type: 'char-tag', version: 1, vocab }`
   * @example
   * TagTokenizer.create().toJSON().vocab.length; // 111
   */
  toJSON(): TokenizerJSON {
    return { type: 'char-tag', version: 1, vocab: this.vocab.slice() };
  }
}
