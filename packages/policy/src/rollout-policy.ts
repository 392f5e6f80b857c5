import { generate, KvReuse, type Generation } from './generate';
import type { TinyGPT } from './model';
import type { TagTokenizer } from './tokenizer';

/**
 * Options of one rollout generation call: the shape of `@paretopo/rollout`'s `GenerateOptions`,
 * mirrored here because this package must not depend on rollout (structural typing makes the two
 * interchangeable).
 */
export interface RolloutGenerateOptions {
  maxNewTokens: number;
  stop: readonly string[];
  temperature: number;
  seed: number;
  signal?: AbortSignal;
}

/** The shape of `@paretopo/rollout`'s `Policy` (mirrored, see {@link RolloutGenerateOptions}). */
export interface RolloutPolicy {
  readonly tokenizer: { encode(text: string): Int32Array; decode(tokens: Int32Array): string };
  generate(contexts: Int32Array[], options: RolloutGenerateOptions): Promise<Generation[]>;
}

/**
 * Wraps a model and its tokenizer as a `@paretopo/rollout` `Policy`: string stops (closing tool
 * tags, `</ans>`) end a context when its decoded output ends with them, EOS ends it with no stop,
 * context i samples from `Rng.derive(seed, i)` so the G samples of one prompt differ.
 *
 * @param model - the model (its vocab must equal the tokenizer's size)
 * @param tokenizer - the tokenizer
 * @param options - `topK` of every call [0], `stopOnEos` [true], `reuseKv`: keep keys and values
 *   between calls ({@link KvReuse}), so a turn resumed after a tool's output feeds only the new
 *   tokens; only for a policy used while the weights stay fixed (e.g. made for one RL step's
 *   rollout) [false]
 * @returns a rollout policy, plus `release()`: gives the keys and values kept for `reuseKv` back to
 *   the model's memory (call it once the rollout is done; a later call then prefills from scratch)
 * @throws RangeError when vocab sizes differ
 * @example
 * const policy = asRolloutPolicy(model, tok);
 * const [g] = await policy.generate([tok.encode('Q: 1+1\n')], { maxNewTokens: 32, stop: ['</calc>'], temperature: 1, seed: 0 });
 */
export function asRolloutPolicy(
  model: TinyGPT, tokenizer: TagTokenizer, options: { topK?: number; stopOnEos?: boolean; reuseKv?: boolean } = {},
): RolloutPolicy & { release(): void } {
  if (tokenizer.size !== model.config.vocab) {
    throw new RangeError(`asRolloutPolicy: tokenizer has ${tokenizer.size} tokens but the model's vocab is ${model.config.vocab}`);
  }
  const topK = options.topK ?? 0;
  const eos = options.stopOnEos === false ? {} : { eosId: tokenizer.eosId };
  const reuse = options.reuseKv === true ? { reuse: new KvReuse(model) } : {};
  return {
    tokenizer,
    release: () => reuse.reuse?.release(),
    generate: (contexts, o) =>
      generate(model, contexts, {
        maxNewTokens: o.maxNewTokens, stop: o.stop, vocab: tokenizer.vocab, temperature: o.temperature, topK, seed: o.seed,
        ...eos, ...reuse, ...(o.signal !== undefined ? { signal: o.signal } : {}),
      }),
  };
}
