import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '@paretopo/kernels';
import { paramLayout, validateConfig, type ParamLayout, type TinyGPTConfig } from './config';
import { CheckpointError } from './errors';
import { TinyGPT } from './model';
import { AdamW } from './optim';
import type { AdamWOptions } from './schedule';
import { Rng, type RngState } from './rng';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors';
import { TagTokenizer } from './tokenizer';

/**
 * File names inside a checkpoint directory.
 *
 * @example
 * join(dir, CHECKPOINT_FILES.weights); // '<dir>/model.safetensors'
 */
export const CHECKPOINT_FILES = Object.freeze({
  weights: 'model.safetensors',
  config: 'config.json',
  tokenizer: 'tokenizer.json',
  optimizer: 'optimizer.safetensors',
  state: 'state.json',
});

/** What {@link saveCheckpoint} writes. */
export interface CheckpointContents {
  model: TinyGPT;
  tokenizer: TagTokenizer;
  /** Optimiser whose moments, step and options are saved (optional). */
  optimizer?: AdamW;
  /** Generator (or its state) to resume the random stream (optional). */
  rng?: Rng | RngState;
  /** Any JSON the trainer wants back (optional). */
  extra?: unknown;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  model: TinyGPT;
  tokenizer: TagTokenizer;
  /** The optimiser when one was saved, else null. */
  optimizer: AdamW | null;
  /** The generator when one was saved, else null. */
  rng: Rng | null;
  /** `extra` as saved (undefined when absent). */
  extra: unknown;
}

async function writeAtomically(files: { path: string; data: Uint8Array | string }[]): Promise<void> {
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const temps: string[] = [];
  try {
    for (const f of files) {
      const tmp = f.path + tag;
      temps.push(tmp);
      const handle = await fs.open(tmp, 'w');
      try {
        await handle.writeFile(f.data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    // Every file is complete on disk before the first rename, so a crash leaves either the old or
    // the new version of each file, never a torn one.
    for (let i = 0; i < files.length; i++) await fs.rename(temps[i], files[i].path);
  } catch (err) {
    await Promise.all(temps.map((t) => fs.rm(t, { force: true })));
    throw err;
  }
}

function tensorsOf(layout: ParamLayout, flat: Float32Array, prefix: string): NamedTensor[] {
  return layout.entries.map((e) => ({ name: prefix + e.name, shape: e.shape.slice(), data: flat.subarray(e.offset, e.offset + e.size) }));
}

/**
 * Saves a checkpoint directory: `model.safetensors` (F32 weights, GPT-2 names of
 * {@link paramLayout}), `config.json`, `tokenizer.json`, and when given `optimizer.safetensors`
 * (`exp_avg.<name>`, `exp_avg_sq.<name>`; step and options in `__metadata__`) and `state.json` (RNG
 * state, `extra`). Each file is written to a temporary name in the same directory, synced, then
 * renamed over the old one.
 *
 * @param dir - the directory (created if missing)
 * @param contents - {@link CheckpointContents}
 * @returns nothing
 * @example
 * await saveCheckpoint('ckpt/step-100', { model, tokenizer, optimizer, rng });
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const { model, tokenizer, optimizer, rng, extra } = contents;
  if (tokenizer.size !== model.config.vocab) {
    throw new RangeError(`saveCheckpoint: tokenizer has ${tokenizer.size} tokens but the model's vocab is ${model.config.vocab}`);
  }
  await fs.mkdir(dir, { recursive: true });
  const files: { path: string; data: Uint8Array | string }[] = [
    { path: join(dir, CHECKPOINT_FILES.weights), data: encodeSafetensors(tensorsOf(model.layout, model.params, ''), { format: 'pt', model: 'paretopo-tinygpt' }) },
    { path: join(dir, CHECKPOINT_FILES.config), data: JSON.stringify({ format: 'paretopo-tinygpt', version: 1, config: model.config }, null, 2) },
    { path: join(dir, CHECKPOINT_FILES.tokenizer), data: JSON.stringify(tokenizer.toJSON()) },
  ];
  if (optimizer !== undefined) {
    const s = optimizer.state();
    files.push({
      path: join(dir, CHECKPOINT_FILES.optimizer),
      data: encodeSafetensors([...tensorsOf(model.layout, s.m, 'exp_avg.'), ...tensorsOf(model.layout, s.v, 'exp_avg_sq.')], {
        step: String(s.step),
        options: JSON.stringify(optimizer.options),
      }),
    });
  }
  if (rng !== undefined || extra !== undefined) {
    const rngState = rng === undefined ? null : rng instanceof Rng ? rng.state() : rng;
    files.push({ path: join(dir, CHECKPOINT_FILES.state), data: JSON.stringify({ version: 1, rng: rngState, extra: extra ?? null }) });
  }
  await writeAtomically(files);
}

async function readBytes(path: string, required: boolean): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError('io', `${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  const bytes = await readBytes(path, required);
  if (bytes === null) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new CheckpointError('json', `${path}: invalid JSON (${(err as Error).message})`, { cause: err });
  }
}

function unpack(path: string, layout: ParamLayout, tensors: Map<string, NamedTensor>, prefix: string, out: Float32Array): void {
  const expected = new Set(layout.entries.map((e) => prefix + e.name));
  for (const name of tensors.keys()) {
    if (!expected.has(name)) throw new CheckpointError('mismatch', `${path}: unexpected tensor ${name} (not in the config's parameter table)`);
  }
  for (const e of layout.entries) {
    const t = tensors.get(prefix + e.name);
    if (t === undefined) throw new CheckpointError('mismatch', `${path}: missing tensor ${prefix + e.name}`);
    if (t.shape.length !== e.shape.length || t.shape.some((s, i) => s !== e.shape[i])) {
      throw new CheckpointError('mismatch', `${path}: tensor ${prefix + e.name} has shape [${t.shape}] but the config needs [${e.shape}]`);
    }
    out.set(t.data, e.offset);
  }
}

/**
 * Loads and validates a checkpoint saved by {@link saveCheckpoint}.
 *
 * @param dir - the directory
 * @param backend - backend of the restored model and optimiser
 * @returns {@link LoadedCheckpoint}
 * @throws CheckpointError naming the file and the problem: missing or unreadable file (`io`),
 *   truncated weights (`truncated`), bad header (`header`), bad JSON (`json`), names, shapes or
 *   sizes that do not match the config (`mismatch`)
 * @example
 * const { model, tokenizer, optimizer, rng } = await loadCheckpoint('ckpt/step-100', backend);
 */
export async function loadCheckpoint(dir: string, backend: Backend): Promise<LoadedCheckpoint> {
  const cfgPath = join(dir, CHECKPOINT_FILES.config);
  const cfgJson = (await readJson(cfgPath, true)) as { format?: unknown; version?: unknown; config?: TinyGPTConfig } | null;
  if (cfgJson === null || typeof cfgJson !== 'object' || cfgJson.format !== 'paretopo-tinygpt' || cfgJson.version !== 1) {
    throw new CheckpointError('mismatch', `${cfgPath}: expected { format: 'paretopo-tinygpt', version: 1, config }`);
  }
  let config: TinyGPTConfig;
  try {
    config = validateConfig(cfgJson.config as TinyGPTConfig, 'config');
  } catch (err) {
    throw new CheckpointError('mismatch', `${cfgPath}: ${(err as Error).message}`, { cause: err });
  }
  const tokPath = join(dir, CHECKPOINT_FILES.tokenizer);
  let tokenizer: TagTokenizer;
  try {
    tokenizer = TagTokenizer.fromJSON(await readJson(tokPath, true));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError('mismatch', `${tokPath}: ${(err as Error).message}`, { cause: err });
  }
  if (tokenizer.size !== config.vocab) {
    throw new CheckpointError('mismatch', `${tokPath}: tokenizer has ${tokenizer.size} tokens but config.vocab is ${config.vocab}`);
  }
  const layout = paramLayout(config);
  const wPath = join(dir, CHECKPOINT_FILES.weights);
  const weights = decodeSafetensors((await readBytes(wPath, true))!, wPath);
  const params = new Float32Array(layout.size);
  unpack(wPath, layout, weights.tensors, '', params);
  const model = TinyGPT.fromParams(config, backend, params);

  let optimizer: AdamW | null = null;
  const oPath = join(dir, CHECKPOINT_FILES.optimizer);
  const oBytes = await readBytes(oPath, false);
  if (oBytes !== null) {
    const o = decodeSafetensors(oBytes, oPath);
    const step = Number(o.metadata.step);
    if (!Number.isInteger(step) || step < 0) throw new CheckpointError('header', `${oPath}: __metadata__.step must be an integer ≥ 0 (got ${JSON.stringify(o.metadata.step)})`);
    let options: AdamWOptions;
    try {
      options = JSON.parse(o.metadata.options ?? '') as AdamWOptions;
      optimizer = new AdamW(backend, layout, options);
    } catch (err) {
      throw new CheckpointError('header', `${oPath}: __metadata__.options is not valid AdamW options (${(err as Error).message})`, { cause: err });
    }
    const m = new Float32Array(layout.size);
    const v = new Float32Array(layout.size);
    const firsts = new Map([...o.tensors].filter(([k]) => k.startsWith('exp_avg.')));
    const seconds = new Map([...o.tensors].filter(([k]) => k.startsWith('exp_avg_sq.')));
    for (const k of o.tensors.keys()) {
      if (!firsts.has(k) && !seconds.has(k)) throw new CheckpointError('mismatch', `${oPath}: unexpected tensor ${k}`);
    }
    unpack(oPath, layout, firsts, 'exp_avg.', m);
    unpack(oPath, layout, seconds, 'exp_avg_sq.', v);
    optimizer.loadState({ step, m, v });
  }

  let rng: Rng | null = null;
  let extra: unknown;
  const sPath = join(dir, CHECKPOINT_FILES.state);
  const state = (await readJson(sPath, false)) as { version?: unknown; rng?: unknown; extra?: unknown } | undefined;
  if (state !== undefined) {
    if (state === null || typeof state !== 'object' || state.version !== 1) throw new CheckpointError('mismatch', `${sPath}: expected { version: 1, rng, extra }`);
    if (state.rng !== null && state.rng !== undefined) {
      try {
        rng = Rng.fromState(state.rng as number[]);
      } catch (err) {
        throw new CheckpointError('mismatch', `${sPath}: ${(err as Error).message}`, { cause: err });
      }
    }
    extra = state.extra === null ? undefined : state.extra;
  }
  return { model, tokenizer, optimizer, rng, extra };
}
