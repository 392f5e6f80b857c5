import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupLayout, maxGroupSize } from './groups';

/** Rows of each group, in order of first appearance, read back from a layout. */
function membersOf(ids: Int32Array): number[][] {
  const { nGroups, starts, order } = groupLayout(ids);
  return Array.from({ length: nGroups }, (_, g) =>
    Array.from({ length: starts[g + 1] - starts[g] }, (_, a) => (order === null ? starts[g] + a : order[starts[g] + a])),
  );
}

describe('groupLayout', () => {
  it.each([
    ['contiguous runs need no order', [7, 7, -1], [[0, 1], [2]], true],
    ['interleaved ids', [7, -1, 7], [[0, 2], [1]], false],
    ['a run that reappears later', [1, 1, 2, 1], [[0, 1, 3], [2]], false],
    ['ids far apart (hash path), contiguous', [-2e9, 2e9, 2e9], [[0], [1, 2]], true],
    ['ids far apart (hash path), interleaved', [2e9, -2e9, 2e9, 0], [[0, 2], [1], [3]], false],
    ['empty', [], [], true],
  ])('%s', (_, ids, groups, contiguous) => {
    const layout = groupLayout(Int32Array.from(ids));
    expect(layout.order === null).toBe(contiguous);
    expect(membersOf(Int32Array.from(ids))).toEqual(groups);
  });

  it('matches a Map-based grouping on random ids, dense or sparse', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.integer()), { maxLength: 60 }), fc.boolean(), (raw, sorted) => {
        const ids = Int32Array.from(sorted ? [...raw].sort((a, b) => a - b) : raw);
        const m = new Map<number, number[]>();
        ids.forEach((g, i) => m.set(g, [...(m.get(g) ?? []), i]));
        expect(membersOf(ids)).toEqual([...m.values()]);
        expect(maxGroupSize(groupLayout(ids))).toBe(Math.max(0, ...[...m.values()].map((v) => v.length)));
      }),
    );
  });
});
