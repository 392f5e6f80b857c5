import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { denseRanks, iota, lexOrder, radixSortByKey, stableSortByKey } from './order';

describe('index sorts', () => {
  const keyArb = fc.array(
    fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true }), fc.constantFrom(-0, 0, Number.MIN_VALUE, -Number.MAX_VALUE)),
    { maxLength: 200 },
  );

  it('radix and merge sorts are stable and agree with a comparator sort', () => {
    fc.assert(
      fc.property(keyArb, (values) => {
        const key = Float64Array.from(values);
        const want = [...Array(key.length).keys()].sort((a, b) => (key[a] < key[b] ? -1 : key[a] > key[b] ? 1 : a - b));
        const merged = iota(key.length);
        stableSortByKey(merged, key);
        const radix = iota(key.length);
        radixSortByKey(radix, key);
        expect(Array.from(merged)).toEqual(want);
        expect(Array.from(radix)).toEqual(want);
      }),
    );
  });

  it('radix sort handles a large input (the path lexOrder takes from 16384 indices)', () => {
    const n = 20000;
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) key[i] = ((i * 7919) % 1000) - 500 + (i % 3) * 0.25;
    const a = iota(n);
    const b = iota(n);
    radixSortByKey(a, key);
    stableSortByKey(b, key);
    expect(a).toEqual(b);
  });

  it('lexOrder and denseRanks', () => {
    expect(Array.from(lexOrder(Float64Array.of(2, 1, 1, 2, 1, 1, 0, 5), 4, 2))).toEqual([3, 2, 1, 0]);
    expect(denseRanks(Float64Array.of(3, -0, 0, 3, -1))).toEqual({ ranks: Int32Array.of(2, 1, 1, 2, 0), count: 3 });
  });
});
