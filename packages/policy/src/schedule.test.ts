import { describe, expect, it } from 'vitest';
import { learningRate, resolveAdamWOptions } from './schedule';

describe('learningRate', () => {
  const o = resolveAdamWOptions({ lr: 1, warmupSteps: 10, totalSteps: 110, minLrRatio: 0.1 });
  it.each([
    [1, 0.1],
    [5, 0.5],
    [10, 1],
    [60, 0.55],
    [110, 0.1],
    [500, 0.1],
  ])('step %d → %d (warmup 10, cosine to 0.1 at 110)', (step, lr) => {
    expect(learningRate(step, o)).toBeCloseTo(lr, 12);
  });

  // The trainer's lrSchedule 'constant': warmup, then the peak for the rest of the run.
  const flat = resolveAdamWOptions({ lr: 0.5, warmupSteps: 10, totalSteps: 0 });
  it.each([
    [1, 0.05],
    [5, 0.25],
    [10, 0.5],
    [11, 0.5],
    [200, 0.5],
  ])('constant after warmup: step %d → %d (warmup 10, lr 0.5)', (step, lr) => {
    expect(learningRate(step, flat)).toBeCloseTo(lr, 12);
  });

  it('is constant after warmup without totalSteps and never increases after warmup', () => {
    expect(learningRate(1000, resolveAdamWOptions({ lr: 0.3 }))).toBe(0.3);
    for (let s = 11; s < 200; s++) expect(learningRate(s + 1, o)).toBeLessThanOrEqual(learningRate(s, o));
  });

  it.each([
    [{ lr: -1 }, /options.lr/],
    [{ beta1: 1 }, /options.beta1/],
    [{ eps: 0 }, /options.eps/],
    [{ warmupSteps: 1.5 }, /options.warmupSteps/],
    [{ clipNorm: Number.NaN }, /options.clipNorm/],
    [{ minLrRatio: 2 }, /options.minLrRatio/],
  ])('rejects %j', (opts, re) => {
    expect(() => resolveAdamWOptions(opts)).toThrow(re);
  });
});
