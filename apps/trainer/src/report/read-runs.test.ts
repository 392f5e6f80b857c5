import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunFolderError } from './errors';
import { readCompareFolder, readRunFolder, readRuns } from './read-runs';
import { isParetoPO } from '../methods';
import { checkRunConfig, checkStepRow, methodOrder } from './records';
import { syntheticCompare, syntheticRun, writeRunFolder } from './test-fixtures';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'paretopo-read-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = syntheticRun({ method: 'paretopo', seed: 1, accuracy: 0.8, calls: 1, switchStep: 20 });

function expectFolderError(read: () => unknown, code: string, message: string | RegExp): void {
  let err: unknown = null;
  try {
    read();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(RunFolderError);
  expect((err as RunFolderError).code).toBe(code);
  expect((err as Error).message).toMatch(message);
}

describe('readRunFolder', () => {
  it('round-trips a written run folder', async () => {
    const dir = join(root, 'r');
    await writeRunFolder(dir, run);
    expect(readRunFolder(dir)).toEqual({ ...run, dir });
  });

  it('reads an unfinished run: no summary, no rows yet', async () => {
    const dir = join(root, 'r');
    await writeRunFolder(dir, { ...run, summary: null });
    await rm(join(dir, 'metrics.jsonl'));
    await rm(join(dir, 'eval.jsonl'));
    const got = readRunFolder(dir);
    expect(got.summary).toBeNull();
    expect(got.steps).toEqual([]);
    expect(got.evals).toEqual([]);
  });

  it('requires config.json', async () => {
    expectFolderError(() => readRunFolder(root), 'missing-file', `readRunFolder: ${join(root, 'config.json')} does not exist`);
  });

  it('names the config field that is missing or wrong', async () => {
    await writeRunFolder(root, run);
    await writeFile(join(root, 'config.json'), JSON.stringify({ env: 'arith', method: 'paretopo', seed: 0 }));
    expectFolderError(() => readRunFolder(root), 'invalid-record', `readRunFolder: ${join(root, 'config.json')}: missing field "steps" (an integer ≥ 0)`);
    await writeFile(join(root, 'config.json'), JSON.stringify({ env: 'arith', method: 'ppo', seed: 0, steps: 3 }));
    expectFolderError(() => readRunFolder(root), 'invalid-record', /field "method" must be one of grpo-acc, .*, paretopo \(got "ppo"\)/);
    await writeFile(join(root, 'config.json'), '{"env":');
    expectFolderError(() => readRunFolder(root), 'invalid-json', `readRunFolder: ${join(root, 'config.json')}: invalid JSON`);
  });

  it('gives file and line of malformed JSON in a JSONL file', async () => {
    await writeRunFolder(root, run);
    const path = join(root, 'eval.jsonl');
    const lines = (await readFile(path, 'utf8')).split('\n');
    lines[2] = '{"step": 20,';
    await writeFile(path, lines.join('\n'));
    expectFolderError(() => readRunFolder(root), 'invalid-json', `readRunFolder: ${path}:3: invalid JSON`);
  });

  it('gives file, line and field of a row with a missing or wrong field', async () => {
    await writeRunFolder(root, run);
    const path = join(root, 'metrics.jsonl');
    const rows = (await readFile(path, 'utf8')).trim().split('\n');
    const bad = JSON.parse(rows[4]);
    delete bad.hv;
    rows[4] = JSON.stringify(bad);
    await writeFile(path, rows.join('\n'));
    expectFolderError(() => readRunFolder(root), 'invalid-record', `readRunFolder: ${path}:5: missing field "hv" (a finite number)`);
    rows[4] = JSON.stringify({ ...bad, hv: 0.2, stage: 3 });
    await writeFile(path, rows.join('\n'));
    expectFolderError(() => readRunFolder(root), 'invalid-record', `readRunFolder: ${path}:5: field "stage" must be 1 or 2 (got 3)`);
  });

  it('checks the summary, its final row and that it belongs to the config', async () => {
    await writeRunFolder(root, run);
    const path = join(root, 'summary.json');
    await writeFile(path, JSON.stringify({ ...run.summary, final: { ...run.summary!.final, accuracy: 'high' } }));
    expectFolderError(() => readRunFolder(root), 'invalid-record', `readRunFolder: ${path}: field "final.accuracy" must be a finite number (got "high")`);
    await writeFile(path, JSON.stringify({ ...run.summary, test: { ...run.summary!.final, pool: 'train' } }));
    expectFolderError(() => readRunFolder(root), 'invalid-record', `readRunFolder: ${path}: field "test.pool" must be 'validation' or 'test' (got "train")`);
    await writeFile(path, JSON.stringify({ ...run.summary, seed: 7 }));
    expectFolderError(() => readRunFolder(root), 'mismatch', `readRunFolder: ${path} is for arith/paretopo/seed 7 but config.json says arith/paretopo/seed 1`);
  });

  it('reads per-step metrics from metrics.jsonl.gz when metrics.jsonl is absent (a study\'s compact log)', async () => {
    await writeRunFolder(root, run);
    const path = join(root, 'metrics.jsonl');
    await writeFile(`${path}.gz`, gzipSync(await readFile(path)));
    await rm(path);
    expect(readRunFolder(root).steps).toEqual(run.steps);
    await writeFile(`${path}.gz`, 'not gzip');
    expectFolderError(() => readRunFolder(root), 'invalid-json', /metrics\.jsonl\.gz: not a gzip file/);
  });

  it('rejects a non-string dir', async () => {
    expect(() => readRunFolder('' as string)).toThrow('readRunFolder: dir must be a non-empty string (got "")');
  });
});

describe('readCompareFolder and readRuns', () => {
  it('reads runs/* sorted by METHOD_NAMES order then seed, ignoring plain files', async () => {
    const runs = syntheticCompare(['paretopo', 'grpo-ws', 'otc-grpo'], 2);
    // Written in an order that differs from the table's (and from readdir's alphabetical one).
    for (const r of [...runs].reverse()) await writeRunFolder(join(root, 'runs', `${r.config.method}-s${r.config.seed}`), r);
    await writeFile(join(root, 'runs', 'notes.txt'), 'x');
    const got = readCompareFolder(root);
    expect(got.map((r) => `${r.config.method}-s${r.config.seed}`)).toEqual(['grpo-ws-s0', 'grpo-ws-s1', 'otc-grpo-s0', 'otc-grpo-s1', 'paretopo-s0', 'paretopo-s1']);
    expect(readRuns(root)).toEqual(got);
  });

  it('reads a single run folder through readRuns', async () => {
    await writeRunFolder(root, run);
    expect(readRuns(root).map((r) => r.config.seed)).toEqual([1]);
  });

  it('says what is missing', async () => {
    expectFolderError(() => readCompareFolder(root), 'missing-file', `readCompareFolder: ${join(root, 'runs')} does not exist`);
    expectFolderError(() => readRuns(root), 'missing-file', `readRuns: ${root} has neither config.json (run folder) nor runs/ (compare folder)`);
  });
});

describe('record helpers', () => {
  it('checkRunConfig and checkStepRow return their input, typed', () => {
    const cfg = { command: 'train', env: 'kb', method: 'rloo', seed: 2, steps: 10, lr: 1e-4 };
    expect(checkRunConfig(cfg, { fn: 'f', path: 'c.json' })).toBe(cfg);
    expect(checkStepRow(run.steps[0], { fn: 'f', path: 'm.jsonl', line: 1 })).toBe(run.steps[0]);
    expect(() => checkStepRow([], { fn: 'f', path: 'm.jsonl', line: 2 })).toThrow('f: m.jsonl:2: record must be a JSON object (got Array(0))');
  });

  it('orders methods as METHOD_NAMES and recognises the ParetoPO family', () => {
    expect(methodOrder('grpo-acc')).toBe(0);
    expect(methodOrder('paretopo')).toBe(9);
    expect(methodOrder('unknown')).toBe(10);
    expect(['paretopo', 'paretopo-s1', 'paretopo-s2', 'gdpo'].map((m) => isParetoPO(m as never))).toEqual([true, true, true, false]);
  });
});
