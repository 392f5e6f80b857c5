import { describe, expect, it } from 'vitest';
import { BANDIT_METHODS, trainBandit } from './bandit';

describe('trainBandit', () => {
  it('is deterministic per seed and starts from the same warm start for every method', () => {
    const a = trainBandit('paretopo', { steps: 20, seed: 7 });
    const b = trainBandit('paretopo', { steps: 20, seed: 7 });
    expect(a).toEqual(b);
    const starts = BANDIT_METHODS.map((m) => trainBandit(m, { steps: 1, seed: 1 }).before);
    for (const s of starts) expect(s).toEqual(starts[0]);
  });

  it('accuracy-only GRPO raises accuracy from the warm start', () => {
    const { before, after } = trainBandit('grpo-acc', { steps: 150, seed: 2 });
    expect(after.accuracy).toBeGreaterThan(before.accuracy);
  });

  it('methods that reward tool efficiency end with fewer calls than the warm start', () => {
    for (const method of ['grpo-ws', 'paretopo'] as const) {
      const { before, after } = trainBandit(method, { steps: 150, seed: 2 });
      expect(after.calls, method).toBeLessThan(before.calls);
    }
  });
});
