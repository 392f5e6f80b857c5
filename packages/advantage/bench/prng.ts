/**
 * mulberry32: a tiny seeded PRNG so benchmark inputs are identical run to run.
 *
 * @param seed - any 32-bit integer
 * @returns a function yielding uniform numbers in [0, 1)
 * @example
 * const rand = mulberry32(42); rand(); // same value on every run
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
  const rand = mulberry32(seed);
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
