import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { episodeDatum, packedDatums, tokenAligned } from './datum';

const episodeArb = fc.integer({ min: 2, max: 40 }).chain((t) =>
  fc.record({
    tokens: fc.array(fc.integer({ min: 0, max: 151_668 }), { minLength: t, maxLength: t }).map((a) => Int32Array.from(a)),
    lossMask: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: t, maxLength: t }).map((a) => Uint8Array.from(a)),
    oldLogprobs: fc.array(fc.float({ min: -20, max: 0, noNaN: true }), { minLength: t, maxLength: t }).map((a) => Float32Array.from(a)),
    advantages: fc.array(fc.float({ min: -3, max: 3, noNaN: true }), { minLength: t, maxLength: t }).map((a) => Float32Array.from(a)),
  }),
);

describe('episodeDatum: the one-token shift', () => {
  it('position i reads tokens[..i] and carries token i+1’s target, mask, old log-prob and advantage', () => {
    fc.assert(
      fc.property(episodeArb, (ep) => {
        const d = episodeDatum(ep);
        const t = ep.tokens.length;
        const input = d.model_input.chunks[0].tokens;
        const inp = d.loss_fn_inputs;
        expect(input).toEqual(Array.from(ep.tokens.subarray(0, t - 1)));
        expect(inp.target_tokens.data).toEqual(Array.from(ep.tokens.subarray(1)));
        for (let i = 0; i < t - 1; i++) {
          const on = ep.lossMask[i + 1] === 1;
          expect(inp.weights!.data[i]).toBe(on ? 1 : 0);
          expect(inp.logprobs!.data[i]).toBe(on ? ep.oldLogprobs[i + 1] : 0);
          expect(inp.advantages!.data[i]).toBe(on ? ep.advantages[i + 1] : 0);
        }
      }),
    );
  });

  it('tokenAligned puts per-position values back on their tokens', () => {
    fc.assert(
      fc.property(episodeArb, (ep) => {
        const d = episodeDatum(ep);
        const back = tokenAligned(Float32Array.from(d.loss_fn_inputs.logprobs!.data));
        for (let t = 1; t < ep.tokens.length; t++) expect(back[t]).toBe(ep.lossMask[t] ? ep.oldLogprobs[t] : 0);
        expect(back[0]).toBe(0);
      }),
    );
  });

  it('packedDatums equals episodeDatum on each slice', () => {
    fc.assert(
      fc.property(fc.array(episodeArb, { minLength: 1, maxLength: 5 }), (eps) => {
        const offsets = new Int32Array(eps.length + 1);
        eps.forEach((e, i) => (offsets[i + 1] = offsets[i] + e.tokens.length));
        const cat = <T extends Int32Array | Uint8Array | Float32Array>(make: new (n: number) => T, key: 'tokens' | 'lossMask' | 'oldLogprobs' | 'advantages') => {
          const out = new make(offsets[eps.length]);
          eps.forEach((e, i) => out.set(e[key] as any, offsets[i]));
          return out;
        };
        const ds = packedDatums(
          { tokens: cat(Int32Array, 'tokens'), offsets, lossMask: cat(Uint8Array, 'lossMask'), oldLogprobs: cat(Float32Array, 'oldLogprobs') },
          cat(Float32Array, 'advantages'),
        );
        expect(ds).toEqual(eps.map((e) => episodeDatum(e)));
      }),
    );
  });

  it.each([
    ['one token', { tokens: Int32Array.of(1), lossMask: Uint8Array.of(1) }, 'episodeDatum: episode.tokens must be an Int32Array of at least 2 tokens (got Int32Array(1))'],
    ['a short mask', { tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(1) }, 'episodeDatum: episode.lossMask must have the length of episode.tokens (2) (got Uint8Array(1))'],
    ['NaN on a trained token', { tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(0, 1), advantages: Float32Array.of(0, Number.NaN) }, 'episodeDatum: episode.advantages[1] must be finite on a trained token (got NaN)'],
  ])('rejects %s', (_name, ep, message) => {
    expect(() => episodeDatum(ep as any)).toThrow(message);
  });

  it('ignores NaN off the mask (prompt and tool tokens carry no old log-prob)', () => {
    const d = episodeDatum({ tokens: Int32Array.of(1, 2, 3), lossMask: Uint8Array.of(0, 0, 1), oldLogprobs: Float32Array.of(Number.NaN, Number.NaN, -1) });
    expect(d.loss_fn_inputs.logprobs!.data).toEqual([0, -1]);
  });

  it('packedDatums rejects offsets that do not cover the tokens', () => {
    expect(() => packedDatums({ tokens: Int32Array.of(1, 2, 3), offsets: Int32Array.of(0, 2), lossMask: Uint8Array.of(0, 1, 1) })).toThrow(
      'packedDatums: batch.offsets must be an Int32Array from 0 to tokens.length (3) (got Int32Array(2))',
    );
  });
});
