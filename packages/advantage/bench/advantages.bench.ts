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
import { setParetoRankWasm } from '../src/estimators/paretoRank';
import { setScalarWasm } from '../src/estimators/scalar';
import { setMultiWasm } from '../src/estimators/multi';
import { rewardBatch } from './inputs';

// The workload: 4,096 groups × 16 samples, k = 2, 3 and 4, every group estimator, each
// with its WebAssembly kernel and, as "(JavaScript path)", with the kernel switched off.
// Baselines: one copy of the reward array, into an existing array (`set`) and freshly allocated
// (`slice`), and the copies a kernel call makes (rewards and ids in, advantages out). `slice` runs
// last, in a block of its own: the megabytes of garbage it leaves slowed whichever line came next
// (seen on GRPO at k = 2).
const kernels = [setScalarWasm, setMultiWasm, setParetoRankWasm];

/** Adds `name` and `name (JavaScript path)`, the second with every kernel switched off. */
function both(name: string, run: () => void): void {
  bench(name, run);
  bench(`${name} (JavaScript path)`, () => {
    for (const set of kernels) set(false);
    run();
    for (const set of kernels) set(true);
  });
}

const batches = [2, 3, 4].map((k) => ({ k, ...rewardBatch(4096, 16, k, 42 + k) }));

for (const { k, rewards, groupIds, n } of batches) {
  const out = new Float64Array(n);
  const copy = new Float64Array(rewards.length);
  // OPO's response lengths: token counts of 64–1,087.
  const lengths = Float64Array.from({ length: n }, (_, i) => 64 + ((i * 2654435761) >>> 22));
  const memory = new (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } }).WebAssembly.Memory({
    initial: Math.ceil((n * k * 8 + n * 12) / 65536) + 1,
  });
  describe(`4096 groups × 16 samples, k = ${k}`, () => {
    bench('baseline: copy rewards (Float64Array.prototype.set)', () => {
      copy.set(rewards);
    });
    bench('baseline: a kernel call\'s copies (rewards and ids in, advantages out)', () => {
      const buf = memory.buffer;
      new Float64Array(buf, 0, n * k).set(rewards);
      new Int32Array(buf, n * k * 8, n).set(groupIds);
      out.set(new Float64Array(buf, n * k * 8 + n * 4, n));
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
