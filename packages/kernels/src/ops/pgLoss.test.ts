import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import { PG_LOSS_DEFAULTS, pgLossJs, pgLossOp, pgLossReference, pgTokenWeights } from './pgLoss';
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
      expect(fn({ ...args, aggregation })).toEqual({ loss: 0, clipFraction: 0, dualClipFraction: 0, kl: 0, tokens: 0 });
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

  // verl's compute_policy_loss (vanilla, dual-clip) and kl_penalty('low_var_kl') written from their
  // documented formulas, token by token, as the oracle for the bounds.
  function verlToken(lp: number, old: number, ref: number | null, a: number, o: { epsLow: number; epsHigh: number; betaKl: number; c: number; k: number }): number {
    const ratio = Math.exp(lp - old);
    const pg1 = -a * ratio;
    const pg2 = -a * Math.min(Math.max(ratio, 1 - o.epsLow), 1 + o.epsHigh);
    const clip1 = Math.max(pg1, pg2);
    const clip2 = Math.min(-a * o.c, clip1);
    const pg = a < 0 ? clip2 : clip1;
    if (ref === null) return pg;
    const kl = ref - lp;
    return pg + o.betaKl * Math.min(Math.max(Math.exp(kl) - kl - 1, -o.k), o.k);
  }

  it.each(impls)('%s: stale old log-probs are bounded as in verl (log-prob 1.5 vs old 0, A = −1)', (_, fn) => {
    const args = { ...oneToken(1, -1), logprobs: Float32Array.of(1.5), oldLogprobs: Float32Array.of(0), epsHigh: 0.2 };
    // Default dual clip c = 3: loss 3·|A| = 3, gradient 0.
    const bounded = fn(args);
    expect(bounded.loss).toBeCloseTo(3, 6);
    expect(args.dLogprobs[0]).toBe(0);
    expect(bounded.dualClipFraction).toBe(1);
    expect(bounded.clipFraction).toBe(0);
    // Turned off: loss and gradient e^{1.5} = 4.4817.
    const open = fn({ ...args, dualClip: null });
    expect(open.loss).toBeCloseTo(Math.exp(1.5), 5);
    expect(args.dLogprobs[0]).toBeCloseTo(Math.exp(1.5), 5);
    expect(open.dualClipFraction).toBe(0);
    // A > 0 is never dual-clipped (the ε-clip already bounds it).
    const positive = fn({ ...args, advantages: Float32Array.of(1) });
    expect(positive.loss).toBeCloseTo(-1.2, 6);
    expect(positive.dualClipFraction).toBe(0);
  });

  it.each(impls)('%s: the k3 term is clamped at klClamp with gradient 0 above it', (_, fn) => {
    // d = logπθ − logπref = −3: k3 = e^3 + (−3) − 1 = 16.0855 > 10.
    const base = { ...oneToken(1, 0), logprobs: Float32Array.of(-4), oldLogprobs: Float32Array.of(-4), refLogprobs: Float32Array.of(-1), betaKl: 0.1 };
    const clamped = fn(base);
    expect(clamped.kl).toBeCloseTo(PG_LOSS_DEFAULTS.klClamp, 6);
    expect(clamped.loss).toBeCloseTo(0.1 * 10, 6);
    expect(base.dLogprobs[0]).toBe(0);
    const open = fn({ ...base, klClamp: null });
    expect(open.kl).toBeCloseTo(Math.exp(3) - 4, 4);
    expect(base.dLogprobs[0]).toBeCloseTo(0.1 * (1 - Math.exp(3)), 4);
    const tight = fn({ ...base, klClamp: 20 });
    expect(tight.kl).toBeCloseTo(Math.exp(3) - 4, 4);
  });

  it.each(impls)('%s: equals verl token by token for any staleness, and is bounded by max(c, 1+ε_high)·|A| + β_KL·K', (_, fn) => {
    const o = { epsLow: 0.2, epsHigh: 0.28, betaKl: 0.1, c: 3, k: 10 };
    fc.assert(
      fc.property(
        fc.double({ min: -30, max: 0, noNaN: true }),
        fc.double({ min: -30, max: 0, noNaN: true }),
        fc.double({ min: -30, max: 0, noNaN: true }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (lp, old, ref, a) => {
          const args: PgLossArgs = {
            logprobs: Float32Array.of(lp),
            oldLogprobs: Float32Array.of(old),
            refLogprobs: Float32Array.of(ref),
            advantages: Float32Array.of(a),
            mask: Uint8Array.of(1),
            seqOffsets: Int32Array.of(0, 1),
            epsLow: o.epsLow,
            epsHigh: o.epsHigh,
            betaKl: o.betaKl,
            aggregation: 'token-mean',
            dLogprobs: new Float32Array(1),
          };
          const f = Float32Array.of(lp, old, ref, a);
          const expected = verlToken(f[0], f[1], f[2], f[3], o);
          const { loss } = fn(args);
          expect(Number.isFinite(loss)).toBe(true);
          expect(Math.abs(loss - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
          expect(Math.abs(loss)).toBeLessThanOrEqual(Math.max(o.c, 1 + o.epsHigh) * Math.abs(f[3]) + o.betaKl * o.k + 1e-9);
          expect(Number.isFinite(args.dLogprobs[0])).toBe(true);
        },
      ),
    );
  });

  it('with stale inputs and tight bounds the gradient still matches finite differences', () => {
    const T = 40;
    const old = randomF64(T, 71, -3, -0.2);
    const noise = randomF64(T, 72);
    const logprobs = f64(Array.from(old, (v, t) => v + 4 * (noise[t] - 0.5)));
    const args: PgLossArgs = {
      logprobs,
      oldLogprobs: old,
      refLogprobs: randomF64(T, 73, -6, -0.2),
      advantages: randomF64(T, 74, -2, 2),
      mask: Uint8Array.from({ length: T }, (_, t) => (t % 5 === 2 ? 0 : 1)),
      seqOffsets: Int32Array.of(0, 13, 14, 40),
      epsLow: 0.2,
      epsHigh: 0.28,
      betaKl: 0.3,
      aggregation: 'seq-mean-token-mean',
      dualClip: 2,
      klClamp: 3,
      dLogprobs: f64(T),
    };
    const result = pgLossReference(args);
    // Every branch is exercised: ε-clipped, dual-clipped, and some tokens' KL clamped.
    expect(result.clipFraction).toBeGreaterThan(0);
    expect(result.dualClipFraction).toBeGreaterThan(0);
    expect(pgLossReference({ ...args, klClamp: null, dLogprobs: f64(T) }).kl).toBeGreaterThan(result.kl);
    const analytic = Float64Array.from(args.dLogprobs);
    const numeric = numericGradient(logprobs, () => pgLossReference({ ...args, dLogprobs: f64(T) }).loss);
    expect(maxMixedError(analytic, numeric)).toBeLessThan(1e-7);
    const js = pgLossJs({ ...args, dLogprobs: f64(T) });
    expect(js.loss).toBeCloseTo(result.loss, 12);
    expect(js.dualClipFraction).toBe(result.dualClipFraction);
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
    expect(() => pgLossOp.validate({ ...ok, dualClip: 1 })).toThrow(/pgLoss: dualClip must be a finite number > 1, or null to turn it off \(got 1\)/);
    expect(() => pgLossOp.validate({ ...ok, dualClip: Number.NaN })).toThrow(/pgLoss: dualClip must be a finite number > 1/);
    expect(() => pgLossOp.validate({ ...ok, klClamp: 0 })).toThrow(/pgLoss: klClamp must be a finite number > 0, or null to turn it off \(got 0\)/);
    expect(() => pgLossOp.validate({ ...ok, dualClip: null, klClamp: null })).not.toThrow();
    expect(() => pgLossOp.validate({ ...ok, logprobs: Float32Array.of(Number.NaN) })).toThrow(/pgLoss: logprobs\[0\] must be finite on a generated token \(got NaN\)/);
    expect(() => pgLossOp.validate({ ...ok, advantages: Float32Array.of(Number.POSITIVE_INFINITY) })).toThrow(/pgLoss: advantages\[0\] must be finite/);
    expect(() => pgLossOp.validate({ ...ok, mask: Uint8Array.of(0), logprobs: Float32Array.of(Number.NaN) })).not.toThrow();
  });
});
