import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertF64Range, assertFinite, assertSize } from './validate';
import type { SampleArgs } from './types';

/*
 * Sampling contract, shared by both implementations so they pick the same token:
 * - temperature 0: greedy argmax, the lowest index on ties; the sampling distribution is a point
 *   mass, so the logprob is 0.
 * - otherwise z = logits / temperature; with 0 < topK < vocab only the topK largest z are kept
 *   (ties at the cut go to the lower indexes); p = softmax over the kept z (max-subtracted);
 *   the token is found by inverse CDF: walking the kept indexes in increasing order, the first j
 *   whose cumulative mass exceeds u·Σ (u = uniforms[r] ∈ [0, 1)); the last kept index if rounding
 *   leaves none. The logprob is log p_j under that truncated, tempered distribution.
 */

/**
 * Reference sampler in float64, written the obvious way: sort candidate indexes by (z desc,
 * index asc), keep topK, normalise, walk the kept indexes in increasing order.
 *
 * @param args - {@link SampleArgs}; writes outTokens and outLogprobs
 * @example
 * sampleReference({ logits: Float32Array.of(0, 2, 2), rows: 1, vocab: 3, temperature: 0, topK: 0,
 *   uniforms: Float64Array.of(0.5), outTokens, outLogprobs }); // outTokens = [1], outLogprobs = [0]
 */
export function sampleReference(args: SampleArgs): void {
  const { logits, rows, vocab, temperature, topK, uniforms, outTokens, outLogprobs } = args;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(logits.subarray(r * vocab, (r + 1) * vocab));
    if (temperature === 0) {
      let best = 0;
      for (let j = 1; j < vocab; j++) if (row[j] > row[best]) best = j;
      outTokens[r] = best;
      outLogprobs[r] = 0;
      continue;
    }
    const z = row.map((x) => x / temperature);
    const order = z.map((_, j) => j).sort((a, b) => z[b] - z[a] || a - b);
    const keep = topK > 0 && topK < vocab ? order.slice(0, topK) : order;
    const kept = keep.sort((a, b) => a - b);
    const max = Math.max(...kept.map((j) => z[j]));
    const total = kept.reduce((s, j) => s + Math.exp(z[j] - max), 0);
    const target = uniforms[r] * total;
    let chosen = kept[kept.length - 1];
    let cum = 0;
    for (const j of kept) {
      cum += Math.exp(z[j] - max);
      if (cum > target) {
        chosen = j;
        break;
      }
    }
    outTokens[r] = chosen;
    outLogprobs[r] = z[chosen] - max - Math.log(total);
  }
}

/**
 * Fast sampler: one scratch copy per call for the top-k threshold (a sorted copy of the row:
 * vocabularies here are ~100 tokens), no allocation per row.
 *
 * @param args - {@link SampleArgs}
 * @example
 * sampleJs({ logits, rows, vocab, temperature: 1, topK: 40, uniforms, outTokens, outLogprobs });
 */
export function sampleJs(args: SampleArgs): void {
  const { logits, rows, vocab, temperature, topK, uniforms, outTokens, outLogprobs } = args;
  const truncate = temperature !== 0 && topK > 0 && topK < vocab;
  const sorted = truncate ? new Float32Array(vocab) : undefined;
  for (let r = 0, o = 0; r < rows; r++, o += vocab) {
    let best = 0;
    let max = logits[o];
    for (let j = 1; j < vocab; j++) {
      if (logits[o + j] > max) {
        max = logits[o + j];
        best = j;
      }
    }
    if (temperature === 0) {
      outTokens[r] = best;
      outLogprobs[r] = 0;
      continue;
    }
    // Kept set: logits above the k-th largest, plus the first (k − #above) indexes equal to it.
    let threshold = -Infinity;
    let tiesAllowed = vocab;
    if (sorted !== undefined) {
      sorted.set(logits.subarray(o, o + vocab));
      sorted.sort();
      threshold = sorted[vocab - topK];
      let above = 0;
      for (let j = 0; j < vocab; j++) if (logits[o + j] > threshold) above++;
      tiesAllowed = topK - above;
    }
    const zMax = max / temperature;
    let total = 0;
    let ties = tiesAllowed;
    for (let j = 0; j < vocab; j++) {
      const x = logits[o + j];
      if (x < threshold || (x === threshold && ties-- <= 0)) continue;
      total += Math.exp(x / temperature - zMax);
    }
    const target = uniforms[r] * total;
    let chosen = -1;
    let last = 0;
    let cum = 0;
    ties = tiesAllowed;
    for (let j = 0; j < vocab; j++) {
      const x = logits[o + j];
      if (x < threshold || (x === threshold && ties-- <= 0)) continue;
      last = j;
      cum += Math.exp(x / temperature - zMax);
      if (cum > target) {
        chosen = j;
        break;
      }
    }
    if (chosen < 0) chosen = last;
    outTokens[r] = chosen;
    outLogprobs[r] = logits[o + chosen] / temperature - zMax - Math.log(total);
  }
}

/**
 * The sample op: one token per row from tempered, top-k truncated softmax, driven by the
 * caller's uniforms (so a seeded RNG makes sampling reproducible on every backend).
 *
 * @example
 * await backend.run(Op.Sample, { logits, rows: 32, vocab: 96, temperature: 0.8, topK: 20, uniforms, outTokens, outLogprobs });
 */
export const sampleOp = defineOp({
  name: Op.Sample,
  validate(a) {
    const op = 'sample';
    assertSize(op, 'rows', a.rows);
    assertSize(op, 'vocab', a.vocab);
    assertF32(op, 'logits', a.logits, a.rows * a.vocab);
    assertFinite(op, 'temperature', a.temperature);
    if (a.temperature < 0) throw new RangeError(`sample: temperature must be >= 0 (got ${a.temperature})`);
    assertSize(op, 'topK', a.topK, 0);
    assertF64Range(op, 'uniforms', a.uniforms, a.rows, 0, 1);
    if (!(a.outTokens instanceof Int32Array)) throw new TypeError(`sample: outTokens must be an Int32Array (got ${typeof a.outTokens})`);
    if (a.outTokens.length < a.rows) throw new RangeError(`sample: outTokens must have length >= ${a.rows} (got ${a.outTokens.length})`);
    assertF32(op, 'outLogprobs', a.outLogprobs, a.rows);
  },
  reference: sampleReference,
  js: sampleJs,
  gaps: [
    {
      backends: ['webgpu', 'headlessgl', 'webasm', 'cpu'],
      reason: 'an inverse-CDF walk with top-k selection per row is sequential and branchy, and its output is one integer per row: no gpu.js kernel shape fits',
    },
  ],
  conformance: {
    outputs: ['outTokens', 'outLogprobs'],
    cases(rng, { small }) {
      const shapes: [number, number][] = small ? [[1, 1], [4, 9]] : [[1, 1], [4, 9], [32, 97]];
      const settings: [number, number][] = [
        [0, 0],
        [1, 0],
        [0.7, 3],
        [1.3, 1],
      ];
      return shapes.flatMap(([rows, vocab]) =>
        settings.map(([temperature, topK]) => {
          const logits = rng.f32(rows * vocab, -3, 3);
          // Duplicated logits make ties at the argmax and at the top-k cut.
          for (let i = 1; i < logits.length; i += 3) logits[i] = logits[i - 1];
          const uniforms = new Float64Array(rows);
          for (let r = 0; r < rows; r++) uniforms[r] = rng.next();
          return {
            label: `${rows}x${vocab} T=${temperature} topK=${topK}`,
            args: { logits, rows, vocab, temperature, topK, uniforms, outTokens: new Int32Array(rows), outLogprobs: new Float32Array(rows) },
          };
        }),
      );
    },
  },
});
