import { describe, expect, it } from 'vitest';
import { addJs, addOp, addReference } from './add';

describe.each([
  ['reference', addReference],
  ['js', addJs],
])('add (%s)', (_, add) => {
  it('adds elementwise, and out may alias a (residual)', () => {
    const out = new Float32Array(3);
    add({ a: Float32Array.of(1, 2, 3), b: Float32Array.of(10, 20, 30), out, n: 3 });
    expect(Array.from(out)).toEqual([11, 22, 33]);
    const a = Float32Array.of(1, 2, 3);
    add({ a, b: Float32Array.of(1, 1, 1), out: a, n: 2 });
    expect(Array.from(a)).toEqual([2, 3, 3]);
  });
});

describe('add', () => {
  it('validate rejects short operands', () => {
    expect(() => addOp.validate({ a: new Float32Array(2), b: new Float32Array(1), out: new Float32Array(2), n: 2 })).toThrow(/add: b must have length >= 2 \(got 1\)/);
    expect(() => addOp.validate({ a: new Float32Array(2), b: new Float32Array(2), out: new Float32Array(2), n: -1 })).toThrow(/add: n must be an integer >= 1/);
  });
});
