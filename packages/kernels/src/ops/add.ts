import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertSize } from './validate';
import type { AddArgs } from './types';
import type { KernelThis } from './kernelThis';

/**
 * Reference elementwise add (float64 sum, rounded once to float32).
 *
 * @param args - {@link AddArgs}
 * @example
 * const out = new Float32Array(2);
 * addReference({ a: Float32Array.of(1, 2), b: Float32Array.of(3, 4), out, n: 2 }); // out = [4, 6]
 */
export function addReference(args: AddArgs): void {
  const { a, b, out, n } = args;
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/**
 * Fast elementwise add; reads a[i] before writing out[i], so `out === a` is safe.
 *
 * @param args - {@link AddArgs}
 * @example
 * const a = Float32Array.of(1, 2);
 * addJs({ a, b: Float32Array.of(3, 4), out: a, n: 2 }); // a = [4, 6]
 */
export function addJs(args: AddArgs): void {
  const { a, b, out, n } = args;
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/**
 * gpu.js kernel source for `add`, output [n].
 *
 * @param a - left operand
 * @param b - right operand
 * @returns a + b at thread.x
 * @example
 * gpu.createKernel(addKernel).setOutput([n])(a, b); // a + b
 */
export function addKernel(this: KernelThis, a: number[], b: number[]): number {
  return a[this.thread.x] + b[this.thread.x];
}

/**
 * The add op (residual connection; out may alias a).
 *
 * @example
 * await backend.run(Op.Add, { a: x, b: y, out: x, n: x.length }); // x += y
 */
export const addOp = defineOp({
  name: Op.Add,
  validate(a) {
    assertSize('add', 'n', a.n);
    assertF32('add', 'a', a.a, a.n);
    assertF32('add', 'b', a.b, a.n);
    assertF32('add', 'out', a.out, a.n);
  },
  reference: addReference,
  js: addJs,
  gpu: {
    key: (a) => `${a.n}`,
    build(ctx, first) {
      const n = first.n;
      const kernel = ctx.createKernel(addKernel as never, { output: [n] });
      return async (a) => {
        // The kernel result is a fresh array, so aliasing out with a is safe here too.
        await ctx.readInto(kernel(a.a.subarray(0, n), a.b.subarray(0, n)), a.out, n);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases(rng, { small }) {
      const sizes = small ? [1, 5, 64] : [1, 5, 64, 4099];
      return sizes.map((n) => ({ label: `n=${n}`, args: { a: rng.f32(n), b: rng.f32(n), out: new Float32Array(n), n } }));
    },
  },
});
