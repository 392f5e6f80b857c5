import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load';
import { writeJsonAtomic } from './files';
import { RUN_FILES } from './types';

/** The commands that own an output folder; each refuses a folder that belongs to another. */
export const FOLDER_KINDS = ['sft', 'train', 'eval', 'compare', 'study', 'demo'] as const;

/** Which command a folder belongs to. */
export type FolderKind = (typeof FOLDER_KINDS)[number];

/** The marker every command writes into the folder it owns: `{ "kind": "train", "version": 1 }`. */
export const FOLDER_MARKER = 'paretopo-folder.json';

const WHAT: Record<FolderKind, string> = {
  sft: 'an SFT warm start (paretopo sft)',
  train: 'a training run (paretopo train)',
  eval: 'an evaluation (paretopo eval --out)',
  compare: 'a comparison (paretopo compare)',
  study: "a study's work folder (paretopo study)",
  demo: 'a demo folder (paretopo demo)',
};

const readJson = (path: string): Record<string, unknown> | null => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // Absent, or not JSON this module wrote: the folder is judged by its other files.
    return null;
  }
};

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

// Folders written before the marker existed are recognised by the files only their command writes.
function legacyKind(dir: string): FolderKind | null {
  const has = (name: string) => existsSync(join(dir, name));
  if (has('sft-config.json') || has('model.safetensors')) return 'sft';
  if (has('compare-config.json')) return 'compare';
  if (has(RUN_FILES.metrics) || isDir(join(dir, RUN_FILES.checkpoints))) return 'train';
  if (readJson(join(dir, RUN_FILES.config))?.command === 'train') return 'train';
  // `eval --out` saves its config beside the row; an SFT folder's eval.json is a bare row.
  const evalJson = readJson(join(dir, 'eval.json'));
  if (evalJson !== null && typeof evalJson.config === 'object' && evalJson.config !== null) return 'eval';
  if (isDir(join(dir, 'tune')) || isDir(join(dir, 'final'))) return 'study';
  if (isDir(join(dir, 'sft')) && (isDir(join(dir, 'grpo-acc')) || isDir(join(dir, 'paretopo')))) return 'demo';
  return null;
}

/**
 * The command a folder belongs to: its marker, else what its files say (folders written before
 * markers), else null (absent, empty, or not a paretopo folder).
 *
 * @param dir - any folder
 * @returns the owning command, or null
 * @example
 * folderKind('runs/sft-arith'); // 'sft'
 */
export function folderKind(dir: string): FolderKind | null {
  // A torn marker cannot happen (it is written atomically); an edited one falls back to the files.
  const kind = readJson(join(dir, FOLDER_MARKER))?.kind;
  return (FOLDER_KINDS as readonly unknown[]).includes(kind) ? (kind as FolderKind) : legacyKind(dir);
}

// Temporary names of this project's atomic writes, each with the writer's process id:
// `.<file>.tmp-<pid>-<rand>` (writeFileAtomic), `.step-NNNNNN.tmp-<pid>` (saveTrainState's
// checkpoint directory), `<checkpoint file>.tmp-<pid>-<time>-<rand>` (@paretopo/policy's saveCheckpoint).
const TEMP_NAMES = [
  /^\.[^/]+\.tmp-(\d+)-[a-z0-9]+$/,
  /^\.step-\d{6}\.tmp-(\d+)$/,
  /^(?:model\.safetensors|config\.json|tokenizer\.json|optimizer\.safetensors|state\.json|checksums\.json)\.tmp-(\d+)-[a-z0-9]+-[a-z0-9]+$/,
];

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what killed atomic writes left in a folder and its `checkpoints/`: only this project's
 * temporary names, and only those whose writer process is gone (a live writer keeps its files).
 *
 * @param dir - the folder
 * @returns the paths removed
 * @example
 * removeStaleTemps('runs/a'); // ['runs/a/checkpoints/.step-000040.tmp-4242']
 */
export function removeStaleTemps(dir: string): string[] {
  const removed: string[] = [];
  for (const at of [dir, join(dir, RUN_FILES.checkpoints)]) {
    let names: string[];
    try {
      names = readdirSync(at);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = TEMP_NAMES.map((re) => re.exec(name)).find((m) => m !== null)?.[1];
      if (pid === undefined || alive(Number(pid))) continue;
      rmSync(join(at, name), { recursive: true, force: true });
      removed.push(join(at, name));
    }
  }
  return removed;
}

/**
 * The error a command gets for a folder that belongs to another command, or null when the folder
 * is its own, absent, or not a paretopo folder. Only reads.
 *
 * @param dir - the folder
 * @param kind - the command that wants it
 * @returns the refusal (naming the owner and what to do), or null
 * @example
 * folderKindError('runs/sft-arith', 'train')?.message; // 'train: runs/sft-arith is an SFT warm start …'
 */
export function folderKindError(dir: string, kind: FolderKind): ConfigError | null {
  const owner = folderKind(dir);
  if (owner === null || owner === kind) return null;
  return new ConfigError(`${kind}: ${dir} is ${WHAT[owner]}, not ${WHAT[kind].replace(/ \(.*/, '')}; choose another --out (a folder belongs to the command that created it)`);
}

/**
 * Opens a command's output folder: refuses one that belongs to another command (naming it and
 * what to do), creates it when absent, marks it as `kind`'s, and removes stale temporary files of
 * killed writes.
 *
 * @param dir - the folder (`--out`)
 * @param kind - the command that writes it
 * @param log - told about removed temporary files
 * @throws ConfigError when the folder belongs to another command
 * @example
 * openFolder('runs/a', 'train'); // creates runs/a and runs/a/paretopo-folder.json
 */
export function openFolder(dir: string, kind: FolderKind, log?: (line: string) => void): void {
  const refused = folderKindError(dir, kind);
  if (refused !== null) throw refused;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, FOLDER_MARKER))) writeJsonAtomic(join(dir, FOLDER_MARKER), { kind, version: 1 });
  for (const path of removeStaleTemps(dir)) log?.(`${kind}: removed ${path} (left by a killed write)`);
}
