import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FrontierError } from '@paretopo/pareto';
import { pointsArb } from '@paretopo/pareto/testing';
import { benchPoints } from '@paretopo/test-utils';
import { hypervolume } from '../hypervolume';
import { hvContributions, hvImprovement } from '../contributions';
import { MAX_ESTIMATE_SAMPLES, estimateHypervolume } from '../estimate';
import { DEFAULT_HV_BUDGET } from './budget';

/** The cases of issue 14 (class 5): they used to run for hours instead of refusing. */
const hostile = {
  hv15: { pts: benchPoints(50, 15, 'sphere', 1), ref: new Array<number>(15).fill(1.1) },
  hvc30: { pts: benchPoints(50, 30, 'sphere', 1), ref: new Array<number>(30).fill(1.1) },
};

function budgetError(run: () => unknown): FrontierError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(FrontierError);
    return err as FrontierError;
  }
  throw new Error('expected a BUDGET_EXCEEDED FrontierError, but the call returned');
}

describe('options.budget: exact hypervolume refuses instead of hanging', () => {
  it('hypervolume, 50 points in 15 objectives: BUDGET_EXCEEDED naming the budget, the cost and the estimator', () => {
    const err = budgetError(() => hypervolume(hostile.hv15.pts, hostile.hv15.ref, { budget: 1e5 }));
    expect(err.code).toBe('BUDGET_EXCEEDED');
    expect(err.message).toMatch(/^hypervolume: exact hypervolume of 50 points in 15 objectives/);
    expect(err.message).toContain('options.budget = 100000');
    expect(err.message).toContain('n^(d−2) = 1.22e+22');
    expect(err.message).toContain('estimateHypervolume');
  });

  it('hvContributions at d = 30 and hvImprovement at d = 15 refuse the same way', () => {
    const c = budgetError(() => hvContributions(hostile.hvc30.pts, hostile.hvc30.ref, { budget: 1e5 }));
    expect(c.code).toBe('BUDGET_EXCEEDED');
    expect(c.message).toMatch(/^hvContributions: /);
    const { pts, ref } = hostile.hv15;
    const i = budgetError(() => hvImprovement(pts, new Array<number>(15).fill(0.2), ref, { budget: 1e4 }));
    expect(i.code).toBe('BUDGET_EXCEEDED');
    expect(i.message).toMatch(/^hvImprovement: /);
  });

  it("the sweep algorithms are metered at any d, the O(n log n) cores are not", () => {
    const pts = benchPoints(2000, 3, 'sphere', 1);
    const ref = [1.1, 1.1, 1.1];
    expect(budgetError(() => hypervolume(pts, ref, { algorithm: 'sweep', budget: 1000 })).code).toBe('BUDGET_EXCEEDED');
    expect(hypervolume(pts, ref, { budget: 1 })).toBe(hypervolume(pts, ref, { budget: Infinity }));
  });

  it('the default budget covers the benchmark fronts (d = 5, n = 1000; d = 6, n = 200)', () => {
    for (const [n, d] of [[1000, 5], [200, 6]] as const) {
      const pts = benchPoints(n, d, 'sphere', 1);
      const ref = new Array<number>(d).fill(1.1);
      expect(hypervolume(pts, ref)).toBe(hypervolume(pts, ref, { budget: Infinity }));
    }
    expect(DEFAULT_HV_BUDGET).toBe(5e8);
  });

  it('law: under any budget the result is the unlimited one or BUDGET_EXCEEDED, never another number', () => {
    fc.assert(
      fc.property(pointsArb({ d: { min: 5, max: 7 }, maxN: 30 }), fc.integer({ min: 1, max: 20_000 }), (pts, budget) => {
        const ref = new Array<number>(pts.d).fill(11);
        const full = hypervolume(pts, ref, { budget: Infinity });
        let got: number;
        try {
          got = hypervolume(pts, ref, { budget });
        } catch (err) {
          expect((err as FrontierError).code).toBe('BUDGET_EXCEEDED');
          return;
        }
        expect(got).toBe(full);
      }),
      { numRuns: 60 },
    );
  });

  it.each([0, -1, Number.NaN, '1e9', null])('rejects budget %s naming options.budget', (budget) => {
    const pts = benchPoints(10, 5, 'sphere', 1);
    const ref = new Array<number>(5).fill(1.1);
    const bad = { budget } as unknown as { budget: number };
    expect(() => hypervolume(pts, ref, bad)).toThrow(/^hypervolume: options.budget must be a positive number or Infinity \(got /);
    expect(() => hvContributions(pts, ref, bad)).toThrow(/^hvContributions: options.budget must be/);
    expect(() => hvImprovement(pts, new Array<number>(5).fill(0.5), ref, bad)).toThrow(/^hvImprovement: options.budget must be/);
  });
});

describe('estimateHypervolume: samples are capped', () => {
  it.each([1e15, MAX_ESTIMATE_SAMPLES + 1])('refuses %d samples naming the cap', (samples) => {
    const { pts, ref } = hostile.hv15;
    expect(() => estimateHypervolume(pts, ref, { samples })).toThrow(
      new RangeError(
        `estimateHypervolume: options.samples must be at most 100000000 (got ${samples}; the cost is samples·n·d and the standard error shrinks as 1/√samples)`,
      ),
    );
  });
});
