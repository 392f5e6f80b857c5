import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { gradNormJs, gradNormOp, gradNormReference, scaleJs, scaleOp, scaleReference } from './gradNorm';

describe.each([
  ['reference', gradNormReference, scaleReference],
  ['js', gradNormJs, scaleJs],
])('gradNorm and scale (%s)', (_, norm, scale) => {
  it.each([
    [[[3], [4]], 5],
    [[[1, 2, 2]], 3],
    [[[], [0, 0, 0]], 0],
    [[[1, 1, 1, 1, 1, 1, 1, 1, 1]], 3],
  ])('norm of %j = %f', (arrays, expected) => {
    expect(norm({ arrays: arrays.map((a) => Float32Array.from(a)) }).norm).toBeCloseTo(expected, 12);
  });

  it('scale multiplies the first n entries in place (global-norm clipping)', () => {
    const x = Float32Array.of(3, 4, 10);
    scale({ x, factor: 0.5, n: 2 });
    expect(Array.from(x)).toEqual([1.5, 2, 10]);
  });
});

describe('gradNorm', () => {
  it('js matches the reference on seeded random arrays of odd lengths', () => {
    const rng = caseRng(81);
    const arrays = [rng.f32(1001), rng.f32(3), rng.f32(0), rng.f32(4096, -10, 10)];
    expect(gradNormJs({ arrays }).norm).toBeCloseTo(gradNormReference({ arrays }).norm, 9);
  });

  it('validate rejects a non-array and non-f32 members; scale rejects NaN factors', () => {
    expect(() => gradNormOp.validate({ arrays: new Float32Array(2) as unknown as Float32Array[] })).toThrow(/gradNorm: arrays must be an array of Float32Array/);
    expect(() => gradNormOp.validate({ arrays: [new Float32Array(1), [1] as unknown as Float32Array] })).toThrow(/gradNorm: arrays\[1\] must be a Float32Array/);
    expect(() => scaleOp.validate({ x: new Float32Array(2), factor: Number.NaN, n: 2 })).toThrow(/scale: factor must be a finite number \(got NaN\)/);
    expect(() => scaleOp.validate({ x: new Float32Array(1), factor: 1, n: 2 })).toThrow(/scale: x must have length >= 2 \(got 1\)/);
  });
});
