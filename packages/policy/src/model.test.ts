import { createBackend, type Backend } from '@paretopo/kernels';
import { seededRandom } from '@paretopo/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramLayout, type TinyGPTConfig } from './config';
import { maskedNll } from './loss';
import { TinyGPT, nextTokenTargets, sharedPrefixes, type ForwardResult, type PackedBatch } from './model';
import { AdamW } from './optim';

const micro: TinyGPTConfig = { layers: 1, dModel: 8, heads: 2, context: 16, vocab: 20, mlpRatio: 4 };
const micro2: TinyGPTConfig = { ...micro, layers: 2 };

let ref: Backend;
let js: Backend;
beforeAll(async () => {
  ref = await createBackend('reference');
  js = await createBackend('js');
});

/** A model with O(1) random weights, so every gradient is far above float32 noise. */
/** Largest relative difference between the gradients of two tapes of the same batch (the slow path's as the scale). */
async function gradientGap(model: TinyGPT, slow: ForwardResult, fast: ForwardResult, w: Float32Array): Promise<number> {
  const gSlow = new Float32Array(model.params.length);
  const gFast = new Float32Array(model.params.length);
  await model.backward(slow, w, gSlow);
  await model.backward(fast, w, gFast);
  let err = 0;
  for (let i = 0; i < gSlow.length; i++) err = Math.max(err, Math.abs(gFast[i] - gSlow[i]) / Math.max(1, Math.abs(gSlow[i])));
  return err;
}

function randomModel(config: TinyGPTConfig, backend: Backend, seed: number): TinyGPT {
  const rand = seededRandom(seed);
  const model = TinyGPT.create(config, backend, { seed });
  for (let i = 0; i < model.params.length; i++) model.params[i] = (rand() - 0.5) * 1.2;
  return model;
}

function randomBatch(config: TinyGPTConfig, lengths: number[], seed: number): PackedBatch {
  const rand = seededRandom(seed);
  const seqOffsets = new Int32Array(lengths.length + 1);
  lengths.forEach((l, i) => (seqOffsets[i + 1] = seqOffsets[i] + l));
  const tokens = new Int32Array(seqOffsets[lengths.length]);
  for (let t = 0; t < tokens.length; t++) tokens[t] = Math.floor(rand() * config.vocab);
  const targets = new Int32Array(tokens.length);
  for (let t = 0; t < tokens.length; t++) targets[t] = Math.floor(rand() * config.vocab);
  return { tokens, seqOffsets, targets };
}

/** L(θ) = Σ w_t · logp_t, accumulated in float64. */
async function objective(model: TinyGPT, batch: PackedBatch, w: Float32Array, entropyW?: Float32Array): Promise<number> {
  const { logprobs, entropy } = await model.forward(batch, { entropy: entropyW !== undefined });
  let s = 0;
  for (let t = 0; t < w.length; t++) s += w[t] * logprobs[t] + (entropyW ? entropyW[t] * entropy![t] : 0);
  return s;
}

describe('TinyGPT forward', () => {
  it('gives normalised distributions and agrees between js and reference backends', async () => {
    const a = randomModel(micro2, ref, 1);
    const b = TinyGPT.fromParams(micro2, js, a.params);
    const batch = randomBatch(micro2, [5, 1, 7], 2);
    const ra = await a.forward(batch, { entropy: true });
    const rb = await b.forward(batch, { entropy: true });
    for (let t = 0; t < batch.tokens.length; t++) {
      expect(Math.abs(ra.logprobs[t] - rb.logprobs[t])).toBeLessThan(1e-4);
      let z = 0;
      for (let j = 0; j < micro2.vocab; j++) z += Math.exp(ra.logits[t * micro2.vocab + j]);
      expect(ra.logprobs[t]).toBeCloseTo(ra.logits[t * micro2.vocab + batch.targets[t]] - Math.log(z), 4);
      expect(ra.entropy![t]).toBeGreaterThan(0);
    }
  });

  it('never attends across sequences: packing equals running each sequence alone', async () => {
    const model = randomModel(micro2, ref, 3);
    const batch = randomBatch(micro2, [4, 6], 4);
    const packed = await model.forward(batch);
    const alone = await model.forward({
      tokens: batch.tokens.slice(4), seqOffsets: Int32Array.of(0, 6), targets: batch.targets.slice(4),
    });
    for (let t = 0; t < 6; t++) expect(packed.logprobs[4 + t]).toBeCloseTo(alone.logprobs[t], 5);
  });

  it('is causal: a later token does not change earlier log-probs', async () => {
    const model = randomModel(micro, ref, 5);
    const batch = randomBatch(micro, [6], 6);
    const before = await model.forward(batch);
    const tokens = batch.tokens.slice();
    tokens[5] = (tokens[5] + 1) % micro.vocab;
    const after = await model.forward({ ...batch, tokens });
    for (let t = 0; t < 5; t++) expect(after.logprobs[t]).toBe(before.logprobs[t]);
  });

  it('builds next-token targets per sequence', () => {
    expect(Array.from(nextTokenTargets(Int32Array.of(5, 6, 7, 8), Int32Array.of(0, 3, 4)))).toEqual([6, 7, 0, 0]);
    expect(Array.from(nextTokenTargets(Int32Array.of(5, 6), Int32Array.of(0, 0, 2), 9))).toEqual([6, 9]);
  });

  it.each([
    ['token out of range', { tokens: Int32Array.of(0, 20), seqOffsets: Int32Array.of(0, 2), targets: Int32Array.of(0, 0) }, /tokens\[1\] is 20/],
    ['target out of range', { tokens: Int32Array.of(0, 1), seqOffsets: Int32Array.of(0, 2), targets: Int32Array.of(-1, 0) }, /targets\[0\] is -1/],
    ['offsets not ending at T', { tokens: Int32Array.of(0, 1), seqOffsets: Int32Array.of(0, 1), targets: Int32Array.of(0, 0) }, /end at tokens.length/],
    ['decreasing offsets', { tokens: Int32Array.of(0, 1), seqOffsets: Int32Array.of(0, 2, 1, 2), targets: Int32Array.of(0, 0) }, /non-decreasing/],
    ['sequence longer than context', { tokens: new Int32Array(17), seqOffsets: Int32Array.of(0, 17), targets: new Int32Array(17) }, /more than the context 16/],
    ['targets of wrong length', { tokens: Int32Array.of(0, 1), seqOffsets: Int32Array.of(0, 2), targets: Int32Array.of(0) }, /targets must be/],
  ])('rejects %s', async (_, batch, re) => {
    const model = TinyGPT.create(micro, ref);
    await expect(model.forward(batch as PackedBatch)).rejects.toThrow(re);
  });

  it('rejects bad backward arguments', async () => {
    const model = TinyGPT.create(micro, ref);
    const batch = randomBatch(micro, [3], 1);
    const fwd = await model.forward(batch);
    const grads = new Float32Array(model.params.length);
    await expect(model.backward(fwd, new Float32Array(2), grads)).rejects.toThrow(/dLogprobs must be/);
    await expect(model.backward(fwd, new Float32Array(3), new Float32Array(5))).rejects.toThrow(/grads must be/);
    await expect(model.backward(fwd, Float32Array.of(0, Number.NaN, 0), grads)).rejects.toThrow(/dLogprobs\[1\] is NaN/);
    expect(() => TinyGPT.fromParams(micro, ref, new Float32Array(3))).toThrow(/params must be/);
  });
});

describe('TinyGPT backward: finite differences (reference backend, float64 sums)', () => {
  const h = 1e-2;
  it.each([
    ['1 layer', micro],
    ['2 layers', micro2],
  ])('matches central differences for every parameter tensor (%s)', async (_, config) => {
    const model = randomModel(config, ref, 11);
    const batch = randomBatch(config, [5, 3, 1], 12);
    const rand = seededRandom(13);
    const w = Float32Array.from({ length: batch.tokens.length }, () => rand() - 0.5);
    const ew = Float32Array.from({ length: batch.tokens.length }, () => rand() - 0.5);
    const fwd = await model.forward(batch, { entropy: true });
    const grads = new Float32Array(model.params.length);
    await model.backward(fwd, w, grads, { dEntropy: ew });
    let checked = 0;
    for (const e of paramLayout(config).entries) {
      for (let k = 0; k < 3; k++) {
        const i = e.offset + Math.floor(rand() * e.size);
        const keep = model.params[i];
        model.params[i] = keep + h;
        const up = await objective(model, batch, w, ew);
        model.params[i] = keep - h;
        const down = await objective(model, batch, w, ew);
        model.params[i] = keep;
        const fd = (up - down) / (2 * h);
        expect(Math.abs(fd - grads[i]), `${e.name}[${i - e.offset}] fd ${fd} vs ${grads[i]}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
        checked++;
      }
    }
    expect(checked).toBe(paramLayout(config).entries.length * 3);
  });

  it('matches a directional derivative of the whole model', async () => {
    const model = randomModel(micro2, ref, 21);
    const batch = randomBatch(micro2, [6, 4], 22);
    const rand = seededRandom(23);
    const w = Float32Array.from({ length: batch.tokens.length }, () => rand() - 0.5);
    const grads = new Float32Array(model.params.length);
    await model.backward(await model.forward(batch), w, grads);
    const u = Float32Array.from({ length: model.params.length }, () => rand() - 0.5);
    const keep = model.params.slice();
    const eps = 3e-3;
    for (let i = 0; i < u.length; i++) model.params[i] = keep[i] + eps * u[i];
    const up = await objective(model, batch, w);
    for (let i = 0; i < u.length; i++) model.params[i] = keep[i] - eps * u[i];
    const down = await objective(model, batch, w);
    model.params.set(keep);
    let dot = 0;
    for (let i = 0; i < u.length; i++) dot += grads[i] * u[i];
    expect(Math.abs((up - down) / (2 * eps) - dot)).toBeLessThan(1e-2 * Math.abs(dot) + 1e-3);
  });

  it('accumulates when asked', async () => {
    const model = randomModel(micro, ref, 31);
    const batch = randomBatch(micro, [4], 32);
    const fwd = await model.forward(batch);
    const w = new Float32Array(4).fill(1);
    const once = new Float32Array(model.params.length);
    await model.backward(fwd, w, once);
    const twice = once.slice();
    await model.backward(fwd, w, twice, { accumulate: true });
    for (let i = 0; i < once.length; i += 37) expect(twice[i]).toBeCloseTo(2 * once[i], 5);
  });
});

describe('TinyGPT training', () => {
  it('overfits 32 short sequences to near-zero loss (js backend, bounded steps)', async () => {
    const config: TinyGPTConfig = { layers: 1, dModel: 32, heads: 2, context: 16, vocab: 48, mlpRatio: 4 };
    const model = TinyGPT.create(config, js, { seed: 1 });
    const rand = seededRandom(7);
    // Sequence i = [key_i, 5 memorised tokens]; only the memorised tokens count.
    const len = 6;
    const tokens = new Int32Array(32 * len);
    const seqOffsets = Int32Array.from({ length: 33 }, (_, i) => i * len);
    const mask = new Uint8Array(tokens.length);
    for (let s = 0; s < 32; s++) {
      tokens[s * len] = s;
      for (let j = 1; j < len; j++) tokens[s * len + j] = 32 + Math.floor(rand() * 16);
      for (let j = 0; j < len - 1; j++) mask[s * len + j] = 1;
    }
    const batch = { tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) };
    const opt = new AdamW(js, model.layout, { lr: 1e-2, warmupSteps: 10, weightDecay: 0, clipNorm: 1 });
    const grads = new Float32Array(model.params.length);
    let loss = Infinity;
    let steps = 0;
    const first = maskedNll((await model.forward(batch)).logprobs, mask).loss;
    while (steps < 400 && loss > 0.02) {
      const fwd = await model.forward(batch);
      const r = maskedNll(fwd.logprobs, mask);
      loss = r.loss;
      await model.backward(fwd, r.dLogprobs, grads);
      await opt.step(model.params, grads);
      steps++;
    }
    expect(first).toBeGreaterThan(3);
    expect(loss).toBeLessThan(0.02);
  });
});

describe('TinyGPT.prefill', () => {
  it('equals the full forward bit for bit: every K and V, and the logits of each last row', async () => {
    // Sequence lengths on both sides of the blocked-attention threshold (32), context 64.
    const config: TinyGPTConfig = { layers: 3, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 };
    const model = randomModel(config, js, 5);
    const batch = randomBatch(config, [1, 7, 33, 40, 2], 6);
    const positions = model.checkBatch('test', batch.tokens, batch.seqOffsets);
    const full = await model.forwardCore(batch, positions);
    const last = batch.seqOffsets.subarray(1).map((end) => end - 1);
    const pre = await model.prefill(batch.tokens, batch.seqOffsets, positions, last);
    for (let l = 0; l < config.layers; l++) {
      expect(pre.k[l]).toEqual(full.layers[l].k);
      expect(pre.v[l]).toEqual(full.layers[l].v);
    }
    const want = new Float32Array(last.length * config.vocab);
    last.forEach((t, r) => want.set(full.logits.subarray(t * config.vocab, (t + 1) * config.vocab), r * config.vocab));
    expect(pre.logits).toEqual(want);
  });
});

describe('TinyGPT forward/backward with rows (the loss positions only)', () => {
  const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);
  it.each([
    ['1 layer, js', { layers: 1, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 }, 'js'],
    ['3 layers, js', { layers: 3, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 }, 'js'],
    ['2 layers, reference', { layers: 2, dModel: 8, heads: 2, context: 64, vocab: 20, mlpRatio: 4 }, 'reference'],
  ] as const)('equal the full forward and backward bit for bit (%s)', async (_, config, backendName) => {
    const model = randomModel(config, backendName === 'js' ? js : ref, 41);
    // Sequence lengths on both sides of the blocked-attention threshold (32).
    const batch = randomBatch(config, [1, 7, 33, 40, 2], 42);
    const T = batch.tokens.length;
    const rand = seededRandom(43);
    const rows = Int32Array.from({ length: T }, (_, t) => t).filter(() => rand() < 0.3);
    const w = new Float32Array(T);
    const ew = new Float32Array(T);
    for (const t of rows) {
      w[t] = rand() - 0.5;
      ew[t] = rand() - 0.5;
    }
    const full = await model.forward(batch, { entropy: true });
    const part = await model.forward(batch, { entropy: true, rows });
    const want = new Float32Array(T);
    const wantEntropy = new Float32Array(T);
    const wantLogits = new Float32Array(rows.length * config.vocab);
    rows.forEach((t, r) => {
      want[t] = full.logprobs[t];
      wantEntropy[t] = full.entropy![t];
      wantLogits.set(full.logits.subarray(t * config.vocab, (t + 1) * config.vocab), r * config.vocab);
    });
    expect(bits(part.logprobs)).toEqual(bits(want));
    expect(bits(part.entropy!)).toEqual(bits(wantEntropy));
    expect(bits(part.logits)).toEqual(bits(wantLogits));
    const gFull = new Float32Array(model.params.length);
    const gPart = new Float32Array(model.params.length);
    await model.backward(full, w, gFull, { dEntropy: ew });
    await model.backward(part, w, gPart, { dEntropy: ew });
    expect(bits(gPart)).toEqual(bits(gFull));
  });

  it('handles no rows, and rejects bad rows and weights off the rows', async () => {
    const model = randomModel(micro2, js, 51);
    const batch = randomBatch(micro2, [3, 4], 52);
    const none = await model.forward(batch, { rows: new Int32Array(0) });
    expect(Array.from(none.logprobs)).toEqual(new Array(7).fill(0));
    const grads = new Float32Array(model.params.length).fill(1);
    await model.backward(none, new Float32Array(7), grads);
    expect(grads.every((g) => g === 0)).toBe(true);
    await expect(model.forward(batch, { rows: Int32Array.of(2, 2) })).rejects.toThrow(/rows must be strictly increasing/);
    await expect(model.forward(batch, { rows: Int32Array.of(7) })).rejects.toThrow(/in \[0, 7\)/);
    const part = await model.forward(batch, { rows: Int32Array.of(1, 5) });
    await expect(model.backward(part, Float32Array.of(0, 1, 1, 0, 0, 0, 0), grads)).rejects.toThrow(/position 2 is not one of the forward's rows/);
  });
});

describe('TinyGPT forward with shared prefixes (rows repeating the previous sequence computed once)', () => {
  const bits = (x: Float32Array): Uint32Array => new Uint32Array(x.buffer, x.byteOffset, x.length);

  it('sharedPrefixes finds each sequence\'s leading tokens equal to the previous one\'s', () => {
    const tokens = Int32Array.of(1, 2, 3, 1, 2, 4, 1, 2, 4, 5, 7, 7);
    const sp = sharedPrefixes(tokens, Int32Array.of(0, 3, 6, 10, 11, 12))!;
    expect(Array.from(sp.shared)).toEqual([0, 2, 3, 0, 1]);
    expect(Array.from(sp.unique)).toEqual([0, 1, 2, 5, 9, 10]);
    expect(sharedPrefixes(Int32Array.of(1, 2, 3), Int32Array.of(0, 1, 3))).toBeUndefined();
    expect(sharedPrefixes(new Int32Array(0), Int32Array.of(0))).toBeUndefined();
  });

  // G samples of two prompts (one prompt longer than the blocked-attention threshold, 32), some
  // samples equal, some sharing generated tokens too, a sequence that is a prefix of the next.
  function groupBatch(config: { vocab: number }, seed: number): PackedBatch {
    const rand = seededRandom(seed);
    const draw = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * config.vocab));
    const seqs: number[][] = [];
    for (const promptLen of [5, 30]) {
      const prompt = draw(promptLen);
      const first = [...prompt, ...draw(6)];
      seqs.push(first, [...first], [...first.slice(0, promptLen + 2), ...draw(5)], [...prompt, ...draw(9)], prompt.slice(0, 3), [...prompt, ...draw(1)]);
    }
    const seqOffsets = new Int32Array(seqs.length + 1);
    seqs.forEach((q, i) => (seqOffsets[i + 1] = seqOffsets[i] + q.length));
    const tokens = Int32Array.from(seqs.flat());
    return { tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) };
  }

  it.each([
    ['2 layers, js', { layers: 2, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 }, 'js'],
    ['3 layers, reference', { layers: 3, dModel: 8, heads: 2, context: 64, vocab: 20, mlpRatio: 4 }, 'reference'],
  ] as const)('the slow path (sharePrefixes: false) is the oracle: log-probs, entropies and gradients agree (%s)', async (_, config, backendName) => {
    const model = randomModel(config, backendName === 'js' ? js : ref, 51);
    const batch = groupBatch(config, 52);
    const T = batch.tokens.length;
    const rand = seededRandom(53);
    const rows = Int32Array.from({ length: T }, (_, t) => t).filter(() => rand() < 0.4);
    const w = new Float32Array(T);
    for (const t of rows) w[t] = rand() - 0.5;
    for (const opts of [{}, { rows }]) {
      const slow = await model.forward(batch, { ...opts, entropy: true, sharePrefixes: false });
      const fast = await model.forward(batch, { ...opts, entropy: true });
      for (let t = 0; t < T; t++) {
        expect(Math.abs(fast.logprobs[t] - slow.logprobs[t])).toBeLessThan(1e-5);
        expect(Math.abs(fast.entropy![t] - slow.entropy![t])).toBeLessThan(1e-5);
      }
      expect(await gradientGap(model, slow, fast, w)).toBeLessThan(1e-5);
    }
  });

  // Law: the folded backward (the gradient of each shared row summed into the row it was copied
  // from, row-wise ops on the unique rows only) equals the backward over every row, for any group
  // batch, depth, rows and log-prob / entropy weights (seeded cases; the slow path is the oracle).
  it('the folded backward equals the slow path\'s gradient on random group batches, rows and weights', async () => {
    for (let seed = 1; seed <= 12; seed++) {
      const rand = seededRandom(700 + seed);
      const config = { layers: 1 + (seed % 3), dModel: 8, heads: 2, context: 64, vocab: 19, mlpRatio: 4 };
      const model = randomModel(config, seed % 2 === 0 ? js : ref, 800 + seed);
      const batch = groupBatch(config, 900 + seed);
      const T = batch.tokens.length;
      const rows = seed % 4 === 0 ? undefined : Int32Array.from({ length: T }, (_, t) => t).filter(() => rand() < 0.5);
      const w = new Float32Array(T);
      const e = new Float32Array(T);
      for (const t of rows ?? Array.from({ length: T }, (_, t) => t)) {
        w[t] = rand() - 0.5;
        e[t] = seed % 3 === 0 ? rand() - 0.5 : 0;
      }
      const opts = rows === undefined ? {} : { rows };
      const slow = await model.forward(batch, { ...opts, sharePrefixes: false });
      const fast = await model.forward(batch, opts);
      const gSlow = new Float32Array(model.params.length);
      const gFast = new Float32Array(model.params.length);
      await model.backward(slow, w, gSlow, { dEntropy: e });
      await model.backward(fast, w, gFast, { dEntropy: e });
      let err = 0;
      for (let i = 0; i < gSlow.length; i++) err = Math.max(err, Math.abs(gFast[i] - gSlow[i]) / Math.max(1, Math.abs(gSlow[i])));
      expect(err, `seed ${seed}`).toBeLessThan(1e-5);
    }
  });

  it('forward is bit for bit the slow path when every sequence takes the same attention path (all shorter than 32); the folded backward agrees to float32 rounding', async () => {
    const config = { layers: 2, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 };
    const model = randomModel(config, js, 61);
    const full = groupBatch(config, 62);
    // Only the first prompt's group (sequences 0-5: all under 32 tokens).
    const end = full.seqOffsets[6];
    const batch = { tokens: full.tokens.subarray(0, end), seqOffsets: full.seqOffsets.subarray(0, 7), targets: full.targets.subarray(0, end) };
    expect(sharedPrefixes(batch.tokens, batch.seqOffsets)!.unique.length).toBeLessThan(end / 2);
    const slow = await model.forward(batch, { entropy: true, sharePrefixes: false });
    const fast = await model.forward(batch, { entropy: true });
    expect(bits(fast.logprobs)).toEqual(bits(slow.logprobs));
    expect(bits(fast.entropy!)).toEqual(bits(slow.entropy!));
    const w = Float32Array.from({ length: end }, (_, t) => ((t * 7) % 5) - 2);
    // The backward folds each shared row's gradient into the row it was copied from (sums in
    // another order), so its last bits may differ from the slow path's.
    expect(await gradientGap(model, slow, fast, w)).toBeLessThan(1e-5);
  });
});

describe('TinyGPT.release (activation buffers reused across calls)', () => {
  const bits = (x: Float32Array): number[] => Array.from(new Uint32Array(Float32Array.from(x).buffer));
  const config: TinyGPTConfig = { layers: 2, dModel: 16, heads: 2, context: 64, vocab: 23, mlpRatio: 4 };

  // Law: a model whose forwards and backwards take buffers that earlier calls filled and gave back
  // computes the bits of a fresh model (every reused buffer is zeroed first), on batches of growing
  // and shrinking sizes, with and without rows and shared prefixes.
  it('forwards and backwards on reused buffers equal a fresh model\'s bit for bit, and released results stay readable', async () => {
    const model = randomModel(config, js, 61);
    const lengths = [[40, 3, 17], [5], [33, 33, 9, 12], [2, 2], [50, 1]];
    for (let i = 0; i < lengths.length; i++) {
      const base = randomBatch(config, lengths[i], 70 + i);
      // Repeat the first sequence's leading tokens in the second, so the forward shares prefixes.
      const { tokens, seqOffsets } = base;
      if (seqOffsets.length > 2) for (let t = 0; t < Math.min(seqOffsets[1], seqOffsets[2] - seqOffsets[1], 4); t++) tokens[seqOffsets[1] + t] = tokens[t];
      const batch = { tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) };
      const T = tokens.length;
      const rand = seededRandom(80 + i);
      const rows = Int32Array.from({ length: T }, (_, t) => t).filter(() => rand() < 0.5);
      const w = new Float32Array(T);
      for (const t of rows) w[t] = rand() - 0.5;
      for (const opts of [{}, { rows }]) {
        const fresh = TinyGPT.fromParams(model.config, js, model.params);
        const want = await fresh.forward(batch, { ...opts, entropy: true });
        const gWant = new Float32Array(model.params.length);
        await fresh.backward(want, w, gWant);
        const got = await model.forward(batch, { ...opts, entropy: true });
        const gGot = new Float32Array(model.params.length);
        await model.backward(got, w, gGot);
        const logprobs = Float32Array.from(got.logprobs);
        const logits = Float32Array.from(got.logits);
        model.release(got);
        model.release(got); // a second release is a no-op
        // Another forward reuses the released buffers; the released result's outputs stay put.
        model.release(await model.forward(batch, opts));
        expect(bits(got.logprobs)).toEqual(bits(want.logprobs));
        expect(bits(got.entropy!)).toEqual(bits(want.entropy!));
        expect(bits(gGot)).toEqual(bits(gWant));
        expect(bits(got.logprobs)).toEqual(bits(logprobs));
        expect(bits(got.logits)).toEqual(bits(logits));
        await expect(model.backward(got, w, gGot)).rejects.toThrow(/released/);
      }
    }
  });
});
