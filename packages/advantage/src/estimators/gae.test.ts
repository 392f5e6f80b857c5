import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose } from '@paretopo/test-utils';
import { gaeAdvantages } from './gae';
import { gaeRef } from '../../test/reference';

const f64 = (...xs: number[]) => Float64Array.from(xs);

describe('hand-computed values', () => {
  it.each([
    // γ = λ = 1: A_t = Σ r − V_t; returns = Σ r
    ['γ = λ = 1', f64(0, 1), f64(0.5, 0.5), [0, 2], {}, [0.5, 0.5], [1, 1]],
    // γ = 0.5, λ = 1: δ1 = 1 − 0.5 = 0.5, δ0 = 0 + 0.25 − 0.5 = −0.25; A0 = −0.25 + 0.5·0.5 = 0
    ['γ = 0.5', f64(0, 1), f64(0.5, 0.5), [0, 2], { gamma: 0.5 }, [0, 0.5], [0.5, 1]],
    // λ = 0: one-step TD errors
    ['λ = 0', f64(0, 1), f64(0.5, 0.5), [0, 2], { lambda: 0 }, [0, 0.5], [0.5, 1]],
    // truncated sequence bootstraps from lastValues
    ['lastValues', f64(0, 0), f64(1, 1), [0, 2], { lastValues: f64(3) }, [2, 2], [3, 3]],
    // two sequences are independent; an empty one in between is fine
    ['two sequences', f64(1, 2, 4), f64(0, 0, 0), [0, 1, 1, 3], {}, [1, 6, 4], [1, 6, 4]],
    // tool output (mask 0) is skipped: the chain links token 0 to token 2
    ['loss mask', f64(0, 9, 1), f64(0.25, 7, 0.5), [0, 3], { lossMask: Uint8Array.of(1, 0, 1) }, [0.75, 0, 0.5], [1, 0, 1]],
  ])('%s', (_, r, v, offs, opts, adv, ret) => {
    const out = gaeAdvantages(r, v, Int32Array.from(offs), opts);
    expectAllClose(out.advantages, adv, { abs: 1e-12 });
    expectAllClose(out.returns, ret, { abs: 1e-12 });
  });
});

describe('against the reference', () => {
  it('matches the direct sum Σ (γλ)^l δ_{t+l} on random packed batches', () => {
    const seqArb = fc.array(fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.boolean()), { maxLength: 12 });
    fc.assert(
      fc.property(
        fc.array(seqArb, { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        fc.boolean(),
        (seqs, gamma, lambda, useMask, useLast) => {
          const flat = seqs.flat();
          const offsets = [0];
          for (const s of seqs) offsets.push(offsets[offsets.length - 1] + s.length);
          const r = flat.map((x) => x[0]);
          const v = flat.map((x) => x[1]);
          const mask = useMask ? flat.map((x) => (x[2] ? 1 : 0)) : undefined;
          const last = useLast ? seqs.map((_, s) => s * 0.5 - 1) : undefined;
          const got = gaeAdvantages(Float64Array.from(r), Float64Array.from(v), Int32Array.from(offsets), {
            gamma,
            lambda,
            lossMask: mask && Uint8Array.from(mask),
            lastValues: last && Float64Array.from(last),
          });
          const ref = gaeRef(r, v, offsets, gamma, lambda, last, mask);
          expectAllClose(got.advantages, ref.adv, { rel: 1e-9, abs: 1e-9 });
          expectAllClose(got.returns, ref.ret, { rel: 1e-9, abs: 1e-9 });
        },
      ),
    );
  });
});

describe('bad inputs', () => {
  const r = f64(0, 1);
  const v = f64(0, 0);
  const o = Int32Array.of(0, 2);
  it.each([
    ['values length', () => gaeAdvantages(r, f64(0), o), /values must have length 2/],
    ['offsets last ≠ token count', () => gaeAdvantages(r, v, Int32Array.of(0, 1)), /must equal the token count 2/],
    ['offsets decreasing', () => gaeAdvantages(r, v, Int32Array.of(0, 2, 1, 2)), /non-decreasing/],
    ['offsets not starting at 0', () => gaeAdvantages(r, v, Int32Array.of(1, 2)), /\[0\] must be 0/],
    ['NaN reward', () => gaeAdvantages(f64(0, NaN), v, o), /NaN at row 1/],
    ['Infinity value', () => gaeAdvantages(r, f64(Infinity, 0), o), /values must be finite/],
    ['γ > 1', () => gaeAdvantages(r, v, o, { gamma: 1.5 }), /options.gamma/],
    ['λ NaN', () => gaeAdvantages(r, v, o, { lambda: NaN }), /options.lambda/],
    ['lastValues length', () => gaeAdvantages(r, v, o, { lastValues: f64(1, 2) }), /lastValues must have length 1/],
    ['lossMask length', () => gaeAdvantages(r, v, o, { lossMask: Uint8Array.of(1) }), /lossMask must have length 2/],
    ['unknown option', () => gaeAdvantages(r, v, o, { lam: 0.9 } as object), /unknown option 'lam'/],
    ['rewards type', () => gaeAdvantages([0, 1] as never, v, o), /rewards must be a Float64Array/],
  ])('%s', (_, run, message) => expect(run).toThrow(message));

  it('empty batch', () => {
    const out = gaeAdvantages(new Float64Array(0), new Float64Array(0), Int32Array.of(0));
    expect(out.advantages.length).toBe(0);
  });
});
