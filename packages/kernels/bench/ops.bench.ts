/**
 * Attention (forward, backward) and layer norm at the tiny model's sizes — T = 256 tokens,
 * d_model = 64, 4 heads of 16 — on the float64 reference, the js backend and gpu.js' webasm mode
 * (plus WebGPU when the adapter is a hardware one), through `Backend.run` so every contender pays
 * the same validation. Baseline: one copy of q (the memory traffic floor).
 * Run: `npx vitest bench --run --config ../../vitest.config.ts --root . bench/ops.bench.ts`.
 */
import { afterAll, bench, describe } from 'vitest';
import { caseRng } from '../src/conformance/rng';
import { attentionProbsSize } from '../src/ops/attention';
import { Op } from '../src/ops/names';
import { createBackend, type Backend } from '../src/registry';

const T = 256;
const HEADS = 4;
const HEAD_DIM = 16;
const D = HEADS * HEAD_DIM;
const OPTIONS = { time: 400, warmupTime: 100 };

const backends: Backend[] = [];
for (const name of ['reference', 'js', 'webasm', 'webgpu'] as const) {
  try {
    const backend = await createBackend(name);
    if (backend.info.software) {
      console.log(`bench: skipping ${name}: software adapter ${backend.info.adapter ?? ''}`);
      await backend.dispose();
      continue;
    }
    backends.push(backend);
  } catch (error) {
    console.log(`bench: skipping ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
afterAll(async () => {
  for (const b of backends) await b.dispose();
});

const rng = caseRng(2024);
const x = rng.f32(T * D, -2, 2);
const q = rng.f32(T * D, -2, 2);
const k = rng.f32(T * D, -2, 2);
const v = rng.f32(T * D);
const dOut = rng.f32(T * D);
const out = new Float32Array(T * D);
const dq = new Float32Array(T * D);
const dk = new Float32Array(T * D);
const dv = new Float32Array(T * D);
const gamma = rng.f32(D);
const beta = rng.f32(D);
const mean = new Float32Array(T);
const rstd = new Float32Array(T);
const dGamma = new Float32Array(D);
const dBeta = new Float32Array(D);

const LAYOUTS: [string, Int32Array][] = [
  ['1 sequence of 256', Int32Array.of(0, 256)],
  ['4 sequences of 64', Int32Array.of(0, 64, 128, 192, 256)],
];

for (const [layout, seqOffsets] of LAYOUTS) {
  const probs = new Float32Array(attentionProbsSize(seqOffsets, HEADS));
  const args = { q, k, v, out, probs, seqOffsets, heads: HEADS, headDim: HEAD_DIM };
  describe(`attention forward, T=${T}, ${HEADS}×${HEAD_DIM}, ${layout}`, () => {
    bench('baseline: copy q', () => void q.slice(), OPTIONS);
    for (const b of backends) bench(b.info.name, () => b.run(Op.Attention, args), OPTIONS);
  });
  describe(`attention backward, T=${T}, ${HEADS}×${HEAD_DIM}, ${layout}`, () => {
    bench('baseline: copy q', () => void q.slice(), OPTIONS);
    for (const b of backends) bench(b.info.name, () => b.run(Op.AttentionBackward, { q, k, v, probs, dOut, dq, dk, dv, seqOffsets, heads: HEADS, headDim: HEAD_DIM }), OPTIONS);
  });
}

describe(`layerNorm forward, ${T}×${D}`, () => {
  bench('baseline: copy x', () => void x.slice(), OPTIONS);
  for (const b of backends) bench(b.info.name, () => b.run(Op.LayerNorm, { x, gamma, beta, out, mean, rstd, rows: T, dim: D, eps: 1e-5 }), OPTIONS);
});

describe(`layerNorm backward, ${T}×${D}`, () => {
  bench('baseline: copy x', () => void x.slice(), OPTIONS);
  for (const b of backends) {
    bench(b.info.name, () => b.run(Op.LayerNormBackward, { x, gamma, mean, rstd, dOut, dx: out, dGamma, dBeta, rows: T, dim: D }), OPTIONS);
  }
});
