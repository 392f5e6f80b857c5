import { values } from '@paretopo/test-utils';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findDataDir, readJsonlSync } from '@paretopo/envs';
import { hfTokenizer, readTokenizerFiles } from '@paretopo/tinker';
import { describe, expect, it } from 'vitest';
import { benchmarkPools } from '../benchmarks';
import { ConfigError, loadConfig, resolveConfig } from '../config/load';
import { LOCAL_BENCHMARK_REFUSED, sftConfigSchema, trainConfigSchema } from '../config/schema';
import { TrainCheckpointError } from '../run/checkpoint';
import { RUN_FILES, type StepRow } from '../run/types';
import { runSftTinker } from './sft-tinker';
import { resumeConfig, runTrain } from './train';
import { TOKENIZER_DIR, useFakeTinker } from './tinker-fixtures';
import { ENGINE_STATE_FILE, readEngineState } from './train-tinker';

const tokenizer = hfTokenizer(readTokenizerFiles(TOKENIZER_DIR));
const dataDir = findDataDir();
const gsm8kFile = dataDir === null ? null : join(dataDir, 'gsm8k', 'test.jsonl');
if (dataDir === null) console.warn('skipping the benchmark-pool tests: no shared data folder (../shared/data or $PARETOPO_DATA_DIR; see its NOTICE.md)');

const fakeEngine = useFakeTinker('paretopo-train-engine-more-');
const TINY = { steps: 2, promptsPerStep: 1, groupSize: 2, maxTokens: 8, maxTurns: 2, lr: 0.01, warmupSteps: 1 };

describe('engine checkpoints carry checksums.json, verified on --resume', () => {
  async function interruptedRun() {
    const { fake, work, engine } = await fakeEngine();
    const config = resolveConfig(
      trainConfigSchema,
      { env: 'arith', method: 'paretopo', out: join(work, 'run'), engine, ...TINY, task: { sftCount: 8, rlCount: 8, validationCount: 1, testCount: 1 }, eval: { every: 100, test: false } },
      'train',
    );
    const stop = new AbortController();
    stop.abort();
    expect((await runTrain(config, { progress: false, log: () => {}, signal: stop.signal })).status).toBe('interrupted');
    const dir = join(config.out, RUN_FILES.checkpoints, 'step-000000');
    return { fake, config, dir, state: join(dir, ENGINE_STATE_FILE), manifest: join(dir, 'checksums.json') };
  }

  it('an intact checkpoint reads back; its manifest lists engine-state.json with size and SHA-256', async () => {
    const { config, manifest, state } = await interruptedRun();
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    expect(m).toMatchObject({ format: 'paretopo-checksums', version: 1, algorithm: 'sha256' });
    expect(m.files[ENGINE_STATE_FILE].bytes).toBe(readFileSync(state).length);
    expect(readEngineState(config.out, config).state.step).toBe(0);
  });

  it.each([
    ['a changed byte', (p: { state: string }) => writeFileSync(p.state, readFileSync(p.state, 'utf8').replace('"step": 0', '"step": 1')), /engine-state\.json: SHA-256 [0-9a-f]{64} does not match [0-9a-f]{64} recorded in .*checksums\.json/],
    ['a truncated file', (p: { state: string }) => writeFileSync(p.state, readFileSync(p.state).subarray(0, 20)), /engine-state\.json: 20 bytes but .*checksums\.json records \d+ \(truncated or extended/],
    ['an extended file', (p: { state: string }) => appendFileSync(p.state, ' '), /\(truncated or extended after it was saved\)/],
    ['an edited manifest', (p: { manifest: string }) => writeFileSync(p.manifest, readFileSync(p.manifest, 'utf8').replace('"version":1', '"version": 1')), /checksums\.json was edited after it was saved/],
    ['a manifest of another file', (p: { manifest: string }) => writeFileSync(p.manifest, '{}\n'), /is not a checksum manifest of engine-state\.json/],
  ])('%s is a clear error on --resume, never a silent restart', async (_what, corrupt, message) => {
    const run = await interruptedRun();
    corrupt(run);
    expect(() => readEngineState(run.config.out, run.config)).toThrow(TrainCheckpointError);
    expect(() => readEngineState(run.config.out, run.config)).toThrow(message);
    await expect(runTrain(resumeConfig(run.config.out, {}), { resume: true, progress: false, log: () => {} })).rejects.toThrow(message);
  });

  it('a checkpoint saved before checksums (no manifest) is read with a warning', async () => {
    const run = await interruptedRun();
    rmSync(run.manifest);
    const warnings: string[] = [];
    expect(readEngineState(run.config.out, run.config, (w) => warnings.push(w)).state.step).toBe(0);
    expect(warnings).toEqual([`${run.dir}: no checksums.json (saved before engine checkpoints carried checksums): reading engine-state.json without an integrity check`]);
  });
});

describe('train --engine tinker --init: an engine SFT warm start', () => {
  it('loads the warm start into the policy and the KL reference, and records it in the checkpoint', async () => {
    const { fake, work, engine } = await fakeEngine();
    const task = { sftCount: 8, rlCount: 8, validationCount: 1, testCount: 1 };
    const sft = await runSftTinker(resolveConfig(sftConfigSchema, { env: 'arith', out: join(work, 'sft'), engine, steps: 1, batchSize: 1, maxTokens: 8, task, evalTest: false }, 'sft'), { progress: false, log: () => {} });
    fake.requests.length = 0;
    const config = resolveConfig(trainConfigSchema, { env: 'arith', init: join(work, 'sft'), out: join(work, 'run'), engine, ...TINY, task, eval: { every: 100, test: false } }, 'train');
    const lines: string[] = [];
    expect((await runTrain(config, { progress: false, log: (l) => lines.push(l) })).status).toBe('finished');
    expect(lines).toContain(`init: ${join(work, 'sft')} (engine SFT, 1 steps)`);
    const loads = fake.requests.filter((q) => q.path === '/api/v1/load_weights').map((q) => q.body);
    expect(loads).toHaveLength(2);
    expect(loads.every((b) => b.path === sft.weights && b.optimizer === false)).toBe(true);
    // The first samples come from the warm start's weights, not from the base model.
    expect(fake.requests.find((q) => q.path === '/api/v1/asample')?.body.model_path).toMatch(/^tinker:\/\//);
    expect(readEngineState(config.out, config).state.init).toBe(sft.weights);
    // A warm start of another rank is refused.
    await expect(runTrain({ ...config, out: join(work, 'run2'), engine: { ...config.engine, loraRank: 8 } }, { progress: false, log: () => {} })).rejects.toThrow(/is a LoRA of Qwen\/Qwen3-0\.6B rank 4; the config asks for Qwen\/Qwen3-0\.6B rank 8/);
    // A local warm start is not an engine one.
    await expect(runTrain({ ...config, init: work, out: join(work, 'run3') }, { progress: false, log: () => {} })).rejects.toThrow(/is not an engine warm start \(no engine-sft\.json/);
  });
});

describe('train on the real benchmarks', () => {
  const engine = ['--engine', 'tinker', '--engine.url', 'http://127.0.0.1:8000', '--engine.baseModel', 'm'];
  it('--engine local refuses gsm8k, math500 and hotpotqa, saying why', () => {
    for (const env of ['gsm8k', 'math500', 'hotpotqa']) {
      expect(() => loadConfig(trainConfigSchema, ['--env', env, '--init', 'w', '--out', 'r'], 'train')).toThrow(ConfigError);
      expect(() => loadConfig(trainConfigSchema, ['--env', env, '--init', 'w', '--out', 'r'], 'train')).toThrow(`env: engine local: ${LOCAL_BENCHMARK_REFUSED}`);
    }
    expect(loadConfig(trainConfigSchema, ['--env', 'gsm8k', '--out', 'r', ...engine, '--data.train', 'train.jsonl'], 'train').config.data).toEqual({ train: 'train.jsonl' });
    expect(() => loadConfig(trainConfigSchema, ['--env', 'arith', '--out', 'r', ...engine, '--data.train', 'x'], 'train')).toThrow(/data: data applies to the real benchmarks/);
  });

  describe.skipIf(gsm8kFile === null)('pools (GSM8K test file from the shared data folder)', () => {
    it('validation, test and RL never share a question; the split depends only on (seed, id)', async () => {
      const p = await benchmarkPools('gsm8k', { seed: 1, validationCount: 50, testCount: 100 });
      const ids = [p.validation, p.test, p.rl].map((pool) => new Set(pool.map((q) => q.id)));
      expect(ids[0].size + ids[1].size + ids[2].size).toBe(1319);
      for (const id of ids[0]) expect(ids[1].has(id) || ids[2].has(id)).toBe(false);
      for (const id of ids[1]) expect(ids[2].has(id)).toBe(false);
      expect(p.provenance).toMatch(/^gsm8k: RL 1169, validation 50, test 100 questions, all from .* split by a hash of each id \(no train split given/);
      const again = await benchmarkPools('gsm8k', { seed: 1, validationCount: 50, testCount: 100 });
      expect(again.test.map((q) => q.id)).toEqual(p.test.map((q) => q.id));
      expect((await benchmarkPools('gsm8k', { seed: 2, validationCount: 50, testCount: 100 })).test.map((q) => q.id)).not.toEqual(p.test.map((q) => q.id));
      await expect(benchmarkPools('gsm8k', { seed: 1, validationCount: 1000, testCount: 319 })).rejects.toThrow(/holds 1319 questions, fewer than task\.validationCount 1000 \+ task\.testCount 319 and at least 1 for RL/);
    });

    it('with data.train, RL comes from the train file, less any question the evaluation file holds', async () => {
      const work = mkdtempSync(join(tmpdir(), 'paretopo-gsm8k-train-'));
      try {
        const lines = readFileSync(gsm8kFile!, 'utf8').split('\n').filter((l) => l !== '');
        const own = { question: 'A farmer has 3 cows and buys 4 more. How many cows does he have?', answer: '3 + 4 = <<3+4=7>>7\n#### 7' };
        // Two questions of the evaluation file (leaked into a "train" file) and one of its own.
        const train = join(work, 'train.jsonl');
        writeFileSync(train, `${lines[0]}\n${lines[5]}\n${JSON.stringify(own)}\n`);
        const p = await benchmarkPools('gsm8k', { seed: 1, validationCount: 50, testCount: 100, train });
        expect(p.rl.map((q) => [q.id, q.answer])).toEqual([['train:gsm8k-3', '7']]);
        expect(p.provenance).toContain('(2 also in the evaluation file dropped)');
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });

    it('train --env gsm8k --engine tinker: prompts carry a system turn with the calculator, answers are checked numerically', async () => {
      const { fake, work, engine } = await fakeEngine();
      const config = resolveConfig(
        trainConfigSchema,
        { env: 'gsm8k', method: 'paretopo', out: join(work, 'run'), engine, ...TINY, task: { validationCount: 1, testCount: 1 }, eval: { every: 100, test: true } },
        'train',
      );
      const lines: string[] = [];
      const r = await runTrain(config, { progress: false, log: (l) => lines.push(l) });
      expect([r.status, r.step, r.summary?.env]).toEqual(['finished', 2, 'gsm8k']);
      expect(lines.find((l) => l.startsWith('data: '))).toMatch(/^data: gsm8k: RL 1317, validation 1, test 1 questions/);
      const prompt = tokenizer.decode(Int32Array.from(fake.requests.find((q) => q.path === '/api/v1/asample')!.body.prompt.chunks[0].tokens));
      expect(prompt).toMatch(/^<\|im_start\|>system\nAnswer the question\. You may call a tool by writing its tag.*<calc>…<\/calc>.*<\|im_end\|>\n<\|im_start\|>user\n/s);
      expect(values(readJsonlSync<StepRow>(join(config.out, RUN_FILES.metrics))).map((x) => x.episodes)).toEqual([2, 2]);
      expect(r.summary?.test?.n).toBe(1);
    });
  });
});
