import fc from 'fast-check';

import type { Points } from '../types';

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
 * Random point sets (fast-check). The default grid values produce ties and exact duplicates on
 * purpose, since those are where non-dominated sorting and hypervolume algorithms go wrong.
 *
 * @param options - sizes, dimension and value kind
 * @returns an arbitrary of {@link Points}
 * @example
 * fc.assert(fc.property(pointsArb({ d: 2 }), (p) => myRanks(p).length === p.n));
 */
export function pointsArb(options: PointsArbOptions = {}): fc.Arbitrary<Points> {
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
 * Mutually non-dominated point sets (minimisation): points on the plane sum(x) = 1, duplicates
 * removed, so no point dominates another.
 *
 * @param options - sizes and dimension (default 2)
 * @returns an arbitrary of {@link Points}
 * @example
 * fc.assert(fc.property(frontArb({ d: 3 }), (p) => nondominatedFilter(p).length === p.n));
 */
export function frontArb(options: { minN?: number; maxN?: number; d?: number } = {}): fc.Arbitrary<Points> {
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

/**
 * Weight vectors on the probability simplex (non-negative, summing to 1).
 *
 * @param k - the number of objectives
 * @returns an arbitrary of Float64Array(k)
 * @example
 * fc.sample(weightVectorArb(2), 1)[0]; // e.g. Float64Array [0.25, 0.75]
 */
export function weightVectorArb(k: number): fc.Arbitrary<Float64Array> {
  return fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: k, maxLength: k }).filter((w) => w.some((x) => x > 0)).map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return Float64Array.from(w, (x) => x / s);
  });
}

