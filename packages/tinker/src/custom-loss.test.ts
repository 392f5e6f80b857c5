import { PG_LOSS_DEFAULTS } from '@paretopo/kernels';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REC, startFakeTinker } from '../test/fake-server';
import { TinkerClient } from './client';
import { clippedLossStep, clippedLossWeights } from './custom-loss';
import { episodeDatum } from './datum';
import type { Datum } from './types';

const batchArb = fc.array(fc.integer({ min: 2, max: 12 }), { minLength: 1, maxLength: 4 }).chain((lengths) =>
  fc.tuple(
    ...lengths.map((t) =>
      fc.record({
        mask: fc.array(fc.integer({ min: 0, max: 1 }), { minLength: t, maxLength: t }),
        old: fc.array(fc.double({ min: -4, max: -0.1, noNaN: true }), { minLength: t, maxLength: t }),
        cur: fc.array(fc.double({ min: -4, max: -0.1, noNaN: true }), { minLength: t - 1, maxLength: t - 1 }),
        ref: fc.array(fc.double({ min: -4, max: -0.1, noNaN: true }), { minLength: t - 1, maxLength: t - 1 }),
        adv: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: t, maxLength: t }),
      }),
    ),
  ),
);

function build(batch: { mask: number[]; old: number[]; cur: number[]; ref: number[]; adv: number[] }[]) {
  const datums: Datum[] = batch.map((e) =>
    episodeDatum({
      tokens: Int32Array.from(e.mask.map((_, i) => i + 1)),
      lossMask: Uint8Array.from(e.mask),
      oldLogprobs: Float32Array.from(e.old),
      advantages: Float32Array.from(e.adv),
    }),
  );
  return { datums, cur: batch.map((e) => Float32Array.from(e.cur)), ref: batch.map((e) => Float32Array.from(e.ref)) };
}

describe('clippedLossWeights: the custom-loss route', () => {
  it('weights are −dL/dlogp: central differences of the reported loss agree', () => {
    fc.assert(
      fc.property(batchArb, fc.constantFrom('token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm' as const), (batch, aggregation) => {
        const { datums, cur, ref } = build(batch);
        const opts = { epsLow: 0.2, epsHigh: 0.28, betaKl: 0.1, aggregation, refLogprobs: ref } as const;
        const base = clippedLossWeights(datums, cur, opts);
        const h = 1e-3;
        for (let i = 0; i < datums.length; i++) {
          for (let j = 0; j < cur[i].length; j++) {
            const plus = cur.map((c) => c.slice());
            const minus = cur.map((c) => c.slice());
            plus[i][j] += h;
            minus[i][j] -= h;
            const numeric = (clippedLossWeights(datums, plus, opts).loss - clippedLossWeights(datums, minus, opts).loss) / (2 * h);
            const w = base.datums[i].loss_fn_inputs.weights!.data[j];
            // The loss has kinks where it is not differentiable: the clip (ρ = 1 − 0.2, 1 + 0.28),
            // the dual clip (ρ = 3) and the KL clamp (k3 = 10). Skip positions whose ±h straddles one.
            const r = Math.exp(cur[i][j] - datums[i].loss_fn_inputs.logprobs!.data[j]);
            if (Math.abs(r - 0.8) < 0.01 || Math.abs(r - 1.28) < 0.01 || Math.abs(r - PG_LOSS_DEFAULTS.dualClip) < 0.02) continue;
            const d = ref[i][j] - cur[i][j];
            if (Math.abs(Math.exp(d) - d - 1 - PG_LOSS_DEFAULTS.klClamp) < 0.05) continue;
            expect(Math.abs(-w - numeric)).toBeLessThan(2e-3 * (1 + Math.abs(numeric)));
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('on a fresh batch (ρ = 1, no KL) the loss is −mean advantage and nothing is clipped', () => {
    const d = episodeDatum({ tokens: Int32Array.of(1, 2, 3, 4), lossMask: Uint8Array.of(0, 1, 1, 0), oldLogprobs: Float32Array.of(0, -1, -2, 0), advantages: Float32Array.of(0, 0.5, 1.5, 0) });
    const r = clippedLossWeights([d], [Float32Array.of(-1, -2, -7)], { betaKl: 0 });
    expect(r.loss).toBeCloseTo(-1, 6);
    expect(r.clipFraction).toBe(0);
    expect(r.tokens).toBe(2);
    expect(r.datums[0].loss_fn_inputs.weights!.data).toEqual([0.25, 0.75, 0]);
    expect(r.datums[0].loss_fn_inputs.target_tokens).toBe(d.loss_fn_inputs.target_tokens);
  });

  it('rejects a KL weight without a reference and datums without old log-probs', () => {
    const d = episodeDatum({ tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(0, 1), oldLogprobs: Float32Array.of(0, -1), advantages: Float32Array.of(0, 1) });
    expect(() => clippedLossWeights([d], [Float32Array.of(-1)], { betaKl: 0.001 })).toThrow('pgLoss: refLogprobs is required when betaKl > 0 (got betaKl = 0.001)');
    const sft = episodeDatum({ tokens: Int32Array.of(1, 2), lossMask: Uint8Array.of(0, 1) });
    expect(() => clippedLossWeights([sft], [Float32Array.of(-1)], { betaKl: 0 })).toThrow('clippedLossWeights: datums[0].loss_fn_inputs.logprobs must have 1 values');
  });

  it('clippedLossStep runs forward, then cross_entropy with the computed weights', async () => {
    const fake = await startFakeTinker();
    const client = await TinkerClient.connect({ baseUrl: fake.baseUrl, heartbeatMs: 0 });
    try {
      const d = episodeDatum({ tokens: Int32Array.of(1, 2, 3, 4, 5, 6), lossMask: Uint8Array.of(0, 0, 0, 1, 1, 1), oldLogprobs: Float32Array.from([0, ...REC.forward_future.loss_fn_outputs[0].logprobs.data]), advantages: Float32Array.of(0, 0, 0, 1, -1, 1) });
      const r = await clippedLossStep(client, 'model_1', [d], { betaKl: 0 });
      const paths = fake.requests.map((q) => q.path).filter((p) => p !== '/api/v1/retrieve_future');
      expect(paths).toEqual(['/api/v1/create_session', '/api/v1/forward', '/api/v1/forward_backward']);
      const sent = fake.requests.find((q) => q.path === '/api/v1/forward_backward')!.body.forward_backward_input;
      expect(sent.loss_fn).toBe('cross_entropy');
      expect(sent.data[0].loss_fn_inputs.weights.data).toEqual(r.datums[0].loss_fn_inputs.weights!.data);
      expect(r.engine.outputs).toHaveLength(1);
    } finally {
      client.close();
      await fake.close();
    }
  });
});
