import { createBackend, type Backend } from '@paretopo/kernels';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramLayout } from './config';
import { AdamW } from './optim';

const micro = { layers: 1, dModel: 8, heads: 2, context: 4, vocab: 5, mlpRatio: 1 };
const layout = paramLayout(micro);
let ref: Backend;
beforeAll(async () => {
  ref = await createBackend('reference');
});

const at = (flat: Float32Array, name: string): number => flat[layout.byName.get(name)!.offset];

describe('AdamW', () => {
  it('takes a hand-computed first step: decay on matrices only, bias-corrected moments', async () => {
    const opt = new AdamW(ref, layout, { lr: 0.1, weightDecay: 0.1, clipNorm: 0, warmupSteps: 0 });
    const params = new Float32Array(layout.size).fill(1);
    const grads = new Float32Array(layout.size).fill(0.5);
    const info = await opt.step(params, grads);
    expect(info).toEqual({ step: 1, lr: 0.1, gradNorm: expect.closeTo(0.5 * Math.sqrt(layout.size), 4), clipped: false });
    // step 1: m̂ = g, v̂ = g², so the Adam update is lr·g/|g| = 0.1; decay first: p·(1 − lr·λ).
    expect(at(params, 'h.0.mlp.c_fc.weight')).toBeCloseTo(1 * (1 - 0.01) - 0.1, 6);
    expect(at(params, 'wte.weight')).toBeCloseTo(0.89, 6);
    expect(at(params, 'h.0.mlp.c_fc.bias')).toBeCloseTo(0.9, 6);
    expect(at(params, 'ln_f.weight')).toBeCloseTo(0.9, 6);
    expect(opt.steps).toBe(1);
  });

  it('clips the global gradient norm and follows the warmup schedule', async () => {
    const opt = new AdamW(ref, layout, { lr: 1, warmupSteps: 4, clipNorm: 1 });
    const grads = new Float32Array(layout.size).fill(1);
    const info = await opt.step(new Float32Array(layout.size), grads);
    expect(info.clipped).toBe(true);
    expect(info.lr).toBeCloseTo(0.25, 12);
    let norm = 0;
    for (const g of grads) norm += g * g;
    expect(Math.sqrt(norm)).toBeCloseTo(1, 5);
  });

  it('round-trips its state', async () => {
    const a = new AdamW(ref, layout, { lr: 0.01 });
    const p = new Float32Array(layout.size).fill(0.3);
    await a.step(p, new Float32Array(layout.size).fill(0.2));
    const b = new AdamW(ref, layout, { lr: 0.01 });
    b.loadState(a.state());
    const p2 = p.slice();
    await a.step(p, new Float32Array(layout.size).fill(-0.1));
    await b.step(p2, new Float32Array(layout.size).fill(-0.1));
    expect(Buffer.from(p2.buffer).equals(Buffer.from(p.buffer))).toBe(true);
  });

  it('rejects bad inputs without updating', async () => {
    const opt = new AdamW(ref, layout);
    const p = new Float32Array(layout.size);
    const g = new Float32Array(layout.size);
    g[3] = Number.NaN;
    await expect(opt.step(p, g)).rejects.toThrow(/gradient norm is NaN/);
    expect(opt.steps).toBe(0);
    await expect(opt.step(p, new Float32Array(2))).rejects.toThrow(/must have length/);
    expect(() => opt.loadState({ step: -1, m: p, v: p })).toThrow(/step must be/);
    expect(() => opt.loadState({ step: 1, m: p, v: new Float32Array(1) })).toThrow(/must have length/);
    expect(() => new AdamW(ref, layout, { lr: Number.NaN })).toThrow(/options.lr/);
  });
});
