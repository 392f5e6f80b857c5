import { describe, expect, it } from 'vitest';
import { defaultWeights } from './options';

describe('defaultWeights', () => {
  it.each([
    [1, [1]],
    [2, [0.6, 0.4]],
    [4, [0.25, 0.25, 0.25, 0.25]],
  ])('k = %i gives %j', (k, expected) => {
    expect(Array.from(defaultWeights(k))).toEqual(expected);
  });

  it.each([Number.NaN, 0, -1, 1.5, Infinity, 2 ** 24 + 1, '2'])('refuses k = %s instead of returning an empty or huge array', (k) => {
    expect(() => defaultWeights(k as number)).toThrow(/^defaultWeights: k must be a positive integer ≤ 2\^24 \(got /);
  });
});
