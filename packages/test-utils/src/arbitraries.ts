import fc from 'fast-check';

/** Row-major points, the same shape as `@paretopo/pareto`'s `Points`. */
interface PointsLike {
  data: Float64Array;
  n: number;
  d: number;
}

/** Options of {@link pointsArb}. */
export interface PointsArbOptions {
  minN?: number;
  maxN?: number;
  /** A fixed d, or a range. */
  d?: number | { min: number; max: number };
  /**
   * `'grid'` draws small integers (many ties and duplicates, the cases that break sorting);
   * `'real'` draws doubles in [min, max]. Default `'grid'`.
   */
  values?: 'grid' | 'real';
  /** Inclusive bounds for values. Default [0, 10]. */
  min?: number;
  max?: number;
}

/**
 * Random point sets. The default grid values produce ties and exact duplicates on purpose, since
 * those are where non-dominated sorting and hypervolume algorithms go wrong.
 */
export function pointsArb(options: PointsArbOptions = {}): fc.Arbitrary<PointsLike> {
  const { minN = 0, maxN = 40, values = 'grid', min = 0, max = 10 } = options;
  const dSpec = options.d ?? { min: 2, max: 4 };
  const dArb = typeof dSpec === 'number' ? fc.constant(dSpec) : fc.integer({ min: dSpec.min, max: dSpec.max });
  const value =
    values === 'grid'
      ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
      : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  return dArb.chain((d) =>
    fc.array(fc.array(value, { minLength: d, maxLength: d }), { minLength: minN, maxLength: maxN }).map((rows) => ({
      data: Float64Array.from(rows.flat()),
      n: rows.length,
      d,
    })),
  );
}

/**
 * Mutually non-dominated point sets (minimisation): points on a random "staircase" produced by
 * drawing values on the simplex-like surface sum(x) = const, then removing dominated points.
 */
export function frontArb(options: { minN?: number; maxN?: number; d?: number } = {}): fc.Arbitrary<PointsLike> {
  const { minN = 1, maxN = 30, d = 2 } = options;
  return fc
    .array(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: d, maxLength: d }), { minLength: minN, maxLength: maxN })
    .map((rows) => {
      // Project onto the plane sum = 1: distinct projected points never dominate each other.
      const proj = rows.map((r) => {
        const s = r.reduce((a, b) => a + b, 0);
        return r.map((x) => x / s);
      });
      const seen = new Set<string>();
      const unique = proj.filter((r) => {
        const key = r.join(',');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      return { data: Float64Array.from(unique.flat()), n: unique.length, d };
    });
}

/** Weight vectors on the probability simplex (non-negative, summing to 1). */
export function weightVectorArb(k: number): fc.Arbitrary<Float64Array> {
  return fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: k, maxLength: k }).filter((w) => w.some((x) => x > 0)).map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return Float64Array.from(w, (x) => x / s);
  });
}

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
