import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertIndices, assertSize } from './validate';
import type { CaseRng } from '../conformance/rng';
import type { CrossEntropyBackwardArgs, EntropyArgs, LogSoftmaxGatherArgs } from './types';
import type { KernelThis } from './kernelThis';

/*
 * Every row statistic here is computed with the max-subtracted log-sum-exp
 * lse(z) = max + log Σ exp(z_j − max), so exp never overflows whatever the logits' scale.
 */

function rowLse64(logits: Float32Array, o: number, vocab: number): number {
  let max = -Infinity;
  for (let j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
  return max + Math.log(sum);
}

/**
 * Reference log-softmax gather in float64: out[r] = logits[r, targets[r]] − lse(logits[r, :]).
 *
 * @param args - {@link LogSoftmaxGatherArgs}
 * @example
 * const out = new Float32Array(1);
 * logSoftmaxGatherReference({ logits: Float32Array.of(0, 0), targets: Int32Array.of(1), out, rows: 1, vocab: 2 }); // out ≈ [−0.693147]
 */
export function logSoftmaxGatherReference(args: LogSoftmaxGatherArgs): void {
  const { logits, targets, out, rows, vocab } = args;
  for (let r = 0; r < rows; r++) out[r] = logits[r * vocab + targets[r]] - rowLse64(logits, r * vocab, vocab);
}

/**
 * Reference entropy per row in float64: H = lse − Σ_j p_j z_j (= −Σ p log p).
 *
 * @param args - {@link EntropyArgs}
 * @example
 * const out = new Float32Array(1);
 * entropyReference({ logits: new Float32Array(4), out, rows: 1, vocab: 4 }); // out ≈ [1.386294] (log 4)
 */
export function entropyReference(args: EntropyArgs): void {
  const { logits, out, rows, vocab } = args;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    const lse = rowLse64(logits, o, vocab);
    let h = 0;
    for (let j = 0; j < vocab; j++) {
      const lp = logits[o + j] - lse;
      h -= Math.exp(lp) * lp;
    }
    out[r] = h;
  }
}

/**
 * Reference cross-entropy backward in float64: the gradient of Σ_r w_r·logp_r(target) (plus
 * Σ_r e_r·H_r when `entropyWeights` is given) with respect to the logits; overwrites dLogits.
 *
 * @param args - {@link CrossEntropyBackwardArgs}
 * @example
 * const dLogits = new Float32Array(2);
 * crossEntropyBackwardReference({ logits: Float32Array.of(0, 0), targets: Int32Array.of(0), rowWeights: Float32Array.of(1), dLogits, rows: 1, vocab: 2 });
 * // dLogits = [0.5, −0.5]
 */
export function crossEntropyBackwardReference(args: CrossEntropyBackwardArgs): void {
  const { logits, targets, rowWeights, dLogits, rows, vocab, entropyWeights } = args;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    const lse = rowLse64(logits, o, vocab);
    let h = 0;
    for (let j = 0; j < vocab; j++) {
      const lp = logits[o + j] - lse;
      h -= Math.exp(lp) * lp;
    }
    const w = rowWeights[r];
    const e = entropyWeights === undefined ? 0 : entropyWeights[r];
    for (let j = 0; j < vocab; j++) {
      const lp = logits[o + j] - lse;
      const p = Math.exp(lp);
      dLogits[o + j] = w * ((j === targets[r] ? 1 : 0) - p) - e * p * (lp + h);
    }
  }
}

/**
 * Fast log-softmax gather: two flat passes per row (max, then Σ exp).
 *
 * @param args - {@link LogSoftmaxGatherArgs}
 * @example
 * logSoftmaxGatherJs({ logits: Float32Array.of(0, 0), targets: Int32Array.of(0), out, rows: 1, vocab: 2 }); // out ≈ [−0.693147]
 */
export function logSoftmaxGatherJs(args: LogSoftmaxGatherArgs): void {
  const { logits, targets, out, rows, vocab } = args;
  for (let r = 0, o = 0; r < rows; r++, o += vocab) {
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
    out[r] = logits[o + targets[r]] - max - Math.log(sum);
  }
}

/**
 * Fast entropy per row: H = log S − Σ e_j (z_j − max) / S with e_j = exp(z_j − max), S = Σ e_j,
 * one exp per logit.
 *
 * @param args - {@link EntropyArgs}
 * @example
 * entropyJs({ logits: new Float32Array(4), out, rows: 1, vocab: 4 }); // out ≈ [1.386294]
 */
export function entropyJs(args: EntropyArgs): void {
  const { logits, out, rows, vocab } = args;
  for (let r = 0, o = 0; r < rows; r++, o += vocab) {
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) if (logits[o + j] > max) max = logits[o + j];
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < vocab; j++) {
      const z = logits[o + j] - max;
      const e = Math.exp(z);
      sum += e;
      weighted += e * z;
    }
    out[r] = Math.log(sum) - weighted / sum;
  }
}

/**
 * Fast cross-entropy backward (overwrites dLogits); the entropy term costs one more pass only
 * when `entropyWeights` is given.
 *
 * @param args - {@link CrossEntropyBackwardArgs}
 * @example
 * crossEntropyBackwardJs({ logits: Float32Array.of(0, 0), targets: Int32Array.of(0), rowWeights: Float32Array.of(1), dLogits, rows: 1, vocab: 2 });
 * // dLogits = [0.5, −0.5]
 */
export function crossEntropyBackwardJs(args: CrossEntropyBackwardArgs): void {
  const { logits, targets, rowWeights, dLogits, rows, vocab, entropyWeights } = args;
  for (let r = 0, o = 0; r < rows; r++, o += vocab) {
    let max = -Infinity;
    let nan = false;
    for (let j = 0; j < vocab; j++) {
      const z = logits[o + j];
      if (z > max) max = z;
      else if (z !== z) nan = true;
    }
    // A row that carries no weight (a prompt or tool-output position of an RL batch, most of the
    // rows) gets exactly what the general path writes — −0 everywhere (−e·0), then +0 at the
    // target (−0 + 0) — without one exp per logit. Non-finite logits keep the general path (NaN out).
    if (rowWeights[r] === 0 && (entropyWeights === undefined || entropyWeights[r] === 0) && !nan && Number.isFinite(max)) {
      dLogits.fill(-0, o, o + vocab);
      dLogits[o + targets[r]] = 0;
      continue;
    }
    let sum = 0;
    let weighted = 0;
    for (let j = 0; j < vocab; j++) {
      const z = logits[o + j] - max;
      const e = Math.exp(z);
      sum += e;
      weighted += e * z;
    }
    const logSum = Math.log(sum);
    const w = rowWeights[r];
    const ew = entropyWeights === undefined ? 0 : entropyWeights[r];
    if (ew === 0) {
      const inv = w / sum;
      for (let j = 0; j < vocab; j++) dLogits[o + j] = -Math.exp(logits[o + j] - max) * inv;
    } else {
      const h = logSum - weighted / sum;
      for (let j = 0; j < vocab; j++) {
        const lp = logits[o + j] - max - logSum;
        const p = Math.exp(lp);
        dLogits[o + j] = -w * p - ew * p * (lp + h);
      }
    }
    dLogits[o + targets[r]] += w;
  }
}

/**
 * gpu.js kernel source for log-softmax gather, output [rows]. Constant: vocab.
 *
 * @param logits - [rows, vocab]
 * @param targets - target ids as numbers
 * @returns log p(target) of row thread.x
 * @example
 * gpu.createKernel(logSoftmaxGatherKernel).setOutput([rows]).setConstants({ vocab })(logits, targets);
 */
export function logSoftmaxGatherKernel(this: KernelThis, logits: number[], targets: number[]): number {
  const vocab = this.constants.vocab;
  const o = this.thread.x * vocab;
  let max = -1e30;
  for (let j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j] - max);
  return logits[o + targets[this.thread.x]] - max - Math.log(sum);
}

/**
 * gpu.js kernel source for the entropy per row, output [rows]. Constant: vocab.
 *
 * @param logits - [rows, vocab]
 * @returns H of row thread.x
 * @example
 * gpu.createKernel(entropyKernel).setOutput([rows]).setConstants({ vocab })(logits);
 */
export function entropyKernel(this: KernelThis, logits: number[]): number {
  const vocab = this.constants.vocab;
  const o = this.thread.x * vocab;
  let max = -1e30;
  for (let j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < vocab; j++) {
    const z = logits[o + j] - max;
    const e = Math.exp(z);
    sum += e;
    weighted += e * z;
  }
  return Math.log(sum) - weighted / sum;
}

/**
 * gpu.js kernel source for cross-entropy backward, output [vocab, rows] (x = logit index,
 * y = row). Each thread recomputes its row's log-sum-exp and entropy (vocab is ~100 here, so the
 * redundant row passes are cheaper than a second launch). Constant: vocab.
 *
 * @param logits - [rows, vocab]
 * @param targets - target ids as numbers
 * @param rowWeights - w per row
 * @param entropyWeights - e per row (zeros when unused)
 * @returns dLogits[y, x]
 * @example
 * gpu.createKernel(crossEntropyBackwardKernel).setOutput([vocab, rows]).setConstants({ vocab })(logits, targets, w, e);
 */
export function crossEntropyBackwardKernel(
  this: KernelThis,
  logits: number[],
  targets: number[],
  rowWeights: number[],
  entropyWeights: number[],
): number {
  const vocab = this.constants.vocab;
  const r = this.thread.y;
  const o = r * vocab;
  let max = -1e30;
  for (let j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]);
  let sum = 0;
  let weighted = 0;
  for (let j = 0; j < vocab; j++) {
    const z = logits[o + j] - max;
    const e = Math.exp(z);
    sum += e;
    weighted += e * z;
  }
  const logSum = Math.log(sum);
  const h = logSum - weighted / sum;
  const lp = logits[o + this.thread.x] - max - logSum;
  const p = Math.exp(lp);
  let onehot = 0;
  if (Math.abs(targets[r] - this.thread.x) < 0.5) onehot = 1;
  return rowWeights[r] * (onehot - p) - entropyWeights[r] * p * (lp + h);
}

function logitCases(rng: CaseRng, small: boolean): { rows: number; vocab: number; logits: Float32Array }[] {
  const shapes: [number, number][] = small ? [[1, 1], [3, 7]] : [[1, 1], [3, 7], [64, 97]];
  const cases = shapes.map(([rows, vocab]) => ({ rows, vocab, logits: rng.f32(rows * vocab, -4, 4) }));
  // Large logits: a softmax without max-subtraction overflows float32 here.
  cases.push({ rows: 2, vocab: 5, logits: rng.f32(10, 80, 120) });
  return cases;
}

function validateLogits(op: string, a: { logits: Float32Array; rows: number; vocab: number }): void {
  assertSize(op, 'rows', a.rows);
  assertSize(op, 'vocab', a.vocab);
  assertF32(op, 'logits', a.logits, a.rows * a.vocab);
}

/**
 * The logSoftmaxGather op: log-probability of each row's target.
 *
 * @example
 * await backend.run(Op.LogSoftmaxGather, { logits, targets, out, rows: 256, vocab: 96 });
 */
export const logSoftmaxGatherOp = defineOp({
  name: Op.LogSoftmaxGather,
  validate(a) {
    validateLogits('logSoftmaxGather', a);
    assertIndices('logSoftmaxGather', 'targets', a.targets, a.rows, a.vocab);
    assertF32('logSoftmaxGather', 'out', a.out, a.rows);
  },
  reference: logSoftmaxGatherReference,
  js: logSoftmaxGatherJs,
  gpu: {
    key: (a) => `${a.rows}x${a.vocab}`,
    build(ctx, first) {
      const { rows, vocab } = first;
      const kernel = ctx.createKernel(logSoftmaxGatherKernel as never, { output: [rows], constants: { vocab } });
      return async (a) => {
        await ctx.readInto(kernel(a.logits.subarray(0, rows * vocab), Float32Array.from(a.targets.subarray(0, rows))), a.out, rows);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases: (rng, { small }) =>
      logitCases(rng, small).map(({ rows, vocab, logits }) => ({
        label: `${rows}x${vocab}`,
        args: { logits, targets: rng.i32(rows, 0, vocab - 1), out: new Float32Array(rows), rows, vocab },
      })),
  },
});

/**
 * The entropy op: softmax entropy of each row, in nats.
 *
 * @example
 * await backend.run(Op.Entropy, { logits, out, rows: 256, vocab: 96 });
 */
export const entropyOp = defineOp({
  name: Op.Entropy,
  validate(a) {
    validateLogits('entropy', a);
    assertF32('entropy', 'out', a.out, a.rows);
  },
  reference: entropyReference,
  js: entropyJs,
  gpu: {
    key: (a) => `${a.rows}x${a.vocab}`,
    build(ctx, first) {
      const { rows, vocab } = first;
      const kernel = ctx.createKernel(entropyKernel as never, { output: [rows], constants: { vocab } });
      return async (a) => {
        await ctx.readInto(kernel(a.logits.subarray(0, rows * vocab)), a.out, rows);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases: (rng, { small }) =>
      logitCases(rng, small).map(({ rows, vocab, logits }) => ({ label: `${rows}x${vocab}`, args: { logits, out: new Float32Array(rows), rows, vocab } })),
  },
});

/**
 * The crossEntropyBackward op: gradient of Σ_r w_r·logp_r (+ Σ_r e_r·H_r) w.r.t. the logits.
 *
 * @example
 * await backend.run(Op.CrossEntropyBackward, { logits, targets, rowWeights, dLogits, rows: 256, vocab: 96 });
 */
export const crossEntropyBackwardOp = defineOp({
  name: Op.CrossEntropyBackward,
  validate(a) {
    const op = 'crossEntropyBackward';
    validateLogits(op, a);
    assertIndices(op, 'targets', a.targets, a.rows, a.vocab);
    assertF32(op, 'rowWeights', a.rowWeights, a.rows);
    assertF32(op, 'dLogits', a.dLogits, a.rows * a.vocab);
    if (a.entropyWeights !== undefined) assertF32(op, 'entropyWeights', a.entropyWeights, a.rows);
  },
  reference: crossEntropyBackwardReference,
  js: crossEntropyBackwardJs,
  gpu: {
    key: (a) => `${a.rows}x${a.vocab}`,
    build(ctx, first) {
      const { rows, vocab } = first;
      const kernel = ctx.createKernel(crossEntropyBackwardKernel as never, { output: [vocab, rows], constants: { vocab } });
      const zeros = new Float32Array(rows);
      return async (a) => {
        const result = kernel(
          a.logits.subarray(0, rows * vocab),
          Float32Array.from(a.targets.subarray(0, rows)),
          a.rowWeights.subarray(0, rows),
          a.entropyWeights === undefined ? zeros : a.entropyWeights.subarray(0, rows),
        );
        await ctx.readInto(result, a.dLogits, rows * vocab);
      };
    },
  },
  conformance: {
    outputs: ['dLogits'],
    cases: (rng, { small }) =>
      logitCases(rng, small).flatMap(({ rows, vocab, logits }) => [
        {
          label: `${rows}x${vocab}`,
          args: { logits, targets: rng.i32(rows, 0, vocab - 1), rowWeights: rng.f32(rows), dLogits: rng.f32(rows * vocab), rows, vocab },
        },
        {
          label: `${rows}x${vocab} +entropy`,
          args: {
            logits,
            targets: rng.i32(rows, 0, vocab - 1),
            rowWeights: rng.f32(rows),
            dLogits: rng.f32(rows * vocab),
            rows,
            vocab,
            entropyWeights: rng.f32(rows),
          },
        },
      ]),
  },
});
