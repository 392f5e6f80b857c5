import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '@paretopo/kernels';
import { CHECKPOINT_FILES, checksumManifest, loadCheckpoint, saveCheckpoint, type AdamW, type TagTokenizer, type TinyGPT } from '@paretopo/policy';
import { MethodState, type MethodStateJSON } from '../methods';
import { writeFileAtomic, writeJsonAtomic } from './files';
import { RUN_FILES } from './types';

/** A training checkpoint that is missing, unreadable or inconsistent with the run. */
export class TrainCheckpointError extends Error {
  override readonly name = 'TrainCheckpointError';
  readonly code = 'checkpoint';
}

/** What the trainer keeps beside the policy checkpoint to resume exactly. */
export interface TrainStateExtra {
  type: 'paretopo-train-state';
  version: 1;
  /** RL steps completed. */
  step: number;
  method: MethodStateJSON;
  /** SHA-256 of the warm-start weights: the KL reference must be the same on resume. */
  initHash: string;
}

/** A resumed training state. */
export interface LoadedTrainState {
  model: TinyGPT;
  tokenizer: TagTokenizer;
  optimizer: AdamW;
  method: MethodState;
  step: number;
  initHash: string;
  dir: string;
}

/**
 * SHA-256 of a model's parameters (identifies the warm start the KL reference was taken from).
 *
 * @param params - flat parameters
 * @returns hex digest
 * @example
 * paramsHash(model.params).length; // 64
 */
export function paramsHash(params: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(params.buffer, params.byteOffset, params.byteLength)).digest('hex');
}

// The pointer file inside `checkpoints/`; it is replaced only once the checkpoint it names is complete.
const LATEST = 'latest.json';

const stepDir = (step: number): string => `step-${String(step).padStart(6, '0')}`;

/**
 * Saves a training checkpoint under `<run>/checkpoints/step-NNNNNN/`: the policy files are written
 * into a temporary directory that is renamed into place as a whole, then `latest.json` is replaced
 * atomically, then checkpoints beyond `keep` are removed (oldest first). A crash at any point leaves
 * `latest.json` naming a complete checkpoint.
 *
 * @param runDir - the run folder
 * @param state - model, tokenizer, optimiser, method state, completed steps, warm-start hash
 * @param keep - checkpoints kept
 * @returns the checkpoint directory
 * @example
 * await saveTrainState('runs/a', { model, tokenizer, optimizer, method, step: 40, initHash }, 2);
 */
export async function saveTrainState(
  runDir: string,
  state: Omit<LoadedTrainState, 'dir'>,
  keep: number,
): Promise<string> {
  const extra: TrainStateExtra = { type: 'paretopo-train-state', version: 1, step: state.step, method: state.method.toJSON(), initHash: state.initHash };
  return writeCheckpointDir(runDir, state.step, keep, (tmp) => saveCheckpoint(tmp, { model: state.model, tokenizer: state.tokenizer, optimizer: state.optimizer, extra }));
}

/**
 * Writes one checkpoint directory of a run atomically: `write` fills a temporary directory, which
 * is renamed to `<run>/checkpoints/step-NNNNNN/` as a whole, then `latest.json` is replaced
 * atomically, then checkpoints beyond `keep` are removed (oldest first).
 *
 * @param runDir - the run folder
 * @param step - completed steps (names the directory)
 * @param keep - checkpoints kept
 * @param write - writes the checkpoint's files into the directory it is given
 * @returns the checkpoint directory
 * @example
 * await writeCheckpointDir('runs/a', 3, 2, (tmp) => writeJsonAtomic(join(tmp, 'state.json'), state)); // 'runs/a/checkpoints/step-000003'
 */
export async function writeCheckpointDir(runDir: string, step: number, keep: number, write: (tmp: string) => Promise<void> | void): Promise<string> {
  const root = join(runDir, RUN_FILES.checkpoints);
  mkdirSync(root, { recursive: true });
  const name = stepDir(step);
  const tmp = join(root, `.${name}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  await write(tmp);
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  writeJsonAtomic(join(root, LATEST), { step, dir: name });
  const all = readdirSync(root).filter((f) => /^step-\d{6}$/.test(f)).sort();
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(join(root, old), { recursive: true, force: true });
  return dir;
}

function isExtra(x: unknown): x is TrainStateExtra {
  const e = x as TrainStateExtra | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    e.type === 'paretopo-train-state' &&
    e.version === 1 &&
    Number.isInteger(e.step) &&
    e.step >= 0 &&
    typeof e.initHash === 'string' &&
    typeof e.method === 'object'
  );
}

/**
 * Reads `<run>/checkpoints/latest.json`, the pointer to a run's newest complete checkpoint.
 *
 * @param runDir - the run folder
 * @param fn - who asks, for the messages (`resume`, `eval`)
 * @returns the step and the checkpoint directory, or `null` when the run has no checkpoint
 * @throws TrainCheckpointError when the pointer is corrupt or malformed
 * @example
 * readLatestCheckpoint('runs/a', 'eval'); // { step: 200, dir: 'runs/a/checkpoints/step-000200', pointer: … }
 */
export function readLatestCheckpoint(runDir: string, fn: string): { step: number; dir: string; pointer: string } | null {
  const root = join(runDir, RUN_FILES.checkpoints);
  const pointer = join(root, LATEST);
  if (!existsSync(pointer)) return null;
  let latest: { step?: unknown; dir?: unknown };
  try {
    latest = JSON.parse(readFileSync(pointer, 'utf8'));
  } catch (err) {
    throw new TrainCheckpointError(`${fn}: ${pointer} is corrupt (${(err as Error).message})`, { cause: err });
  }
  if (typeof latest?.dir !== 'string' || !/^step-\d{6}$/.test(latest.dir) || !Number.isInteger(latest.step)) {
    throw new TrainCheckpointError(`${fn}: ${pointer} must be { step, dir: 'step-NNNNNN' } (got ${JSON.stringify(latest)})`);
  }
  return { step: latest.step as number, dir: join(root, latest.dir), pointer };
}

/**
 * Loads the checkpoint `latest.json` names. Never falls back silently: no checkpoint, a corrupt
 * pointer, corrupt policy files or an inconsistent state are each a {@link TrainCheckpointError}.
 *
 * @param runDir - the run folder
 * @param backend - kernels backend for the model
 * @returns the state to continue from
 * @throws TrainCheckpointError naming the file and the problem
 * @example
 * const s = await loadTrainState('runs/a', backend); s.step; // 40
 */
export async function loadTrainState(runDir: string, backend: Backend): Promise<LoadedTrainState> {
  const latest = readLatestCheckpoint(runDir, 'resume');
  if (latest === null) {
    throw new TrainCheckpointError(`resume: no checkpoint in ${runDir} (${join(runDir, RUN_FILES.checkpoints, LATEST)} is missing)`);
  }
  const { dir, pointer } = latest;
  let loaded;
  try {
    loaded = await loadCheckpoint(dir, backend);
  } catch (err) {
    throw new TrainCheckpointError(`resume: checkpoint ${dir} is corrupt: ${(err as Error).message}`, { cause: err });
  }
  if (!isExtra(loaded.extra)) throw new TrainCheckpointError(`resume: ${dir}/state.json does not hold a paretopo training state`);
  if (loaded.extra.step !== latest.step) {
    throw new TrainCheckpointError(`resume: ${pointer} says step ${String(latest.step)} but ${dir} holds step ${loaded.extra.step}`);
  }
  if (loaded.optimizer === null) throw new TrainCheckpointError(`resume: ${dir} has no optimizer state`);
  let method: MethodState;
  try {
    method = MethodState.fromJSON(loaded.extra.method);
  } catch (err) {
    throw new TrainCheckpointError(`resume: ${dir}/state.json has a bad method state (${(err as Error).message})`, { cause: err });
  }
  if (method.stepCount !== loaded.extra.step) {
    throw new TrainCheckpointError(`resume: ${dir} method state is at step ${method.stepCount}, the checkpoint at ${loaded.extra.step}`);
  }
  return { model: loaded.model, tokenizer: loaded.tokenizer, optimizer: loaded.optimizer, method, step: loaded.extra.step, initHash: loaded.extra.initHash, dir };
}

// A state file of the engine checkpoints is a few kB; anything far larger is not one.
const MAX_STATE_FILE = 16 * 1024 * 1024;

/**
 * Writes a JSON state file and its `checksums.json` (the manifest local checkpoints carry: size and
 * SHA-256 of the file's bytes, @paretopo/policy's `checksumManifest`), each atomically, the state
 * first, so a manifest never describes a file that is not there yet.
 *
 * @param dir - the checkpoint directory
 * @param name - the state file's name (e.g. `engine-state.json`)
 * @param value - what it holds
 * @example
 * writeJsonWithChecksums(tmp, 'engine-state.json', state); // tmp/engine-state.json, tmp/checksums.json
 */
export function writeJsonWithChecksums(dir: string, name: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(join(dir, name), text);
  writeFileAtomic(join(dir, CHECKPOINT_FILES.checksums), checksumManifest([{ name, data: text }]));
}

/**
 * Reads a JSON state file written by {@link writeJsonWithChecksums}, checked against the
 * `checksums.json` beside it before it is parsed: a changed byte, a truncated or extended file, or
 * an edited manifest is an error naming the file. A directory without `checksums.json` (saved before
 * engine checkpoints carried one) is read with a warning, as local checkpoints are.
 *
 * @param dir - the checkpoint directory
 * @param name - the state file's name
 * @param fn - who asks, for the messages (`resume`, `eval`, `train --init`)
 * @param warn - where the no-manifest warning goes [process.emitWarning]
 * @returns the parsed JSON
 * @throws TrainCheckpointError when the file is missing, does not match its checksum, or is not JSON
 * @example
 * readVerifiedJson('runs/a/checkpoints/step-000003', 'engine-state.json', 'resume').step; // 3
 */
export function readVerifiedJson(dir: string, name: string, fn: string, warn?: (message: string) => void): unknown {
  const path = join(dir, name);
  const manifestPath = join(dir, CHECKPOINT_FILES.checksums);
  if (!existsSync(path)) throw new TrainCheckpointError(`${fn}: ${path} is missing`);
  const size = statSync(path).size;
  if (size > MAX_STATE_FILE) throw new TrainCheckpointError(`${fn}: ${path} is ${size} bytes, more than a state file can be (${MAX_STATE_FILE})`);
  const bytes = readFileSync(path);
  if (!existsSync(manifestPath)) {
    (warn ?? ((m: string) => process.emitWarning(m, { code: 'PARETOPO_UNVERIFIED_CHECKPOINT' })))(
      `${dir}: no ${CHECKPOINT_FILES.checksums} (saved before engine checkpoints carried checksums): reading ${name} without an integrity check`,
    );
  } else {
    const manifestSize = statSync(manifestPath).size;
    const recorded = manifestSize > 4096 ? null : readFileSync(manifestPath, 'utf8');
    // The manifest is compared as text with the one the bytes give: any change to either is caught.
    if (recorded !== checksumManifest([{ name, data: bytes }])) {
      let expected: { bytes?: unknown; sha256?: unknown } | undefined;
      try {
        expected = recorded === null ? undefined : (JSON.parse(recorded) as { files?: Record<string, { bytes?: unknown; sha256?: unknown }> }).files?.[name];
      } catch {
        expected = undefined;
      }
      const got = createHash('sha256').update(bytes).digest('hex');
      const detail =
        expected === undefined
          ? `${manifestPath} is not a checksum manifest of ${name} (edited or corrupt)`
          : expected.bytes !== bytes.length
            ? `${bytes.length} bytes but ${manifestPath} records ${String(expected.bytes)} (truncated or extended after it was saved)`
            : expected.sha256 !== got
              ? `SHA-256 ${got} does not match ${String(expected.sha256)} recorded in ${manifestPath} (the file was corrupted or edited after it was saved)`
              : `${manifestPath} was edited after it was saved (it is not in the form the checkpoint writes)`;
      throw new TrainCheckpointError(`${fn}: ${path}: ${detail}`);
    }
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw new TrainCheckpointError(`${fn}: ${path} is corrupt (${(err as Error).message})`, { cause: err });
  }
}
