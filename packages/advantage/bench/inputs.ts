import { seededRandom } from '@paretopo/test-utils';

/**
 * A trainer-shaped batch: `groups` prompts × `size` samples, k objectives. Objective 0 is binary
 * correctness, objective 1 a tool-efficiency value exp(−0.5·|Δcalls|), the rest small grid values,
 * so ties and duplicate vectors are as common as in real rollouts.
 *
 * @returns `{ rewards, groupIds, n }` with contiguous group ids
 * @example
 * rewardBatch(4096, 16, 2, 44).n; // 65536
 */
export function rewardBatch(groups: number, size: number, k: number, seed: number) {
  const rand = seededRandom(seed);
  const n = groups * size;
  const rewards = new Float64Array(n * k);
  const groupIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    groupIds[i] = Math.floor(i / size);
    rewards[i * k] = rand() < 0.5 ? 1 : 0;
    if (k > 1) rewards[i * k + 1] = Math.exp(-0.5 * Math.floor(rand() * 5));
    for (let j = 2; j < k; j++) rewards[i * k + j] = Math.floor(rand() * 8) / 8;
  }
  return { rewards, groupIds, n };
}
