// The README's figures on large HotpotQA-layout array files that the vitest bench does not give:
// a train-size file (90,447 questions, past V8's 512 MB string limit) read by readJsonArray and
// loadHotpotQA, the whole-file read that fails there, and CPU times (process.cpuUsage) of the split,
// the parse and the streamed read on the bench's largest file (15,000 questions).
//
// Each measurement runs in a fresh Node process, so its peak resident memory (maxRSS) is its own.
// The files are the dev questions repeated with new ids (writeRepeatedHotpotArray), in a temporary
// folder that is removed at the end.
//
// Run: cd packages/envs && npm run bench:json-large   (needs ../shared/data or PARETOPO_DATA_DIR)
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRange, measureInChild, readHotpotOfficial, writeRepeatedHotpotArray } from '@paretopo/test-utils';
import { readJsonArray, splitJsonArray } from '../src/json-array';
import { findDataDir, loadHotpotQA } from '../src/loaders';

const TRAIN_SIZE = 90_447;
const BENCH_SIZE = 15_000;
const CHUNK = 65536;

/** One measurement's result, printed by the child as one JSON line. */
interface Measured {
  seconds?: number;
  cpuSeconds?: number;
  maxRssMb: number;
  heapMb?: number;
  count?: number;
  error?: string;
}

const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const maxRssMb = (): number => process.resourceUsage().maxRSS / 1024;

async function child(mode: string, path: string): Promise<Measured> {
  switch (mode) {
    case 'stream': {
      // Values parsed and dropped: what a loader that keeps only what it needs holds.
      const t = performance.now();
      let count = 0;
      for await (const _ of readJsonArray(path)) count++;
      return { seconds: (performance.now() - t) / 1000, count, maxRssMb: maxRssMb() };
    }
    case 'load': {
      const t = performance.now();
      const items = await loadHotpotQA(path);
      const seconds = (performance.now() - t) / 1000;
      return { seconds, count: items.length, heapMb: process.memoryUsage().heapUsed / 1e6, maxRssMb: maxRssMb() };
    }
    case 'whole': {
      try {
        const text = readFileSync(path, 'utf8');
        return { count: (JSON.parse(text) as unknown[]).length, maxRssMb: maxRssMb() };
      } catch (err) {
        return { error: (err as { code?: string }).code ?? String(err), maxRssMb: maxRssMb() };
      }
    }
    case 'cpu-split': {
      const bytes = readFileSync(path);
      const c = cpu();
      let count = 0;
      for (const _ of splitJsonArray((function* () {
        for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
      })())) count++;
      return { cpuSeconds: cpu() - c, count, maxRssMb: maxRssMb() };
    }
    case 'cpu-parse': {
      const text = readFileSync(path, 'utf8');
      const c = cpu();
      const count = (JSON.parse(text) as unknown[]).length;
      return { cpuSeconds: cpu() - c, count, maxRssMb: maxRssMb() };
    }
    case 'cpu-stream-keep': {
      const c = cpu();
      const values: unknown[] = [];
      for await (const { value } of readJsonArray(path)) values.push(value);
      return { cpuSeconds: cpu() - c, count: values.length, maxRssMb: maxRssMb() };
    }
    default:
      throw new Error(`json-array-large: unknown mode ${JSON.stringify(mode)}`);
  }
}

const measure = (mode: string, path: string): Measured => measureInChild(fileURLToPath(import.meta.url), [mode, path]) as Measured;

const range = (xs: number[], digits: number, unit: string): string => `${formatRange(xs, digits)} ${unit}`;

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 2);
  const dir = findDataDir();
  if (dir === null) {
    console.log('[envs] json-array-large skipped: no shared/data folder (set PARETOPO_DATA_DIR)');
    return;
  }
  const dev = readHotpotOfficial(join(dir, 'hotpotqa-distractor', 'dev.jsonl'));
  const work = mkdtempSync(join(tmpdir(), 'paretopo-json-array-large-'));
  try {
    const train = join(work, 'hotpot-train-size.json');
    const bench = join(work, `hotpot-${BENCH_SIZE}.json`);
    await writeRepeatedHotpotArray(train, dev, TRAIN_SIZE);
    await writeRepeatedHotpotArray(bench, dev, BENCH_SIZE);
    const mb = (p: string) => (statSync(p).size / 1e6).toFixed(0);
    console.log(`files: ${TRAIN_SIZE.toLocaleString('en-US')} questions, ${mb(train)} MB; ${BENCH_SIZE.toLocaleString('en-US')} questions, ${mb(bench)} MB; ${rounds} rounds, each measurement in a fresh process`);
    const runs: Record<string, Measured[]> = {};
    const plan: [string, string, string][] = [
      ['stream', train, `readJsonArray, ${TRAIN_SIZE.toLocaleString('en-US')} questions (values dropped)`],
      ['load', train, `loadHotpotQA, ${TRAIN_SIZE.toLocaleString('en-US')} questions (items kept)`],
      ['whole', train, `readFileSync(path, 'utf8') + JSON.parse, ${TRAIN_SIZE.toLocaleString('en-US')} questions`],
      ['cpu-split', bench, `splitJsonArray alone, ${BENCH_SIZE.toLocaleString('en-US')} questions in memory (CPU)`],
      ['cpu-parse', bench, `JSON.parse of the text in memory, ${BENCH_SIZE.toLocaleString('en-US')} questions (CPU)`],
      ['cpu-stream-keep', bench, `readJsonArray keeping every value, ${BENCH_SIZE.toLocaleString('en-US')} questions (CPU)`],
    ];
    const t0 = performance.now();
    for (let r = 0; r < rounds; r++) {
      for (const [i, [mode, path]] of plan.entries()) {
        (runs[mode] ??= []).push(measure(mode, path));
        const done = r * plan.length + i + 1;
        const left = ((performance.now() - t0) / done) * (rounds * plan.length - done);
        process.stderr.write(`\r${done}/${rounds * plan.length} measurements, about ${Math.ceil(left / 1000)} s left   `);
      }
    }
    process.stderr.write('\n');
    console.log('| what | figures over the rounds |\n|---|---|');
    for (const [mode, , label] of plan) {
      const ms = runs[mode];
      const parts: string[] = [];
      if (ms[0].error !== undefined) parts.push(`throws ${[...new Set(ms.map((m) => m.error))].join(', ')}`);
      if (ms[0].count !== undefined) parts.push(`${ms[0].count.toLocaleString('en-US')} elements`);
      if (ms[0].seconds !== undefined) parts.push(range(ms.map((m) => m.seconds!), 1, 's wall'));
      if (ms[0].cpuSeconds !== undefined) parts.push(range(ms.map((m) => m.cpuSeconds!), 2, 's CPU'));
      if (ms[0].heapMb !== undefined) parts.push(`heap ${range(ms.map((m) => m.heapMb! / 1000), 2, 'GB')}`);
      parts.push(`peak resident ${range(ms.map((m) => m.maxRssMb), 0, 'MB')}`);
      console.log(`| ${label} | ${parts.join('; ')} |`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const [mode, path] = process.argv.slice(2);
if (mode === undefined) await main();
else console.log(JSON.stringify(await child(mode, path)));
