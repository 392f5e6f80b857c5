import type { Generation, GenerateOptions, Policy, Tokenizer } from './types';

/** What a script sees when asked for the next text of one context. */
export interface ScriptContext {
  /** Decoded context (prompt, earlier turns, tool outputs). */
  text: string;
  /** The context's token ids as the loop sent them. */
  tokens: Int32Array;
  /** Position of the context in this batch. */
  index: number;
  /** How many `generate` calls the policy has served before this one. */
  call: number;
}

/** Options of {@link scriptedPolicy}. */
export interface ScriptedPolicyOptions {
  /** Added to every generated id (tests use it to tag generated tokens). Default 0. */
  idOffset?: number;
  /** Log-prob reported for the i-th token of a generation. Default `-1`. */
  logprob?: (i: number) => number;
}

/**
 * A deterministic {@link Policy} that writes what a script returns, honouring the stop strings
 * (the output ends just after the first one) and `maxNewTokens` (`finish: 'length'`); a text
 * without a stop string ends as end-of-sequence (`finish: 'stop'`, no `stop`). For tests,
 * benchmarks and teacher-forced replays; it costs almost nothing per token.
 *
 * @param tokenizer - Tokenizer of the ids.
 * @param script - Next text for a context.
 * @param options - See {@link ScriptedPolicyOptions}.
 * @returns A policy.
 * @example
 * const p = scriptedPolicy(charTokenizer(), () => '<calc>2+3</calc> ignored');
 * const [g] = await p.generate([new Int32Array(0)], { maxNewTokens: 64, stop: ['</calc>'], temperature: 1, seed: 0 });
 * g.stop; // '</calc>' (g.tokens decodes to '<calc>2+3</calc>')
 */
export function scriptedPolicy(
  tokenizer: Tokenizer,
  script: (context: ScriptContext) => string,
  options: ScriptedPolicyOptions = {},
): Policy {
  if (typeof script !== 'function') {
    throw new TypeError(`scriptedPolicy: script must be a function (got ${typeof script})`);
  }
  const idOffset = options.idOffset ?? 0;
  const logprob = options.logprob ?? (() => -1);
  let calls = 0;
  return {
    tokenizer,
    async generate(contexts: Int32Array[], opts: GenerateOptions): Promise<Generation[]> {
      const call = calls++;
      return contexts.map((ctx, index) => {
        let text = script({ text: tokenizer.decode(ctx), tokens: ctx, index, call });
        let cutAt = -1;
        let stop: string | undefined;
        for (const s of opts.stop) {
          const at = text.indexOf(s);
          if (at >= 0 && (cutAt < 0 || at + s.length < cutAt)) {
            cutAt = at + s.length;
            stop = s;
          }
        }
        if (cutAt >= 0) text = text.slice(0, cutAt);
        let tokens = tokenizer.encode(text);
        let finish: Generation['finish'] = 'stop';
        if (tokens.length > opts.maxNewTokens) {
          tokens = tokens.slice(0, opts.maxNewTokens);
          finish = 'length';
          stop = undefined;
        }
        if (idOffset !== 0) for (let i = 0; i < tokens.length; i++) tokens[i] += idOffset;
        const logprobs = new Float32Array(tokens.length);
        for (let i = 0; i < tokens.length; i++) logprobs[i] = logprob(i);
        return stop === undefined ? { tokens, logprobs, finish } : { tokens, logprobs, finish, stop };
      });
    },
  };
}
