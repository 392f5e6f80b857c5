import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertFinite, assertSize } from './validate';
import type { GradNormArgs, ScaleArgs } from './types';
import type { KernelThis } from './kernelThis';

/**
 * Reference global L2 norm: √(Σ_arrays Σ_i x_i²), summed in float64 element by element.
 *
 * @param args - {@link GradNormArgs}
 * @returns `{ norm }`
 * @example
 * gradNormReference({ arrays: [Float32Array.of(3), Float32Array.of(4)] }); // { norm: 5 }
 */
export function gradNormReference(args: GradNormArgs): { norm: number } {
  let sum = 0;
  for (const x of args.arrays) for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return { norm: Math.sqrt(sum) };
}

/**
 * Fast global L2 norm: four independent float64 accumulators per array, so the adds pipeline
 * instead of waiting on one dependency chain.
 *
 * @param args - {@link GradNormArgs}
 * @returns `{ norm }`
 * @example
 * gradNormJs({ arrays: [Float32Array.of(3, 4)] }); // { norm: 5 }
 */
export function gradNormJs(args: GradNormArgs): { norm: number } {
  let total = 0;
  for (const x of args.arrays) {
    const n = x.length;
    const n4 = n - (n % 4);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n4; i += 4) {
      s0 += x[i] * x[i];
      s1 += x[i + 1] * x[i + 1];
      s2 += x[i + 2] * x[i + 2];
      s3 += x[i + 3] * x[i + 3];
    }
    for (let i = n4; i < n; i++) s0 += x[i] * x[i];
    total += s0 + s1 + s2 + s3;
  }
  return { norm: Math.sqrt(total) };
}

/**
 * Reference in-place scale: x[i] *= factor for i < n.
 *
 * @param args - {@link ScaleArgs}
 * @example
 * const x = Float32Array.of(1, 2);
 * scaleReference({ x, factor: 0.5, n: 2 }); // x = [0.5, 1]
 */
export function scaleReference(args: ScaleArgs): void {
  const { x, factor, n } = args;
  for (let i = 0; i < n; i++) x[i] = x[i] * factor;
}

/**
 * Fast in-place scale (one flat loop; the same arithmetic as the reference).
 *
 * @param args - {@link ScaleArgs}
 * @example
 * const x = Float32Array.of(1, 2);
 * scaleJs({ x, factor: 2, n: 2 }); // x = [2, 4]
 */
export function scaleJs(args: ScaleArgs): void {
  const { x, factor, n } = args;
  for (let i = 0; i < n; i++) x[i] *= factor;
}

/**
 * gpu.js kernel source for `scale`, output [n]. The factor is an argument, not a constant, so
 * one compiled kernel serves every clipping factor.
 *
 * @param x - input
 * @param factor - multiplier
 * @returns x[thread.x]·factor
 * @example
 * gpu.createKernel(scaleKernel).setOutput([n])(x, 0.5);
 */
export function scaleKernel(this: KernelThis, x: number[], factor: number): number {
  return x[this.thread.x] * factor;
}

/**
 * The gradNorm op: the global L2 norm of several arrays (for gradient clipping).
 *
 * @example
 * const { norm } = await backend.run(Op.GradNorm, { arrays: [dW1, dW2] });
 */
export const gradNormOp = defineOp({
  name: Op.GradNorm,
  validate(a) {
    if (!Array.isArray(a.arrays)) throw new TypeError(`gradNorm: arrays must be an array of Float32Array (got ${typeof a.arrays})`);
    a.arrays.forEach((x, i) => assertF32('gradNorm', `arrays[${i}]`, x, 0));
  },
  reference: gradNormReference,
  js: gradNormJs,
  gaps: [
    {
      backends: ['webgpu', 'headlessgl', 'webasm', 'cpu'],
      reason: 'a reduction of many arrays to one scalar: gpu.js has no reduction primitive and one launch per array costs more than the js pass',
    },
  ],
  conformance: {
    outputs: [],
    cases: (rng, { small }) => [
      { label: 'one array', args: { arrays: [rng.f32(small ? 5 : 1000)] } },
      { label: 'several arrays', args: { arrays: [rng.f32(3), rng.f32(0), rng.f32(small ? 9 : 4099)] } },
    ],
  },
});

/**
 * The scale op: x *= factor in place (applies the global-norm clipping factor).
 *
 * @example
 * await backend.run(Op.Scale, { x: dW, factor: maxNorm / norm, n: dW.length });
 */
export const scaleOp = defineOp({
  name: Op.Scale,
  validate(a) {
    assertSize('scale', 'n', a.n);
    assertF32('scale', 'x', a.x, a.n);
    assertFinite('scale', 'factor', a.factor);
  },
  reference: scaleReference,
  js: scaleJs,
  gpu: {
    key: (a) => `${a.n}`,
    build(ctx, first) {
      const n = first.n;
      const kernel = ctx.createKernel(scaleKernel as never, { output: [n] });
      return async (a) => {
        await ctx.readInto(kernel(a.x.subarray(0, n), a.factor), a.x, n);
      };
    },
  },
  conformance: {
    outputs: ['x'],
    cases(rng, { small }) {
      const sizes = small ? [1, 9] : [1, 9, 4099];
      return sizes.map((n) => ({ label: `n=${n}`, args: { x: rng.f32(n), factor: 0.37, n } }));
    },
  },
});
