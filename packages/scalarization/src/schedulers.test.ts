import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { weightVectorArb } from '@paretopo/pareto/testing';
import { expectAllClose } from '@paretopo/test-utils';
import {
  CosineRampScheduler,
  DirichletScheduler,
  LinearRampScheduler,
  StaticScheduler,
  schedulerFromJSON,
  type WeightScheduler,
} from './schedulers';

describe('StaticScheduler', () => {
  it('returns the same weights at every step, as a fresh copy', () => {
    const s = new StaticScheduler([0.6, 0.4]);
    expect(Array.from(s.weights(0))).toEqual([0.6, 0.4]);
    const w = s.weights(1000);
    w[0] = 9;
    expect(Array.from(s.weights(1000))).toEqual([0.6, 0.4]);
    expect(s.k).toBe(2);
  });
});

describe('ramps', () => {
  it.each([
    [0, [1, 0]],
    [2, [1, 0]],
    [4, [0.75, 0.25]],
    [6, [0.5, 0.5]],
    [10, [0, 1]],
    [99, [0, 1]],
  ])('linear ramp 2→10 at step %d is %j', (step, expected) => {
    const s = new LinearRampScheduler({ from: [1, 0], to: [0, 1], startStep: 2, endStep: 10 });
    expectAllClose(s.weights(step), expected);
  });

  it.each([
    [0, [1, 0]],
    [5, [0.5, 0.5]],
    [10, [0, 1]],
    [2.5 * 2, [0.5, 0.5]],
  ])('cosine ramp 0→10 at step %d is %j', (step, expected) => {
    const s = new CosineRampScheduler({ from: [1, 0], to: [0, 1], endStep: 10 });
    expectAllClose(s.weights(step), expected, { abs: 1e-15 });
  });

  it('cosine starts slower than linear and ends faster, and both stay on the segment', () => {
    const lin = new LinearRampScheduler({ from: [0.9, 0.1], to: [0.2, 0.8], endStep: 100 });
    const cos = new CosineRampScheduler({ from: [0.9, 0.1], to: [0.2, 0.8], endStep: 100 });
    expect(cos.weights(10)[1]).toBeLessThan(lin.weights(10)[1]);
    expect(cos.weights(90)[1]).toBeGreaterThan(lin.weights(90)[1]);
    for (let t = 0; t <= 100; t += 7) {
      for (const s of [lin, cos]) {
        const w = s.weights(t);
        expect(Math.abs(w[0] + w[1] - 1)).toBeLessThan(1e-15);
        expect(w[1]).toBeGreaterThanOrEqual(0.1 - 1e-15);
        expect(w[1]).toBeLessThanOrEqual(0.8 + 1e-15);
      }
    }
  });

  it('is monotone in each coordinate between the two vectors', () => {
    fc.assert(
      fc.property(weightVectorArb(3), weightVectorArb(3), fc.integer({ min: 1, max: 50 }), (a, b, end) => {
        for (const S of [LinearRampScheduler, CosineRampScheduler]) {
          const s = new S({ from: a, to: b, endStep: end });
          let prev = s.weights(0);
          for (let t = 1; t <= end + 1; t++) {
            const w = s.weights(t);
            for (let j = 0; j < 3; j++) {
              if (b[j] >= a[j]) expect(w[j]).toBeGreaterThanOrEqual(prev[j] - 1e-15);
              else expect(w[j]).toBeLessThanOrEqual(prev[j] + 1e-15);
            }
            prev = w;
          }
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('DirichletScheduler', () => {
  it('gives a simplex vector per step that depends only on (seed, step)', () => {
    const s = new DirichletScheduler({ alpha: 1, k: 3, seed: 7 });
    const w5 = s.weights(5);
    expect(Math.abs(w5.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    s.weights(6);
    s.weights(2);
    expect(s.weights(5)).toEqual(w5);
    expect(new DirichletScheduler({ alpha: [1, 1, 1], seed: 7 }).weights(5)).toEqual(w5);
    expect(s.weights(4)).not.toEqual(w5);
    expect(new DirichletScheduler({ alpha: 1, k: 3, seed: 8 }).weights(5)).not.toEqual(w5);
  });

  it('averages to alpha / Σ alpha over many steps', () => {
    const s = new DirichletScheduler({ alpha: [3, 1], seed: 1 });
    let m = 0;
    const n = 5000;
    for (let t = 0; t < n; t++) m += s.weights(t)[0] / n;
    // sd of Beta(3, 1) is √(3/80) ≈ 0.194 → SE 0.0027.
    expect(Math.abs(m - 0.75)).toBeLessThan(0.014);
  });
});

describe('JSON round trip', () => {
  const schedulerArb: fc.Arbitrary<WeightScheduler> = fc.oneof(
    weightVectorArb(2).map((w) => new StaticScheduler(w)),
    fc
      .tuple(weightVectorArb(3), weightVectorArb(3), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 30 }), fc.boolean())
      .map(([from, to, start, len, cosine]) =>
        cosine
          ? new CosineRampScheduler({ from, to, startStep: start, endStep: start + len })
          : new LinearRampScheduler({ from, to, startStep: start, endStep: start + len }),
      ),
    fc
      .tuple(fc.array(fc.double({ min: 0.05, max: 5, noNaN: true }), { minLength: 2, maxLength: 4 }), fc.integer())
      .map(([alpha, seed]) => new DirichletScheduler({ alpha, seed })),
  );

  it('a restored scheduler gives identical weights for every future step', () => {
    fc.assert(
      fc.property(schedulerArb, fc.integer({ min: 0, max: 100 }), (s, resumeAt) => {
        for (let t = 0; t < resumeAt; t++) {
          s.weights(t);
          s.observe(t, { deltaHvSmoothed: 0.1, archiveSize: 3 });
        }
        const restored = schedulerFromJSON(JSON.parse(JSON.stringify(s.toJSON())));
        expect(restored.constructor).toBe(s.constructor);
        expect(restored.k).toBe(s.k);
        for (let t = resumeAt; t < resumeAt + 40; t++) expect(restored.weights(t)).toEqual(s.weights(t));
      }),
      { numRuns: 60 },
    );
  });

  it('each class restores its own JSON', () => {
    expect(StaticScheduler.fromJSON(new StaticScheduler([1, 2]).toJSON()).toJSON()).toEqual({ type: 'static', version: 1, weights: [1, 2] });
    const lin = new LinearRampScheduler({ from: [1, 0], to: [0, 1], startStep: 3, endStep: 9 });
    expect(LinearRampScheduler.fromJSON(lin.toJSON()).toJSON()).toEqual(lin.toJSON());
    const cos = new CosineRampScheduler({ from: [1, 0], to: [0, 1], endStep: 9 });
    expect(CosineRampScheduler.fromJSON(cos.toJSON()).toJSON()).toEqual(cos.toJSON());
    const d = new DirichletScheduler({ alpha: 2, k: 2, seed: -5 });
    expect(DirichletScheduler.fromJSON(d.toJSON()).toJSON()).toEqual({ type: 'dirichlet', version: 1, alpha: [2, 2], seed: -5 });
  });
});

describe('bad input', () => {
  it.each([
    [() => new StaticScheduler([0.5, Number.NaN]), /StaticScheduler: weights\[1\] must be a finite number >= 0 \(got NaN\)/],
    [() => new StaticScheduler([0, 0]), /StaticScheduler: weights must have at least one positive entry/],
    [() => new StaticScheduler([1]).weights(-1), /StaticScheduler.weights: step must be an integer >= 0 \(got -1\)/],
    [() => new StaticScheduler([1]).weights(1.5), /step must be an integer >= 0 \(got 1.5\)/],
    [() => new LinearRampScheduler({ from: [1, 0], to: [0, 1, 0], endStep: 3 }), /LinearRampScheduler: options.to must have length 2 \(got 3\)/],
    [() => new LinearRampScheduler({ from: [1, 0], to: [0, 1], startStep: 5, endStep: 5 }), /LinearRampScheduler: options.endStep must be an integer >= 6 \(got 5\)/],
    [() => new CosineRampScheduler(undefined as never), /CosineRampScheduler: options must be an object/],
    [() => new DirichletScheduler({ alpha: 1 }), /DirichletScheduler: a scalar options.alpha needs k/],
    [() => new DirichletScheduler({ alpha: [1, -1] }), /DirichletScheduler: options.alpha\[1\] must be a finite number > 0 \(got -1\)/],
    [() => new DirichletScheduler({ alpha: [1, 1], k: 3 }), /DirichletScheduler: options.alpha must have length 3 \(got 2\)/],
    [() => new DirichletScheduler({ alpha: 1, k: 2, seed: Number.NaN }), /DirichletScheduler: options.seed must be a safe integer \(got NaN\)/],
    [() => new DirichletScheduler({ alpha: 1, k: 2 }).weights(2.5), /DirichletScheduler.weights: step must be an integer >= 0 \(got 2.5\)/],
    [() => new DirichletScheduler({ alpha: 1, k: 2 }).observe(-1, {}), /DirichletScheduler.observe: step must be an integer >= 0 \(got -1\)/],
    [() => new CosineRampScheduler({ from: [1, 0], to: [0, 1], endStep: 2 }).weights(Number.NaN), /CosineRampScheduler.weights: step must be an integer >= 0 \(got NaN\)/],
    [() => schedulerFromJSON({ type: 'nope' }), /schedulerFromJSON: json.type must be 'static', 'linear-ramp', 'cosine-ramp' or 'dirichlet' \(got "nope"\)/],
    [() => schedulerFromJSON(null), /schedulerFromJSON: json must be an object \(got null\)/],
    [() => schedulerFromJSON({ type: 'static', version: 2, weights: [1] }), /StaticScheduler.fromJSON: json.version must be 1 \(got 2\)/],
    [() => schedulerFromJSON({ type: 'static', version: 1, weights: [1, null] }), /StaticScheduler.fromJSON: json.weights\[1\] must be a finite number \(got null\)/],
    [() => schedulerFromJSON({ type: 'linear-ramp', version: 1, from: [1], to: [1], startStep: 0, endStep: 'x' }), /LinearRampScheduler: options.endStep must be an integer >= 1 \(got "x"\)/],
    [() => schedulerFromJSON({ type: 'dirichlet', version: 1, alpha: [1, 1], seed: 1.5 }), /DirichletScheduler: options.seed must be a safe integer \(got 1.5\)/],
  ])('%#: throws a named error', (f, message) => {
    expect(f).toThrow(message);
  });
});
