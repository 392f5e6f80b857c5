import { describe, expect, it } from 'vitest';
import { describeValue } from './errors';

describe('describeValue', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [Number.NaN, 'NaN'],
    [-0.5, '-0.5'],
    [12n, '12n'],
    ['abc', '"abc"'],
    ['x'.repeat(50), JSON.stringify(`${'x'.repeat(40)}…`)],
    [[1, 2, 3], 'Array(3)'],
    [new Float64Array(4), 'Float64Array(4)'],
    [new Map(), 'Map'],
    [Object.create(null), 'object'],
    [() => 1, 'function'],
    [Symbol('s'), 'symbol'],
  ])('%s → %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });
});
