import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bench, describe } from 'vitest';
import { readJsonl, readJsonlSync } from '../src/jsonl';
import { findDataDir, loadGsm8k } from '../src/loaders';

const dir = findDataDir();
const gsm8k = dir === null ? null : join(dir, 'gsm8k', 'test.jsonl');
if (gsm8k === null) console.log('[envs] JSONL bench skipped: no shared/data folder (set PARETOPO_DATA_DIR)');

describe.skipIf(gsm8k === null)('JSONL: GSM8K test file (1,319 lines, 750 kB)', () => {
  bench('readJsonl (streaming, one line held at a time)', async () => {
    let n = 0;
    for await (const _ of readJsonl(gsm8k!)) n++;
    if (n !== 1319) throw new Error(`read ${n} lines`);
  });
  bench('readJsonlSync (the same reader, synchronous)', () => {
    let n = 0;
    for (const _ of readJsonlSync(gsm8k!)) n++;
    if (n !== 1319) throw new Error(`read ${n} lines`);
  });
  bench('loadGsm8k (stream + validate + extract answers)', async () => {
    await loadGsm8k(gsm8k!);
  });
  bench('baseline: readFileSync + split + JSON.parse', () => {
    const lines = readFileSync(gsm8k!, 'utf8').split('\n');
    let n = 0;
    for (const l of lines) if (l.trim() !== '') (JSON.parse(l), n++);
    if (n !== 1319) throw new Error(`read ${n} lines`);
  });
});
