import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load';
import { FOLDER_KINDS, FOLDER_MARKER, folderKind, openFolder, removeStaleTemps, type FolderKind } from './folder';
import { RUN_FILES } from './types';

const root = mkdtempSync(join(tmpdir(), 'paretopo-folder-'));
let n = 0;
const fresh = () => join(root, `f${n++}`);
// The id of a process that has exited: its temporary files are stale.
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

// A folder as each command left it before markers existed.
const LEGACY: Record<FolderKind, (dir: string) => void> = {
  sft: (d) => writeFileSync(join(d, 'model.safetensors'), ''),
  train: (d) => writeFileSync(join(d, RUN_FILES.config), JSON.stringify({ command: 'train', env: 'arith' })),
  compare: (d) => writeFileSync(join(d, 'compare-config.json'), '{}'),
  study: (d) => mkdirSync(join(d, 'tune')),
  demo: (d) => (mkdirSync(join(d, 'sft')), mkdirSync(join(d, 'grpo-acc'))),
  eval: (d) => writeFileSync(join(d, 'eval.json'), JSON.stringify({ config: { env: 'arith' }, accuracy: 0.5 })),
};

describe('folder ownership', () => {
  it('an absent or foreign folder has no kind; openFolder creates and marks it', () => {
    const dir = fresh();
    expect(folderKind(dir)).toBeNull();
    openFolder(dir, 'train');
    expect(folderKind(dir)).toBe('train');
    expect(existsSync(join(dir, FOLDER_MARKER))).toBe(true);
    openFolder(dir, 'train');
  });

  // Every command refuses every other command's folder, marked or legacy, with a message saying what to do.
  const pairs = FOLDER_KINDS.flatMap((owner) => FOLDER_KINDS.filter((k) => k !== owner).map((k) => [owner, k] as const));
  it.each(pairs)('%s folder refused by %s (marked and legacy)', (owner, kind) => {
    const marked = fresh();
    openFolder(marked, owner);
    const legacy = fresh();
    mkdirSync(legacy);
    LEGACY[owner](legacy);
    expect(folderKind(legacy)).toBe(owner);
    for (const dir of [marked, legacy]) {
      expect(() => openFolder(dir, kind)).toThrow(ConfigError);
      expect(() => openFolder(dir, kind)).toThrow(new RegExp(`^${kind}: .* is .*\\(paretopo ${owner}[^)]*\\), not .*; choose another --out`));
    }
    expect(existsSync(join(legacy, FOLDER_MARKER))).toBe(false);
  });

  it("an SFT folder's eval.json (a bare row) does not make it an evaluation folder", () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'eval.json'), JSON.stringify({ accuracy: 0.5 }));
    expect(folderKind(dir)).toBeNull();
    LEGACY.sft(dir);
    expect(folderKind(dir)).toBe('sft');
  });
});

describe('stale temporary files', () => {
  it("removes this project's temp names of dead writers, in the folder and checkpoints/, and nothing else", () => {
    const dir = fresh();
    mkdirSync(join(dir, RUN_FILES.checkpoints), { recursive: true });
    const dead = deadPid();
    const stale = [
      `.metrics.jsonl.tmp-${dead}-ab12cd`,
      `model.safetensors.tmp-${dead}-lx3k9a-q1w2e3`,
      join(RUN_FILES.checkpoints, `.latest.json.tmp-${dead}-zz99yy`),
      join(RUN_FILES.checkpoints, `.step-000004.tmp-${dead}`),
    ];
    const kept = [
      `.metrics.jsonl.tmp-${process.pid}-ab12cd`, // a live writer (this process)
      'notes.tmp-1-a', // not one of our names
      `.step-000004.tmp-${dead}x`,
      'metrics.jsonl',
      join(RUN_FILES.checkpoints, 'step-000004'),
    ];
    for (const f of [...stale, ...kept]) {
      if (f.includes('step-000004') && !f.endsWith('x')) mkdirSync(join(dir, f), { recursive: true });
      else writeFileSync(join(dir, f), 'x');
    }
    writeFileSync(join(dir, RUN_FILES.checkpoints, `.step-000004.tmp-${dead}`, 'model.safetensors'), 'x');
    expect(removeStaleTemps(dir).sort()).toEqual(stale.map((f) => join(dir, f)).sort());
    for (const f of kept) expect(existsSync(join(dir, f)), f).toBe(true);
    const lines: string[] = [];
    writeFileSync(join(dir, `.summary.json.tmp-${dead}-aaaaaa`), 'x');
    openFolder(dir, 'train', (l) => lines.push(l));
    expect(lines).toEqual([`train: removed ${join(dir, `.summary.json.tmp-${dead}-aaaaaa`)} (left by a killed write)`]);
    expect(readdirSync(dir).filter((f) => f.includes(String(dead)))).toEqual([`.step-000004.tmp-${dead}x`]);
  });
});

