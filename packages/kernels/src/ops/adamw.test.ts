import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { maxMixedError } from './gradCheck';
import { adamwJs, adamwOp, adamwReference } from './adamw';

describe.each([
  ['reference', adamwReference],
  ['js', adamwJs],
])('adamw (%s)', (_, fn) => {
  it('two steps by hand', () => {
    const params = Float32Array.of(1);
    const m = new Float32Array(1);
    const v = new Float32Array(1);
    const hyper = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    // Step 1, g = 0.5: m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25, p = 1·(1 − 0.001) − 0.1·0.5/0.5 = 0.899.
    fn({ params, grads: Float32Array.of(0.5), m, v, ...hyper, step: 1 });
    expect(m[0]).toBeCloseTo(0.05, 7);
    expect(v[0]).toBeCloseTo(0.00025, 9);
    expect(params[0]).toBeCloseTo(0.899, 6);
    // Step 2, g = −0.5: m = −0.005, v = 0.00049975, m̂ = −0.005/0.19, v̂ = 0.00049975/0.001999 = 0.25,
    // p = 0.899·0.999 + 0.1·(0.005/0.19)/0.5 = 0.90336416.
    fn({ params, grads: Float32Array.of(-0.5), m, v, ...hyper, step: 2 });
    expect(m[0]).toBeCloseTo(-0.005, 7);
    expect(v[0]).toBeCloseTo(0.00049975, 9);
    expect(params[0]).toBeCloseTo(0.90336416, 6);
  });

  it('decouples the weight decay: a zero gradient only shrinks the weights', () => {
    const params = Float32Array.of(2, -4);
    fn({ params, grads: new Float32Array(2), m: new Float32Array(2), v: new Float32Array(2), lr: 0.5, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1, step: 1 });
    expect(Array.from(params)).toEqual([1.899999976158142, -3.799999952316284]);
  });
});

describe('adamw', () => {
  it('js matches the reference on seeded random state', () => {
    const rng = caseRng(71);
    const n = 3000;
    const init = { params: rng.f32(n), grads: rng.f32(n), m: rng.f32(n, -0.1, 0.1), v: rng.f32(n, 0, 0.1) };
    const a = { params: init.params.slice(), grads: init.grads, m: init.m.slice(), v: init.v.slice() };
    const b = { params: init.params.slice(), grads: init.grads, m: init.m.slice(), v: init.v.slice() };
    const hyper = { lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, step: 7 };
    adamwReference({ ...a, ...hyper });
    adamwJs({ ...b, ...hyper });
    expect(maxMixedError(b.params, a.params)).toBeLessThan(1e-6);
    expect(maxMixedError(b.m, a.m)).toBeLessThan(1e-6);
    expect(maxMixedError(b.v, a.v)).toBeLessThan(1e-6);
  });

  it('validate rejects bad hyper-parameters and shapes', () => {
    const ok = { params: new Float32Array(2), grads: new Float32Array(2), m: new Float32Array(2), v: new Float32Array(2), lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 };
    expect(() => adamwOp.validate(ok)).not.toThrow();
    expect(() => adamwOp.validate({ ...ok, step: 0 })).toThrow(/adamw: step must be an integer >= 1 \(got 0\)/);
    expect(() => adamwOp.validate({ ...ok, beta1: 1 })).toThrow(/adamw: beta1 must be a number in \[0, 1\) \(got 1\)/);
    expect(() => adamwOp.validate({ ...ok, lr: Number.NaN })).toThrow(/adamw: lr must be a finite number >= 0 \(got NaN\)/);
    expect(() => adamwOp.validate({ ...ok, weightDecay: -0.1 })).toThrow(/adamw: weightDecay must be a finite number >= 0 \(got -0.1\)/);
    expect(() => adamwOp.validate({ ...ok, v: new Float32Array(1) })).toThrow(/adamw: v must have length >= 2 \(got 1\)/);
    expect(() => adamwOp.validate({ ...ok, params: new Float64Array(2) as unknown as Float32Array })).toThrow(/adamw: params must be a Float32Array/);
  });
});
