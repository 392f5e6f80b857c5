import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { dot, f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import {
  layerNormBackwardJs,
  layerNormBackwardOp,
  layerNormBackwardReference,
  layerNormJs,
  layerNormOp,
  layerNormReference,
} from './layerNorm';

function run(fn: typeof layerNormJs, x: number[], gamma: number[], beta: number[], eps: number) {
  const dim = gamma.length;
  const rows = x.length / dim;
  const out = new Float32Array(x.length);
  const mean = new Float32Array(rows);
  const rstd = new Float32Array(rows);
  fn({ x: Float32Array.from(x), gamma: Float32Array.from(gamma), beta: Float32Array.from(beta), out, mean, rstd, rows, dim, eps });
  return { out: Array.from(out), mean: Array.from(mean), rstd: Array.from(rstd) };
}

describe('layerNorm', () => {
  // [1, 2, 3]: mean 2, biased variance 2/3, rstd = √(3/2) = 1.2247449, x̂ = [−1.2247449, 0, 1.2247449].
  it.each([
    ['reference', layerNormReference],
    ['js', layerNormJs],
  ])('%s: layerNorm of [1, 2, 3] by hand', (_, fn) => {
    const r = run(fn, [1, 2, 3], [1, 1, 1], [0, 0, 0], 0);
    expect(r.mean[0]).toBe(2);
    expect(r.rstd[0]).toBeCloseTo(1.2247449, 6);
    r.out.forEach((v, i) => expect(v).toBeCloseTo([-1.2247449, 0, 1.2247449][i], 6));
    const scaled = run(fn, [1, 2, 3, 5, 5, 5], [2, 1, -1], [0.5, 0, 1], 1e-5);
    // Row 2 is constant: x̂ = 0, so out = beta; rstd = 1/√eps.
    expect(scaled.out.slice(3)).toEqual([0.5, 0, 1]);
    expect(scaled.rstd[1]).toBeCloseTo(1 / Math.sqrt(1e-5), 1);
    expect(scaled.out[0]).toBeCloseTo(2 * -1.2247356 + 0.5, 5);
  });

  it('js keeps float32 accuracy for rows with a large mean (two-pass variance)', () => {
    const x = [10000.5, 10001.5, 10002.5, 10003.5];
    const ref = run(layerNormReference, x, [1, 1, 1, 1], [0, 0, 0, 0], 1e-5);
    const js = run(layerNormJs, x, [1, 1, 1, 1], [0, 0, 0, 0], 1e-5);
    expect(maxMixedError(js.out, ref.out)).toBeLessThan(1e-5);
  });

  it('js matches the reference on seeded random inputs (forward and backward)', () => {
    const rng = caseRng(11);
    const rows = 33;
    const dim = 64;
    const x = rng.f32(rows * dim, -3, 5);
    const gamma = rng.f32(dim);
    const beta = rng.f32(dim);
    const outs = [0, 1].map(() => ({ out: new Float32Array(rows * dim), mean: new Float32Array(rows), rstd: new Float32Array(rows) }));
    layerNormReference({ x, gamma, beta, ...outs[0], rows, dim, eps: 1e-5 });
    layerNormJs({ x, gamma, beta, ...outs[1], rows, dim, eps: 1e-5 });
    expect(maxMixedError(outs[1].out, outs[0].out)).toBeLessThan(1e-5);
    expect(maxMixedError(outs[1].rstd, outs[0].rstd)).toBeLessThan(1e-5);
    const dOut = rng.f32(rows * dim);
    const start = rng.f32(dim);
    const grads = [0, 1].map(() => ({ dx: new Float32Array(rows * dim), dGamma: start.slice(), dBeta: start.slice() }));
    const common = { x, gamma, mean: outs[0].mean, rstd: outs[0].rstd, dOut, rows, dim };
    layerNormBackwardReference({ ...common, ...grads[0] });
    layerNormBackwardJs({ ...common, ...grads[1] });
    expect(maxMixedError(grads[1].dx, grads[0].dx)).toBeLessThan(1e-5);
    expect(maxMixedError(grads[1].dGamma, grads[0].dGamma)).toBeLessThan(1e-5);
    expect(maxMixedError(grads[1].dBeta, grads[0].dBeta)).toBeLessThan(1e-5);
  });

  it('backward matches central finite differences in float64 (x, gamma, beta) and accumulates', () => {
    const rows = 3;
    const dim = 5;
    const eps = 1e-5;
    const x = randomF64(rows * dim, 21, -2, 2);
    const gamma = randomF64(dim, 22);
    const beta = randomF64(dim, 23);
    const c = randomF64(rows * dim, 24);
    const out = f64(rows * dim);
    const mean = f64(rows);
    const rstd = f64(rows);
    const loss = () => {
      layerNormReference({ x, gamma, beta, out, mean, rstd, rows, dim, eps });
      return dot(c, out);
    };
    loss();
    const dx = f64(rows * dim);
    const dGamma = f64(Array(dim).fill(1));
    const dBeta = f64(Array(dim).fill(1));
    layerNormBackwardReference({ x, gamma, mean, rstd, dOut: c, dx, dGamma, dBeta, rows, dim });
    expect(maxMixedError(dx, numericGradient(x, loss))).toBeLessThan(1e-7);
    expect(maxMixedError(dGamma.map((g) => g - 1), numericGradient(gamma, loss))).toBeLessThan(1e-7);
    expect(maxMixedError(dBeta.map((g) => g - 1), numericGradient(beta, loss))).toBeLessThan(1e-7);
  });

  it('validate rejects bad shapes and eps', () => {
    const ok = {
      x: new Float32Array(6),
      gamma: new Float32Array(3),
      beta: new Float32Array(3),
      out: new Float32Array(6),
      mean: new Float32Array(2),
      rstd: new Float32Array(2),
      rows: 2,
      dim: 3,
      eps: 1e-5,
    };
    expect(() => layerNormOp.validate(ok)).not.toThrow();
    expect(() => layerNormOp.validate({ ...ok, eps: Number.NaN })).toThrow(/layerNorm: eps must be a finite number \(got NaN\)/);
    expect(() => layerNormOp.validate({ ...ok, eps: -1 })).toThrow(/layerNorm: eps must be >= 0 \(got -1\)/);
    expect(() => layerNormOp.validate({ ...ok, gamma: new Float32Array(2) })).toThrow(/layerNorm: gamma must have length >= 3 \(got 2\)/);
    expect(() => layerNormOp.validate({ ...ok, rstd: new Float32Array(1) })).toThrow(/layerNorm: rstd must have length >= 2/);
    expect(() => layerNormOp.validate({ ...ok, rows: 1.5 })).toThrow(/layerNorm: rows must be an integer >= 1 \(got 1.5\)/);
    expect(() =>
      layerNormBackwardOp.validate({ ...ok, dOut: new Float32Array(6), dx: new Float32Array(6), dGamma: new Float32Array(3), dBeta: new Float32Array(2) }),
    ).toThrow(/layerNormBackward: dBeta must have length >= 3 \(got 2\)/);
  });
});
