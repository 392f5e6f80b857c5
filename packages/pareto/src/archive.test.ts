import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pointsArb } from './testing';
import { ParetoArchive } from './archive';
import { crowdingDistance } from './crowding';
import { nondominatedFilter } from './filter';
import { fromRows, selectRows, toRows } from './points';

describe('ParetoArchive', () => {
  it('keeps the non-dominated vectors and evicts dominated members', () => {
    const a = new ParetoArchive(2);
    expect(a.add([2, 2])).toBe(true);
    expect(a.add([3, 3])).toBe(false);
    expect(a.add([2, 2])).toBe(false);
    expect(a.add([1, 3])).toBe(true);
    expect(a.add([3, 1])).toBe(true);
    expect(a.add([1, 1])).toBe(true);
    expect(toRows(a.points())).toEqual([[1, 1]]);
    expect(a.size).toBe(1);
    expect(a.d).toBe(2);
    expect(a.has([1, 1])).toBe(true);
    expect(a.has([2, 2])).toBe(false);
    a.clear();
    expect(a.size).toBe(0);
    expect(a.add([5, 5])).toBe(true);
  });

  it('respects maximize', () => {
    const a = new ParetoArchive(2, { maximize: [true, false] });
    a.add([1, 1]);
    expect(a.add([2, 1])).toBe(true);
    expect(toRows(a.points())).toEqual([[2, 1]]);
  });

  it('equals nondominatedFilter (duplicates dropped) of everything added, in insertion order', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 1, max: 4 }, maxN: 50, max: 5 }), fc.boolean(), (p, maximize) => {
        const a = new ParetoArchive(p.d, { maximize });
        a.addMany(p);
        const want = selectRows(p, nondominatedFilter(p, { maximize, keepDuplicates: false }));
        expect(toRows(a.points())).toEqual(toRows(want));
        const members = a.points();
        expect(nondominatedFilter(members, { maximize }).length).toBe(members.n);
      }),
    );
  });

  it('prunes the most crowded member when over capacity, boundary members kept, ties by oldest', () => {
    const a = new ParetoArchive(2, { capacity: 3 });
    a.add([0, 10]);
    a.add([10, 0]);
    a.add([5, 5]);
    // Crowding after adding [4, 6]: [5, 5] gets 0.6 + 0.6, [4, 6] gets 0.5 + 0.5: the newcomer goes.
    const dist = crowdingDistance(fromRows([[0, 10], [10, 0], [5, 5], [4, 6]]));
    expect(dist[2]).toBeCloseTo(1.2, 12);
    expect(dist[3]).toBe(1);
    expect(a.add([4, 6])).toBe(false);
    expect(toRows(a.points())).toEqual([[0, 10], [10, 0], [5, 5]]);
    // [5, 5] between [4, 6] and [6, 4] gets 0.2 + 0.2, the others 1 or Infinity: [5, 5] goes.
    const c = new ParetoArchive(2, { capacity: 4 });
    c.addMany(fromRows([[0, 10], [10, 0], [5, 5], [4, 6]]));
    expect(c.add([6, 4])).toBe(true);
    expect(toRows(c.points())).toEqual([[0, 10], [10, 0], [4, 6], [6, 4]]);
    // Every member a boundary member (infinite distance): the oldest goes.
    const b = new ParetoArchive(2, { capacity: 1 });
    b.add([0, 2]);
    expect(b.add([2, 0])).toBe(true);
    expect(toRows(b.points())).toEqual([[2, 0]]);
  });

  it('never exceeds capacity and stays non-dominated', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 2, max: 3 }, maxN: 60 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom('crowding', 'oldest' as const), (p, capacity, prune) => {
        const a = new ParetoArchive(p.d, { capacity, prune });
        a.addMany(p);
        const members = a.points();
        expect(members.n).toBeLessThanOrEqual(capacity);
        expect(nondominatedFilter(members, { keepDuplicates: false }).length).toBe(members.n);
      }),
    );
  });

  it("'oldest' pruning drops the oldest member", () => {
    const a = new ParetoArchive(2, { capacity: 2, prune: 'oldest' });
    a.add([0, 3]);
    a.add([1, 2]);
    a.add([2, 1]);
    expect(toRows(a.points())).toEqual([[1, 2], [2, 1]]);
  });

  it('round-trips through toJSON / JSON text / fromJSON', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 1, max: 4 }, maxN: 30, values: 'real', min: -1e6, max: 1e6 }), fc.boolean(), (p, maximize) => {
        const a = new ParetoArchive(p.d, { maximize, capacity: 20 });
        a.addMany(p);
        const json = a.toJSON();
        expect(json.version).toBe(1);
        const b = ParetoArchive.fromJSON(JSON.parse(JSON.stringify(json)));
        expect(b.toJSON()).toEqual(json);
        expect(b.points()).toEqual(a.points());
      }),
    );
  });

  it('rejects bad input', () => {
    const a = new ParetoArchive(2);
    expect(() => a.add([1, Number.NaN])).toThrow(/ParetoArchive.add: vector\[1\] must be a finite number \(got NaN\)/);
    expect(() => a.add([1, Infinity])).toThrow(/vector\[1\] must be a finite number \(got Infinity\)/);
    expect(() => a.add([1])).toThrow(/ParetoArchive.add: vector must have length 2 \(got 1\)/);
    expect(() => a.has([1, 2, 3])).toThrow(/ParetoArchive.has: vector must have length 2/);
    expect(() => a.addMany(fromRows([[1, 2, 3]]))).toThrow(/ParetoArchive.addMany: points.d must be 2 \(got 3\)/);
    expect(() => a.addMany({ data: Float64Array.of(1, Number.NaN), n: 1, d: 2 })).toThrow(/addMany: points must hold finite numbers/);
    expect(() => new ParetoArchive(0)).toThrow(/ParetoArchive: d must be a positive integer \(got 0\)/);
    expect(() => new ParetoArchive(2, { capacity: 0 })).toThrow(/options.capacity must be a positive integer or Infinity \(got 0\)/);
    expect(() => new ParetoArchive(2, { prune: 'random' as 'oldest' })).toThrow(/options.prune must be 'crowding' or 'oldest'/);
    expect(() => new ParetoArchive(2, { maximize: [true] })).toThrow(/options.maximize must have one flag per objective/);
    expect(a.size).toBe(0);
  });

  it.each([
    [null, /json must be an object \(got null\)/],
    [[], /json must be an object \(got Array\(0\)\)/],
    [{ version: 2 }, /json.version must be 1 \(got 2\)/],
    [{ version: 1, d: 0 }, /json.d must be a positive integer \(got 0\)/],
    [{ version: 1, d: 2, maximize: [true] }, /json.maximize must be an array of 2 booleans/],
    [{ version: 1, d: 2, maximize: [true, 1] }, /json.maximize\[1\] must be a boolean \(got 1\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: -1 }, /json.capacity must be null or a positive integer \(got -1\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'x' }, /json.prune must be 'crowding' or 'oldest' \(got "x"\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: {} }, /json.points must be an array of rows/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: 1, prune: 'oldest', points: [[1, 2], [2, 1]] }, /at most json.capacity = 1 rows \(got 2\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: [[1, 2], 'x'] }, /json.points\[1\] must be an array of numbers/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: [[1, null]] }, /json.points\[0\]\[1\] must be a finite number \(got null\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: [[1, 2, 3]] }, /json.points\[0\] must have length 2 \(got 3\)/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: [[1, 2], [1, 2]] }, /json.points\[1\] is dominated by, equal to, or dominates another member/],
    [{ version: 1, d: 2, maximize: [true, true], capacity: null, prune: 'oldest', points: [[1, 2], [2, 2]] }, /json.points\[1\]/],
  ])('fromJSON(%j) throws %s', (json, message) => {
    expect(() => ParetoArchive.fromJSON(json)).toThrow(message);
  });
});
