import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastToTokens, maskedStats } from './broadcast';
import { setWasmKernels } from '../wasm/switch';

describe.each([
  ['WebAssembly', true],
  ['JavaScript', false],
])('broadcastToTokens (%s path)', (_path, wasm) => {
  beforeAll(() => {
    setWasmKernels(wasm);
  });
  afterAll(() => {
    setWasmKernels(true);
  });

  it.each([
    ['prompt, generated, tool output', [2, -1], [0, 3, 5], [0, 1, 1, 1, 0], [0, 2, 2, -1, 0]],
    ['multi-turn mask with runs', [0.5], [0, 7], [1, 1, 0, 0, 1, 0, 1], [0.5, 0.5, 0, 0, 0.5, 0, 0.5]],
    ['empty sequences', [1, 2, 3], [0, 0, 2, 2], [1, 1], [2, 2]],
    ['non-zero mask values count as 1', [4], [0, 3], [2, 0, 255], [4, 0, 4]],
    ['blocks of 8 across sequence boundaries, with a tail', [1, -2, 3], [0, 5, 16, 19], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1], [1, 1, 1, 1, 1, 0, -2, -2, -2, -2, -2, -2, -2, -2, -2, -2, 3, 0, 3]],
    ['empty batch', [], [0], [], []],
  ])('%s', (_, adv, offs, mask, expected) => {
    const got = broadcastToTokens(Float64Array.from(adv), Int32Array.from(offs), Uint8Array.from(mask));
    expect(Array.from(got)).toEqual(expected);
  });

  it('zeros exactly where the mask is 0, the sequence advantage elsewhere (random packed batches)', () => {
    // Masks made of runs (as rollouts produce), so the 8-token block path and its fallbacks,
    // sequence boundaries inside blocks, tails, and unaligned views are all exercised.
    const run = fc.tuple(fc.constantFrom(0, 1, 1, 2), fc.integer({ min: 0, max: 20 }));
    const seq = fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.array(run, { maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(seq, { maxLength: 10 }), fc.boolean(), fc.boolean(), (seqs, reuse, unaligned) => {
        const adv = Float64Array.from(seqs, (s) => s[0]);
        const flat = seqs.flatMap((s) => s[1].flatMap(([v, len]) => new Array<number>(len).fill(v)));
        const offs = [0];
        for (const s of seqs) offs.push(offs[offs.length - 1] + s[1].reduce((a, [, len]) => a + len, 0));
        const T = flat.length;
        const shift = unaligned ? 1 : 0;
        const mask = new Uint8Array(T + shift).subarray(shift);
        mask.set(flat);
        // A dirty output buffer must be fully overwritten.
        const out = reuse || unaligned ? new Float32Array(T + shift).fill(99).subarray(shift) : undefined;
        const got = broadcastToTokens(adv, Int32Array.from(offs), mask, out);
        seqs.forEach((s, i) => {
          for (let t = offs[i]; t < offs[i + 1]; t++) expect(got[t]).toBe(mask[t] === 0 ? 0 : Math.fround(s[0]));
        });
      }),
    );
  });

  it('8-byte word path: any mask byte values, any alignment of mask and out (against a token loop)', () => {
    // Word-sized runs of 1s and 0s hit the whole-word branches; 0x80 alone in a word's top byte
    // reads as −0 through a float64 view and must not pass for an all-zero word.
    const run = fc.tuple(fc.constantFrom(0, 1, 1, 2, 128, 255), fc.integer({ min: 0, max: 40 }));
    const seq = fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.array(run, { maxLength: 6 }));
    fc.assert(
      fc.property(fc.array(seq, { maxLength: 8 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 7 }), (seqs, mShift, oShift) => {
        const adv = Float64Array.from(seqs, (s) => s[0]);
        const flat = seqs.flatMap((s) => s[1].flatMap(([v, len]) => new Array<number>(len).fill(v)));
        const offs = [0];
        for (const s of seqs) offs.push(offs[offs.length - 1] + s[1].reduce((a, [, len]) => a + len, 0));
        const T = flat.length;
        const mask = new Uint8Array(T + mShift).subarray(mShift);
        mask.set(flat);
        const out = new Float32Array(T + oShift).fill(99).subarray(oShift);
        broadcastToTokens(adv, Int32Array.from(offs), mask, out);
        const expected = new Float32Array(T);
        seqs.forEach((s, i) => {
          for (let t = offs[i]; t < offs[i + 1]; t++) expected[t] = mask[t] === 0 ? 0 : s[0];
        });
        expect(Array.from(out)).toEqual(Array.from(expected));
      }),
    );
  });

  it('a word whose only non-zero mask byte is 0x80 (−0 as a float64) is not taken for all zeros', () => {
    const mask = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0);
    const got = broadcastToTokens(Float64Array.of(3), Int32Array.of(0, 16), mask);
    expect(Array.from(got)).toEqual([0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    ['offsets length ≠ n + 1', () => broadcastToTokens(Float64Array.of(1), Int32Array.of(0, 1, 2), Uint8Array.of(1, 1)), /adv.length \+ 1 = 2/],
    ['last offset ≠ mask length', () => broadcastToTokens(Float64Array.of(1), Int32Array.of(0, 1), Uint8Array.of(1, 1)), /token count 2/],
    ['offsets not monotone', () => broadcastToTokens(Float64Array.of(1, 1), Int32Array.of(0, 2, 1), Uint8Array.of(1)), /non-decreasing/],
    ['fractional offset', () => broadcastToTokens(Float64Array.of(1, 1), [0, 0.5, 1], Uint8Array.of(1)), /integers/],
    ['NaN advantage', () => broadcastToTokens(Float64Array.of(NaN), Int32Array.of(0, 1), Uint8Array.of(1)), /adv must be finite \(got NaN at row 0/],
    ['mask type', () => broadcastToTokens(Float64Array.of(1), Int32Array.of(0, 1), [1] as never), /lossMask must be a Uint8Array/],
    ['out length', () => broadcastToTokens(Float64Array.of(1), Int32Array.of(0, 1), Uint8Array.of(1), new Float32Array(2)), /out must have length 1/],
    ['out type', () => broadcastToTokens(Float64Array.of(1), Int32Array.of(0, 1), Uint8Array.of(1), new Float64Array(1) as never), /Float32Array/],
  ])('rejects %s', (_, run, message) => expect(run).toThrow(message));
});

describe('maskedStats', () => {
  it('hand-computed statistics over masked-in tokens', () => {
    const s = maskedStats(Float32Array.of(0, 2, 2, -1, 0), Uint8Array.of(0, 1, 1, 1, 0));
    expect(s.count).toBe(3);
    expect(s.mean).toBe(1);
    expect(s.std).toBeCloseTo(Math.sqrt(2), 12);
    expect([s.min, s.max]).toEqual([-1, 2]);
  });

  it('no masked-in token: count 0 and NaN statistics', () => {
    const s = maskedStats(Float64Array.of(5), Uint8Array.of(0));
    expect(s.count).toBe(0);
    expect([s.mean, s.std, s.min, s.max].every(Number.isNaN)).toBe(true);
  });

  it('ignores non-finite values under mask 0, rejects them under mask 1', () => {
    expect(maskedStats(Float64Array.of(NaN, 1), Uint8Array.of(0, 1)).mean).toBe(1);
    expect(() => maskedStats(Float64Array.of(NaN, 1), Uint8Array.of(1, 1))).toThrow(/NaN at token 0/);
    expect(() => maskedStats(Float64Array.of(1), Uint8Array.of(1, 1))).toThrow(/lossMask must have length 1/);
    expect(() => maskedStats([1] as never, Uint8Array.of(1))).toThrow(TypeError);
  });
});
