import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '@paretopo/kernels';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILES, checksumManifest, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { CheckpointError } from './errors';
import { maskedNll } from './loss';
import { TinyGPT, nextTokenTargets } from './model';
import { AdamW } from './optim';
import { Rng } from '@paretopo/random';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { TagTokenizer } from './tokenizer';

const tok = TagTokenizer.create();
const config = { layers: 2, dModel: 16, heads: 2, context: 32, vocab: tok.size, mlpRatio: 2 };
const root = mkdtempSync(join(tmpdir(), 'policy-ckpt-'));
let js: Backend;
beforeAll(async () => {
  js = await createBackend('js');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const text = ['<calc>1+2</calc><res>3</res>', '<ans>3</ans>', 'hello\nworld'];
const seqs = text.map((t) => Int32Array.from([tok.bosId, ...tok.encode(t), tok.eosId]));
const seqOffsets = Int32Array.from([0, ...seqs.map((_, i) => seqs.slice(0, i + 1).reduce((a, s) => a + s.length, 0))]);
const tokens = Int32Array.from(seqs.flatMap((s) => [...s]));
const batch = { tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) };
const mask = new Uint8Array(tokens.length);
for (let s = 0; s < seqs.length; s++) for (let t = seqOffsets[s]; t < seqOffsets[s + 1] - 1; t++) mask[t] = 1;

/** `steps` AdamW steps of supervised training; the RNG draws one number per step (a stand-in for data order). */
async function train(model: TinyGPT, opt: AdamW, rng: Rng, steps: number): Promise<void> {
  const grads = new Float32Array(model.params.length);
  for (let i = 0; i < steps; i++) {
    rng.next();
    const fwd = await model.forward(batch);
    await model.backward(fwd, maskedNll(fwd.logprobs, mask).dLogprobs, grads);
    await opt.step(model.params, grads);
  }
}

const optOptions = { lr: 3e-3, warmupSteps: 2, totalSteps: 6 };

describe('checkpoints', () => {
  it('save → load gives identical logits, tokenizer, optimiser and RNG', async () => {
    const model = TinyGPT.create(config, js, { seed: 1 });
    const opt = new AdamW(js, model.layout, optOptions);
    const rng = new Rng(9);
    await train(model, opt, rng, 2);
    const dir = join(root, 'a');
    await saveCheckpoint(dir, { model, tokenizer: tok, optimizer: opt, rng, extra: { epoch: 3 } });
    expect(readdirSync(dir).sort()).toEqual(Object.values(CHECKPOINT_FILES).sort());
    const back = await loadCheckpoint(dir, js);
    expect(back.model.params).toEqual(model.params);
    expect(await back.model.logits(tokens, seqOffsets)).toEqual(await model.logits(tokens, seqOffsets));
    expect(back.tokenizer.vocab).toEqual(tok.vocab);
    expect(back.optimizer!.state()).toEqual(opt.state());
    expect(back.optimizer!.options).toEqual(opt.options);
    expect(back.rng!.state()).toEqual(rng.state());
    expect(back.extra).toEqual({ epoch: 3 });
  });

  it('resume gives the same weights as an uninterrupted run; same seed → identical weights', async () => {
    const a = TinyGPT.create(config, js, { seed: 2 });
    const optA = new AdamW(js, a.layout, optOptions);
    const rngA = new Rng(4);
    await train(a, optA, rngA, 6);

    const b = TinyGPT.create(config, js, { seed: 2 });
    const optB = new AdamW(js, b.layout, optOptions);
    await train(b, optB, new Rng(4), 3);
    const dir = join(root, 'resume');
    await saveCheckpoint(dir, { model: b, tokenizer: tok, optimizer: optB, rng: new Rng(4) });
    const rngB = new Rng(4);
    for (let i = 0; i < 3; i++) rngB.next();
    await saveCheckpoint(dir, { model: b, tokenizer: tok, optimizer: optB, rng: rngB });
    const c = await loadCheckpoint(dir, js);
    await train(c.model, c.optimizer!, c.rng!, 3);
    expect(c.model.params).toEqual(a.params);
    expect(c.rng!.state()).toEqual(rngA.state());
    expect(c.optimizer!.steps).toBe(6);
    expect(readdirSync(dir).some((f) => f.includes('.tmp-'))).toBe(false);
  });

  it('writes PyTorch-loadable safetensors: GPT-2 names, F32, [in, out] linear weights', async () => {
    const model = TinyGPT.create(config, js, { seed: 5 });
    const dir = join(root, 'names');
    await saveCheckpoint(dir, { model, tokenizer: tok });
    const file = join(dir, CHECKPOINT_FILES.weights);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(file)), file);
    expect(metadata.format).toBe('pt');
    expect(tensors.get('h.1.attn.c_attn.weight')!.shape).toEqual([16, 48]);
    expect(tensors.get('wte.weight')!.shape).toEqual([tok.size, 16]);
    expect(tensors.size).toBe(model.layout.entries.length);
  });

  describe('rejects bad checkpoints with a CheckpointError naming the file', () => {
    let good: string;
    beforeAll(async () => {
      good = join(root, 'good');
      const model = TinyGPT.create(config, js, { seed: 6 });
      await saveCheckpoint(good, { model, tokenizer: tok, optimizer: new AdamW(js, model.layout), rng: new Rng(1) });
    });
    // These cases reach the parser: the manifest is rewritten to match the edited file, as if a
    // buggy writer had saved it (the integrity checks are tested below).
    const variant = (name: string, file: string, edit: (bytes: Buffer) => Buffer | string): string => {
      const dir = copyOf(good, name);
      writeFileSync(join(dir, file), edit(readFileSync(join(good, file))));
      reseal(dir);
      return dir;
    };
    const weights = CHECKPOINT_FILES.weights;
    const reweight = (mutate: (h: Record<string, { shape: number[] }>) => void) => (b: Buffer): Buffer => {
      const decoded = decodeSafetensors(new Uint8Array(b), 'x');
      const list = [...decoded.tensors.values()];
      const h: Record<string, { shape: number[] }> = Object.fromEntries(list.map((t) => [t.name, t]));
      mutate(h);
      return Buffer.from(encodeSafetensors(Object.values(h) as never, decoded.metadata));
    };
    it.each([
      ['truncated weights', weights, (b: Buffer) => b.subarray(0, b.length - 10), /model\.safetensors: truncated/],
      ['header length out of range', weights, (b: Buffer) => { const c = Buffer.from(b); c.writeBigUInt64LE(10n ** 12n, 0); return c; }, /model\.safetensors: header length/],
      ['missing tensor', weights, reweight((h) => delete h['ln_f.bias']), /model\.safetensors: missing tensor ln_f\.bias/],
      ['unexpected tensor', weights, reweight((h) => (h['lm_head.weight'] = { name: 'lm_head.weight', shape: [1], data: new Float32Array(1) } as never)), /unexpected tensor lm_head\.weight/],
      ['wrong shape', weights, reweight((h) => (h['ln_f.bias'] = { name: 'ln_f.bias', shape: [2, 8], data: new Float32Array(16) } as never)), /ln_f\.bias has shape \[2,8\] but the config needs \[16\]/],
      ['config JSON error', CHECKPOINT_FILES.config, () => '{"format":', /config\.json: invalid JSON/],
      ['bad config', CHECKPOINT_FILES.config, (b: Buffer) => b.toString().replace('"heads": 2', '"heads": 3'), /config\.json: .*multiple of config\.heads/],
      ['tokenizer of another size', CHECKPOINT_FILES.tokenizer, () => JSON.stringify(tok.withTags(['<x>']).toJSON()), /tokenizer\.json: tokenizer has 112 tokens/],
      ['bad tokenizer', CHECKPOINT_FILES.tokenizer, () => '{"type":"bpe"}', /tokenizer\.json: TagTokenizer\.fromJSON/],
      ['bad optimiser step', CHECKPOINT_FILES.optimizer, reweightMeta({ step: '-1' }), /optimizer\.safetensors: __metadata__\.step/],
      ['bad RNG state', CHECKPOINT_FILES.state, () => '{"version":1,"rng":[0,0,0,0]}', /state\.json: .*all zero/],
    ])('%s', async (_, file, edit, re) => {
      const dir = variant(_.replace(/\W+/g, '-'), file, edit as (b: Buffer) => Buffer | string);
      const err = await loadCheckpoint(dir, js).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).toContain(dir);
    });

    it('a missing file', async () => {
      const dir = variant('missing', weights, (b) => b);
      rmSync(join(dir, weights));
      await expect(loadCheckpoint(dir, js)).rejects.toThrow(/model\.safetensors: cannot read/);
    });
  });

  describe('integrity: every corrupted checkpoint is refused with a message naming the file', () => {
    let good: string;
    let model: TinyGPT;
    let files: string[];
    beforeAll(async () => {
      good = join(root, 'sealed');
      model = TinyGPT.create(config, js, { seed: 7 });
      const opt = new AdamW(js, model.layout, optOptions);
      await train(model, opt, new Rng(3), 2);
      await saveCheckpoint(good, { model, tokenizer: tok, optimizer: opt, rng: new Rng(2), extra: { step: 2 } });
      files = readdirSync(good).sort();
    });
    const refused = async (dir: string, file: string, code?: string): Promise<void> => {
      const err = await loadCheckpoint(dir, js, { onUnverified: () => expect.unreachable('a sealed checkpoint is verified') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toContain(join(dir, file));
      if (code !== undefined) expect((err as CheckpointError).code).toBe(code);
    };

    it('an intact checkpoint loads bit-identically and lists every file in checksums.json', async () => {
      expect(files).toEqual(Object.values(CHECKPOINT_FILES).sort());
      const back = await loadCheckpoint(good, js, { onUnverified: () => expect.unreachable('verified') });
      expect(Buffer.from(back.model.params.buffer).equals(Buffer.from(model.params.buffer))).toBe(true);
      const manifest = JSON.parse(readFileSync(join(good, CHECKPOINT_FILES.checksums), 'utf8'));
      expect(Object.keys(manifest.files).sort()).toEqual(files.filter((f) => f !== CHECKPOINT_FILES.checksums));
    });

    it('a flipped byte anywhere in any file (the manifest included)', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 255 }), async (f, where, mask) => {
          const file = files[f % files.length];
          const dir = copyOf(good, `flip-${n++}`);
          const bytes = readFileSync(join(dir, file));
          const at = Math.floor(where * bytes.length);
          bytes[at] ^= mask;
          writeFileSync(join(dir, file), bytes);
          await refused(dir, file);
          rmSync(dir, { recursive: true });
        }),
        { numRuns: 150 },
      );
    });

    it('a truncated or extended file', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.nat(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.boolean(), async (f, where, extend) => {
          const file = files[f % files.length];
          const dir = copyOf(good, `cut-${n++}`);
          const bytes = readFileSync(join(dir, file));
          writeFileSync(join(dir, file), extend ? Buffer.concat([bytes, Buffer.from([0])]) : bytes.subarray(0, Math.floor(where * bytes.length)));
          await refused(dir, file);
          rmSync(dir, { recursive: true });
        }),
        { numRuns: 60 },
      );
    });

    it('an edited safetensors header (a valid file, but not the one saved)', async () => {
      const dir = copyOf(good, 'header-edit');
      const d = decodeSafetensors(new Uint8Array(readFileSync(join(dir, CHECKPOINT_FILES.weights))), 'x');
      writeFileSync(join(dir, CHECKPOINT_FILES.weights), encodeSafetensors([...d.tensors.values()], { ...d.metadata, model: 'other' }));
      await refused(dir, CHECKPOINT_FILES.weights, 'checksum');
    });

    it.each([
      ['weights: NaN', CHECKPOINT_FILES.weights, 'h.0.mlp.c_fc.weight', Number.NaN, /tensor h\.0\.mlp\.c_fc\.weight holds NaN at index 5/],
      ['weights: Infinity', CHECKPOINT_FILES.weights, 'ln_f.bias', Number.POSITIVE_INFINITY, /tensor ln_f\.bias holds Infinity at index 5/],
      ['optimiser: NaN first moment', CHECKPOINT_FILES.optimizer, 'exp_avg.wte.weight', Number.NaN, /tensor exp_avg\.wte\.weight holds NaN/],
      ['optimiser: negative second moment', CHECKPOINT_FILES.optimizer, 'exp_avg_sq.wpe.weight', -1, /tensor exp_avg_sq\.wpe\.weight holds a negative second moment \(-1\)/],
    ])('non-finite values with a matching checksum (%s) are a load error naming the file and tensor', async (label, file, tensor, value, re) => {
      const dir = copyOf(good, label.replace(/\W+/g, '-'));
      const d = decodeSafetensors(new Uint8Array(readFileSync(join(dir, file))), 'x');
      d.tensors.get(tensor)!.data[5] = value;
      writeFileSync(join(dir, file), encodeSafetensors([...d.tensors.values()], d.metadata));
      reseal(dir);
      await refused(dir, file, 'nonfinite');
      await expect(loadCheckpoint(dir, js)).rejects.toThrow(re);
    });

    it('a file the manifest does not list, a missing listed file, and a manifest naming another path', async () => {
      const stray = copyOf(good, 'stray');
      reseal(stray, [CHECKPOINT_FILES.optimizer]);
      await refused(stray, CHECKPOINT_FILES.optimizer, 'checksum');
      const missing = copyOf(good, 'listed-missing');
      rmSync(join(missing, CHECKPOINT_FILES.state));
      await refused(missing, CHECKPOINT_FILES.state, 'io');
      const outside = copyOf(good, 'outside');
      const text = readFileSync(join(outside, CHECKPOINT_FILES.checksums), 'utf8').replace('"state.json"', '"../state.json"');
      writeFileSync(join(outside, CHECKPOINT_FILES.checksums), text);
      await refused(outside, CHECKPOINT_FILES.checksums, 'checksum');
      const huge = copyOf(good, 'huge-manifest');
      writeFileSync(join(huge, CHECKPOINT_FILES.checksums), ' '.repeat(5000));
      await refused(huge, CHECKPOINT_FILES.checksums, 'checksum');
    });

    it('a checkpoint without checksums.json (an older save) loads with one warning naming the directory', async () => {
      const dir = copyOf(good, 'legacy');
      rmSync(join(dir, CHECKPOINT_FILES.checksums));
      const warnings: string[] = [];
      const back = await loadCheckpoint(dir, js, { onUnverified: (m) => warnings.push(m) });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(dir);
      expect(warnings[0]).toMatch(/no checksums\.json/);
      expect(back.model.params).toEqual(model.params);
      // Non-finite weights are still refused without a manifest.
      const d = decodeSafetensors(new Uint8Array(readFileSync(join(dir, CHECKPOINT_FILES.weights))), 'x');
      d.tensors.get('wte.weight')!.data[0] = Number.NaN;
      writeFileSync(join(dir, CHECKPOINT_FILES.weights), encodeSafetensors([...d.tensors.values()], d.metadata));
      await expect(loadCheckpoint(dir, js, { onUnverified: () => {} })).rejects.toThrow(/model\.safetensors: tensor wte\.weight holds NaN/);
    });

    it('save refuses non-finite weights and moments, naming the tensor', async () => {
      const bad = TinyGPT.fromParams(config, js, model.params.slice());
      const e = bad.layout.entries.find((x) => x.name === 'h.1.ln_1.weight')!;
      bad.params[e.offset + 3] = Number.NaN;
      await expect(saveCheckpoint(join(root, 'nan-save'), { model: bad, tokenizer: tok })).rejects.toThrow(
        /saveCheckpoint: parameter h\.1\.ln_1\.weight holds NaN at index 3/,
      );
      expect(existsSync(join(root, 'nan-save', CHECKPOINT_FILES.weights))).toBe(false);
    });

    it('saving without an optimiser over a checkpoint that had one leaves a consistent checkpoint', async () => {
      const dir = copyOf(good, 'resave');
      await saveCheckpoint(dir, { model, tokenizer: tok });
      expect(existsSync(join(dir, CHECKPOINT_FILES.optimizer))).toBe(false);
      const back = await loadCheckpoint(dir, js, { onUnverified: () => expect.unreachable('verified') });
      expect(back.optimizer).toBeNull();
      expect(back.rng).toBeNull();
    });
  });
});

function copyOf(from: string, name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(from)) writeFileSync(join(dir, f), readFileSync(join(from, f)));
  return dir;
}

/** Rewrites checksums.json to match the files now in `dir` (all but `omit`). */
function reseal(dir: string, omit: readonly string[] = []): void {
  const names = readdirSync(dir).filter((f) => f !== CHECKPOINT_FILES.checksums && !omit.includes(f));
  writeFileSync(join(dir, CHECKPOINT_FILES.checksums), checksumManifest(names.map((name) => ({ name, data: readFileSync(join(dir, name)) }))));
}

function reweightMeta(meta: Record<string, string>) {
  return (b: Buffer): Buffer => {
    const d = decodeSafetensors(new Uint8Array(b), 'x');
    return Buffer.from(encodeSafetensors([...d.tensors.values()], { ...d.metadata, ...meta }));
  };
}
