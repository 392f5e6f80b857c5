import { bench, describe } from 'vitest';
import { HypervolumeMetaReward } from '../src/index';
import { seededRng } from '../src/rng';

// A stage-1 step on a batch of 256 samples × 2 objectives against an archive of m vectors,
// versus one pass over the rewards (the batch mean the step needs anyway).
const N = 256;
const K = 2;
const rng = seededRng(2026);

function batch(): Float64Array {
  const r = new Float64Array(N * K);
  // Binary correctness and a tool-efficiency score, as in METHOD.md §1.
  for (let i = 0; i < N; i++) {
    r[i * K] = rng.next() < 0.5 ? 1 : 0;
    r[i * K + 1] = Math.exp(-0.5 * Math.floor(rng.next() * 4));
  }
  return r;
}

const angle = (i: number, m: number) => ((i + 0.5) / m) * (Math.PI / 2);

/** A meta reward whose archive holds m mutually non-dominated vectors on a quarter circle. */
function withArchive(m: number, granularity: 'step' | 'group'): HypervolumeMetaReward {
  const archive: number[][] = [];
  for (let i = 0; i < m; i++) archive.push([0.2 + 0.8 * Math.cos(angle(i, m)), 0.2 + 0.8 * Math.sin(angle(i, m))]);
  return HypervolumeMetaReward.fromJSON({
    type: 'hypervolume-meta-reward',
    version: 1,
    k: K,
    gamma: 0.9,
    reference: 'fixed',
    margin: [0.1, 0.1],
    granularity,
    referencePoint: [0, 0],
    archive,
    deltaHvSmoothed: 0,
    steps: 1,
  });
}

const rewards = batch();
const groupIds = Int32Array.from({ length: N }, (_, i) => Math.floor(i / 16)); // 16 groups of 16

for (const m of [10, 100, 1000]) {
  describe(`meta reward, 256 × 2 rewards, archive of ${m}`, () => {
    // Batch means lie inside the quarter circle: covered by the archive, which keeps its size.
    const step = withArchive(m, 'step');
    const group = withArchive(m, 'group');
    // Improving path: each call's batch mean lies a little further out than member i, replaces it
    // (ΔHV > 0, the archive changes, HV is recomputed) and keeps |B| = m. Writing the batch is
    // part of the timed function (one extra pass, as large as the baseline).
    const improving = withArchive(m, 'step');
    const moving = new Float64Array(N * K);
    const radius = new Float64Array(m).fill(0.8);
    let next = 0;
    const sink = new Float64Array(K);
    bench('baseline: one pass over the rewards (batch mean)', () => {
      sink.fill(0);
      for (let i = 0; i < N; i++) {
        sink[0] += rewards[i * K];
        sink[1] += rewards[i * K + 1];
      }
    });
    bench('step granularity, covered batch mean (the common case)', () => {
      step.step(rewards);
    });
    bench('step granularity, improving batch mean (archive changes)', () => {
      const i = next;
      next = (next + 1) % m;
      radius[i] += 1e-9;
      const x = 0.2 + radius[i] * Math.cos(angle(i, m));
      const y = 0.2 + radius[i] * Math.sin(angle(i, m));
      for (let s = 0; s < N; s++) {
        moving[s * K] = x;
        moving[s * K + 1] = y;
      }
      improving.step(moving);
    });
    bench('group granularity, 16 groups of 16', () => {
      group.step(rewards, groupIds);
    });
  });
}
