import { describe, expect, it } from 'vitest';
import { maskedNll } from './loss';

describe('maskedNll', () => {
  it.each([
    [[-1, -3], [1, 0], 1, [-1, 0]],
    [[-1, -3], [1, 1], 2, [-0.5, -0.5]],
    [[-2, -4], [1, 3], 3.5, [-0.25, -0.75]],
  ])('logprobs %j, weights %j → loss %d', (lp, w, loss, grad) => {
    const r = maskedNll(Float32Array.from(lp), Float32Array.from(w));
    expect(r.loss).toBeCloseTo(loss, 12);
    expect(Array.from(r.dLogprobs)).toEqual(grad);
  });

  it('rejects bad inputs', () => {
    expect(() => maskedNll(new Float32Array(2), new Uint8Array(3))).toThrow(/length 2/);
    expect(() => maskedNll(new Float32Array(2), new Uint8Array(2))).toThrow(/all be zero/);
    expect(() => maskedNll(new Float32Array(1), Float32Array.of(Number.NaN))).toThrow(/weights\[0\]/);
    expect(() => maskedNll(Float32Array.of(Number.NEGATIVE_INFINITY), Float32Array.of(1))).toThrow(/logprobs\[0\]/);
  });
});
