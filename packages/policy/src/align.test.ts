import { describe, expect, it } from 'vitest';
import { toPositions } from './align';

describe('toPositions', () => {
  it('moves each token value to the position predicting it', () => {
    expect(Array.from(toPositions(Uint8Array.of(0, 1, 1, 0, 1), Int32Array.of(0, 3, 5), new Uint8Array(5)))).toEqual([1, 1, 0, 1, 0]);
  });

  it('lines a rollout mask up with next-token targets: masked positions predict masked tokens', () => {
    const offsets = Int32Array.of(0, 4, 7);
    const mask = Uint8Array.of(0, 0, 1, 1, 0, 1, 0);
    const aligned = toPositions(Float32Array.from(mask), offsets, new Float32Array(7));
    expect(Array.from(aligned)).toEqual([0, 1, 1, 0, 1, 0, 0]);
  });
});
