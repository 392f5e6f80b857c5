import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RankSet } from './bitset';
import { argsortColumn, sortTies } from './sort';

describe('argsortColumn', () => {
  it.each([10, 300, 5000])('sorts n = %i values with ties, negatives and -0 stably', (n) => {
    const d = 2;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) data[i] = ((i * 7919) % 23) - 11 + (i % 5 === 0 ? 0.5 : 0);
    data[0] = -0;
    const idx = argsortColumn(data, n, d, 1);
    const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => data[a * d + 1] - data[b * d + 1]);
    expect([...idx]).toEqual(expected);
  });

  it('matches a stable comparator sort on random doubles', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 256, maxLength: 600 }), (vals) => {
        const data = Float64Array.from(vals);
        const idx = argsortColumn(data, data.length, 1, 0);
        for (let k = 1; k < idx.length; k++) {
          const a = data[idx[k - 1]];
          const b = data[idx[k]];
          expect(a < b || (a === b && idx[k - 1] < idx[k])).toBe(true);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('sortTies', () => {
  // Small values force long runs (past the insertion-sort cutoff) as well as short ones.
  it.each([-1, 2])('orders rows lexicographically by (key, by, then = %i), stably', (then) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 0, maxLength: 600 }), fc.nat(2), (vals, span) => {
        const d = 3;
        const n = Math.floor(vals.length / d);
        const data = Float64Array.from(vals.slice(0, n * d), (v, i) => (i % d === 0 ? v % (span + 1) : v));
        const order = argsortColumn(data, n, d, 0);
        sortTies(data, order, n, d, 0, 1, then);
        const rank = (i: number) => [data[i * d], data[i * d + 1], then < 0 ? 0 : data[i * d + then], i];
        const expected = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
          const ra = rank(a);
          const rb = rank(b);
          for (let j = 0; j < 4; j++) if (ra[j] !== rb[j]) return ra[j] - rb[j];
          return 0;
        });
        expect([...order]).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('RankSet', () => {
  it('agrees with a sorted array on random operations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.array(fc.tuple(fc.nat(3), fc.nat(1 << 20)), { maxLength: 200 }), (size, ops) => {
        const set = new RankSet(size);
        const ref = new Set<number>();
        for (const [op, raw] of ops) {
          const i = raw % size;
          if (op === 0) {
            set.insert(i);
            ref.add(i);
          } else if (op === 1) {
            set.erase(i);
            ref.delete(i);
          } else {
            const sorted = [...ref].sort((a, b) => a - b);
            const next = sorted.find((x) => x >= i) ?? -1;
            const prev = [...sorted].reverse().find((x) => x <= i) ?? -1;
            expect(set.next(i)).toBe(next);
            expect(set.prev(i)).toBe(prev);
          }
        }
      }),
      { numRuns: 100 },
    );
  });
});
