import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, join } from 'node:path';
import type { Backend } from '@paretopo/kernels';
import { paramLayout, validateConfig, type ParamLayout, type TinyGPTConfig } from './config';
import { CheckpointError } from './errors';
import { TinyGPT } from './model';
import { AdamW } from './optim';
import type { AdamWOptions } from './schedule';
import { Rng, type RngState } from '@paretopo/random';
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
  checksums: 'checksums.json',
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

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * Called once when the directory has no `checksums.json` (a checkpoint saved before integrity
   * data existed): it still loads, every other check applies, but a flipped byte inside a tensor
   * cannot be detected. Default: `process.emitWarning` with code `PARETOPO_UNVERIFIED_CHECKPOINT`.
   */
  onUnverified?: (message: string) => void;
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

const MANIFEST_FORMAT = 'paretopo-checksums';
const SHA256_RE = /^[0-9a-f]{64}$/;
// A manifest lists at most five files of ~100 bytes each; anything larger is not one.
const MAX_MANIFEST = 4096;
type ManifestFiles = Record<string, { bytes: number; sha256: string }>;

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

// One serialisation, used to write and to check: a manifest must be byte-identical to the
// re-serialisation of what it parses to, so no edit of it (a flipped digit, a duplicate key, a
// stray space) can pass.
function serializeManifest(files: ManifestFiles): string {
  return `${JSON.stringify({ format: MANIFEST_FORMAT, version: 1, algorithm: 'sha256', files })}\n`;
}

/**
 * The `checksums.json` text for a set of checkpoint files: size and SHA-256 of each file's bytes
 * (strings as UTF-8, as they are written). {@link saveCheckpoint} writes it with the files it
 * covers; {@link loadCheckpoint} checks every file against it before parsing anything.
 *
 * @param files - file names (the values of {@link CHECKPOINT_FILES}) and their contents
 * @returns the manifest's text
 * @example
 * checksumManifest([{ name: 'config.json', data: '{}' }]);
 * // '{"format":"paretopo-checksums","version":1,"algorithm":"sha256","files":{"config.json":{"bytes":2,"sha256":"44136f…"}}}\n'
 */
export function checksumManifest(files: readonly { name: string; data: Uint8Array | string }[]): string {
  const entries: ManifestFiles = {};
  for (const f of files) entries[f.name] = { bytes: typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength, sha256: sha256(f.data) };
  return serializeManifest(entries);
}

const KNOWN_FILES: readonly string[] = Object.values(CHECKPOINT_FILES).filter((f) => f !== CHECKPOINT_FILES.checksums);
const REQUIRED_FILES: readonly string[] = [CHECKPOINT_FILES.config, CHECKPOINT_FILES.tokenizer, CHECKPOINT_FILES.weights];

function parseManifest(bytes: Uint8Array, path: string): ManifestFiles {
  const fail = (msg: string, cause?: unknown): never => {
    throw new CheckpointError('checksum', `${path}: ${msg}`, { cause });
  };
  let text = '';
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    parsed = JSON.parse(text);
  } catch (err) {
    fail(`invalid JSON (${(err as Error).message})`, err);
  }
  const m = parsed as { format?: unknown; version?: unknown; algorithm?: unknown; files?: unknown } | null;
  if (m === null || typeof m !== 'object' || m.format !== MANIFEST_FORMAT || m.version !== 1 || m.algorithm !== 'sha256') {
    fail(`expected { format: '${MANIFEST_FORMAT}', version: 1, algorithm: 'sha256', files }`);
  }
  const files = m!.files;
  if (files === null || typeof files !== 'object' || Array.isArray(files)) fail('files must be an object');
  for (const [name, entry] of Object.entries(files as object)) {
    // Only the checkpoint's own file names: a manifest never makes the loader read another path.
    if (!KNOWN_FILES.includes(name)) fail(`lists ${JSON.stringify(name)}, which is not a checkpoint file (${KNOWN_FILES.join(', ')})`);
    const e = entry as { bytes?: unknown; sha256?: unknown } | null;
    if (e === null || typeof e !== 'object' || !Number.isSafeInteger(e.bytes) || (e.bytes as number) < 0 || typeof e.sha256 !== 'string' || !SHA256_RE.test(e.sha256)) {
      fail(`files.${name} must be { bytes: integer ≥ 0, sha256: 64 lowercase hex digits } (got ${JSON.stringify(entry)})`);
    }
  }
  if (serializeManifest(files as ManifestFiles) !== text) fail('was edited after it was saved (it is not in the form saveCheckpoint writes)');
  return files as ManifestFiles;
}

/** Reads a checkpoint's files, each checked against `checksums.json` when the directory has one. */
type FileReader = (name: string, required: boolean) => Promise<Uint8Array | null>;

async function openCheckpointFiles(dir: string, options: LoadCheckpointOptions): Promise<FileReader> {
  const mPath = join(dir, CHECKPOINT_FILES.checksums);
  const mSize = await fs.stat(mPath).then((st) => st.size, () => 0);
  if (mSize > MAX_MANIFEST) {
    throw new CheckpointError('checksum', `${mPath}: ${mSize} bytes, more than the ${MAX_MANIFEST} a manifest of ${KNOWN_FILES.length} files can need`);
  }
  const raw = await readBytes(mPath, false);
  if (raw === null) {
    const warn = options.onUnverified ?? ((m: string) => process.emitWarning(m, { code: 'PARETOPO_UNVERIFIED_CHECKPOINT' }));
    warn(`${dir}: no ${CHECKPOINT_FILES.checksums} (saved before checkpoints carried checksums): loading without an integrity check; save it again to add one`);
    return (name, required) => readBytes(join(dir, name), required);
  }
  const manifest = parseManifest(raw, mPath);
  for (const name of REQUIRED_FILES) {
    if (manifest[name] === undefined) throw new CheckpointError('checksum', `${mPath}: does not list ${name}`);
  }
  for (const name of KNOWN_FILES) {
    if (manifest[name] !== undefined) continue;
    const stray = await fs.stat(join(dir, name)).then(() => true, () => false);
    if (stray) {
      throw new CheckpointError('checksum', `${join(dir, name)}: not listed in ${mPath}, so it is not part of the save the manifest describes (an interrupted or mixed save)`);
    }
  }
  return async (name, required) => {
    const entry = manifest[name];
    if (entry === undefined) {
      if (required) throw new CheckpointError('checksum', `${mPath}: does not list ${name}`);
      return null;
    }
    const path = join(dir, name);
    // Sizes first, from the directory entry: a file grown to any size is refused without reading it.
    const size = await fs.stat(path).then((st) => st.size, () => null);
    if (size !== null && size !== entry.bytes) {
      throw new CheckpointError('checksum', `${path}: ${size} bytes but ${mPath} records ${entry.bytes} (truncated or extended after it was saved)`);
    }
    const bytes = (await readBytes(path, true))!;
    if (bytes.length !== entry.bytes) {
      throw new CheckpointError('checksum', `${path}: ${bytes.length} bytes but ${mPath} records ${entry.bytes} (truncated or extended after it was saved)`);
    }
    const got = sha256(bytes);
    if (got !== entry.sha256) {
      throw new CheckpointError('checksum', `${path}: SHA-256 ${got} does not match ${entry.sha256} recorded in ${mPath} (the file was corrupted or edited after it was saved)`);
    }
    return bytes;
  };
}

// NaN in, error out: a diverged run must not be saved, and a NaN read back must not reach a rollout.
function firstNonFinite(data: Float32Array, nonNegative: boolean): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v) || (nonNegative && v < 0)) return i;
  }
  return -1;
}

function assertFiniteTensors(path: string, tensors: Iterable<NamedTensor>, nonNegative: (name: string) => boolean): void {
  for (const t of tensors) {
    const i = firstNonFinite(t.data, nonNegative(t.name));
    if (i >= 0) {
      const what = Number.isFinite(t.data[i]) ? `a negative second moment (${t.data[i]})` : `${t.data[i]}`;
      throw new CheckpointError('nonfinite', `${path}: tensor ${t.name} holds ${what} at index ${i} (the run that saved it diverged, or the file is corrupt)`);
    }
  }
}

function tensorsOf(layout: ParamLayout, flat: Float32Array, prefix: string): NamedTensor[] {
  return layout.entries.map((e) => ({ name: prefix + e.name, shape: e.shape.slice(), data: flat.subarray(e.offset, e.offset + e.size) }));
}

/**
 * Saves a checkpoint directory: `model.safetensors` (F32 weights, GPT-2 names of
 * {@link paramLayout}), `config.json`, `tokenizer.json`, and when given `optimizer.safetensors`
 * (`exp_avg.<name>`, `exp_avg_sq.<name>`; step and options in `__metadata__`) and `state.json` (RNG
 * state, `extra`), and `checksums.json` (size and SHA-256 of every other file, see
 * {@link checksumManifest}). Each file is written to a temporary name in the same directory, synced,
 * then renamed over the old one, the manifest last; an optional file of an earlier save that this
 * save does not write is removed.
 *
 * @param dir - the directory (created if missing)
 * @param contents - {@link CheckpointContents}
 * @returns nothing
 * @throws RangeError when a weight or optimiser moment is NaN or ±Infinity (a diverged run), naming
 *   the tensor and index
 * @example
 * await saveCheckpoint('ckpt/step-100', { model, tokenizer, optimizer, rng });
 */
export async function saveCheckpoint(dir: string, contents: CheckpointContents): Promise<void> {
  const { model, tokenizer, optimizer, rng, extra } = contents;
  if (tokenizer.size !== model.config.vocab) {
    throw new RangeError(`saveCheckpoint: tokenizer has ${tokenizer.size} tokens but the model's vocab is ${model.config.vocab}`);
  }
  const finite = (flat: Float32Array, what: string, nonNegative: boolean): void => {
    const i = firstNonFinite(flat, nonNegative);
    if (i < 0) return;
    const e = model.layout.entries.find((x) => i >= x.offset && i < x.offset + x.size)!;
    throw new RangeError(`saveCheckpoint: ${what} ${e.name} holds ${flat[i]} at index ${i - e.offset}; refusing to save a diverged model`);
  };
  finite(model.params, 'parameter', false);
  const optState = optimizer?.state();
  if (optState !== undefined) {
    finite(optState.m, 'optimiser first moment of', false);
    finite(optState.v, 'optimiser second moment of', true);
  }
  await fs.mkdir(dir, { recursive: true });
  const files: { path: string; data: Uint8Array | string }[] = [
    { path: join(dir, CHECKPOINT_FILES.weights), data: encodeSafetensors(tensorsOf(model.layout, model.params, ''), { format: 'pt', model: 'paretopo-tinygpt' }) },
    { path: join(dir, CHECKPOINT_FILES.config), data: JSON.stringify({ format: 'paretopo-tinygpt', version: 1, config: model.config }, null, 2) },
    { path: join(dir, CHECKPOINT_FILES.tokenizer), data: JSON.stringify(tokenizer.toJSON()) },
  ];
  if (optimizer !== undefined && optState !== undefined) {
    const s = optState;
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
  files.push({ path: join(dir, CHECKPOINT_FILES.checksums), data: checksumManifest(files.map((f) => ({ name: basename(f.path), data: f.data }))) });
  await writeAtomically(files);
  const written = new Set(files.map((f) => basename(f.path)));
  for (const name of [CHECKPOINT_FILES.optimizer, CHECKPOINT_FILES.state]) {
    if (!written.has(name)) await fs.rm(join(dir, name), { force: true });
  }
}

async function readBytes(path: string, required: boolean): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await fs.readFile(path));
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError('io', `${path}: cannot read (${(err as Error).message})`, { cause: err });
  }
}

async function readJson(read: FileReader, dir: string, name: string, required: boolean): Promise<unknown> {
  const path = join(dir, name);
  const bytes = await read(name, required);
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
 * Every file is first checked against `checksums.json` (size and SHA-256), then parsed; weights
 * and optimiser moments must be finite (second moments ≥ 0). A directory without
 * `checksums.json` (saved by an earlier version) loads with a warning
 * ({@link LoadCheckpointOptions}).
 *
 * @param dir - the directory
 * @param backend - backend of the restored model and optimiser
 * @param options - {@link LoadCheckpointOptions}
 * @returns {@link LoadedCheckpoint}
 * @throws CheckpointError naming the file and the problem: missing or unreadable file (`io`),
 *   a file that does not match its checksum, an unlisted file or a bad manifest (`checksum`),
 *   truncated weights (`truncated`), bad header (`header`), bad JSON (`json`), names, shapes or
 *   sizes that do not match the config (`mismatch`), a NaN or infinite value, naming the tensor
 *   (`nonfinite`)
 * @example
 * const { model, tokenizer, optimizer, rng } = await loadCheckpoint('ckpt/step-100', backend);
 */
export async function loadCheckpoint(dir: string, backend: Backend, options: LoadCheckpointOptions = {}): Promise<LoadedCheckpoint> {
  const read = await openCheckpointFiles(dir, options);
  const cfgPath = join(dir, CHECKPOINT_FILES.config);
  const cfgJson = (await readJson(read, dir, CHECKPOINT_FILES.config, true)) as { format?: unknown; version?: unknown; config?: TinyGPTConfig } | null;
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
    tokenizer = TagTokenizer.fromJSON(await readJson(read, dir, CHECKPOINT_FILES.tokenizer, true));
  } catch (err) {
    if (err instanceof CheckpointError) throw err;
    throw new CheckpointError('mismatch', `${tokPath}: ${(err as Error).message}`, { cause: err });
  }
  if (tokenizer.size !== config.vocab) {
    throw new CheckpointError('mismatch', `${tokPath}: tokenizer has ${tokenizer.size} tokens but config.vocab is ${config.vocab}`);
  }
  const layout = paramLayout(config);
  const wPath = join(dir, CHECKPOINT_FILES.weights);
  const weights = decodeSafetensors((await read(CHECKPOINT_FILES.weights, true))!, wPath);
  assertFiniteTensors(wPath, weights.tensors.values(), () => false);
  const params = new Float32Array(layout.size);
  unpack(wPath, layout, weights.tensors, '', params);
  const model = TinyGPT.fromParams(config, backend, params);

  let optimizer: AdamW | null = null;
  const oPath = join(dir, CHECKPOINT_FILES.optimizer);
  const oBytes = await read(CHECKPOINT_FILES.optimizer, false);
  if (oBytes !== null) {
    const o = decodeSafetensors(oBytes, oPath);
    assertFiniteTensors(oPath, o.tensors.values(), (name) => name.startsWith('exp_avg_sq.'));
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
  const state = (await readJson(read, dir, CHECKPOINT_FILES.state, false)) as { version?: unknown; rng?: unknown; extra?: unknown } | undefined;
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
