import fc from 'fast-check';

/** A batch of reward vectors (n × k, row-major) with group ids, groups in shuffled order. */
export interface GroupedRewards {
  rewards: Float64Array;
  groupIds: Int32Array;
  n: number;
  k: number;
}

/**
 * Batches of grouped rewards as RL trainers produce them: `groups` groups of sizes in
 * [minGroup, maxGroup], k objectives with values from a small grid (ties are common: binary
 * correctness), group ids possibly interleaved.
 */
export function groupedRewardsArb(
  options: { k?: number; maxGroups?: number; minGroup?: number; maxGroup?: number; values?: number[] } = {},
): fc.Arbitrary<GroupedRewards> {
  const { k = 2, maxGroups = 6, minGroup = 1, maxGroup = 8, values = [0, 0.25, 0.5, 1] } = options;
  const row = fc.array(fc.constantFrom(...values), { minLength: k, maxLength: k });
  const group = fc.array(row, { minLength: minGroup, maxLength: maxGroup });
  return fc
    .tuple(fc.array(group, { minLength: 1, maxLength: maxGroups }), fc.boolean(), fc.integer())
    .map(([groups, shuffle, seed]) => {
      const items: { g: number; r: number[] }[] = [];
      groups.forEach((members, g) => members.forEach((r) => items.push({ g, r })));
      if (shuffle) {
        let s = seed >>> 0 || 1;
        for (let i = items.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) >>> 0;
          const j = s % (i + 1);
          [items[i], items[j]] = [items[j], items[i]];
        }
      }
      return {
        rewards: Float64Array.from(items.flatMap((it) => it.r)),
        groupIds: Int32Array.from(items, (it) => it.g),
        n: items.length,
        k,
      };
    });
}
