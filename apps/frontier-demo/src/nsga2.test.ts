import { describe, expect, it } from 'vitest';
import { hypervolume } from '@paretopo/hypervolume';
import { runNsga2 } from './nsga2';
import { ZDT1_HV_REF11, evaluateZdt1, zdt1Front } from './zdt1';

const zdt1 = (m: number) => ({ m, evaluate: (x: Float64Array, n: number, out: Float64Array) => evaluateZdt1(x, n, m, out) });

describe('ZDT1', () => {
  it('puts g = 1 points on the known front', () => {
    const x = Float64Array.of(0.25, 0, 0);
    const out = new Float64Array(2);
    evaluateZdt1(x, 1, 3, out);
    expect(Array.from(out)).toEqual([0.25, 0.5]);
  });

  it('has hypervolume 2/3 against (1, 1): a dense sample of the front approaches it from below', () => {
    const coarse = hypervolume({ data: zdt1Front(50), n: 50, d: 2 }, [1, 1]);
    const fine = hypervolume({ data: zdt1Front(5000), n: 5000, d: 2 }, [1, 1]);
    expect(coarse).toBeLessThan(fine);
    expect(fine).toBeLessThan(ZDT1_HV_REF11);
    expect(ZDT1_HV_REF11 - fine).toBeLessThan(1e-3);
  });
});

describe('runNsga2', () => {
  it('converges towards the ZDT1 front and its hypervolume trace rises', () => {
    const run = runNsga2(zdt1(30), { population: 40, generations: 120, seed: 3 });
    const hv = hypervolume(run.archive.points(), [1, 1]);
    expect(hv).toBeGreaterThan(0.6);
    expect(hv).toBeLessThan(ZDT1_HV_REF11);
    expect(run.hvTrace[119]).toBeGreaterThan(run.hvTrace[0]);
  });

  it('is deterministic per seed', () => {
    const a = runNsga2(zdt1(10), { population: 20, generations: 10, seed: 5 });
    const b = runNsga2(zdt1(10), { population: 20, generations: 10, seed: 5 });
    expect(Array.from(a.objectives)).toEqual(Array.from(b.objectives));
  });

  it('rejects an odd population', () => {
    expect(() => runNsga2(zdt1(10), { population: 21 })).toThrow(/runNsga2: options.population must be an even integer >= 4 \(got 21\)/);
  });
});
