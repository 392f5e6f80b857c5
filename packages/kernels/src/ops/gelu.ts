import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertSize } from './validate';
import type { GeluArgs, GeluBackwardArgs } from './types';
import type { KernelThis } from './kernelThis';

/**
 * GELU, tanh approximation as in GPT-2 (Hendrycks & Gimpel 2016, eq. for the "approximate" form):
 * gelu(x) = ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
 */

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/**
 * GELU of one number in float64 (tanh approximation).
 *
 * @param x - input
 * @returns ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
 * @example
 * gelu64(1); // 0.8411919906082768
 */
export function gelu64(x: number): number {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x)));
}

/**
 * Derivative of {@link gelu64} in float64.
 *
 * @param x - input
 * @returns d gelu / dx at x
 * @example
 * geluGrad64(0); // 0.5
 */
export function geluGrad64(x: number): number {
  const t = Math.tanh(SQRT_2_OVER_PI * (x + GELU_C * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * x * x);
}

/**
 * Reference GELU forward: float64 per element, the oracle.
 *
 * @param args - {@link GeluArgs}
 * @example
 * const out = new Float32Array(2);
 * geluReference({ x: Float32Array.of(0, 1), out, n: 2 }); // out ≈ [0, 0.841192]
 */
export function geluReference(args: GeluArgs): void {
  const { x, out, n } = args;
  for (let i = 0; i < n; i++) out[i] = gelu64(x[i]);
}

/**
 * Reference GELU backward in float64.
 *
 * @param args - {@link GeluBackwardArgs}
 * @example
 * const dx = new Float32Array(1);
 * geluBackwardReference({ x: Float32Array.of(0), dOut: Float32Array.of(2), dx, n: 1 }); // dx = [1]
 */
export function geluBackwardReference(args: GeluBackwardArgs): void {
  const { x, dOut, dx, n } = args;
  for (let i = 0; i < n; i++) dx[i] = geluGrad64(x[i]) * dOut[i];
}

// tanh(u) as a rational function, Eigen's `generic_fast_tanh_float` (odd degree-13 numerator over
// even degree-6 denominator, minimax on [−c, c]): in float64 it is within 3e-7 of Math.tanh, about
// two float32 ulps of the result, and ~2.5× faster than tanh through Math.exp here. Beyond ±c
// tanh is ±1 to that accuracy, so the result is clamped there (and never NaN for huge inputs).
const TANH_CLAMP = 7.90531110763549805;
const A1 = 4.89352455891786e-3;
const A3 = 6.37261928875436e-4;
const A5 = 1.48572235717979e-5;
const A7 = 5.12229709037114e-8;
const A9 = -8.60467152213735e-11;
const A11 = 2.00018790482477e-13;
const A13 = -2.76076847742355e-16;
const B0 = 4.89352518554385e-3;
const B2 = 2.26843463243900e-3;
const B4 = 1.18534705686654e-4;
const B6 = 1.19825839466702e-6;

/**
 * tanh through a rational approximation (the fast GELU's tanh): |tanhRational(u) − tanh(u)| < 3e-7
 * for every u, odd, within [−1, 1], exactly ±1 for |u| ≥ 7.905 (NaN stays NaN).
 *
 * @param u - input
 * @returns ≈ tanh(u)
 * @example
 * Math.abs(tanhRational(0.5) - Math.tanh(0.5)) < 3e-7; // true
 */
export function tanhRational(u: number): number {
  if (u >= TANH_CLAMP) return 1;
  if (u <= -TANH_CLAMP) return -1;
  const u2 = u * u;
  const p = u * (A1 + u2 * (A3 + u2 * (A5 + u2 * (A7 + u2 * (A9 + u2 * (A11 + u2 * A13))))));
  return p / (B0 + u2 * (B2 + u2 * (B4 + u2 * B6)));
}

/**
 * Fast GELU forward: one flat loop, tanh by {@link tanhRational} (no Math.exp).
 *
 * @param args - {@link GeluArgs}
 * @example
 * const out = new Float32Array(1);
 * geluJs({ x: Float32Array.of(1), out, n: 1 }); // out ≈ [0.841192]
 */
export function geluJs(args: GeluArgs): void {
  const { x, out, n } = args;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    out[i] = 0.5 * xi * (1 + tanhRational(SQRT_2_OVER_PI * (xi + GELU_C * xi * xi * xi)));
  }
}

// Below this |u| the backward takes tanh from tanhRational: its error there (under 2.6e-8) moves
// the derivative by under 3e-7. Past it 1 − tanh² is tiny and the rational form's clamp to ±1
// would drop it, so tanh goes through exp.
const GELU_BACKWARD_RATIONAL_MAX = 5;

/**
 * Fast GELU backward; overwrites dx. tanh by {@link tanhRational} where |u| < 5, else through exp
 * of a non-positive argument (tanh(u) = sign(u)·(1 − e^{−2|u|}) / (1 + e^{−2|u|}), never
 * overflows), so 1 − tanh² stays accurate where tanh is near ±1.
 *
 * @param args - {@link GeluBackwardArgs}
 * @example
 * const dx = new Float32Array(1);
 * geluBackwardJs({ x: Float32Array.of(0), dOut: Float32Array.of(1), dx, n: 1 }); // dx = [0.5]
 */
export function geluBackwardJs(args: GeluBackwardArgs): void {
  const { x, dOut, dx, n } = args;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const u = SQRT_2_OVER_PI * (xi + GELU_C * xi * xi * xi);
    let t: number;
    if (u < GELU_BACKWARD_RATIONAL_MAX && u > -GELU_BACKWARD_RATIONAL_MAX) {
      t = tanhRational(u);
    } else {
      const e = Math.exp(-2 * Math.abs(u));
      t = u < 0 ? -(1 - e) / (1 + e) : (1 - e) / (1 + e);
    }
    dx[i] = dOut[i] * (0.5 * (1 + t) + 0.5 * xi * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * GELU_C * xi * xi));
  }
}

/**
 * gpu.js kernel source for GELU forward, output [n]. Literals instead of module constants
 * because gpu.js compiles the function text alone.
 *
 * @param x - input, length ≥ n
 * @returns gelu(x[thread.x])
 * @example
 * gpu.createKernel(geluKernel).setOutput([n])(x); // Float32Array of gelu(x)
 */
export function geluKernel(this: KernelThis, x: number[]): number {
  const xi = x[this.thread.x];
  const u = 0.7978845608028654 * (xi + 0.044715 * xi * xi * xi);
  const e = Math.exp(-2 * Math.abs(u));
  let t = (1 - e) / (1 + e);
  if (u < 0) t = -t;
  return 0.5 * xi * (1 + t);
}

/**
 * gpu.js kernel source for GELU backward, output [n].
 *
 * @param x - forward input
 * @param dOut - upstream gradient
 * @returns gelu'(x)·dOut at thread.x
 * @example
 * gpu.createKernel(geluBackwardKernel).setOutput([n])(x, dOut); // dx
 */
export function geluBackwardKernel(this: KernelThis, x: number[], dOut: number[]): number {
  const xi = x[this.thread.x];
  const u = 0.7978845608028654 * (xi + 0.044715 * xi * xi * xi);
  const e = Math.exp(-2 * Math.abs(u));
  let t = (1 - e) / (1 + e);
  if (u < 0) t = -t;
  return (
    dOut[this.thread.x] *
    (0.5 * (1 + t) + 0.5 * xi * (1 - t * t) * 0.7978845608028654 * (1 + 0.134145 * xi * xi))
  );
}

function elementwiseSizes(small: boolean): number[] {
  return small ? [1, 7, 64] : [1, 7, 64, 1000, 4099];
}

/**
 * The gelu op (tanh approximation).
 *
 * @example
 * await backend.run(Op.Gelu, { x, out, n: x.length });
 */
export const geluOp = defineOp({
  name: Op.Gelu,
  validate(a) {
    assertSize('gelu', 'n', a.n);
    assertF32('gelu', 'x', a.x, a.n);
    assertF32('gelu', 'out', a.out, a.n);
  },
  reference: geluReference,
  js: geluJs,
  gpu: {
    key: (a) => `${a.n}`,
    build(ctx, first) {
      const n = first.n;
      const kernel = ctx.createKernel(geluKernel as never, { output: [n] });
      return async (a) => {
        await ctx.readInto(kernel(a.x.subarray(0, n)), a.out, n);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases: (rng, { small }) =>
      elementwiseSizes(small).map((n) => ({ label: `n=${n}`, args: { x: rng.f32(n, -6, 6), out: new Float32Array(n), n } })),
  },
});

/**
 * The geluBackward op: dx = gelu'(x)·dOut (overwrites dx).
 *
 * @example
 * await backend.run(Op.GeluBackward, { x, dOut, dx, n: x.length });
 */
export const geluBackwardOp = defineOp({
  name: Op.GeluBackward,
  validate(a) {
    assertSize('geluBackward', 'n', a.n);
    assertF32('geluBackward', 'x', a.x, a.n);
    assertF32('geluBackward', 'dOut', a.dOut, a.n);
    assertF32('geluBackward', 'dx', a.dx, a.n);
  },
  reference: geluBackwardReference,
  js: geluBackwardJs,
  gpu: {
    key: (a) => `${a.n}`,
    build(ctx, first) {
      const n = first.n;
      const kernel = ctx.createKernel(geluBackwardKernel as never, { output: [n] });
      return async (a) => {
        await ctx.readInto(kernel(a.x.subarray(0, n), a.dOut.subarray(0, n)), a.dx, n);
      };
    },
  },
  conformance: {
    outputs: ['dx'],
    cases: (rng, { small }) =>
      elementwiseSizes(small).map((n) => ({
        label: `n=${n}`,
        args: { x: rng.f32(n, -6, 6), dOut: rng.f32(n), dx: new Float32Array(n), n },
      })),
  },
});
