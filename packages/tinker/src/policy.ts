import { describeValue } from '@paretopo/pareto';
import { ConcurrencyLimiter, type GenerateOptions, type Generation, type Policy, type Tokenizer } from '@paretopo/rollout';
import type { TinkerClient } from './client';
import type { SamplerRef } from './types';
import { assertInt } from './validate';

/** Options of a {@link TinkerPolicy}. */
export interface TinkerPolicyOptions {
  /** A connected client. */
  client: TinkerClient;
  /** The weights to sample: `{ baseModel }` at first, then each `saveWeightsForSampler` path. */
  sampler: SamplerRef;
  /** The model's tokenizer ({@link hfTokenizer}): its ids are the engine's. */
  tokenizer: Tokenizer;
  /** Sample requests in flight at once [8]. */
  concurrency?: number;
}

/** A 31-bit seed per context, so the G samples of one prompt differ but a run repeats. */
function contextSeed(seed: number, index: number): number {
  // Weyl step by the golden ratio's 32-bit fraction, then a xorshift-multiply mix.
  let x = (seed + Math.imul(index + 1, 0x9e3779b9)) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) & 0x7fffffff;
}

/**
 * A rollout {@link Policy} backed by the engine's sampler, so `@paretopo/rollout` runs a real
 * model unchanged. Each context is one `asample` request with the call's stop strings (the engine
 * stops each sequence on its own, keeping the tokens up to and including the one that completed
 * the stop string); the engine's per-token log-probs come back as the old log-probs. Point
 * `sampler` at new weights after every `saveWeightsForSampler`.
 *
 * @example
 * const policy = new TinkerPolicy({ client, sampler: { baseModel }, tokenizer: hfTokenizer(files) });
 * const batch = await rollout(policy, chatTasks, { groupSize: 8, tools: [createCalculator()], maxTurns: 4, maxTokens: 256 });
 * policy.sampler = { modelPath: await client.saveWeightsForSampler(modelId, 'step-1') };
 */
export class TinkerPolicy implements Policy {
  readonly tokenizer: Tokenizer;
  /** The weights the next `generate` samples. */
  sampler: SamplerRef;
  private readonly client: TinkerClient;
  private readonly limiter: ConcurrencyLimiter;

  /** @param options - See {@link TinkerPolicyOptions}. */
  constructor(options: TinkerPolicyOptions) {
    if (options === null || typeof options !== 'object' || options.client === undefined || options.tokenizer === undefined) {
      throw new TypeError(`TinkerPolicy: options must hold client, sampler and tokenizer (got ${describeValue(options)})`);
    }
    const concurrency = options.concurrency ?? 8;
    assertInt('TinkerPolicy', 'options.concurrency', concurrency, 1);
    this.client = options.client;
    this.sampler = options.sampler;
    this.tokenizer = options.tokenizer;
    this.limiter = new ConcurrencyLimiter(concurrency);
  }

  /**
   * Continues each context on the engine.
   *
   * @param contexts - Token ids of each episode so far.
   * @param options - Budget, stop strings, temperature, seed (one stream per context), signal.
   * @returns One generation per context: tokens, engine log-probs, finish and the matched stop.
   */
  async generate(contexts: Int32Array[], options: GenerateOptions): Promise<Generation[]> {
    if (!Array.isArray(contexts)) throw new TypeError(`TinkerPolicy.generate: contexts must be an array (got ${describeValue(contexts)})`);
    assertInt('TinkerPolicy.generate', 'options.maxNewTokens', options?.maxNewTokens, 1);
    const sampler = this.sampler;
    const stop = options.stop.length > 0 ? options.stop : undefined;
    return Promise.all(
      contexts.map((context, i) =>
        this.limiter.run(async () => {
          const out = await this.client.sample(
            sampler,
            context,
            { maxTokens: options.maxNewTokens, temperature: options.temperature, seed: contextSeed(options.seed, i), stop },
            { signal: options.signal },
          );
          const seq = out.sequences[0];
          const generation: Generation = { tokens: seq.tokens, logprobs: seq.logprobs, finish: seq.stopReason === 'length' ? 'length' : 'stop' };
          if (generation.finish === 'stop' && stop !== undefined) {
            const text = this.tokenizer.decode(seq.tokens);
            let best = -1;
            for (const s of stop) {
              const at = text.indexOf(s);
              if (at >= 0 && (best < 0 || at + s.length < best + generation.stop!.length)) {
                best = at;
                generation.stop = s;
              }
            }
          }
          return generation;
        }),
      ),
    );
  }
}
