import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHotpotOfficial, writeRepeatedHotpotArray } from '@paretopo/test-utils';
import { afterAll, bench, describe } from 'vitest';
import { readJsonArray, splitJsonArray } from '../src/json-array';
import { findDataDir, loadHotpotQA } from '../src/loaders';

// HotpotQA's official layout, one JSON array per file, at three sizes: the dev questions repeated
// with new ids (the real train file is 90,447 questions, 566 MB, past V8's 512 MB string limit,
// where the baseline cannot run at all: bench/json-array-large.ts measures that size).
const SIZES = [300, 3_000, 15_000];
const dir = findDataDir();
if (dir === null) console.log('[envs] JSON-array bench skipped: no shared/data folder (set PARETOPO_DATA_DIR)');
const dev = dir === null ? [] : readHotpotOfficial(join(dir, 'hotpotqa-distractor', 'dev.jsonl'));
const work = mkdtempSync(join(tmpdir(), 'paretopo-json-array-bench-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const files = await Promise.all(
  SIZES.map(async (n) => {
    const path = join(work, `hotpot-${n}.json`);
    const bytes = dev.length === 0 ? 0 : await writeRepeatedHotpotArray(path, dev, n);
    return { n, path, mb: bytes / 1e6 };
  }),
);

// One sample reads a whole file; few samples for the large ones.
const samples = (n: number) => ({ time: 0, iterations: n >= 3_000 ? 3 : 10, warmupIterations: 1 });
const CHUNK = 65536;

for (const { n, path, mb } of files) {
  describe.skipIf(dir === null)(`HotpotQA official layout, ${n.toLocaleString('en-US')} questions (${mb.toFixed(0)} MB)`, () => {
    bench('readJsonArray (streamed: split + JSON.parse per element, all values kept)', async () => {
      const values: unknown[] = [];
      for await (const { value } of readJsonArray(path)) values.push(value);
      if (values.length !== n) throw new Error(`read ${values.length}`);
    }, samples(n));
    let bytes = Buffer.alloc(0);
    bench('splitJsonArray alone (the file already in memory, 64 KiB chunks, no parse)', () => {
      const chunks = function* () {
        for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
      };
      let count = 0;
      for (const _ of splitJsonArray(chunks())) count++;
      if (count !== n) throw new Error(`split ${count}`);
    }, { ...samples(n), setup: () => void (bytes = readFileSync(path)), teardown: () => void (bytes = Buffer.alloc(0)) });
    bench('loadHotpotQA (streamed + passages built)', async () => {
      if ((await loadHotpotQA(path)).length !== n) throw new Error('count');
    }, samples(n));
    bench('baseline: JSON.parse(readFileSync) of the whole array', () => {
      if ((JSON.parse(readFileSync(path, 'utf8')) as unknown[]).length !== n) throw new Error('count');
    }, samples(n));
  });
}
