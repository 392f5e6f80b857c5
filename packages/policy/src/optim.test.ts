import { createBackend, type Backend } from '@paretopo/kernels';
import { expectAllClose, seededRandom } from '@paretopo/test-utils';
import fc from 'fast-check';
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

// Gradients whose entries are at least `floor` in magnitude: Adam's eps (1e-8) is then negligible
// against √v̂ even after scaling by the smallest c, which is what "eps-level" means below.
function gradients(seed: number, steps: number, floor: number): Float32Array[] {
  const rand = seededRandom(seed);
  return Array.from({ length: steps }, () => {
    const scale = 10 ** (2 * rand() - 1); // each step its own magnitude, 0.1–10
    return Float32Array.from({ length: layout.size }, () => (rand() < 0.5 ? -1 : 1) * scale * (floor + rand()));
  });
}

async function trajectory(grads: readonly Float32Array[], factor: number, options: ConstructorParameters<typeof AdamW>[2]): Promise<Float32Array[]> {
  const opt = new AdamW(ref, layout, options);
  const params = Float32Array.from({ length: layout.size }, (_, i) => Math.sin(i));
  const out: Float32Array[] = [];
  for (const g of grads) {
    const scaled = Float32Array.from(g, (x) => x * factor);
    await opt.step(params, scaled);
    out.push(params.slice());
  }
  return out;
}

// METHOD.md §2: a per-step r_pareto multiplies the whole policy-gradient of the step; if it is the
// same factor c at every step, Adam divides it out (m̂ scales by c, √v̂ by c).
describe('AdamW and a constant gradient scale', () => {
  it('AdamW on c·g follows the same parameter trajectory as on g, up to eps-level differences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 5 }), fc.constantFrom(0.01, 0.5, 0.51, 2, 100), async (seed, steps, c) => {
        const grads = gradients(seed, steps, 0.1);
        const options = { lr: 0.01, weightDecay: 0.1, clipNorm: 0, warmupSteps: 2, totalSteps: 10 };
        const base = await trajectory(grads, 1, options);
        const scaled = await trajectory(grads, c, options);
        // m̂/(√v̂ + eps) on c·g is m̂/(√v̂ + eps/c) on g: the steps differ by at most lr·eps/(c·|g|min)
        // relative (|g| ≥ 0.01 here), twice that for the slack of v̂'s average, plus float32
        // rounding of c·g and of the update (a few ulps of the parameters, ~1e-7) per step.
        const perStep = 2 * options.lr * (1e-8 / (c * 0.01)) + 1e-6;
        for (let t = 0; t < steps; t++) expectAllClose(scaled[t], base[t], { abs: perStep * (t + 1), rel: 1e-6 });
      }),
      { numRuns: 25 },
    );
  });

  it('a factor that changes between steps does change the trajectory: the cancellation needs a constant factor', async () => {
    const grads = gradients(7, 3, 0.1);
    const options = { lr: 0.01, weightDecay: 0, clipNorm: 0 };
    const base = await trajectory(grads, 1, options);
    const opt = new AdamW(ref, layout, options);
    const params = Float32Array.from({ length: layout.size }, (_, i) => Math.sin(i));
    for (const [t, g] of grads.entries()) await opt.step(params, Float32Array.from(g, (x) => x * (t === 2 ? 2 : 1)));
    let maxDiff = 0;
    for (let i = 0; i < params.length; i++) maxDiff = Math.max(maxDiff, Math.abs(params[i] - base[2][i]));
    expect(maxDiff).toBeGreaterThan(1e-4);
  });

  it('with clipping on, a scale that keeps every step clipped also cancels exactly up to rounding', async () => {
    const grads = gradients(3, 3, 0.5);
    const options = { lr: 0.01, weightDecay: 0, clipNorm: 1e-3 };
    const base = await trajectory(grads, 1, options);
    const scaled = await trajectory(grads, 3, options);
    expectAllClose(scaled[2], base[2], { abs: 1e-6, rel: 1e-6 });
  });
});
