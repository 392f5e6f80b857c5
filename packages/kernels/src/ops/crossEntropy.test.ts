import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import {
  crossEntropyBackwardJs,
  crossEntropyBackwardOp,
  crossEntropyBackwardReference,
  entropyJs,
  entropyReference,
  logSoftmaxGatherJs,
  logSoftmaxGatherOp,
  logSoftmaxGatherReference,
} from './crossEntropy';

describe('logSoftmaxGather / entropy', () => {
  // Softmax rows by hand: [0, 0] → [½, ½]; [0, ln 3] → [¼, ¾]; [0, 0, 0, 0] → ¼ each.
  it.each([
    ['reference', logSoftmaxGatherReference, entropyReference],
    ['js', logSoftmaxGatherJs, entropyJs],
  ])('%s: known softmax rows', (_, gather, entropy) => {
    const logits = Float32Array.of(0, 0, 0, Math.log(3), 0, 0);
    const out = new Float32Array(3);
    gather({ logits, targets: Int32Array.of(1, 1, 0), out, rows: 3, vocab: 2 });
    expect(out[0]).toBeCloseTo(Math.log(0.5), 6);
    expect(out[1]).toBeCloseTo(Math.log(0.75), 6);
    expect(out[2]).toBeCloseTo(Math.log(0.5), 6);
    entropy({ logits, out, rows: 3, vocab: 2 });
    expect(out[0]).toBeCloseTo(Math.log(2), 6);
    expect(out[1]).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), 6);
    const uniform = new Float32Array(1);
    entropy({ logits: new Float32Array(4), out: uniform, rows: 1, vocab: 4 });
    expect(uniform[0]).toBeCloseTo(Math.log(4), 6);
  });

  it('js stays finite for logits far beyond exp overflow (max-subtracted)', () => {
    const logits = Float32Array.of(1000, 1000 + Math.log(3), -1000, -1000 - Math.log(3));
    const out = new Float32Array(2);
    logSoftmaxGatherJs({ logits, targets: Int32Array.of(1, 0), out, rows: 2, vocab: 2 });
    expect(out[0]).toBeCloseTo(Math.log(0.75), 3);
    expect(out[1]).toBeCloseTo(Math.log(0.75), 3);
    entropyJs({ logits, out, rows: 2, vocab: 2 });
    expect(out[0]).toBeCloseTo(out[1], 3);
    const d = new Float32Array(4);
    crossEntropyBackwardJs({ logits, targets: Int32Array.of(0, 0), rowWeights: Float32Array.of(1, 1), dLogits: d, rows: 2, vocab: 2, entropyWeights: Float32Array.of(1, 1) });
    expect(d.every(Number.isFinite)).toBe(true);
  });

  it('js matches the reference on seeded random rows', () => {
    const rng = caseRng(23);
    const rows = 40;
    const vocab = 97;
    const logits = rng.f32(rows * vocab, -6, 6);
    const targets = rng.i32(rows, 0, vocab - 1);
    const [a, b] = [new Float32Array(rows), new Float32Array(rows)];
    logSoftmaxGatherReference({ logits, targets, out: a, rows, vocab });
    logSoftmaxGatherJs({ logits, targets, out: b, rows, vocab });
    expect(maxMixedError(b, a)).toBeLessThan(1e-5);
    entropyReference({ logits, out: a, rows, vocab });
    entropyJs({ logits, out: b, rows, vocab });
    expect(maxMixedError(b, a)).toBeLessThan(1e-5);
    for (const entropyWeights of [undefined, rng.f32(rows)]) {
      const rowWeights = rng.f32(rows);
      const [da, db] = [new Float32Array(rows * vocab), rng.f32(rows * vocab)];
      crossEntropyBackwardReference({ logits, targets, rowWeights, dLogits: da, rows, vocab, entropyWeights });
      crossEntropyBackwardJs({ logits, targets, rowWeights, dLogits: db, rows, vocab, entropyWeights });
      expect(maxMixedError(db, da)).toBeLessThan(1e-6);
    }
  });
});

describe('crossEntropyBackward', () => {
  it('is w·(onehot − softmax) by hand', () => {
    const dLogits = new Float32Array(2);
    crossEntropyBackwardReference({ logits: Float32Array.of(0, Math.log(3)), targets: Int32Array.of(0), rowWeights: Float32Array.of(2), dLogits, rows: 1, vocab: 2 });
    expect(dLogits[0]).toBeCloseTo(2 * (1 - 0.25), 6);
    expect(dLogits[1]).toBeCloseTo(2 * -0.75, 6);
  });

  it('matches central finite differences of Σ w·logp + Σ e·H in float64', () => {
    const rows = 4;
    const vocab = 6;
    const logits = randomF64(rows * vocab, 41, -3, 3);
    const targets = Int32Array.of(0, 5, 2, 2);
    const w = randomF64(rows, 42);
    const e = randomF64(rows, 43);
    const lp = f64(rows);
    const h = f64(rows);
    const loss = () => {
      logSoftmaxGatherReference({ logits, targets, out: lp, rows, vocab });
      entropyReference({ logits, out: h, rows, vocab });
      let s = 0;
      for (let r = 0; r < rows; r++) s += w[r] * lp[r] + e[r] * h[r];
      return s;
    };
    const dLogits = f64(rows * vocab);
    crossEntropyBackwardReference({ logits, targets, rowWeights: w, dLogits, rows, vocab, entropyWeights: e });
    expect(maxMixedError(dLogits, numericGradient(logits, loss))).toBeLessThan(1e-7);
  });

  it('validate rejects out-of-range targets and short weights', () => {
    const ok = { logits: new Float32Array(6), targets: Int32Array.of(0, 2), rowWeights: new Float32Array(2), dLogits: new Float32Array(6), rows: 2, vocab: 3 };
    expect(() => crossEntropyBackwardOp.validate(ok)).not.toThrow();
    expect(() => crossEntropyBackwardOp.validate({ ...ok, targets: Int32Array.of(0, 3) })).toThrow(/crossEntropyBackward: targets\[1\] must be in \[0, 3\) \(got 3\)/);
    expect(() => crossEntropyBackwardOp.validate({ ...ok, rowWeights: new Float32Array(1) })).toThrow(/crossEntropyBackward: rowWeights must have length >= 2/);
    expect(() => crossEntropyBackwardOp.validate({ ...ok, entropyWeights: new Float32Array(1) })).toThrow(/entropyWeights must have length >= 2/);
    expect(() => logSoftmaxGatherOp.validate({ logits: new Float32Array(5), targets: Int32Array.of(0, 0), out: new Float32Array(2), rows: 2, vocab: 3 })).toThrow(
      /logSoftmaxGather: logits must have length >= 6 \(got 5\)/,
    );
  });
});

describe('crossEntropyBackward: rows without weight', () => {
  it('js writes what the general formula gives (−0 everywhere, +0 at the target) and leaves weighted rows alone', () => {
    const rng = caseRng(17);
    const rows = 6;
    const vocab = 11;
    const logits = rng.f32(rows * vocab, -3, 3);
    const targets = rng.i32(rows, 0, vocab - 1);
    const rowWeights = Float32Array.of(0, 0.7, 0, -1.3, 0, 0.2);
    const dLogits = new Float32Array(rows * vocab).fill(5);
    crossEntropyBackwardJs({ logits, targets, rowWeights, dLogits, rows, vocab });
    for (let r = 0; r < rows; r++) {
      // The general formula on one row: −exp(z − max)·w/S, then + w at the target (float64, one rounding).
      const row = logits.subarray(r * vocab, (r + 1) * vocab);
      const max = Math.max(...row);
      let sum = 0;
      for (const z of row) sum += Math.exp(z - max);
      const inv = rowWeights[r] / sum;
      for (let j = 0; j < vocab; j++) {
        let want = -Math.exp(row[j] - max) * inv;
        if (j === targets[r]) want += rowWeights[r];
        expect(Object.is(dLogits[r * vocab + j], Math.fround(want)), `row ${r} col ${j}`).toBe(true);
      }
    }
  });

  it('a weightless row with a NaN logit still gives NaN (never a silent zero)', () => {
    const logits = Float32Array.of(0, Number.NaN, 1);
    const dLogits = new Float32Array(3);
    crossEntropyBackwardJs({ logits, targets: Int32Array.of(0), rowWeights: Float32Array.of(0), dLogits, rows: 1, vocab: 3 });
    expect(dLogits.every((x) => Number.isNaN(x))).toBe(true);
  });
});
