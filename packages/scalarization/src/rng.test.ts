import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@paretopo/random';
import { sampleDirichletInto, sampleGamma, seededRng, stepRng } from './rng';

// States and draws of the SeededRng this package had before its generator moved to
// @paretopo/random, recorded before it was deleted: seeded weights must stay bit-identical.
describe('seededRng and stepRng known values (were SeededRng and SeededRng.derive)', () => {
  it.each([
    [-5, [2369924727, 1348904349, 1133200295, 2298712680]],
    [2 ** 40 + 3, [4152361307, 161611376, 2938514443, 4130363890]],
  ])('seededRng(%d).state()', (seed, state) => {
    expect(seededRng(seed).state()).toEqual(state);
  });

  it('seededRng(42): next() then nextUint32()', () => {
    const r = seededRng(42);
    expect([r.next(), r.nextUint32()]).toEqual([0.6612951805325964, 3899664532]);
  });

  it('stepRng(7, 3).state()', () => {
    expect(stepRng(7, 3).state()).toEqual([1412265591, 3076495154, 3091211932, 544023359]);
  });

  it('a Dirichlet([0.5, 1, 2]) draw from stepRng(1, 2)', () => {
    expect(Array.from(sampleDirichletInto([0.5, 1, 2], stepRng(1, 2), new Float64Array(3)))).toEqual([
      0.10288593163117725, 0.04484955425138924, 0.8522645141174336,
    ]);
  });
});

describe('seededRng and stepRng', () => {
  it('are deterministic and distinct across seeds and steps', () => {
    const draw = (r: Rng) => Array.from({ length: 8 }, () => r.nextUint32());
    expect(draw(seededRng(1))).toEqual(draw(seededRng(1)));
    expect(draw(seededRng(1))).not.toEqual(draw(seededRng(2)));
    expect(draw(seededRng(-1))).not.toEqual(draw(seededRng(2 ** 32 - 1)));
    expect(draw(stepRng(5, 3))).toEqual(draw(stepRng(5, 3)));
    expect(draw(stepRng(5, 3))).not.toEqual(draw(stepRng(5, 4)));
    expect(draw(stepRng(5, 3))).not.toEqual(draw(stepRng(6, 3)));
  });

  it('restore from their state and continue identically', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 0, max: 50 }), (seed, skip) => {
        const a = seededRng(seed);
        for (let i = 0; i < skip; i++) a.nextUint32();
        const b = Rng.fromState(JSON.parse(JSON.stringify(a.state())) as number[]);
        for (let i = 0; i < 5; i++) expect(b.next()).toBe(a.next());
      }),
    );
  });
});

describe('samplers', () => {
  it.each([[0.5], [1], [2.5], [10]])('Gamma(%d) has mean ≈ shape and variance ≈ shape', (shape) => {
    const r = seededRng(7);
    const n = 30000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const g = sampleGamma(shape, r);
      s += g;
      s2 += g * g;
    }
    const mean = s / n;
    expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
    expect(Math.abs(s2 / n - mean * mean - shape) / shape).toBeLessThan(0.06);
  });

  it('rejects bad shapes', () => {
    expect(() => sampleGamma(0, new Rng(0))).toThrow(/sampleLogGamma: shape must be a finite number > 0 \(got 0\)/);
    expect(() => sampleGamma(Number.NaN, new Rng(0))).toThrow(/got NaN/);
  });
});
