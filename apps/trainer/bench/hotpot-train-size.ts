// The README's memory figures for `--data.train` with HotpotQA's train file (90,447 questions, past
// V8's 512 MB string limit): the time and peak resident memory of loading the file and building its
// tasks (benchmarkSuite: loadHotpotQA + hotpotQATasks, as data.train does), the heap those tasks hold,
// and the heap one question's search index adds when its first search builds it.
//
// The file is the dev questions repeated with new ids (writeRepeatedHotpotArray), in a temporary
// folder removed at the end. Each round runs in a fresh Node process (--expose-gc, so heap figures
// are after a full collection).
//
// Run: cd apps/trainer && npm run bench:hotpot-train-size   (needs ../shared/data or PARETOPO_DATA_DIR)
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDataDir } from '@paretopo/envs';
import { formatRange, measureInChild, readHotpotOfficial, writeRepeatedHotpotArray } from '@paretopo/test-utils';
import { benchmarkSuite } from '../src/benchmarks';

const TRAIN_SIZE = 90_447;
/** Questions whose index a first search builds, for the per-index heap. */
const INDEXED = 200;

interface Measured {
  seconds: number;
  questions: number;
  maxRssMb: number;
  heapMb: number;
  perIndexMb: number;
}

const heapAfterGc = (): number => {
  (globalThis as { gc?: () => void }).gc!();
  return process.memoryUsage().heapUsed / 1e6;
};

async function child(path: string): Promise<Measured> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') throw new Error('hotpot-train-size: run the measurement with --expose-gc');
  const t = performance.now();
  const { tasks } = await benchmarkSuite('hotpotqa', path);
  const seconds = (performance.now() - t) / 1000;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  const heapMb = heapAfterGc();
  // Questions far apart in the file, so no two share an index (each task builds its own anyway).
  const step = Math.floor(tasks.length / INDEXED);
  for (let i = 0; i < INDEXED; i++) {
    const task = tasks[i * step];
    await task.tools![0].run({ query: task.prompt });
  }
  const perIndexMb = (heapAfterGc() - heapMb) / INDEXED;
  return { seconds, questions: tasks.length, maxRssMb, heapMb, perIndexMb };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 2);
  const dir = findDataDir();
  if (dir === null) {
    console.log('[trainer] hotpot-train-size skipped: no shared/data folder (set PARETOPO_DATA_DIR)');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'paretopo-hotpot-train-size-'));
  try {
    const train = join(work, 'hotpot-train-size.json');
    await writeRepeatedHotpotArray(train, readHotpotOfficial(join(dir, 'hotpotqa-distractor', 'dev.jsonl')), TRAIN_SIZE);
    console.log(`file: ${TRAIN_SIZE.toLocaleString('en-US')} questions, ${(statSync(train).size / 1e6).toFixed(0)} MB; ${rounds} rounds, each in a fresh process`);
    const runs: Measured[] = [];
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      runs.push(measureInChild(fileURLToPath(import.meta.url), ['measure', train], ['--expose-gc']) as Measured);
      const left = ((performance.now() - t0) / (r + 1)) * (rounds - r - 1);
      process.stderr.write(`\r${r + 1}/${rounds} rounds, about ${Math.ceil(left / 1000)} s left   `);
    }
    process.stderr.write('\n');
    const perIndex = runs.map((m) => m.perIndexMb);
    console.log(`load + build ${runs[0].questions.toLocaleString('en-US')} tasks: ${formatRange(runs.map((m) => m.seconds), 1)} s wall; peak resident ${formatRange(runs.map((m) => m.maxRssMb / 1000), 2)} GB; heap held afterwards ${formatRange(runs.map((m) => m.heapMb / 1000), 2)} GB`);
    console.log(`one question's search index (first search, mean of ${INDEXED}): ${formatRange(perIndex, 2)} MB of heap; all ${TRAIN_SIZE.toLocaleString('en-US')} would need about ${formatRange(perIndex.map((x) => (x * TRAIN_SIZE) / 1000), 0)} GB`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const [mode, path] = process.argv.slice(2);
if (mode === 'measure') console.log(JSON.stringify(await child(path)));
else await main();
