import { expect } from 'vitest';
import fc from 'fast-check';

/** Test helpers for the WebAssembly kernels, which handle the equal-runs layout. */

/** Bit-for-bit equality, −0 and +0 told apart. */
export function expectSameBits(actual: Float64Array, expected: Float64Array): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) expect([i, actual[i]]).toEqual([i, expected[i]]);
}

/**
 * Equal contiguous runs (the kernel's layout): k = 1–8, G = 1–64, values from a grid with −0, 0
 * and duplicates (ties, equal vectors), or NaN-free random doubles; some groups constant, some
 * rows copies of others.
 */
export const runsArb = (kMax: number, gMax: number) =>
  fc
    .record({
      k: fc.integer({ min: 1, max: kMax }),
      G: fc.integer({ min: 1, max: gMax }),
      groups: fc.integer({ min: 1, max: 6 }),
      grid: fc.boolean(),
      constantGroup: fc.nat(7),
      copies: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
      beta: fc.constantFrom(0, 0.25, 0.5, 0.999),
      nRank: fc.constantFrom('fronts' as const, 'group-size' as const),
      center: fc.boolean(),
      firstId: fc.integer({ min: -5, max: 5 }),
    })
    .chain((p) => {
      const n = p.G * p.groups;
      const real = fc.double({ min: -10, max: 10, noNaN: true }).map((x) => (Math.abs(x) < 1e-100 ? 0 : x));
      const value = p.grid ? fc.constantFrom(-0, 0, 0.5, 1) : real;
      return fc.array(value, { minLength: n * p.k, maxLength: n * p.k }).map((flat) => {
        const { k, G } = p;
        const rewards = Float64Array.from(flat);
        for (const [from, to] of p.copies) rewards.copyWithin((to % n) * k, (from % n) * k, (from % n) * k + k);
        if (p.constantGroup < p.groups) {
          const s = p.constantGroup * G;
          for (let a = 1; a < G; a++) rewards.copyWithin((s + a) * k, s * k, s * k + k);
        }
        const groupIds = Int32Array.from({ length: n }, (_, i) => p.firstId + 3 * Math.floor(i / G));
        return { ...p, n, rewards, groupIds };
      });
    });

/** Whether `ids` are n / G runs of G equal ids, each run's id above the previous run's (the kernels' layout). */
export function isEqualRuns(ids: Int32Array, G: number): boolean {
  if (ids.length % G !== 0) return false;
  for (let s = 0; s < ids.length; s += G) {
    if (s > 0 && ids[s] <= ids[s - G]) return false;
    for (let a = 1; a < G; a++) if (ids[s + a] !== ids[s]) return false;
  }
  return true;
}

/**
 * Ids of `groups` runs of G (G = 1–20, so every G mod 4 and an unpaired last group occur), with
 * up to three edits: an id overwritten (often by a neighbour's), or two ids swapped. Most results
 * break the layout somewhere (first or last run, the middle or the last G mod 4 ids of a run, the
 * order of runs); some do not.
 */
export const editedRunsArb = fc
  .record({
    G: fc.integer({ min: 1, max: 20 }),
    groups: fc.integer({ min: 1, max: 7 }),
    firstId: fc.integer({ min: -3, max: 3 }),
    steps: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 7, maxLength: 7 }),
    edits: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat(), fc.integer({ min: -1, max: 1 })), { maxLength: 3 }),
  })
  .map(({ G, groups, firstId, steps, edits }) => {
    const n = G * groups;
    const ids = new Int32Array(n);
    for (let g = 0, id = firstId; g < groups; id += 1 + steps[g], g++) ids.fill(id, g * G, g * G + G);
    for (const [swap, i, j, delta] of edits) {
      const [a, b] = [i % n, j % n];
      if (swap) [ids[a], ids[b]] = [ids[b], ids[a]];
      else ids[a] = ids[b] + delta;
    }
    return { G, ids };
  });
