import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import { pgLossJs, pgLossOp, pgLossReference, pgTokenWeights } from './pgLoss';
import type { PgAggregation, PgLossArgs } from './types';

const impls = [
  ['reference', pgLossReference],
  ['js', pgLossJs],
] as const;

function oneToken(ratio: number, advantage: number): PgLossArgs {
  return {
    logprobs: Float32Array.of(Math.log(ratio) - 1),
    oldLogprobs: Float32Array.of(-1),
    advantages: Float32Array.of(advantage),
    mask: Uint8Array.of(1),
    seqOffsets: Int32Array.of(0, 1),
    epsLow: 0.2,
    epsHigh: 0.3,
    betaKl: 0,
    aggregation: 'token-mean',
    dLogprobs: new Float32Array(1),
  };
}

describe('pgLoss', () => {
  // ε_low = 0.2, ε_high = 0.3: the ratio is clipped to [0.8, 1.3]; L = −min(ρA, clip(ρ)A), dL/dlogπ = −ρA
  // on the unclipped branch, 0 on the clipped one.
  it.each(impls.flatMap(([name, fn]) =>
    [
      [1.1, 1, -1.1, -1.1, 0],
      [1.5, 1, -1.3, 0, 1],
      [0.5, 1, -0.5, -0.5, 0],
      [0.5, -1, 0.8, 0, 1],
      [1.5, -1, 1.5, 1.5, 0],
      [1, -2, 2, 2, 0],
      [2, 0, 0, 0, 0],
    ].map(([ratio, advantage, loss, grad, clip]) => [name, fn, ratio, advantage, loss, grad, clip] as const),
  ))('%s: ratio %f, advantage %f → loss %f, gradient %f, clipped %i', (_, fn, ratio, advantage, loss, grad, clip) => {
    const args = oneToken(ratio, advantage);
    const result = fn(args);
    expect(result.loss).toBeCloseTo(loss, 5);
    expect(args.dLogprobs[0]).toBeCloseTo(grad, 5);
    expect(result.clipFraction).toBe(clip);
    expect(result.tokens).toBe(1);
    expect(result.kl).toBe(0);
  });

  // Sequences [t0], [t1, t2], [t3, t4] with t3, t4 masked out (a prompt-only sequence); ρ = 1,
  // A = [1, 2, 4], so the per-token losses are −A.
  it.each(impls.flatMap(([name, fn]) =>
    (
      [
        ['token-mean', -7 / 3, [-1 / 3, -2 / 3, -4 / 3]],
        ['seq-mean-token-mean', -2, [-0.5, -0.5, -1]],
        ['seq-mean-token-sum-norm', -1.75, [-0.25, -0.5, -1]],
      ] as const
    ).map(([aggregation, loss, grads]) => [name, fn, aggregation, loss, grads] as const),
  ))('%s: %s by hand', (_, fn, aggregation, loss, grads) => {
    const dLogprobs = Float32Array.of(9, 9, 9, 9, 9);
    const result = fn({
      logprobs: Float32Array.of(-1, -2, -3, -4, -5),
      oldLogprobs: Float32Array.of(-1, -2, -3, -1, -1),
      advantages: Float32Array.of(1, 2, 4, 100, 100),
      mask: Uint8Array.of(1, 1, 1, 0, 0),
      seqOffsets: Int32Array.of(0, 1, 3, 5),
      epsLow: 0.2,
      epsHigh: 0.2,
      betaKl: 0,
      aggregation,
      dLogprobs,
    });
    expect(result.loss).toBeCloseTo(loss, 6);
    expect(result.tokens).toBe(3);
    grads.forEach((g, i) => expect(dLogprobs[i]).toBeCloseTo(g, 6));
    expect(Array.from(dLogprobs.subarray(3))).toEqual([0, 0]);
  });

  it.each(impls)('%s: k3 KL term by hand', (_, fn) => {
    // d = logπθ − logπref = 0.5: k3 = e^{−0.5} + 0.5 − 1 = 0.1065307, dk3/dlogπθ = 1 − e^{−0.5} = 0.3934693.
    const args = { ...oneToken(1, 0), refLogprobs: Float32Array.of(-1.5), betaKl: 0.1 };
    const result = fn(args);
    expect(result.kl).toBeCloseTo(0.1065307, 6);
    expect(result.loss).toBeCloseTo(0.01065307, 7);
    expect(args.dLogprobs[0]).toBeCloseTo(0.03934693, 7);
  });

  it.each(impls)('%s: no generated tokens gives zeros, not NaN', (_, fn) => {
    const args = { ...oneToken(1, 1), mask: Uint8Array.of(0), dLogprobs: Float32Array.of(5) };
    for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
      expect(fn({ ...args, aggregation })).toEqual({ loss: 0, clipFraction: 0, kl: 0, tokens: 0 });
      expect(args.dLogprobs[0]).toBe(0);
    }
  });

  it('pgTokenWeights sum to 1 for the mean aggregations', () => {
    const mask = Uint8Array.of(1, 0, 1, 1, 1, 0);
    const seqOffsets = Int32Array.of(0, 2, 5, 6);
    for (const aggregation of ['token-mean', 'seq-mean-token-mean'] as const) {
      const { weights, tokens } = pgTokenWeights(mask, seqOffsets, aggregation);
      expect(tokens).toBe(4);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    }
  });

  describe.each(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as PgAggregation[])('%s', (aggregation) => {
    it('gradient matches central finite differences in float64', () => {
      const seqOffsets = Int32Array.of(0, 4, 5, 11);
      const T = 11;
      const old = randomF64(T, 51, -3, -0.2);
      const logprobs = f64(Array.from(old, (o, t) => o + 0.6 * (randomF64(T, 52)[t])));
      const args: PgLossArgs = {
        logprobs,
        oldLogprobs: old,
        refLogprobs: randomF64(T, 53, -3, -0.2),
        advantages: randomF64(T, 54, -2, 2),
        mask: Uint8Array.from({ length: T }, (_, t) => (t % 4 === 1 ? 0 : 1)),
        seqOffsets,
        epsLow: 0.2,
        epsHigh: 0.28,
        betaKl: 0.3,
        aggregation,
        dLogprobs: f64(T),
      };
      const result = pgLossReference(args);
      expect(result.clipFraction).toBeGreaterThan(0);
      expect(result.clipFraction).toBeLessThan(1);
      const analytic = Float64Array.from(args.dLogprobs);
      const numeric = numericGradient(logprobs, () => pgLossReference({ ...args, dLogprobs: f64(T) }).loss);
      expect(maxMixedError(analytic, numeric)).toBeLessThan(1e-7);
    });

    it('js matches the reference on seeded random batches', () => {
      const rng = caseRng(61);
      for (let trial = 0; trial < 5; trial++) {
        const seqOffsets = rng.offsets(1 + trial * 3, 1, 30);
        const T = seqOffsets[seqOffsets.length - 1];
        const oldLogprobs = rng.f32(T, -4, -0.1);
        const logprobs = oldLogprobs.map((o) => o + (rng.next() - 0.5));
        const mask = Uint8Array.from({ length: T }, () => (rng.next() < 0.6 ? 1 : 0));
        const base = { logprobs, oldLogprobs, refLogprobs: rng.f32(T, -4, -0.1), advantages: rng.f32(T, -2, 2), mask, seqOffsets };
        const common = { ...base, epsLow: 0.2, epsHigh: 0.28, betaKl: 0.01, aggregation };
        const a = new Float32Array(T);
        const b = rng.f32(T);
        const ref = pgLossReference({ ...common, dLogprobs: a });
        const js = pgLossJs({ ...common, dLogprobs: b });
        expect(js.tokens).toBe(ref.tokens);
        expect(js.clipFraction).toBe(ref.clipFraction);
        expect(js.loss).toBeCloseTo(ref.loss, 6);
        expect(js.kl).toBeCloseTo(ref.kl, 6);
        expect(maxMixedError(b, a)).toBeLessThan(1e-6);
      }
    });
  });

  it('validate rejects bad options and shapes', () => {
    const ok = oneToken(1, 1);
    expect(() => pgLossOp.validate(ok)).not.toThrow();
    expect(() => pgLossOp.validate({ ...ok, aggregation: 'mean' as PgAggregation })).toThrow(/pgLoss: aggregation must be one of 'token-mean'/);
    expect(() => pgLossOp.validate({ ...ok, epsLow: 1.5 })).toThrow(/pgLoss: epsLow must be a number in \[0, 1\] \(got 1.5\)/);
    expect(() => pgLossOp.validate({ ...ok, epsHigh: Number.NaN })).toThrow(/pgLoss: epsHigh must be a finite number \(got NaN\)/);
    expect(() => pgLossOp.validate({ ...ok, betaKl: 0.1 })).toThrow(/pgLoss: refLogprobs is required when betaKl > 0/);
    expect(() => pgLossOp.validate({ ...ok, betaKl: -1 })).toThrow(/pgLoss: betaKl must be >= 0/);
    expect(() => pgLossOp.validate({ ...ok, mask: new Uint8Array(0) })).toThrow(/pgLoss: mask must have length >= 1 \(got 0\)/);
    expect(() => pgLossOp.validate({ ...ok, mask: [1] as unknown as Uint8Array })).toThrow(/pgLoss: mask must be a Uint8Array/);
    expect(() => pgLossOp.validate({ ...ok, seqOffsets: Int32Array.of(0, 2) })).toThrow(/pgLoss: logprobs must have length >= 2/);
  });
});
