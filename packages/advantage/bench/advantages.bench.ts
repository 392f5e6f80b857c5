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

// The workload: 4,096 groups × 16 samples, k = 2, 3 and 4, every group estimator.
// Baselines: one copy of the reward array, into an existing array (`set`) and freshly allocated (`slice`).
for (const k of [2, 3, 4]) {
  const { rewards, groupIds, n } = rewardBatch(4096, 16, k, 42 + k);
  const out = new Float64Array(n);
  const copy = new Float64Array(rewards.length);
  // OPO's response lengths: token counts of 64–1,087.
  const lengths = Float64Array.from({ length: n }, (_, i) => 64 + ((i * 2654435761) >>> 22));
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
    // The same call with the WebAssembly kernel switched off: the JavaScript path.
    bench('grpo (JavaScript path)', () => {
      setScalarWasm(false);
      grpoAdvantages(rewards, groupIds, { out });
      setScalarWasm(true);
    });
    bench('drgrpo', () => {
      drGrpoAdvantages(rewards, groupIds, { out });
    });
    bench('rloo', () => {
      rlooAdvantages(rewards, groupIds, { out });
    });
    bench('opo', () => {
      opoAdvantages(rewards, groupIds, { lengths, out });
    });
    bench('reinforce++', () => {
      reinforcePlusPlusAdvantages(rewards, groupIds, { out });
    });
    bench('mo-grpo', () => {
      moGrpoAdvantages(rewards, groupIds, { out });
    });
    bench('mo-grpo (JavaScript path)', () => {
      setMultiWasm(false);
      moGrpoAdvantages(rewards, groupIds, { out });
      setMultiWasm(true);
    });
    bench('gdpo', () => {
      gdpoAdvantages(rewards, groupIds, { out });
    });
    bench('paretopo-rank', () => {
      paretoRankAdvantages(rewards, groupIds, { out });
    });
    // The same call with the WebAssembly kernel switched off: the JavaScript path, as before it.
    bench('paretopo-rank (JavaScript path)', () => {
      setParetoRankWasm(false);
      paretoRankAdvantages(rewards, groupIds, { out });
      setParetoRankWasm(true);
    });
  });
}
