import { describe, expect, it } from 'vitest';
import { customTrainer } from '../../../examples/custom-trainer';

describe('examples/custom-trainer.ts', () => {
  it('assembles SFT + RLOO RL on kb from the packages and runs', async () => {
    const log = await customTrainer({ steps: 2, sftSteps: 2, model: { layers: 1, dModel: 16, heads: 2, context: 256 } });
    expect(log.map((r) => r.step)).toEqual([0, 1]);
    for (const r of log) {
      expect(r.accuracy).toBeGreaterThanOrEqual(0);
      expect(r.accuracy).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.calls) && Number.isFinite(r.loss)).toBe(true);
    }
  });
});
