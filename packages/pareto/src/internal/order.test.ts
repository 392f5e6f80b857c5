import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { argsortColumn, denseRanks, iota, lexOrder, radixSortByKey, stableSortByKey } from './order';

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

  it('radix sort handles a large input (the path sortByKey takes from 2048 indices)', () => {
    const n = 20000;
    const key = new Float64Array(n);
    for (let i = 0; i < n; i++) key[i] = ((i * 7919) % 1000) - 500 + (i % 3) * 0.25;
    const a = iota(n);
    const b = iota(n);
    radixSortByKey(a, key);
    stableSortByKey(b, key);
    expect(a).toEqual(b);
  });

  it.each([10, 300, 5000])('argsortColumn sorts n = %i rows by one column stably, into `out` when given', (n) => {
    const d = 3;
    const data = new Float64Array(n * d);
    for (let i = 0; i < n * d; i++) data[i] = ((i * 7919) % 23) - 11 + (i % 5 === 0 ? 0.5 : 0);
    data[1] = -0;
    const want = [...Array(n).keys()].sort((a, b) => data[a * d + 1] - data[b * d + 1] || a - b);
    expect(Array.from(argsortColumn(data, n, d, 1))).toEqual(want);
    const out = new Int32Array(n + 4);
    argsortColumn(data, n, d, 1, out);
    expect(Array.from(out.subarray(0, n))).toEqual(want);
  });

  it('lexOrder and denseRanks', () => {
    expect(Array.from(lexOrder(Float64Array.of(2, 1, 1, 2, 1, 1, 0, 5), 4, 2))).toEqual([3, 2, 1, 0]);
    expect(denseRanks(Float64Array.of(3, -0, 0, 3, -1))).toEqual({ ranks: Int32Array.of(2, 1, 1, 2, 0), count: 3 });
  });
});
