/**
 * Default `tiny` model (2 layers, d 64, 4 heads, context 256, vocab 111) on the CPU backends.
 * - training: one step = forward + backward + AdamW on a packed batch of 8 × 128 tokens
 *   (training tokens/s = 1024 × hz); baseline: the step's matmuls alone (same shapes, same backend).
 * - sampling: 32 contexts of 16 tokens, 64 new tokens each (no stops; sampled tokens/s = 2048 × hz);
 *   baseline: the decode steps' matmuls alone.
 * Backends: POLICY_BENCH_BACKENDS (comma-separated, default 'js'; gpu.js 'webasm' takes ~50 s here); a backend that cannot
 * start is skipped with its reason. On a GPU machine: POLICY_BENCH_BACKENDS=webgpu,js.
 */
import { createBackend, Op, type Backend, type BackendName } from '@paretopo/kernels';
import { seededRandom } from '@paretopo/test-utils';
import { bench, describe } from 'vitest';
import { PRESETS } from '../src/config';
import { generate } from '../src/generate';
import { maskedNll } from '../src/loss';
import { TinyGPT, nextTokenTargets } from '../src/model';
import { AdamW } from '../src/optim';
import { TagTokenizer } from '../src/tokenizer';

const tok = TagTokenizer.create();
const config = { ...PRESETS.tiny, vocab: tok.size };
const names = (process.env.POLICY_BENCH_BACKENDS ?? 'js').split(',').map((s) => s.trim()) as BackendName[];
const backends: Backend[] = [];
for (const name of names) {
  try {
    backends.push(await createBackend(name));
  } catch (err) {
    console.warn(`policy bench: skipping ${name}: ${(err as Error).message}`);
  }
}

const rand = seededRandom(1);
const nSeq = 8;
const len = 128;
const tokens = Int32Array.from({ length: nSeq * len }, () => 3 + Math.floor(rand() * 96));
const seqOffsets = Int32Array.from({ length: nSeq + 1 }, (_, i) => i * len);
const batch = { tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) };
const mask = new Uint8Array(tokens.length).fill(1);
for (let s = 1; s <= nSeq; s++) mask[s * len - 1] = 0;
const prompts = Array.from({ length: 32 }, () => Int32Array.from({ length: 16 }, () => 3 + Math.floor(rand() * 96)));

/** The matmuls of one step on `rows` rows: forward only (decode) or forward + both backward products (train). */
function matmulPlan(rows: number, train: boolean): { m: number; k: number; n: number }[] {
  const { dModel: d, mlpRatio, vocab, layers } = config;
  const fwd = [
    { m: rows, k: d, n: 3 * d }, { m: rows, k: d, n: d }, { m: rows, k: d, n: mlpRatio * d }, { m: rows, k: mlpRatio * d, n: d },
  ];
  const plan: { m: number; k: number; n: number }[] = [];
  for (let l = 0; l < layers; l++) plan.push(...fwd);
  plan.push({ m: rows, k: d, n: vocab });
  if (!train) return plan;
  const back = plan.flatMap(({ m, k, n }) => [{ m, k: n, n: k }, { m: k, k: m, n }]);
  return [...plan, ...back];
}

function matmulOnly(backend: Backend, plan: { m: number; k: number; n: number }[]): () => Promise<void> {
  const bufs = plan.map(({ m, k, n }) => ({ a: new Float32Array(m * k).fill(0.01), b: new Float32Array(k * n).fill(0.01), out: new Float32Array(m * n), m, k, n }));
  return async () => {
    for (const args of bufs) await backend.run(Op.Matmul, args);
  };
}

for (const backend of backends) {
  const name = backend.info.name;
  const model = TinyGPT.create(config, backend, { seed: 1 });
  const opt = new AdamW(backend, model.layout, { lr: 1e-4 });
  const grads = new Float32Array(model.params.length);

  describe(`tiny training step, 8×128 tokens (${name})`, () => {
    bench(`forward+backward+AdamW (${name})`, async () => {
      const fwd = await model.forward(batch);
      await model.backward(fwd, maskedNll(fwd.logprobs, mask).dLogprobs, grads);
      await opt.step(model.params, grads);
    }, { iterations: 5, warmupIterations: 1, time: 0 });
    bench(`baseline: the step's matmuls only (${name})`, matmulOnly(backend, matmulPlan(nSeq * len, true)), { iterations: 5, warmupIterations: 1, time: 0 });
  });

  describe(`tiny batched sampling, 32 contexts × 64 new tokens (${name})`, () => {
    bench(`generate with KV cache (${name})`, async () => {
      await generate(model, prompts, { maxNewTokens: 64, temperature: 1, seed: 1 });
    }, { iterations: 5, warmupIterations: 1, time: 0 });
    const decode = matmulOnly(backend, matmulPlan(32, false));
    bench(`baseline: 64 decode steps' matmuls only (${name})`, async () => {
      for (let s = 0; s < 64; s++) await decode();
    }, { iterations: 5, warmupIterations: 1, time: 0 });
  });
}
