/**
 * Matmul GFLOP/s per backend vs tfjs-backend-wasm (XNNPACK), sizes 64–512, side by side in one
 * describe per size. Run: `npm run bench -w @paretopo/kernels`. On a machine with a hardware GPU the
 * webgpu row runs on its adapter (printed); here it runs on lavapipe (software).
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { afterAll, bench, describe } from 'vitest';
import { caseRng } from '../src/conformance/rng';
import { matmulFast } from '../src/ops/matmulFast';
import { Op } from '../src/ops/names';
import { createBackend, listBackends, type Backend } from '../src/registry';

const SIZES = [64, 128, 256, 512];

const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
setWasmPaths(`${wasmDir}/`);
await tf.setBackend('wasm');
await tf.ready();

const auto = await createBackend('auto', { log: (line) => console.log(`bench: ${line}`) });
await auto.dispose();

const backends: Backend[] = [];
for (const name of listBackends()) {
  if (name === 'reference') continue; // the float64 oracle, not a contender
  try {
    backends.push(await createBackend(name));
  } catch (error) {
    console.log(`bench: skipping ${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const label = (b: Backend): string =>
  b.info.adapter ? `${b.info.name} (${b.info.adapter.split(' / ')[0]}${b.info.software ? ', software' : ''})` : b.info.threads ? `${b.info.name} (${b.info.threads} threads)` : b.info.name;

// Median time per call, recorded by the bench functions themselves (vitest prints hz; we want GFLOP/s).
const times = new Map<string, number[]>();
function timed(key: string, fn: () => unknown): () => Promise<void> {
  return async () => {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    const list = times.get(key) ?? [];
    list.push(dt);
    times.set(key, list);
  };
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

afterAll(async () => {
  const rows: string[] = [];
  for (const n of SIZES) {
    const flops = 2 * n ** 3;
    const tfjs = median(times.get(`${n}:tfjs`) ?? [NaN]);
    for (const [key, list] of times) {
      if (!key.startsWith(`${n}:`)) continue;
      const t = median(list);
      rows.push(`| ${n}³ | ${key.slice(key.indexOf(':') + 1)} | ${(flops / t / 1e6).toFixed(2)} | ${(tfjs / t).toFixed(2)} |`);
    }
  }
  console.log(['', `| size | backend | GFLOP/s | ratio to tfjs-wasm (tfjs threads: ${getThreadsCount()}) |`, '|---|---|---|---|', ...rows].join('\n'));
  for (const b of backends) await b.dispose();
});

for (const n of SIZES) {
  const rng = caseRng(n);
  const a = rng.f32(n * n);
  const b = rng.f32(n * n);
  const out = new Float32Array(n * n);
  const ta = tf.tensor2d(a, [n, n]);
  const tb = tf.tensor2d(b, [n, n]);
  // Slow modes get few iterations so the whole run stays within ~2 minutes.
  const heavy = { time: n >= 256 ? 300 : 150, iterations: 3, warmupIterations: 1, warmupTime: 0 };
  describe(`matmul ${n}³ f32`, () => {
    bench(
      'tfjs-backend-wasm (baseline)',
      timed(`${n}:tfjs`, () => {
        const c = tf.matMul(ta, tb);
        c.dataSync();
        c.dispose();
      }),
      heavy,
    );
    for (const backend of backends) {
      bench(label(backend), timed(`${n}:${label(backend)}`, () => backend.run(Op.Matmul, { a, b, out, m: n, k: n, n })), heavy);
    }
    // The js kernel pinned to the calling thread: shows what the worker split adds above the threshold.
    bench('js kernel, 1 thread', timed(`${n}:js kernel, 1 thread`, () => matmulFast({ a, b, out, m: n, k: n, n }, 1)), heavy);
  });
}
