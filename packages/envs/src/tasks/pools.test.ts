import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EnvError } from '../errors';
import { DEFAULT_POOL_FRACTIONS, POOLS, drawPool, poolOf, resolvePools, stratumCounts } from './pools';

describe('poolOf', () => {
  it('depends only on the question (same text, same pool) and respects among (law)', () => {
    fc.assert(
      fc.property(fc.string(), fc.subarray([...POOLS], { minLength: 1 }), (q, among) => {
        expect(poolOf(q)).toBe(poolOf(q));
        expect(among).toContain(poolOf(q, DEFAULT_POOL_FRACTIONS, among));
      }),
    );
  });

  it('splits a large question space in the given fractions', () => {
    const counts = { sft: 0, rl: 0, validation: 0, test: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) counts[poolOf(`q${i}`)]++;
    for (const p of POOLS) expect(Math.abs(counts[p] / n - DEFAULT_POOL_FRACTIONS[p])).toBeLessThan(0.015);
    // Restricted to three pools, the shares are renormalised.
    let test = 0;
    for (let i = 0; i < n; i++) if (poolOf(`q${i}`, DEFAULT_POOL_FRACTIONS, ['rl', 'validation', 'test']) === 'test') test++;
    expect(Math.abs(test / n - 0.4 / 0.85)).toBeLessThan(0.015);
  });
});

describe('stratumCounts', () => {
  it('sums to the count and is within one of the exact share (law)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }), (n, w) => {
        const c = stratumCounts(n, w);
        const total = w.reduce((a, b) => a + b, 0);
        expect(c.reduce((a, b) => a + b, 0)).toBe(n);
        c.forEach((ci, i) => expect(Math.abs(ci - (n * w[i]) / total)).toBeLessThan(1));
      }),
    );
  });
});

describe('drawPool', () => {
  const items = ['a', 'b', 'c'];
  const draw = (_s: number, rng: { pick: <T>(x: readonly T[]) => T }) => rng.pick(items);

  it('validation and test never repeat; running out throws task-exhausted', () => {
    expect(new Set(drawPool('f', 'test', 3, [1], draw, (x) => x, 1)).size).toBe(3);
    expect(() => drawPool('f', 'validation', 4, [1], draw, (x) => x, 1)).toThrow(EnvError);
    expect(() => drawPool('f', 'validation', 4, [1], draw, (x) => x, 1)).toThrow(/f: the validation pool ran out of distinct questions/);
  });

  it('SFT and RL use every question before repeating one', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const out = drawPool('f', 'sft', 4, [1], draw, (x) => x, seed);
      expect(out).toHaveLength(4);
      expect(new Set(out)).toEqual(new Set(items));
    }
  });

  it('caps the share of one answer', () => {
    const pool = ['a1', 'a2', 'a3', 'b1', 'c1'];
    const out = drawPool('f', 'rl', 10, [1], (_s, rng) => rng.pick(pool), (x) => x, 3, { answer: (x) => x[0], share: 0.4 });
    expect(out.filter((x) => x[0] === 'a').length).toBeLessThanOrEqual(4);
  });

  it('throws when a stratum is empty', () => {
    expect(() => drawPool('f', 'rl', 2, [1, 1], (s) => (s === 0 ? 'x' : undefined), (x) => x, 1)).toThrow(/holds no question of stratum 1/);
  });
});

describe('resolvePools', () => {
  it.each([
    [{ seed: Number.NaN, counts: {} }, /f: options.seed must be a finite number \(got NaN\)/],
    [{ seed: 1 }, /f: options.counts must be an object/],
    [{ seed: 1, counts: { test: -1 } }, /f: options.counts.test must be an integer in \[0, 1000000\] \(got -1\)/],
    [{ seed: 1, counts: { rl: 1.5 } }, /counts.rl/],
    [{ seed: 1, counts: {}, fractions: { ...DEFAULT_POOL_FRACTIONS, sft: 0 } }, /f: options.fractions.sft must be a finite number > 0 \(got 0\)/],
    [{ seed: 1, counts: {}, fractions: { ...DEFAULT_POOL_FRACTIONS, test: Number.NaN } }, /fractions.test/],
  ])('rejects %o', (opts, msg) => {
    expect(() => resolvePools('f', opts)).toThrow(msg);
  });

  it('fills missing counts with 0', () => {
    expect(resolvePools('f', { seed: 1, counts: { test: 5 } }).counts).toEqual({ sft: 0, rl: 0, validation: 0, test: 5 });
  });
});
