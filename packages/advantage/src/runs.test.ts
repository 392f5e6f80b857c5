import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupLayout } from './groups';
import { firstRunLength, isEqualRuns, layoutOf } from './runs';

/** The definition, slowly: n / G runs of G equal ids, run ids strictly increasing. */
function equalRunsRef(ids: number[], G: number): boolean {
  if (G < 1 || ids.length % G !== 0) return false;
  for (let s = 0; s < ids.length; s += G) {
    if (ids.slice(s, s + G).some((id) => id !== ids[s])) return false;
    if (s > 0 && ids[s] <= ids[s - 1]) return false;
  }
  return true;
}

describe('firstRunLength', () => {
  it.each([
    ['equal runs', [4, 4, 9, 9], 2],
    ['one group', [3, 3, 3], 3],
    ['singletons', [1, 2, 3], 1],
    ['n not a multiple of the first run', [4, 4, 9], 0],
    ['empty', [], 0],
  ])('%s', (_, ids, G) => expect(firstRunLength(Int32Array.from(ids))).toBe(G));
});

describe('isEqualRuns', () => {
  it.each([
    ['increasing runs', [1, 1, 3, 3], 2, true],
    ['decreasing runs', [3, 3, 1, 1], 2, false],
    ['a run id that comes back', [0, 0, 1, 1, 0, 0], 2, false],
    ['a stray id inside a run', [0, 0, 0, 1, 1, 0], 3, false],
    ['extreme ids', [-2147483648, 2147483647], 1, true],
    ['G not dividing n', [1, 1, 1], 2, false],
  ])('%s', (_, ids, G, ok) => expect(isEqualRuns(Int32Array.from(ids), G)).toBe(ok));

  it('agrees with the definition on random ids, near-runs included', () => {
    const nearRuns = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: -3, max: 3 }), fc.nat(40), fc.integer({ min: -2, max: 2 }))
      .map(([G, groups, start, at, delta]) => {
        const ids = Array.from({ length: G * groups }, (_, i) => start + Math.floor(i / G));
        ids[at % ids.length] += delta;
        return ids;
      });
    fc.assert(
      fc.property(fc.oneof(nearRuns, fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 20 })), (ids) => {
        const G = firstRunLength(Int32Array.from(ids));
        for (const g of [G, 1, 2, 3]) expect(isEqualRuns(Int32Array.from(ids), g)).toBe(equalRunsRef(ids, g));
      }),
    );
  });
});

describe('layoutOf', () => {
  /** Rows of each group, read back from a layout. */
  const membersOf = ({ nGroups, starts, order }: ReturnType<typeof groupLayout>) =>
    Array.from({ length: nGroups }, (_, g) =>
      Array.from({ length: starts[g + 1] - starts[g] }, (_, a) => (order === null ? starts[g] + a : order[starts[g] + a])),
    );

  it('groups rows as groupLayout does, equal runs or not', () => {
    const runs = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 5 })).map(([G, groups]) => Array.from({ length: G * groups }, (_, i) => 3 * Math.floor(i / G)));
    fc.assert(
      fc.property(fc.oneof(runs, fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 20 })), (raw) => {
        const ids = Int32Array.from(raw);
        expect(membersOf(layoutOf(ids))).toEqual(membersOf(groupLayout(ids)));
      }),
    );
  });
});
