import { bench, describe } from 'vitest';
import {
  drGrpoAdvantages,
  gdpoAdvantages,
  grpoAdvantages,
  moGrpoAdvantages,
  opoAdvantages,
  paretoRankAdvantages,
  reinforcePlusPlusAdvantages,
  rlooAdvantages,
} from '../src/index';
import { SCALAR_CHUNK_ROWS } from '../src/estimators/scalarWasm';
import { setWasmKernels } from '../src/wasm/switch';
import { rewardBatch } from './inputs';

// The workload: 4,096 groups × 16 samples, k = 2, 3 and 4, every group estimator, each
// with its WebAssembly kernel and, as "(JavaScript path)", with the kernel switched off.
// Baselines: one copy of the reward array, into an existing array (`set`) and freshly allocated
// (`slice`), and the copies a kernel call makes (rewards and ids in, advantages out). `slice` runs
// last, in a block of its own: the megabytes of garbage it leaves slowed whichever line came next
// (seen on GRPO at k = 2).

/** Adds `name` and `name (JavaScript path)`, the second with every kernel switched off. */
function both(name: string, run: () => void): void {
  bench(name, run);
  bench(`${name} (JavaScript path)`, () => {
    setWasmKernels(false);
    run();
    setWasmKernels(true);
  });
}

const batches = [2, 3, 4].map((k) => ({ k, ...rewardBatch(4096, 16, k, 42 + k) }));

for (const { k, rewards, groupIds, n } of batches) {
  const out = new Float64Array(n);
  const copy = new Float64Array(rewards.length);
  // OPO's response lengths: token counts of 64–1,087.
  const lengths = Float64Array.from({ length: n }, (_, i) => 64 + ((i * 2654435761) >>> 22));
  // A kernel call's copies, chunk by chunk as the kernels take them (SCALAR_CHUNK_ROWS rows).
  const rows = SCALAR_CHUNK_ROWS;
  const memory = new (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly.Memory({
    initial: Math.ceil((rows * k * 8 + rows * 12) / 65536) + 1,
  });
  const buf = memory.buffer;
  const [rew, ids, adv] = [new Float64Array(buf, 0, rows * k), new Int32Array(buf, rows * k * 8, rows), new Float64Array(buf, rows * k * 8 + rows * 4, rows)];
  // Warm-up: V8 runs a WebAssembly function first from its baseline compiler and swaps in the
  // optimised code when a background compile ends; without this, that swap sometimes came only
  // after the first kernel line had been timed (GRPO at k = 2 then ran 1.5× slower than Dr. GRPO).
  for (let i = 0; i < 200; i++) {
    grpoAdvantages(rewards, groupIds, { out });
    opoAdvantages(rewards, groupIds, { lengths, out });
    gdpoAdvantages(rewards, groupIds, { out });
    paretoRankAdvantages(rewards, groupIds, { out });
  }
  describe(`4096 groups × 16 samples, k = ${k}`, () => {
    bench('baseline: copy rewards (Float64Array.prototype.set)', () => {
      copy.set(rewards);
    });
    bench('baseline: a kernel call\'s copies (rewards and ids in, advantages out)', () => {
      for (let r0 = 0; r0 < n; r0 += rows) {
        rew.set(rewards.subarray(r0 * k, (r0 + rows) * k));
        ids.set(groupIds.subarray(r0, r0 + rows));
        out.set(adv, r0);
      }
    });
    both('grpo', () => grpoAdvantages(rewards, groupIds, { out }));
    bench('drgrpo', () => {
      drGrpoAdvantages(rewards, groupIds, { out });
    });
    bench('rloo', () => {
      rlooAdvantages(rewards, groupIds, { out });
    });
    both('opo', () => opoAdvantages(rewards, groupIds, { lengths, out }));
    both('reinforce++', () => reinforcePlusPlusAdvantages(rewards, groupIds, { out }));
    both('mo-grpo', () => moGrpoAdvantages(rewards, groupIds, { out }));
    both('gdpo', () => gdpoAdvantages(rewards, groupIds, { out }));
    both('paretopo-rank', () => paretoRankAdvantages(rewards, groupIds, { out }));
  });
}

describe('4096 groups × 16 samples, allocating copy', () => {
  for (const { k, rewards } of batches) {
    bench(`k = ${k}: baseline: copy rewards (Float64Array.prototype.slice)`, () => {
      rewards.slice();
    });
  }
});
