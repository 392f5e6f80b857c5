import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertFinite, assertSize } from './validate';
import type { LayerNormArgs, LayerNormBackwardArgs } from './types';
import type { KernelThis } from './kernelThis';

/**
 * Reference layer norm (Ba, Kiros & Hinton 2016) in float64: biased variance, two passes.
 *
 * @param args - {@link LayerNormArgs}; writes out, mean and rstd = 1/√(var + eps)
 * @example
 * const out = new Float32Array(3), mean = new Float32Array(1), rstd = new Float32Array(1);
 * layerNormReference({ x: Float32Array.of(1, 2, 3), gamma: Float32Array.of(1, 1, 1), beta: new Float32Array(3),
 *   out, mean, rstd, rows: 1, dim: 3, eps: 0 }); // out ≈ [−1.224745, 0, 1.224745], mean = [2]
 */
export function layerNormReference(args: LayerNormArgs): void {
  const { x, gamma, beta, out, mean, rstd, rows, dim, eps } = args;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let mu = 0;
    for (let c = 0; c < dim; c++) mu += x[o + c];
    mu /= dim;
    let variance = 0;
    for (let c = 0; c < dim; c++) variance += (x[o + c] - mu) ** 2;
    variance /= dim;
    const rs = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < dim; c++) out[o + c] = (x[o + c] - mu) * rs * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

/**
 * Reference layer-norm backward in float64, from the stored mean and rstd:
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = dOut·γ and x̂ = (x − mean)·rstd;
 * dGamma += Σ_rows dOut·x̂, dBeta += Σ_rows dOut (accumulated in float64, rounded once).
 *
 * @param args - {@link LayerNormBackwardArgs}
 * @example
 * // dOut constant along the row: the normalisation removes it, dx = 0; dBeta += 1 per column
 * const dx = new Float32Array(3), dGamma = new Float32Array(3), dBeta = new Float32Array(3);
 * layerNormBackwardReference({ x: Float32Array.of(1, 2, 3), gamma: Float32Array.of(1, 1, 1), mean: Float32Array.of(2),
 *   rstd: Float32Array.of(1.2247449), dOut: Float32Array.of(1, 1, 1), dx, dGamma, dBeta, rows: 1, dim: 3 }); // dx ≈ [0, 0, 0], dBeta = [1, 1, 1]
 */
export function layerNormBackwardReference(args: LayerNormBackwardArgs): void {
  const { x, gamma, mean, rstd, dOut, dx, dGamma, dBeta, rows, dim } = args;
  const dG = Float64Array.from(dGamma.subarray(0, dim));
  const dB = Float64Array.from(dBeta.subarray(0, dim));
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const mu = mean[r];
    const rs = rstd[r];
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < dim; c++) {
      const xh = (x[o + c] - mu) * rs;
      const g = dOut[o + c] * gamma[c];
      sumG += g;
      sumGX += g * xh;
      dG[c] += dOut[o + c] * xh;
      dB[c] += dOut[o + c];
    }
    for (let c = 0; c < dim; c++) {
      const xh = (x[o + c] - mu) * rs;
      dx[o + c] = rs * (dOut[o + c] * gamma[c] - sumG / dim - (xh * sumGX) / dim);
    }
  }
  dGamma.set(dG);
  dBeta.set(dB);
}

/**
 * Fast layer norm: two passes per row (mean, then centred sum of squares — not E[x²]−E[x]², which
 * cancels catastrophically in float32 for rows with a large mean).
 *
 * @param args - {@link LayerNormArgs}
 * @example
 * layerNormJs({ x: Float32Array.of(1, 2, 3), gamma, beta, out, mean, rstd, rows: 1, dim: 3, eps: 0 });
 * // out ≈ [−1.224745, 0, 1.224745]
 */
export function layerNormJs(args: LayerNormArgs): void {
  const { x, gamma, beta, out, mean, rstd, rows, dim, eps } = args;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    let mu = 0;
    for (let c = 0; c < dim; c++) mu += x[o + c];
    mu /= dim;
    let variance = 0;
    for (let c = 0; c < dim; c++) {
      const d = x[o + c] - mu;
      variance += d * d;
    }
    const rs = 1 / Math.sqrt(variance / dim + eps);
    for (let c = 0; c < dim; c++) out[o + c] = (x[o + c] - mu) * rs * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

/**
 * Fast layer-norm backward: two passes per row (the row sums, then dx), dGamma/dBeta accumulated
 * in place.
 *
 * @param args - {@link LayerNormBackwardArgs}
 * @example
 * layerNormBackwardJs({ x, gamma, mean, rstd, dOut, dx, dGamma, dBeta, rows, dim }); // same values as the reference
 */
export function layerNormBackwardJs(args: LayerNormBackwardArgs): void {
  const { x, gamma, mean, rstd, dOut, dx, dGamma, dBeta, rows, dim } = args;
  const invDim = 1 / dim;
  for (let r = 0, o = 0; r < rows; r++, o += dim) {
    const mu = mean[r];
    const rs = rstd[r];
    let sumG = 0;
    let sumGX = 0;
    for (let c = 0; c < dim; c++) {
      const xh = (x[o + c] - mu) * rs;
      const d = dOut[o + c];
      const g = d * gamma[c];
      sumG += g;
      sumGX += g * xh;
      dGamma[c] += d * xh;
      dBeta[c] += d;
    }
    const a = sumG * invDim;
    const b = sumGX * invDim;
    for (let c = 0; c < dim; c++) {
      const xh = (x[o + c] - mu) * rs;
      dx[o + c] = rs * (dOut[o + c] * gamma[c] - a - xh * b);
    }
  }
}

/**
 * gpu.js kernel source for the layer-norm output, [dim, rows] (x = column, y = row). Each thread
 * recomputes its row's statistics (two passes): dim is small (64–256), so this beats a second
 * launch; `layerNormStatsKernel` writes mean/rstd for the backward.
 *
 * @param x - [rows, dim]
 * @param gamma - [dim]
 * @param beta - [dim]
 * @returns normalised, scaled and shifted x at (y, x)
 * @example
 * gpu.createKernel(layerNormKernel).setOutput([dim, rows]).setConstants({ dim, eps })(x, gamma, beta);
 */
export function layerNormKernel(this: KernelThis, x: number[], gamma: number[], beta: number[]): number {
  const dim = this.constants.dim;
  const o = this.thread.y * dim;
  let mu = 0;
  for (let c = 0; c < dim; c++) mu += x[o + c];
  mu = mu / dim;
  let variance = 0;
  for (let c = 0; c < dim; c++) {
    const d = x[o + c] - mu;
    variance += d * d;
  }
  const rs = 1 / Math.sqrt(variance / dim + this.constants.eps);
  return (x[o + this.thread.x] - mu) * rs * gamma[this.thread.x] + beta[this.thread.x];
}

/**
 * gpu.js kernel source for the layer-norm statistics, output [2, rows]: x = 0 gives the mean,
 * x = 1 gives rstd.
 *
 * @param x - [rows, dim]
 * @returns mean or rstd of row thread.y
 * @example
 * gpu.createKernel(layerNormStatsKernel).setOutput([2, rows]).setConstants({ dim, eps })(x); // [[mean, rstd], ...]
 */
export function layerNormStatsKernel(this: KernelThis, x: number[]): number {
  const dim = this.constants.dim;
  const o = this.thread.y * dim;
  let mu = 0;
  for (let c = 0; c < dim; c++) mu += x[o + c];
  mu = mu / dim;
  if (this.thread.x < 0.5) return mu;
  let variance = 0;
  for (let c = 0; c < dim; c++) {
    const d = x[o + c] - mu;
    variance += d * d;
  }
  return 1 / Math.sqrt(variance / dim + this.constants.eps);
}

/**
 * gpu.js kernel source for the layer-norm input gradient, [dim, rows]: each thread recomputes its
 * row's Σĝ and Σĝ·x̂ (dim is small) and applies dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)). Constant: dim.
 *
 * @param x - [rows, dim]
 * @param gamma - [dim]
 * @param mean - [rows]
 * @param rstd - [rows]
 * @param dOut - [rows, dim]
 * @returns dx[y, x]
 * @example
 * gpu.createKernel(layerNormDxKernel).setOutput([dim, rows]).setConstants({ dim })(x, gamma, mean, rstd, dOut);
 */
export function layerNormDxKernel(this: KernelThis, x: number[], gamma: number[], mean: number[], rstd: number[], dOut: number[]): number {
  const dim = this.constants.dim;
  const r = this.thread.y;
  const o = r * dim;
  const mu = mean[r];
  const rs = rstd[r];
  let sumG = 0;
  let sumGX = 0;
  for (let c = 0; c < dim; c++) {
    const g = dOut[o + c] * gamma[c];
    sumG += g;
    sumGX += g * (x[o + c] - mu) * rs;
  }
  const col = this.thread.x;
  const xh = (x[o + col] - mu) * rs;
  return rs * (dOut[o + col] * gamma[col] - sumG / dim - (xh * sumGX) / dim);
}

/**
 * gpu.js kernel source for the layer-norm parameter gradients, [dim, 2]: row y = 0 is
 * prevGamma + Σ_rows dOut·x̂, row y = 1 is prevBeta + Σ_rows dOut (a gather over rows: no atomics
 * needed). Constants: dim, rows.
 *
 * @param x - [rows, dim]
 * @param mean - [rows]
 * @param rstd - [rows]
 * @param dOut - [rows, dim]
 * @param prevGamma - dGamma before the call (accumulate)
 * @param prevBeta - dBeta before the call
 * @returns the new dGamma (y = 0) or dBeta (y = 1) at column x
 * @example
 * gpu.createKernel(layerNormDParamsKernel).setOutput([dim, 2]).setConstants({ dim, rows })(x, mean, rstd, dOut, dGamma, dBeta);
 */
export function layerNormDParamsKernel(
  this: KernelThis,
  x: number[],
  mean: number[],
  rstd: number[],
  dOut: number[],
  prevGamma: number[],
  prevBeta: number[],
): number {
  const dim = this.constants.dim;
  const col = this.thread.x;
  let sum = 0;
  if (this.thread.y < 0.5) {
    for (let r = 0; r < this.constants.rows; r++) sum += dOut[r * dim + col] * (x[r * dim + col] - mean[r]) * rstd[r];
    return prevGamma[col] + sum;
  }
  for (let r2 = 0; r2 < this.constants.rows; r2++) sum += dOut[r2 * dim + col];
  return prevBeta[col] + sum;
}

/**
 * The layerNorm op.
 *
 * @example
 * await backend.run(Op.LayerNorm, { x, gamma, beta, out, mean, rstd, rows: 256, dim: 64, eps: 1e-5 });
 */
export const layerNormOp = defineOp({
  name: Op.LayerNorm,
  validate(a) {
    assertSize('layerNorm', 'rows', a.rows);
    assertSize('layerNorm', 'dim', a.dim);
    assertFinite('layerNorm', 'eps', a.eps);
    if (a.eps < 0) throw new RangeError(`layerNorm: eps must be >= 0 (got ${a.eps})`);
    assertF32('layerNorm', 'x', a.x, a.rows * a.dim);
    assertF32('layerNorm', 'gamma', a.gamma, a.dim);
    assertF32('layerNorm', 'beta', a.beta, a.dim);
    assertF32('layerNorm', 'out', a.out, a.rows * a.dim);
    assertF32('layerNorm', 'mean', a.mean, a.rows);
    assertF32('layerNorm', 'rstd', a.rstd, a.rows);
  },
  reference: layerNormReference,
  js: layerNormJs,
  gpu: {
    key: (a) => `${a.rows}x${a.dim}|${a.eps}`,
    build(ctx, first) {
      const { rows, dim, eps } = first;
      const normKernel = ctx.createKernel(layerNormKernel as never, { output: [dim, rows], constants: { dim, eps } });
      const statsKernel = ctx.createKernel(layerNormStatsKernel as never, { output: [2, rows], constants: { dim, eps } });
      const stats = new Float32Array(2 * rows);
      return async (a) => {
        const x = a.x.subarray(0, rows * dim);
        await ctx.readInto(normKernel(x, a.gamma.subarray(0, dim), a.beta.subarray(0, dim)), a.out, rows * dim);
        await ctx.readInto(statsKernel(x), stats, 2 * rows);
        for (let r = 0; r < rows; r++) {
          a.mean[r] = stats[2 * r];
          a.rstd[r] = stats[2 * r + 1];
        }
      };
    },
  },
  conformance: {
    outputs: ['out', 'mean', 'rstd'],
    cases(rng, { small }) {
      const shapes: [number, number][] = small ? [[1, 1], [3, 5]] : [[1, 1], [3, 5], [256, 64]];
      return shapes.map(([rows, dim]) => ({
        label: `${rows}x${dim}`,
        args: {
          // An offset mean so a one-pass E[x²] − E[x]² variance would fail the tolerance.
          x: rng.f32(rows * dim, 2, 4),
          gamma: rng.f32(dim),
          beta: rng.f32(dim),
          out: new Float32Array(rows * dim),
          mean: new Float32Array(rows),
          rstd: new Float32Array(rows),
          rows,
          dim,
          eps: 1e-5,
        },
      }));
    },
  },
});

/**
 * The layerNormBackward op (dx overwritten, dGamma and dBeta accumulated).
 *
 * @example
 * await backend.run(Op.LayerNormBackward, { x, gamma, mean, rstd, dOut, dx, dGamma, dBeta, rows: 256, dim: 64 });
 */
export const layerNormBackwardOp = defineOp({
  name: Op.LayerNormBackward,
  validate(a) {
    const op = 'layerNormBackward';
    assertSize(op, 'rows', a.rows);
    assertSize(op, 'dim', a.dim);
    assertF32(op, 'x', a.x, a.rows * a.dim);
    assertF32(op, 'gamma', a.gamma, a.dim);
    assertF32(op, 'mean', a.mean, a.rows);
    assertF32(op, 'rstd', a.rstd, a.rows);
    assertF32(op, 'dOut', a.dOut, a.rows * a.dim);
    assertF32(op, 'dx', a.dx, a.rows * a.dim);
    assertF32(op, 'dGamma', a.dGamma, a.dim);
    assertF32(op, 'dBeta', a.dBeta, a.dim);
  },
  reference: layerNormBackwardReference,
  js: layerNormBackwardJs,
  gpu: {
    key: (a) => `${a.rows}x${a.dim}`,
    build(ctx, first) {
      const { rows, dim } = first;
      const dxKernel = ctx.createKernel(layerNormDxKernel as never, { output: [dim, rows], constants: { dim } });
      const paramsKernel = ctx.createKernel(layerNormDParamsKernel as never, { output: [dim, 2], constants: { dim, rows } });
      const params = new Float32Array(2 * dim);
      return async (a) => {
        const x = a.x.subarray(0, rows * dim);
        const mean = a.mean.subarray(0, rows);
        const rstd = a.rstd.subarray(0, rows);
        const dOut = a.dOut.subarray(0, rows * dim);
        await ctx.readInto(dxKernel(x, a.gamma.subarray(0, dim), mean, rstd, dOut), a.dx, rows * dim);
        await ctx.readInto(paramsKernel(x, mean, rstd, dOut, a.dGamma.subarray(0, dim), a.dBeta.subarray(0, dim)), params, 2 * dim);
        a.dGamma.set(params.subarray(0, dim));
        a.dBeta.set(params.subarray(dim));
      };
    },
  },
  conformance: {
    outputs: ['dx', 'dGamma', 'dBeta'],
    cases(rng, { small }) {
      const shapes: [number, number][] = small ? [[1, 2], [3, 5]] : [[1, 2], [3, 5], [256, 64]];
      return shapes.map(([rows, dim]) => {
        const x = rng.f32(rows * dim, -2, 2);
        const mean = new Float32Array(rows);
        const rstd = new Float32Array(rows);
        const gamma = rng.f32(dim);
        layerNormReference({ x, gamma, beta: new Float32Array(dim), out: new Float32Array(rows * dim), mean, rstd, rows, dim, eps: 1e-5 });
        return {
          label: `${rows}x${dim} (accumulate)`,
          args: { x, gamma, mean, rstd, dOut: rng.f32(rows * dim), dx: new Float32Array(rows * dim), dGamma: rng.f32(dim), dBeta: rng.f32(dim), rows, dim },
        };
      });
    },
  },
});
