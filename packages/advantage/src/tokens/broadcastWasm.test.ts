import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastToTokens } from './broadcast';
import { setWasmKernels } from '../wasm/switch';
import { BROADCAST_CHUNK, BROADCAST_MAX_CHUNK, broadcastTokensWasm, broadcastWasmValid } from './broadcastWasm';
import { seededRandom } from '@paretopo/test-utils';

/** The JavaScript path's tokens for the same batch. */
function jsPath(adv: Float64Array, offsets: Int32Array, mask: Uint8Array): Float32Array {
  const was = setWasmKernels(false);
  try {
    return broadcastToTokens(adv, offsets, mask);
  } finally {
    setWasmKernels(was);
  }
}

/** Bit-for-bit equality of float32 tokens, −0 and +0 told apart. */
function expectSameBits(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  for (let t = 0; t < expected.length; t++) if (!Object.is(actual[t], expected[t])) expect([t, actual[t]]).toEqual([t, expected[t]]);
}

// Sequences as runs of mask values (0, 1 and other non-zero bytes), with advantages that round in
// float32, overflow it, underflow it, or are −0.
const value = fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom(-0, 0, 1e39, -1e39, 1e-46, 3.4028235677973366e38, 0.1));
const run = fc.tuple(fc.constantFrom(0, 1, 1, 2, 128, 255), fc.integer({ min: 0, max: 40 }));
const batchArb = fc.array(fc.tuple(value, fc.array(run, { maxLength: 6 })), { maxLength: 12 }).map((seqs) => {
  const adv = Float64Array.from(seqs, (s) => s[0]);
  const flat = seqs.flatMap((s) => s[1].flatMap(([v, len]) => new Array<number>(len).fill(v)));
  const offsets = [0];
  for (const s of seqs) offsets.push(offsets[offsets.length - 1] + s[1].reduce((a, [, len]) => a + len, 0));
  return { adv, offsets: Int32Array.from(offsets), flat };
});

describe('broadcastWasm (WebAssembly token broadcast)', () => {
  it('assembles a valid module that compiles here', () => {
    expect(broadcastWasmValid()).toBe(true);
  });

  it('gives its documented example', () => {
    const out = new Float32Array(5);
    expect(broadcastTokensWasm(Float64Array.of(2, -1), Int32Array.of(0, 3, 5), Uint8Array.of(0, 1, 1, 1, 0), out)).toBe(true);
    expect(Array.from(out)).toEqual([0, 2, 2, -1, 0]);
  });

  it('rejects a chunk size the memory was not sized for', () => {
    const args = [Float64Array.of(1), Int32Array.of(0, 1), Uint8Array.of(1), new Float32Array(1)] as const;
    for (const chunk of [0, 1.5, BROADCAST_MAX_CHUNK + 1, NaN]) {
      expect(() => broadcastTokensWasm(...args, chunk)).toThrow(`broadcastTokensWasm: chunk must be an integer in [1, ${BROADCAST_MAX_CHUNK}] (got ${chunk})`);
    }
    expect(broadcastTokensWasm(...args, BROADCAST_MAX_CHUNK)).toBe(true);
  });

  it('equals the JavaScript path bit for bit, with chunks of 1–70 tokens and unaligned views', () => {
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 1, max: 70 }), fc.nat(7), fc.nat(7), ({ adv, offsets, flat }, chunk, mShift, oShift) => {
        const T = flat.length;
        const mask = new Uint8Array(T + mShift).subarray(mShift);
        mask.set(flat);
        const out = new Float32Array(T + oShift).fill(99).subarray(oShift);
        expect(broadcastTokensWasm(adv, offsets, mask, out, chunk)).toBe(true);
        expectSameBits(out, jsPath(adv, offsets, mask));
      }),
      { numRuns: 400 },
    );
  });

  it(`equals the JavaScript path across its ${BROADCAST_CHUNK}-token chunks (sequences of 1–700 tokens)`, () => {
    const rand = seededRandom(11);
    const lengths: number[] = [];
    for (let T = 0; T < 3 * BROADCAST_CHUNK + 5; ) {
      const len = 1 + Math.floor(rand() * rand() * 700);
      lengths.push(len);
      T += len;
    }
    const offsets = Int32Array.from({ length: lengths.length + 1 }, () => 0);
    lengths.forEach((len, i) => (offsets[i + 1] = offsets[i] + len));
    const T = offsets[lengths.length];
    const mask = Uint8Array.from({ length: T }, () => (rand() < 0.3 ? 0 : rand() < 0.9 ? 1 : 7));
    const adv = Float64Array.from(lengths, () => rand() * 4 - 2);
    expectSameBits(broadcastToTokens(adv, offsets, mask), jsPath(adv, offsets, mask));
  });
});
