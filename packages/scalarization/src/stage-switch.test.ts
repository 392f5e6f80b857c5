import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { StageSwitch, type StageSwitchOptions } from './stage-switch';

describe('StageSwitch: fixed', () => {
  it.each([
    [10, 0.5, 5],
    [11, 0.5, 5],
    [100, 0.25, 25],
    [10, 1, 10],
  ])('totalSteps %d, fraction %d: stage 2 from step %d', (totalSteps, fraction, first) => {
    const sw = new StageSwitch({ policy: 'fixed', totalSteps, fraction });
    const stages: number[] = [sw.stage];
    for (let t = 0; t < totalSteps; t++) stages.push(sw.observe(t, {}));
    // stages[t] is the stage that step t runs in.
    for (let t = 0; t < totalSteps; t++) expect(stages[t]).toBe(t < first ? 1 : 2);
    expect(sw.switchStep).toBe(first);
  });

  it('fraction 0 is stage 2 from the start (paretopo-s2); default fraction is 0.5', () => {
    const s2 = new StageSwitch({ policy: 'fixed', totalSteps: 10, fraction: 0 });
    expect(s2.stage).toBe(2);
    expect(s2.switchStep).toBe(0);
    expect(new StageSwitch({ policy: 'fixed', totalSteps: 8 }).options).toEqual({ policy: 'fixed', totalSteps: 8, fraction: 0.5 });
  });
});

describe('StageSwitch: plateau', () => {
  it('switches after `patience` consecutive ΔHV̄ < ε, resetting on a larger value', () => {
    const sw = new StageSwitch({ policy: 'plateau', epsilon: 0.01, patience: 3 });
    const seq = [0.5, 0.001, 0.002, 0.5, 0.001, 0.0, 0.009, 0.5];
    const out = seq.map((x, t) => sw.observe(t, { deltaHvSmoothed: x }));
    expect(out).toEqual([1, 1, 1, 1, 1, 1, 2, 2]);
    expect(sw.switchStep).toBe(7);
  });

  it('waits for minStep; defaults are ε = 1e-4, K = 10', () => {
    expect(new StageSwitch({ policy: 'plateau' }).options).toEqual({ policy: 'plateau', epsilon: 1e-4, patience: 10, minStep: 0 });
    const sw = new StageSwitch({ policy: 'plateau', patience: 1, minStep: 5 });
    for (let t = 0; t < 4; t++) expect(sw.observe(t, { deltaHvSmoothed: 0 })).toBe(1);
    expect(sw.observe(4, { deltaHvSmoothed: 0 })).toBe(2);
    expect(sw.switchStep).toBe(5);
  });
});

describe('StageSwitch: stall', () => {
  it('switches when the archive has not grown for `patience` steps', () => {
    const sw = new StageSwitch({ policy: 'stall', patience: 2 });
    const sizes = [1, 2, 2, 3, 3, 2, 3];
    const out = sizes.map((s, t) => sw.observe(t, { archiveSize: s }));
    // growth at t = 0 (0 → 1), 1, 3; no growth at 2, 4, 5 → switch after t = 5.
    expect(out).toEqual([1, 1, 1, 1, 1, 2, 2]);
    expect(sw.switchStep).toBe(6);
  });
});

describe('laws', () => {
  const optionsArb: fc.Arbitrary<StageSwitchOptions> = fc.oneof(
    fc.record({ policy: fc.constant('fixed' as const), totalSteps: fc.integer({ min: 1, max: 40 }), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
    fc.record({ policy: fc.constant('plateau' as const), epsilon: fc.double({ min: 1e-6, max: 0.5, noNaN: true }), patience: fc.integer({ min: 1, max: 5 }), minStep: fc.integer({ min: 0, max: 10 }) }),
    fc.record({ policy: fc.constant('stall' as const), patience: fc.integer({ min: 1, max: 5 }), minStep: fc.integer({ min: 0, max: 10 }) }),
  );
  const obsArb = fc.array(fc.record({ deltaHvSmoothed: fc.double({ min: 0, max: 1, noNaN: true }), archiveSize: fc.integer({ min: 0, max: 6 }) }), { maxLength: 40 });

  it('never goes back to stage 1; switchStep is logged once, at the first stage-2 step; JSON resume is identical', () => {
    fc.assert(
      fc.property(optionsArb, obsArb, fc.nat(), (options, obs, cut) => {
        let sw = new StageSwitch(options);
        let seen2 = sw.stage === 2;
        let firstTwo: number | null = seen2 ? 0 : null;
        const resumeAt = obs.length === 0 ? 0 : cut % obs.length;
        const twin = new StageSwitch(options);
        obs.forEach((o, t) => {
          if (t === resumeAt) sw = StageSwitch.fromJSON(JSON.parse(JSON.stringify(sw.toJSON())));
          const s = sw.observe(t, o);
          expect(twin.observe(t, o)).toBe(s);
          if (seen2) expect(s).toBe(2);
          if (s === 2 && !seen2) {
            seen2 = true;
            firstTwo = t + 1;
          }
          expect(sw.switchStep).toBe(firstTwo);
        });
        expect(sw.toJSON()).toEqual(twin.toJSON());
      }),
    );
  });
});

describe('bad input', () => {
  it.each([
    [() => new StageSwitch({ policy: 'nope' } as never), /StageSwitch: options.policy must be 'fixed', 'plateau' or 'stall' \(got "nope"\)/],
    [() => new StageSwitch({ policy: 'fixed' } as never), /StageSwitch: options.totalSteps must be an integer >= 1 \(got undefined\)/],
    [() => new StageSwitch({ policy: 'fixed', totalSteps: 10, fraction: 1.5 }), /StageSwitch: options.fraction must be a finite number in \[0, 1\] \(got 1.5\)/],
    [() => new StageSwitch({ policy: 'plateau', epsilon: 0 }), /StageSwitch: options.epsilon must be a finite number in \(0, ∞\) \(got 0\)/],
    [() => new StageSwitch({ policy: 'stall', patience: 0 }), /StageSwitch: options.patience must be an integer >= 1 \(got 0\)/],
    [() => new StageSwitch({ policy: 'plateau' }).observe(0, {}), /StageSwitch.observe: info.deltaHvSmoothed must be a finite number in \[0, ∞\) \(got undefined\)/],
    [() => new StageSwitch({ policy: 'plateau' }).observe(0, { deltaHvSmoothed: Number.NaN }), /info.deltaHvSmoothed must be a finite number in \[0, ∞\) \(got NaN\)/],
    [() => new StageSwitch({ policy: 'stall' }).observe(0, { archiveSize: -1 }), /StageSwitch.observe: info.archiveSize must be an integer >= 0 \(got -1\)/],
    [
      () => {
        const sw = new StageSwitch({ policy: 'stall' });
        sw.observe(3, { archiveSize: 1 });
        sw.observe(3, { archiveSize: 1 });
      },
      /StageSwitch.observe: step must be greater than the previously observed step 3 \(got 3\)/,
    ],
    [() => StageSwitch.fromJSON({ type: 'stage-switch', version: 1, options: { policy: 'stall' }, stage: 2, switchStep: null, lastStep: null, count: 0, lastArchiveSize: 0 }), /StageSwitch.fromJSON: json.switchStep must be null exactly when json.stage is 1/],
    [() => StageSwitch.fromJSON({ type: 'stage-switch', version: 1, options: { policy: 'stall' }, stage: 3 }), /StageSwitch.fromJSON: json.stage must be 1 or 2 \(got 3\)/],
    [() => StageSwitch.fromJSON({ type: 'other', version: 1 }), /StageSwitch.fromJSON: json.type must be "stage-switch" \(got "other"\)/],
  ])('%#: throws a named error', (f, message) => {
    expect(f).toThrow(message);
  });

  it('a rejected observation leaves the state unchanged', () => {
    const sw = new StageSwitch({ policy: 'plateau', patience: 1 });
    expect(() => sw.observe(0, { deltaHvSmoothed: -1 })).toThrow();
    expect(sw.toJSON().lastStep).toBeNull();
    expect(sw.observe(0, { deltaHvSmoothed: 1 })).toBe(1);
  });
});
