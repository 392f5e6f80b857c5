import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareDominance, dominates, epsilonDominates, equalVectors } from './dominance';

describe('dominates', () => {
  it.each([
    [[1, 2], [2, 2], 'pareto', true],
    [[1, 2], [1, 2], 'pareto', false],
    [[1, 2], [2, 2], 'strict', false],
    [[1, 1], [2, 2], 'strict', true],
    [[1, 2], [1, 2], 'weak', true],
    [[1, 3], [2, 2], 'weak', false],
  ] as const)('%j vs %j (%s) is %s', (a, b, mode, expected) => {
    expect(dominates(a, b, { mode })).toBe(expected);
  });

  it('respects per-objective directions', () => {
    expect(dominates([3, 1], [2, 2], { maximize: [true, false] })).toBe(true);
    expect(dominates([3, 1], [2, 2], { maximize: true })).toBe(false);
  });

  it('rejects bad input with the function and argument named', () => {
    expect(() => dominates([1, Number.NaN], [1, 2])).toThrow(/dominates: a\[1\] must be a finite number \(got NaN\)/);
    expect(() => dominates([1, 2], [1, 2, 3])).toThrow(/dominates: b must have length 2 \(got 3\)/);
    expect(() => dominates([], [])).toThrow(/dominates: a must not be empty/);
    expect(() => dominates([1], [2], { maximize: [true, false] })).toThrow(/options.maximize must have one flag per objective, length 1 \(got 2\)/);
  });

  it('is irreflexive, asymmetric and transitive (Pareto mode)', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(vec, vec, vec, (a, b, c) => {
        expect(dominates(a, a)).toBe(false);
        if (dominates(a, b)) expect(dominates(b, a)).toBe(false);
        if (dominates(a, b) && dominates(b, c)) expect(dominates(a, c)).toBe(true);
      }),
    );
  });

  it('maximising equals minimising the negation', () => {
    const vec = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 2, maxLength: 2 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        expect(dominates(a, b, { maximize: true })).toBe(dominates(a.map((x) => -x), b.map((x) => -x)));
      }),
    );
  });
});

describe('compareDominance', () => {
  it.each([
    [[1, 1], [2, 2], -1],
    [[2, 2], [1, 1], 1],
    [[1, 2], [2, 1], 0],
    [[1, 2], [1, 2], 0],
  ] as const)('%j vs %j → %d', (a, b, expected) => {
    expect(compareDominance(a, b)).toBe(expected);
  });

  it('agrees with dominates', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        const c = compareDominance(a, b);
        expect(c === -1).toBe(dominates(a, b));
        expect(c === 1).toBe(dominates(b, a));
      }),
    );
  });
});

describe('epsilonDominates', () => {
  it.each([
    [[1.05, 2], [1, 2], 0.1, 'additive', true],
    [[1.2, 2], [1, 2], 0.1, 'additive', false],
    [[1.1, 2], [1, 2], 0.1, 'multiplicative', true],
    [[1.2, 2], [1, 2], 0.1, 'multiplicative', false],
  ] as const)('%j ε-dominates %j with ε=%d (%s): %s', (a, b, eps, kind, expected) => {
    expect(epsilonDominates(a, b, eps, { kind })).toBe(expected);
  });

  it('with ε = 0 equals weak dominance', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 2 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        expect(epsilonDominates(a, b, 0)).toBe(dominates(a, b, { mode: 'weak' }));
      }),
    );
  });

  it('rejects negative ε and non-positive values in multiplicative mode', () => {
    expect(() => epsilonDominates([1], [1], -1)).toThrow(/epsilonDominates: epsilon must be a finite number >= 0 \(got -1\)/);
    expect(() => epsilonDominates([0], [1], 0.1, { kind: 'multiplicative' })).toThrow(/positive values/);
  });
});

describe('equalVectors', () => {
  it('compares element-wise', () => {
    expect(equalVectors([1, 2], [1, 2])).toBe(true);
    expect(equalVectors([1, 2], [1, 3])).toBe(false);
  });
});
