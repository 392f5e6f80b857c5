import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { groupedRewardsArb } from '@paretopo/test-utils';
import { getEstimator, listEstimators } from './registry';
import { gdpoAdvantages, moGrpoAdvantages } from './estimators/multi';
import { paretoRankAdvantages } from './estimators/paretoRank';
import { drGrpoAdvantages, grpoAdvantages, opoAdvantages, reinforcePlusPlusAdvantages, rlooAdvantages } from './estimators/scalar';

const NAMES = ['grpo', 'drgrpo', 'rloo', 'opo', 'reinforce++', 'mo-grpo', 'gdpo', 'paretopo-rank'];

describe('registry', () => {
  it('lists every estimator by name, in a stable order', () => {
    expect(listEstimators().map((e) => e.name)).toEqual(NAMES);
  });

  it('an unknown name throws and lists the known ones', () => {
    expect(() => getEstimator('ppo')).toThrow(RangeError);
    expect(() => getEstimator('ppo')).toThrow(`getEstimator: unknown estimator "ppo" (known: ${NAMES.join(', ')})`);
  });

  it('every schema names its options with a type, and string options list their allowed values', () => {
    for (const e of listEstimators()) {
      expect(e.description.length).toBeGreaterThan(0);
      for (const o of e.options) {
        expect(['number', 'integer', 'boolean', 'string', 'number[]', 'Float64Array']).toContain(o.type);
        if (o.type === 'string') expect(o.allowed).toContain(o.default);
      }
    }
    const pr = getEstimator('paretopo-rank').options;
    expect(pr.find((o) => o.name === 'beta')?.default).toBe(0.5);
    expect(pr.find((o) => o.name === 'nRank')?.default).toBe('fronts');
    expect(pr.find((o) => o.name === 'center')?.default).toBe(true);
    expect(getEstimator('grpo').options.find((o) => o.name === 'std')?.default).toBe('sample');
    expect(getEstimator('opo').options.find((o) => o.name === 'lengths')?.required).toBe(true);
  });

  it('schemas list exactly the option keys each compute accepts', () => {
    const r = Float64Array.of(1, 0, 0, 1);
    const g = Int32Array.of(0, 0);
    for (const e of listEstimators()) {
      const keys = e.options.map((o) => o.name);
      expect(() => e.compute(r, g, { nope: 1 })).toThrow(`unknown option 'nope' (allowed: ${keys.join(', ')})`);
    }
  });

  it('compute is the estimator function', () => {
    const direct: Record<string, (r: Float64Array, g: Int32Array, o?: never) => Float64Array> = {
      grpo: grpoAdvantages,
      drgrpo: drGrpoAdvantages,
      rloo: rlooAdvantages,
      'reinforce++': reinforcePlusPlusAdvantages,
      'mo-grpo': moGrpoAdvantages,
      gdpo: gdpoAdvantages,
      'paretopo-rank': paretoRankAdvantages,
    };
    fc.assert(
      fc.property(groupedRewardsArb({ k: 2 }), ({ rewards, groupIds }) => {
        for (const [name, f] of Object.entries(direct)) expect(getEstimator(name).compute(rewards, groupIds)).toEqual(f(rewards, groupIds));
        const lengths = Array.from(groupIds, (_, i) => i + 1);
        expect(getEstimator('opo').compute(rewards, groupIds, { lengths })).toEqual(opoAdvantages(rewards, groupIds, { lengths }));
      }),
      { numRuns: 30 },
    );
  });
});
