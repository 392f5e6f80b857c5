import { createBackend, type Backend } from '@paretopo/kernels';
import { seededRandom } from '@paretopo/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, KvReuse } from './generate';
import { TinyGPT } from './model';
import { asRolloutPolicy } from './rollout-policy';
import { CHARSET, TagTokenizer } from './tokenizer';

const tok = TagTokenizer.create();
const config = { layers: 2, dModel: 16, heads: 2, context: 32, vocab: tok.size, mlpRatio: 2 };

let js: Backend;
let model: TinyGPT;
beforeAll(async () => {
  js = await createBackend('js');
  model = TinyGPT.create(config, js, { seed: 3 });
  // Larger weights than GPT-2 init so the distributions are far from uniform.
  const rand = seededRandom(4);
  for (let i = 0; i < model.params.length; i++) model.params[i] += (rand() - 0.5) * 0.6;
});

const prompts = [tok.encode('<calc>1+2'), tok.encode('Q: hi\n'), tok.encode('a')];

function argmaxRow(logits: Float32Array, row: number, vocab: number): number {
  let best = 0;
  for (let j = 1; j < vocab; j++) if (logits[row * vocab + j] > logits[row * vocab + best]) best = j;
  return best;
}

describe('generate', () => {
  it('temperature 0 is greedy (argmax of a full forward at every step) and reproducible', async () => {
    const a = await generate(model, prompts, { maxNewTokens: 10, temperature: 0, seed: 1 });
    const b = await generate(model, prompts, { maxNewTokens: 10, temperature: 0, seed: 99 });
    expect(a).toEqual(b);
    for (let i = 0; i < prompts.length; i++) {
      expect(a[i].finish).toBe('length');
      expect(a[i].tokens.length).toBe(10);
      const seq = Int32Array.from([...prompts[i], ...a[i].tokens]);
      const logits = await model.logits(seq, Int32Array.of(0, seq.length));
      for (let s = 0; s < 10; s++) expect(a[i].tokens[s]).toBe(argmaxRow(logits, prompts[i].length - 1 + s, config.vocab));
      for (const lp of a[i].logprobs) expect(lp).toBe(0);
    }
  });

  it('KV-cached log-probs equal a full forward on the same prefix', async () => {
    const gens = await generate(model, prompts, { maxNewTokens: 12, temperature: 1, seed: 5 });
    for (let i = 0; i < prompts.length; i++) {
      const seq = Int32Array.from([...prompts[i], ...gens[i].tokens]);
      const targets = new Int32Array(seq.length);
      targets.set(seq.subarray(1));
      const { logprobs } = await model.forward({ tokens: seq, seqOffsets: Int32Array.of(0, seq.length), targets });
      for (let s = 0; s < gens[i].tokens.length; s++) {
        expect(Math.abs(gens[i].logprobs[s] - logprobs[prompts[i].length - 1 + s])).toBeLessThan(1e-4);
      }
    }
  });

  it('gives every context its own random stream (G samples of one prompt differ)', async () => {
    const same = Array.from({ length: 8 }, () => prompts[1]);
    const gens = await generate(model, same, { maxNewTokens: 8, temperature: 1.5, seed: 7 });
    const texts = new Set(gens.map((g) => tok.decode(g.tokens)));
    expect(texts.size).toBeGreaterThan(4);
    const again = await generate(model, same, { maxNewTokens: 8, temperature: 1.5, seed: 7 });
    expect(again).toEqual(gens);
  });

  it('prefills equal contexts once, with the bits each would get in a batch without copies', async () => {
    // Context i samples from stream i, and no op mixes sequences, so a context's generation does
    // not depend on its neighbours: with and without duplicates beside it, the same bits.
    const [a, b, c] = prompts;
    const o = { maxNewTokens: 12, temperature: 1, seed: 9 };
    const dup = await generate(model, [a, b, Int32Array.from(a), a], o);
    const alone = await generate(model, [a, b, c, tok.encode('x')], o);
    const lone2 = await generate(model, [c, tok.encode('y'), a, b], o);
    const lone3 = await generate(model, [b, c, tok.encode('z'), a], o);
    expect(dup[0]).toEqual(alone[0]);
    expect(dup[1]).toEqual(alone[1]);
    expect(dup[2]).toEqual(lone2[2]);
    expect(dup[3]).toEqual(lone3[3]);
    expect(dup[0].tokens).not.toEqual(dup[2].tokens);
  });

  it('stops on a string stop (every token text ends with some character)', async () => {
    const gens = await generate(model, prompts, { maxNewTokens: 5, temperature: 1, seed: 2, stop: [...CHARSET], vocab: tok.vocab });
    for (const g of gens) {
      expect(g.finish).toBe('stop');
      expect(g.tokens.length).toBe(1);
      expect(tok.decode(g.tokens).endsWith(g.stop!)).toBe(true);
      expect(CHARSET[g.stopIndex!]).toBe(g.stop);
    }
  });

  it('stops on a token-sequence stop and on EOS', async () => {
    const all = Array.from({ length: config.vocab }, (_, t) => [t]);
    const gens = await generate(model, prompts, { maxNewTokens: 5, temperature: 1, seed: 2, stop: all });
    for (const g of gens) expect([g.finish, g.tokens.length, g.stopIndex]).toEqual(['stop', 1, g.tokens[0]]);
    const greedy = await generate(model, [prompts[0]], { maxNewTokens: 1, temperature: 0 });
    const eos = await generate(model, [prompts[0]], { maxNewTokens: 5, temperature: 0, eosId: greedy[0].tokens[0] });
    expect(eos[0]).toMatchObject({ finish: 'stop', tokens: greedy[0].tokens });
    expect(eos[0].stop).toBeUndefined();
  });

  it("ends with 'length' when the context window fills, and handles empty requests", async () => {
    const long = new Int32Array(30).fill(tok.id('a'));
    const [g] = await generate(model, [long], { maxNewTokens: 10, temperature: 0 });
    expect(g.finish).toBe('length');
    expect(g.tokens.length).toBe(2);
    const full = await generate(model, [new Int32Array(32).fill(5), prompts[0]], { maxNewTokens: 0 });
    expect(full.map((x) => [x.finish, x.tokens.length])).toEqual([['length', 0], ['length', 0]]);
    expect(await generate(model, [], { maxNewTokens: 3 })).toEqual([]);
  });

  it('honours an abort signal', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('stop now'));
    await expect(generate(model, prompts, { maxNewTokens: 3, signal: ctl.signal })).rejects.toThrow('stop now');
  });

  it.each([
    [{ maxNewTokens: -1 }, /maxNewTokens/],
    [{ maxNewTokens: 2, temperature: Number.NaN }, /temperature/],
    [{ maxNewTokens: 2, topK: 1.5 }, /topK/],
    [{ maxNewTokens: 2, seed: Number.POSITIVE_INFINITY }, /seed/],
    [{ maxNewTokens: 2, eosId: 999 }, /eosId/],
    [{ maxNewTokens: 2, stop: ['x'] }, /string stops need options.vocab/],
    [{ maxNewTokens: 2, stop: [''], vocab: tok.vocab }, /empty string/],
    [{ maxNewTokens: 2, stop: [[999]] }, /stop 0 must be/],
  ])('rejects bad options %j', async (opts, re) => {
    await expect(generate(model, prompts, opts)).rejects.toThrow(re);
  });

  it('rejects bad contexts', async () => {
    await expect(generate(model, [new Int32Array(0)], { maxNewTokens: 1 })).rejects.toThrow(/contexts\[0\] must be a non-empty/);
    await expect(generate(model, [Int32Array.of(1, 500)], { maxNewTokens: 1 })).rejects.toThrow(/contexts\[0\]\[1\] is 500/);
    await expect(generate(model, [new Int32Array(33)], { maxNewTokens: 1 })).rejects.toThrow(/more than the context 32/);
  });
});

describe('generate with KvReuse (resumed turns feed only their new tokens)', () => {
  const tool = tok.encode('<res>12</res>');

  // The slow oracle: the same contexts generated without reuse (every context prefilled whole).
  async function resumedPair(o: { maxNewTokens: number; temperature: number; seed: number }, cut?: number) {
    const reuse = new KvReuse(model);
    const first = await generate(model, prompts, { ...o, reuse });
    const next = prompts.map((p, i) => Int32Array.from([...p, ...first[i].tokens.subarray(0, cut ?? first[i].tokens.length), ...tool]));
    const fresh = await generate(model, next, o);
    const before = { reused: reuse.reusedRows, fed: reuse.prefilledRows };
    const resumed = await generate(model, next, { ...o, reuse });
    return { first, next, fresh, resumed, reuse, before };
  }

  it('greedy: the same tokens as prefilling the whole context', async () => {
    const { fresh, resumed } = await resumedPair({ maxNewTokens: 6, temperature: 0, seed: 1 });
    expect(resumed.map((g) => Array.from(g.tokens))).toEqual(fresh.map((g) => Array.from(g.tokens)));
  });

  it('sampling: log-probs of the resumed call match a full forward on the same sequence', async () => {
    const { next, resumed } = await resumedPair({ maxNewTokens: 8, temperature: 1, seed: 4 });
    for (let i = 0; i < next.length; i++) {
      const seq = Int32Array.from([...next[i], ...resumed[i].tokens]);
      const targets = new Int32Array(seq.length);
      targets.set(seq.subarray(1));
      const { logprobs } = await model.forward({ tokens: seq, seqOffsets: Int32Array.of(0, seq.length), targets });
      for (let s = 0; s < resumed[i].tokens.length; s++) expect(Math.abs(resumed[i].logprobs[s] - logprobs[next[i].length - 1 + s])).toBeLessThan(1e-4);
    }
  });

  it('takes every cached row of the shared prefix and feeds only the rest', async () => {
    const { first, next, reuse, before } = await resumedPair({ maxNewTokens: 6, temperature: 1, seed: 2 });
    // The first call fed each prompt and every generated token but the last (never fed).
    const cached = prompts.map((p, i) => p.length + first[i].tokens.length - 1);
    const total = next.reduce((a, c) => a + c.length, 0);
    expect(reuse.reusedRows - before.reused).toBe(cached.reduce((a, b) => a + b, 0));
    expect(reuse.prefilledRows - before.fed).toBe(total - (reuse.reusedRows - before.reused));
  });

  it('reuses a prefix cut inside an earlier output (a budget-truncated turn)', async () => {
    const { fresh, resumed, before, reuse } = await resumedPair({ maxNewTokens: 6, temperature: 0, seed: 1 }, 2);
    expect(reuse.reusedRows - before.reused).toBe(prompts.reduce((a, p) => a + p.length + 2, 0));
    expect(resumed.map((g) => Array.from(g.tokens))).toEqual(fresh.map((g) => Array.from(g.tokens)));
  });

  it('keeps the last keepCalls calls only, and refuses bad arguments', async () => {
    const reuse = new KvReuse(model, 1);
    const o = { maxNewTokens: 3, temperature: 0, reuse };
    const [a] = await generate(model, [prompts[0]], o);
    await generate(model, [prompts[1]], o);
    const r0 = reuse.reusedRows;
    await generate(model, [Int32Array.from([...prompts[0], ...a.tokens])], o);
    expect(reuse.reusedRows).toBe(r0);
    expect(() => new KvReuse(model, 0)).toThrow(/KvReuse: keepCalls must be a positive integer \(got 0\)/);
    const other = TinyGPT.create(config, js, { seed: 5 });
    await expect(generate(other, prompts, { maxNewTokens: 2, reuse })).rejects.toThrow(/generate: reuse must be a KvReuse made for this model/);
  });

  it('release() forgets the kept calls (the next call prefills) and their memory serves later calls with the same results', async () => {
    const reuse = new KvReuse(model);
    const o = { maxNewTokens: 5, temperature: 1, seed: 9, reuse };
    const first = await generate(model, prompts, o);
    const next = prompts.map((p, i) => Int32Array.from([...p, ...first[i].tokens, ...tool]));
    reuse.release();
    reuse.release(); // twice is a no-op
    const r0 = reuse.reusedRows;
    const resumed = await generate(model, next, o);
    expect(reuse.reusedRows).toBe(r0);
    // The released caches are reused as memory (pooled arrays, not zeroed): the results equal a
    // call without reuse, bit for bit, and so do the resumed calls' after another release.
    const fresh = await generate(model, next, { maxNewTokens: 5, temperature: 1, seed: 9 });
    const bits = (gs: { tokens: Int32Array; logprobs: Float32Array }[]) => gs.map((g) => [Array.from(g.tokens), Array.from(new Uint32Array(Float32Array.from(g.logprobs).buffer))]);
    expect(bits(resumed)).toEqual(bits(fresh));
    reuse.release();
    expect(bits(await generate(model, next, o))).toEqual(bits(fresh));
  });

  it('asRolloutPolicy({ reuseKv: true }) resumes a turn with the tokens of a fresh policy (greedy)', async () => {
    const o = { maxNewTokens: 6, stop: ['</calc>'], temperature: 0, seed: 3 };
    const policy = asRolloutPolicy(model, tok, { reuseKv: true });
    const [g] = await policy.generate([prompts[0]], o);
    const next = Int32Array.from([...prompts[0], ...g.tokens, ...tool]);
    const [resumed] = await policy.generate([next], o);
    const [fresh] = await asRolloutPolicy(model, tok).generate([next], o);
    expect(Array.from(resumed.tokens)).toEqual(Array.from(fresh.tokens));
  });
});

describe('asRolloutPolicy', () => {
  it("implements rollout's Policy shape: string stops, EOS, per-context streams", async () => {
    const policy = asRolloutPolicy(model, tok);
    expect(policy.tokenizer).toBe(tok);
    const gens = await policy.generate([prompts[0], prompts[0]], { maxNewTokens: 6, stop: ['</calc>'], temperature: 1, seed: 3 });
    expect(gens).toHaveLength(2);
    for (const g of gens) {
      expect(g.logprobs.length).toBe(g.tokens.length);
      if (g.finish === 'stop' && g.stop !== undefined) expect(tok.decode(g.tokens).endsWith('</calc>')).toBe(true);
    }
    expect(() => asRolloutPolicy(model, tok.withTags(['<x>']))).toThrow(/112 tokens/);
  });
});
