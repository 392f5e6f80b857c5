import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixtures from '../test/chunk-fixtures.json';
import { combineForwardResults, datumBytes, splitDatums } from './chunks';
import { episodeDatum } from './datum';
import type { Datum, ForwardResult } from './types';

/** A datum as test/record-chunk-fixtures.py builds it: `tokens` inputs, targets, `extra` float32 inputs. */
function datum(tokens: number, targetsDtype: string, extra: number): Datum {
  const ints = Array.from({ length: tokens }, (_, i) => i);
  const inputs: Datum['loss_fn_inputs'] = { target_tokens: { data: ints, dtype: targetsDtype as 'int64', shape: [tokens] } };
  for (const name of (['weights', 'logprobs', 'advantages'] as const).slice(0, extra)) inputs[name] = { data: ints.map(() => 1), dtype: 'float32', shape: [tokens] };
  return { model_input: { chunks: [{ type: 'encoded_text', tokens: ints }] }, loss_fn_inputs: inputs };
}

const result = (n: number, metrics: Record<string, number>): ForwardResult => ({
  outputs: Array.from({ length: n }, (_, i) => ({ logprobs: new Float32Array([i]), elementwiseLoss: new Float32Array([n]) })),
  metrics,
});

describe('splitDatums: the official SDK (tinker 0.38.0) splits', () => {
  it.each(fixtures.splits.map((c, i) => [i, c] as const))('case %i as the SDK recorded it', (_, c) => {
    const data = c.datums.map(([t, dtype, extra]) => datum(t as number, dtype as string, extra as number));
    const parts = splitDatums(data, c.max_len, c.max_bytes);
    expect(parts.map((p) => p.length)).toEqual(c.part_sizes);
    expect(parts.map((p) => p.reduce((a, d) => a + datumBytes(d), 0))).toEqual(c.part_bytes);
  });

  it('laws: the parts concatenate to the batch; each holds ≤ maxLen datums and ≤ maxBytes unless it is one datum; no two neighbours could have been one part', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 2000 }), (spec, maxLen, maxBytes) => {
        const data = spec.map(([t, extra]) => datum(t, 'int64', extra));
        const parts = splitDatums(data, maxLen, maxBytes);
        expect(parts.flat()).toEqual(data);
        const bytes = parts.map((p) => p.reduce((a, d) => a + datumBytes(d), 0));
        parts.forEach((p, i) => {
          expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(maxLen);
          if (p.length > 1) expect(bytes[i]).toBeLessThanOrEqual(maxBytes);
          // Greedy: the next part's first datum did not fit this part.
          if (i + 1 < parts.length) expect(p.length === maxLen || bytes[i] + datumBytes(parts[i + 1][0]) > maxBytes).toBe(true);
        });
      }),
    );
  });
});

describe('combineForwardResults: the official SDK (tinker 0.38.0) merges', () => {
  it.each(fixtures.combines.map((c, i) => [i, c] as const))('case %i as the SDK recorded it', (_, c) => {
    const parts = c.parts.map(([n, m]) => result(n as number, m as Record<string, number>));
    const merged = combineForwardResults(parts);
    expect(Object.keys(merged.metrics).sort()).toEqual(Object.keys(c.metrics).sort());
    for (const [k, v] of Object.entries(c.metrics)) expect(merged.metrics[k]).toBeCloseTo(v, 12);
    expect(merged.outputs).toEqual(parts.flatMap((p) => p.outputs));
  });

  it('one part is returned as it came', () => {
    const one = result(2, { 'x:mean': 1, odd: 2 });
    expect(combineForwardResults([one])).toBe(one);
  });

  it('hash2 drops a non-finite value instead of throwing', () => {
    expect(combineForwardResults([result(1, { 'h:hash2': Number.NaN }), result(1, { 'h:hash2': 1 })]).metrics).toEqual({});
  });
});

describe('datumBytes', () => {
  it("the documented example: an episode datum's tokens, int64 targets and float32 weights", () => {
    expect(datumBytes(episodeDatum({ tokens: Int32Array.of(1, 2, 3, 4), lossMask: Uint8Array.of(0, 1, 1, 1) }))).toBe(48);
  });
});
