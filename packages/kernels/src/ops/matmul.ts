import { defineOp } from './define';
import { matmulFast, disposeMatmulPool } from './matmulFast';
import { Op } from './names';
import type { MatmulArgs } from './types';
import { assertF32, assertSize } from './validate';

function validateMatmul(args: MatmulArgs): void {
  const { m, k, n } = args;
  assertSize('matmul', 'm', m);
  assertSize('matmul', 'k', k);
  assertSize('matmul', 'n', n);
  assertF32('matmul', 'a', args.a, m * k);
  assertF32('matmul', 'b', args.b, k * n);
  assertF32('matmul', 'out', args.out, m * n);
  if (args.bias !== undefined) assertF32('matmul', 'bias', args.bias, n);
  if (args.bKey !== undefined && (args.bKey === null || typeof args.bKey !== 'object')) {
    throw new TypeError(`matmul: bKey must be an object (got ${args.bKey === null ? 'null' : typeof args.bKey})`);
  }
}

/**
 * Float64 oracle: the textbook triple loop with explicit transposed indexing.
 *
 * @example
 * matmulReference({ a: Float32Array.of(1, 2), b: Float32Array.of(3, 4), out, m: 1, k: 2, n: 1 }) // out = [11]
 */
export function matmulReference(args: MatmulArgs): void {
  const { a, b, out, m, k, n, transA = false, transB = false, bias, accumulate = false } = args;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? a[p * m + i] : a[i * k + p];
        const bv = transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
      }
      if (bias) s += bias[j];
      if (accumulate) s += out[i * n + j];
      out[i * n + j] = s;
    }
  }
}

interface MatmulKernelThis {
  thread: { x: number; y: number };
  constants: { k: number; sAi: number; sAp: number; sBp: number; sBj: number; n: number };
}

// One gpu.js source for every mode: transposition is folded into strides, bias and the previous
// output are always inputs (zeros when absent) so the kernel has no data-dependent branches.
function matmulKernel(this: MatmulKernelThis, a: Float32Array, b: Float32Array, bias: Float32Array, prev: Float32Array): number {
  const i = this.thread.y;
  const j = this.thread.x;
  let s = 0;
  for (let p = 0; p < this.constants.k; p++) {
    s += a[i * this.constants.sAi + p * this.constants.sAp] * b[p * this.constants.sBp + j * this.constants.sBj];
  }
  return s + bias[j] + prev[i * this.constants.n + j];
}

/**
 * The matmul op: out(m×n) = op(a)·op(b) (+ bias) (+ out when accumulate).
 *
 * @example
 * await backend.run(Op.Matmul, { a, b, out, m: 2, k: 3, n: 4, transB: true, bias });
 */
export const matmulOp = defineOp({
  name: Op.Matmul,
  validate: validateMatmul,
  reference: matmulReference,
  js: matmulFast,
  gpu: {
    key: (a) => `${a.m}x${a.k}x${a.n}:${a.transA ? 1 : 0}${a.transB ? 1 : 0}`,
    build(ctx, first) {
      const { m, k, n } = first;
      const kernel = ctx.createKernel(matmulKernel as never, {
        output: [n, m],
        constants: {
          k,
          n,
          sAi: first.transA ? 1 : k,
          sAp: first.transA ? m : 1,
          sBp: first.transB ? 1 : n,
          sBj: first.transB ? k : 1,
        },
      });
      const zeroBias = new Float32Array(n);
      const zeroPrev = new Float32Array(m * n);
      return async (args) => {
        const prev = args.accumulate ? args.out.subarray(0, m * n).slice() : zeroPrev;
        const result = kernel(args.a.subarray(0, m * k), args.b.subarray(0, k * n), args.bias ? args.bias.subarray(0, n) : zeroBias, prev);
        await ctx.readInto(result, args.out, m * n);
      };
    },
  },
  dispose: disposeMatmulPool,
  conformance: {
    outputs: ['out'],
    cases(rng, { small }) {
      const shapes: [number, number, number][] = small
        ? [[1, 1, 1], [3, 5, 2], [7, 4, 9]]
        : [[1, 1, 1], [1, 7, 1], [5, 1, 3], [3, 5, 2], [4, 8, 8], [9, 13, 17], [33, 17, 70], [64, 64, 64]];
      const cases = [];
      for (const [m, k, n] of shapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) {
            const withExtras = (m + k + n + (transA ? 1 : 0) + (transB ? 2 : 0)) % 2 === 0;
            cases.push({
              label: `${m}x${k}x${n} tA=${transA} tB=${transB}${withExtras ? ' +bias +accumulate' : ''}`,
              args: {
                a: rng.f32(m * k),
                b: rng.f32(k * n),
                out: withExtras ? rng.f32(m * n) : new Float32Array(m * n),
                m,
                k,
                n,
                transA,
                transB,
                bias: withExtras ? rng.f32(n) : undefined,
                accumulate: withExtras,
              },
            });
          }
        }
      }
      return cases;
    },
  },
});
