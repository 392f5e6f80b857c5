import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { logSoftmaxGatherReference } from './crossEntropy';
import { sampleJs, sampleOp, sampleReference } from './sample';
import type { SampleArgs } from './types';

function draw(fn: (a: SampleArgs) => void, logits: number[], temperature: number, topK: number, uniforms: number[]) {
  const rows = uniforms.length;
  const vocab = logits.length;
  const tiled = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) tiled.set(logits, r * vocab);
  const outTokens = new Int32Array(rows);
  const outLogprobs = new Float32Array(rows);
  fn({ logits: tiled, rows, vocab, temperature, topK, uniforms: Float64Array.from(uniforms), outTokens, outLogprobs });
  return { tokens: Array.from(outTokens), logprobs: Array.from(outLogprobs) };
}

describe.each([
  ['reference', sampleReference],
  ['js', sampleJs],
])('sample (%s)', (_, fn) => {
  it('temperature 0 is greedy with the lowest index on ties, whatever the uniform', () => {
    expect(draw(fn, [0, 2, 2, -1], 0, 0, [0, 0.5, 0.999])).toEqual({ tokens: [1, 1, 1], logprobs: [0, 0, 0] });
    expect(draw(fn, [5, 5], 0, 1, [0.7]).tokens).toEqual([0]);
  });

  it('topK 1 is greedy too, with logprob log 1 = 0', () => {
    expect(draw(fn, [0, 3, 3, 1], 1.5, 1, [0.1, 0.9])).toEqual({ tokens: [1, 1], logprobs: [0, 0] });
  });

  it('inverts the CDF in index order: p = [¼, ¾]', () => {
    const r = draw(fn, [0, Math.log(3)], 1, 0, [0, 0.2, 0.25, 0.3, 0.999]);
    expect(r.tokens).toEqual([0, 0, 1, 1, 1]);
    r.logprobs.forEach((lp, i) => expect(lp).toBeCloseTo(Math.log(i < 2 ? 0.25 : 0.75), 6));
  });

  it('divides by the temperature: logits [0, ln 9] at T = 2 give p = [¼, ¾]', () => {
    const r = draw(fn, [0, Math.log(9)], 2, 0, [0.2, 0.3]);
    expect(r.tokens).toEqual([0, 1]);
    expect(r.logprobs[1]).toBeCloseTo(Math.log(0.75), 6);
  });

  it('top-k keeps the k largest, ties at the cut going to the lower indexes', () => {
    const two = draw(fn, [Math.log(3), 0, Math.log(3), 0], 1, 2, [0.4, 0.6]);
    expect(two.tokens).toEqual([0, 2]);
    two.logprobs.forEach((lp) => expect(lp).toBeCloseTo(Math.log(0.5), 6));
    const three = draw(fn, [1, 1, 1, 1], 1, 3, [0, 0.5, 0.99]);
    expect(three.tokens).toEqual([0, 1, 2]);
    three.logprobs.forEach((lp) => expect(lp).toBeCloseTo(-Math.log(3), 6));
  });

  it('evenly spread uniforms reproduce the distribution (counts within 1 of N·p)', () => {
    const logits = [0.3, -1, 2, 0.5, 1.2];
    const N = 1000;
    const uniforms = Array.from({ length: N }, (_, i) => (i + 0.5) / N);
    const { tokens } = draw(fn, logits, 1, 0, uniforms);
    const z = logits.map(Math.exp);
    const total = z.reduce((a, b) => a + b, 0);
    logits.forEach((_, j) => {
      expect(Math.abs(tokens.filter((t) => t === j).length - (N * z[j]) / total)).toBeLessThanOrEqual(1);
    });
  });

  it('the logprob at temperature 1 without top-k is the log-softmax of the token', () => {
    const rng = caseRng(101);
    const rows = 20;
    const vocab = 13;
    const logits = rng.f32(rows * vocab, -3, 3);
    const uniforms = Float64Array.from({ length: rows }, () => rng.next());
    const outTokens = new Int32Array(rows);
    const outLogprobs = new Float32Array(rows);
    fn({ logits, rows, vocab, temperature: 1, topK: 0, uniforms, outTokens, outLogprobs });
    const expected = new Float32Array(rows);
    logSoftmaxGatherReference({ logits, targets: outTokens, out: expected, rows, vocab });
    outLogprobs.forEach((lp, r) => expect(lp).toBeCloseTo(expected[r], 5));
  });
});

describe('sample', () => {
  it('js picks exactly the reference tokens on seeded random rows with ties', () => {
    const rng = caseRng(103);
    for (const [temperature, topK] of [[0, 0], [1, 0], [0.7, 5], [1.4, 1], [1, 96]]) {
      const rows = 64;
      const vocab = 97;
      const logits = rng.f32(rows * vocab, -3, 3);
      for (let i = 2; i < logits.length; i += 4) logits[i] = logits[i - 2];
      const uniforms = Float64Array.from({ length: rows }, () => rng.next());
      const a = { outTokens: new Int32Array(rows), outLogprobs: new Float32Array(rows) };
      const b = { outTokens: new Int32Array(rows), outLogprobs: new Float32Array(rows) };
      sampleReference({ logits, rows, vocab, temperature, topK, uniforms, ...a });
      sampleJs({ logits, rows, vocab, temperature, topK, uniforms, ...b });
      expect(Array.from(b.outTokens)).toEqual(Array.from(a.outTokens));
      b.outLogprobs.forEach((lp, r) => expect(lp).toBeCloseTo(a.outLogprobs[r], 5));
    }
  });

  it('validate rejects bad temperature, topK and uniforms', () => {
    const ok: SampleArgs = {
      logits: new Float32Array(6),
      rows: 2,
      vocab: 3,
      temperature: 1,
      topK: 0,
      uniforms: Float64Array.of(0, 0.5),
      outTokens: new Int32Array(2),
      outLogprobs: new Float32Array(2),
    };
    expect(() => sampleOp.validate(ok)).not.toThrow();
    expect(() => sampleOp.validate({ ...ok, temperature: -1 })).toThrow(/sample: temperature must be >= 0 \(got -1\)/);
    expect(() => sampleOp.validate({ ...ok, temperature: Number.NaN })).toThrow(/sample: temperature must be a finite number/);
    expect(() => sampleOp.validate({ ...ok, topK: 1.5 })).toThrow(/sample: topK must be an integer >= 0 \(got 1.5\)/);
    expect(() => sampleOp.validate({ ...ok, uniforms: Float64Array.of(0, 1) })).toThrow(/sample: uniforms\[1\] must be in \[0, 1\) \(got 1\)/);
    expect(() => sampleOp.validate({ ...ok, uniforms: Float64Array.of(0, Number.NaN) })).toThrow(/sample: uniforms\[1\] must be in \[0, 1\) \(got NaN\)/);
    expect(() => sampleOp.validate({ ...ok, uniforms: Float32Array.of(0, 0) as unknown as Float64Array })).toThrow(/sample: uniforms must be a Float64Array/);
    expect(() => sampleOp.validate({ ...ok, outTokens: new Int32Array(1) })).toThrow(/sample: outTokens must have length >= 2 \(got 1\)/);
  });
});
