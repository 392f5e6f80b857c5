import { bench, describe } from 'vitest';
import { grpoAdvantages, moGrpoAdvantages, paretoRankAdvantages, rlooAdvantages } from '../src/index';
import { rewardBatch } from './inputs';

// The workload: 4,096 groups × 16 samples, k = 2 and 4. Baseline: one copy of the rewards.
for (const k of [2, 4]) {
  const { rewards, groupIds, n } = rewardBatch(4096, 16, k, 42 + k);
  const out = new Float64Array(n);
  const copy = new Float64Array(rewards.length);
  describe(`4096 groups × 16 samples, k = ${k}`, () => {
    bench('baseline: copy rewards (Float64Array.prototype.set)', () => {
      copy.set(rewards);
    });
    bench('baseline: copy rewards (Float64Array.prototype.slice)', () => {
      rewards.slice();
    });
    bench('grpo', () => {
      grpoAdvantages(rewards, groupIds, { out });
    });
    bench('rloo', () => {
      rlooAdvantages(rewards, groupIds, { out });
    });
    bench('mo-grpo', () => {
      moGrpoAdvantages(rewards, groupIds, { out });
    });
    bench('paretopo-rank', () => {
      paretoRankAdvantages(rewards, groupIds, { out });
    });
  });
}
