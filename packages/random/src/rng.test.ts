import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

// Outputs of the generators this one replaced (@paretopo/policy's Rng and @paretopo/hypervolume's
// createRng, same algorithm and seeding), recorded before they were deleted: their streams must
// stay bit-identical.
describe('Rng known values', () => {
  it('nextUint32 of seed 7 (was @paretopo/policy Rng)', () => {
    const r = new Rng(7);
    expect([r.nextUint32(), r.nextUint32(), r.nextUint32(), r.nextUint32()]).toEqual([1004282400, 2200021487, 1928073449, 741806228]);
  });

  it.each([
    [0, 0.8868539502021594],
    [123456789, 0.9974706860876509],
  ])('next() of seed %d is %d (53-bit, was @paretopo/policy Rng)', (seed, value) => {
    expect(new Rng(seed).next()).toBe(value);
  });

  it('derive(42, 3): next, normal and state (was @paretopo/policy Rng.derive)', () => {
    const r = Rng.derive(42, 3);
    expect([r.next(), r.normal()]).toEqual([0.38705774332309095, 0.8058141000481994]);
    expect(r.state()).toEqual([676994613, 488347330, 1723977274, 1083898802]);
  });

  it.each([
    [42, [0.6606157226487994, 0.12688010395504534, 0.11170196393504739]],
    [0, [0.8868539538234472, 0.26395898405462503]],
  ])('nextUint32() * 2^-32 of seed %d is the stream of @paretopo/hypervolume createRng', (seed, values) => {
    const r = new Rng(seed);
    expect(values.map(() => r.nextUint32() * 2 ** -32)).toEqual(values);
  });
});

describe('Rng', () => {
  it('same seed, same stream; nearby seeds and streams differ', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    for (let i = 0; i < 100; i++) expect(a.nextUint32()).toBe(b.nextUint32());
    expect(new Rng(1).next()).not.toBe(new Rng(2).next());
    expect(Rng.derive(1, 0).next()).not.toBe(Rng.derive(1, 1).next());
    expect(Rng.derive(5, 2).state()).toEqual(new Rng(5, 3).state());
  });

  it('state round-trips through JSON and resumes the exact stream', () => {
    const r = new Rng(3);
    for (let i = 0; i < 10; i++) r.next();
    const copy = Rng.fromState(JSON.parse(JSON.stringify(r.state())) as number[]);
    for (let i = 0; i < 50; i++) expect(copy.nextUint32()).toBe(r.nextUint32());
  });

  it('state() is a copy', () => {
    const r = new Rng(3);
    const s = r.state();
    r.next();
    expect(r.state()).not.toEqual(s);
  });

  it('draws stay in range and cover it', () => {
    const r = new Rng(11);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const k = r.int(-2, 3);
      expect(Number.isInteger(k) && k >= -2 && k <= 3).toBe(true);
      seen.add(k);
      expect(Number.isFinite(r.normal())).toBe(true);
    }
    expect(seen.size).toBe(6);
  });

  it('chance, pick and weighted respect their inputs', () => {
    const r = new Rng(5);
    for (let i = 0; i < 500; i++) {
      expect(r.chance(0)).toBe(false);
      expect(r.chance(1)).toBe(true);
      expect(r.pick(['a', 'b', 'c'])).toMatch(/^[abc]$/);
      expect([1, 3]).toContain(r.weighted([0, 2, 0, 1, 0]));
    }
    expect(r.weighted([0, 0])).toBe(0);
  });

  it('normal() has mean 0 and variance 1 (loosely)', () => {
    const r = new Rng(9);
    let s = 0;
    let s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
  });

  it.each([NaN, Infinity, '1' as unknown as number])('rejects seed %s', (seed) => {
    expect(() => new Rng(seed)).toThrow(/^Rng: seed must be a finite number/);
  });

  it('rejects a bad stream and a bad state', () => {
    expect(() => new Rng(1, NaN)).toThrow('Rng: stream must be a finite number (got NaN)');
    expect(() => Rng.fromState([1, 2, 3])).toThrow(TypeError);
    expect(() => Rng.fromState([1, 2, 3, 2 ** 32])).toThrow(TypeError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow('Rng.fromState: state must not be all zero');
  });
});
