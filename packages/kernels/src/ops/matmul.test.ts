import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@paretopo/random';
import { createBackend } from '../registry';
import { matmulFast, matmulWorkerCount, MATMUL_THREAD_MIN_MACS } from './matmulFast';
import { matmulReference } from './matmul';
import { matmulWasmBytes } from './matmulWasm';
import { Op } from './names';
import { sumRowsJs, sumRowsReference } from './sumRows';
import type { MatmulArgs } from './types';
import { Wasm } from './wasmApi';

const A = Float32Array.of(1, 2, 3, 4, 5, 6); // 2×3
const B = Float32Array.of(7, 8, 9, 10, 11, 12); // 3×2
const AT = Float32Array.of(1, 4, 2, 5, 3, 6); // Aᵀ stored 3×2
const BT = Float32Array.of(7, 9, 11, 8, 10, 12); // Bᵀ stored 2×3
// A·B = [[58, 64], [139, 154]] by hand.
const AB = [58, 64, 139, 154];

describe('matmul', () => {
  it.each([
    ['plain', { a: A, b: B }, AB],
    ['transA', { a: AT, b: B, transA: true }, AB],
    ['transB', { a: A, b: BT, transB: true }, AB],
    ['both', { a: AT, b: BT, transA: true, transB: true }, AB],
    ['bias', { a: A, b: B, bias: Float32Array.of(1, -1) }, [59, 63, 140, 153]],
  ])('%s: known values', (_label, extra, expected) => {
    for (const impl of [matmulReference, matmulFast]) {
      const out = new Float32Array(4);
      impl({ m: 2, k: 3, n: 2, out, ...(extra as Pick<MatmulArgs, 'a' | 'b'>) });
      expect([...out]).toEqual(expected);
    }
  });

  it('accumulates into out', () => {
    const out = Float32Array.of(1, 1, 1, 1);
    matmulFast({ a: A, b: B, out, m: 2, k: 3, n: 2, accumulate: true });
    expect([...out]).toEqual([59, 65, 140, 155]);
  });

  it('emits a valid WASM SIMD module (plain and shared memory)', () => {
    expect(Wasm.validate(matmulWasmBytes(false))).toBe(true);
    expect(Wasm.validate(matmulWasmBytes(true))).toBe(true);
  });

  it('fast path matches the float64 reference on random shapes (odd sizes, all flags)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 1, max: 19 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, k, n, transA, transB, extras, seed) => {
          const rng = new Rng(seed);
          const r = (len: number) => Float32Array.from({ length: len }, () => rng.int(-4, 4));
          const args = { a: r(m * k), b: r(k * n), m, k, n, transA, transB, bias: extras ? r(n) : undefined, accumulate: extras };
          const start = r(m * n);
          const want = start.slice();
          const got = start.slice();
          matmulReference({ ...args, out: want });
          matmulFast({ ...args, out: got });
          // small integers: every partial sum is exact in f32, so the paths agree exactly
          expect([...got]).toEqual([...want]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fast path equals a sequential f32 oracle bit for bit (real values, odd sizes, all flags)', () => {
    // The micro-kernel accumulates each output in f32 over p = 0…k−1 (no FMA); the bias and the
    // previous out are then added in float64 with one rounding. Pack / unpack changes must keep that.
    const oracle = ({ a, b, out, m, k, n, transA, transB, bias, accumulate }: MatmulArgs): void => {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let c = 0;
          for (let p = 0; p < k; p++) c = Math.fround(c + Math.fround((transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j])));
          out[i * n + j] = c + (bias ? bias[j] : 0) + (accumulate ? out[i * n + j] : 0);
        }
      }
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 37 }),
        fc.integer({ min: 1, max: 37 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, k, n, transA, transB, withBias, accumulate, seed) => {
          const rng = new Rng(seed);
          const r = (len: number) => Float32Array.from({ length: len }, () => rng.next() * 2 - 1);
          const args = { a: r(m * k), b: r(k * n), m, k, n, transA, transB, bias: withBias ? r(n) : undefined, accumulate };
          const start = r(m * n);
          const want = start.slice();
          const got = start.slice();
          oracle({ ...args, out: want });
          matmulFast({ ...args, out: got });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('splits large products over worker threads with the same bits as one thread', () => {
    const m = 200, k = 160, n = 190;
    expect(m * k * n).toBeGreaterThanOrEqual(MATMUL_THREAD_MIN_MACS);
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
    const one = new Float32Array(m * n);
    const two = new Float32Array(m * n);
    matmulFast({ a, b, out: one, m, k, n }, 1);
    matmulFast({ a, b, out: two, m, k, n }, 2);
    expect(matmulWorkerCount()).toBe(1);
    expect(two).toEqual(one);
  });

  it('back-to-back threaded products of changing shapes (shared chunks, late workers) keep the one-thread bits', () => {
    // Each product rewrites the shared control block; a worker that wakes late must never compute
    // a chunk of one product with another's parameters.
    const shapes = [[200, 160, 190], [64, 2100, 256], [333, 96, 200], [2100, 64, 64], [101, 300, 210]];
    for (let round = 0; round < 3; round++) {
      for (const [m, k, n] of shapes) {
        expect(m * k * n).toBeGreaterThanOrEqual(MATMUL_THREAD_MIN_MACS);
        const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i + round));
        const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i - m));
        const bias = Float32Array.from({ length: n }, (_, i) => i / n);
        const one = new Float32Array(m * n).fill(0.5);
        const many = one.slice();
        matmulFast({ a, b, out: one, m, k, n, bias, accumulate: true }, 1);
        matmulFast({ a, b, out: many, m, k, n, bias, accumulate: true }, round + 2);
        expect(many).toEqual(one);
      }
    }
  });

  it('with a bKey, reuses the packed B while the key stays and repacks for a new key (same bits as without)', () => {
    const m = 5, k = 19, n = 13;
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
    for (const transB of [false, true]) {
      const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
      const plain = (): Float32Array => {
        const out = new Float32Array(m * n);
        matmulFast({ a, b, out, m, k, n, transB });
        return out;
      };
      const keyed = (bKey: object): Float32Array => {
        const out = new Float32Array(m * n);
        matmulFast({ a, b, out, m, k, n, transB, bKey });
        return out;
      };
      const key = {};
      const first = plain();
      expect(keyed(key)).toEqual(first);
      expect(keyed(key)).toEqual(first);
      // Changing B breaks the caller's promise for the old key: the stale packing shows, a new key repacks.
      b[0] += 1;
      const changed = plain();
      expect(changed).not.toEqual(first);
      expect(keyed(key)).toEqual(first);
      expect(keyed({})).toEqual(changed);
    }
  });

  it.each([
    [{ bKey: 3 }, 'matmul: bKey must be an object (got number)'],
    [{ m: 0 }, 'matmul: m must be an integer >= 1 (got 0)'],
    [{ k: 1.5 }, 'matmul: k must be an integer >= 1 (got 1.5)'],
    [{ n: NaN }, 'matmul: n must be an integer >= 1 (got NaN)'],
    [{ a: new Float32Array(5) }, 'matmul: a must have length >= 6 (got 5)'],
    [{ b: [1, 2, 3, 4, 5, 6] }, 'matmul: b must be a Float32Array (got object)'],
    [{ out: new Float64Array(4) }, 'matmul: out must be a Float32Array (got Float64Array(4))'],
    [{ bias: new Float32Array(1) }, 'matmul: bias must have length >= 2 (got 1)'],
  ])('rejects %o', async (bad, message) => {
    const backend = await createBackend('js');
    await expect(backend.run(Op.Matmul, { a: A, b: B, out: new Float32Array(4), m: 2, k: 3, n: 2, ...(bad as object) } as MatmulArgs)).rejects.toThrow(message);
  });
});

describe('sumRows', () => {
  it.each([
    [false, [5, 7, 9]],
    [true, [6, 8, 10]],
  ])('accumulate=%s: known values', (accumulate, expected) => {
    for (const impl of [sumRowsReference, sumRowsJs]) {
      const out = Float32Array.of(1, 1, 1);
      impl({ x: Float32Array.of(1, 2, 3, 4, 5, 6), out, rows: 2, cols: 3, accumulate });
      expect([...out]).toEqual(expected);
    }
  });

  it('rejects bad shapes', async () => {
    const backend = await createBackend('js');
    await expect(backend.run(Op.SumRows, { x: new Float32Array(5), out: new Float32Array(3), rows: 2, cols: 3 })).rejects.toThrow(
      'sumRows: x must have length >= 6 (got 5)',
    );
    await expect(backend.run(Op.SumRows, { x: new Float32Array(6), out: new Float32Array(3), rows: -1, cols: 3 })).rejects.toThrow(
      'sumRows: rows must be an integer >= 1 (got -1)',
    );
  });
});
