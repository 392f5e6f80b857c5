import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertNonNegative, assertSize } from './validate';
import type { AdamwArgs } from './types';

/*
 * AdamW (Loshchilov & Hutter 2019) in PyTorch's form: the weight decay is decoupled from the
 * gradient (p ← p·(1 − lr·λ) before the Adam step), and the moments are bias-corrected by
 * 1 − β^step (Kingma & Ba 2015, §2).
 */

/**
 * Reference AdamW step in float64 (rounded once per stored value).
 *
 * @param args - {@link AdamwArgs}; updates params, m and v in place
 * @example
 * // step 1, g = 1: m̂ = 1, v̂ = 1, p ← 1·(1 − 0.1·0.01) − 0.1·1/(1 + 1e-8) ≈ 0.8999
 * adamwReference({ params: Float32Array.of(1), grads: Float32Array.of(1), m: new Float32Array(1), v: new Float32Array(1),
 *   lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 }); // params ≈ [0.8999]
 */
export function adamwReference(args: AdamwArgs): void {
  const { params, grads, m, v, lr, beta1, beta2, eps, weightDecay, step } = args;
  for (let i = 0; i < params.length; i++) {
    const g = grads[i];
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    const mHat = mi / (1 - beta1 ** step);
    const vHat = vi / (1 - beta2 ** step);
    params[i] = params[i] * (1 - lr * weightDecay) - (lr * mHat) / (Math.sqrt(vHat) + eps);
    m[i] = mi;
    v[i] = vi;
  }
}

/**
 * Fast AdamW step: the bias corrections and decay factor hoisted out of the loop.
 *
 * @param args - {@link AdamwArgs}
 * @example
 * adamwJs({ params, grads, m, v, lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 });
 */
export function adamwJs(args: AdamwArgs): void {
  const { params, grads, m, v, lr, beta1, beta2, eps, weightDecay, step } = args;
  const c1 = 1 - beta1;
  const c2 = 1 - beta2;
  const stepSize = lr / (1 - beta1 ** step);
  const invSqrtBc2 = 1 / Math.sqrt(1 - beta2 ** step);
  const decay = 1 - lr * weightDecay;
  const n = params.length;
  for (let i = 0; i < n; i++) {
    const g = grads[i];
    const mi = beta1 * m[i] + c1 * g;
    const vi = beta2 * v[i] + c2 * g * g;
    m[i] = mi;
    v[i] = vi;
    params[i] = params[i] * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtBc2 + eps);
  }
}

/**
 * The adamw op: one in-place step on params, m and v.
 *
 * @example
 * await backend.run(Op.Adamw, { params, grads, m, v, lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 1 });
 */
export const adamwOp = defineOp({
  name: Op.Adamw,
  validate(a) {
    const op = 'adamw';
    if (!(a.params instanceof Float32Array)) assertF32(op, 'params', a.params, 0);
    const n = a.params.length;
    assertF32(op, 'grads', a.grads, n);
    assertF32(op, 'm', a.m, n);
    assertF32(op, 'v', a.v, n);
    assertNonNegative(op, 'lr', a.lr);
    for (const [name, beta] of [['beta1', a.beta1], ['beta2', a.beta2]] as const) {
      if (typeof beta !== 'number' || !(beta >= 0 && beta < 1)) throw new RangeError(`adamw: ${name} must be a number in [0, 1) (got ${String(beta)})`);
    }
    assertNonNegative(op, 'eps', a.eps);
    assertNonNegative(op, 'weightDecay', a.weightDecay);
    assertSize(op, 'step', a.step);
  },
  reference: adamwReference,
  js: adamwJs,
  gaps: [
    {
      backends: ['webgpu', 'headlessgl', 'webasm', 'cpu'],
      reason:
        'updates three arrays in place and a gpu.js kernel returns one output: a step would be three launches plus three read-backs of every parameter, for a memory-bound loop the js pass already streams once',
    },
  ],
  conformance: {
    outputs: ['params', 'm', 'v'],
    cases(rng, { small }) {
      const sizes = small ? [1, 17] : [1, 17, 5000];
      return sizes.map((n, i) => ({
        label: `n=${n} step=${1 + 9 * i}`,
        args: {
          params: rng.f32(n),
          grads: rng.f32(n),
          m: rng.f32(n, -0.1, 0.1),
          v: rng.f32(n, 0, 0.1),
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0.01,
          step: 1 + 9 * i,
        },
      }));
    },
  },
});
