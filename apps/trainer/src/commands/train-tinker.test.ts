import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatTemplate, readTokenizerFiles } from '@paretopo/tinker';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../config/load';
import { trainConfigSchema } from '../config/schema';
import { readJsonlSync } from '@paretopo/envs';
import { values } from '@paretopo/test-utils';
import { RUN_FILES, type StepRow } from '../run/types';
import { TrainCheckpointError } from '../run/checkpoint';
import { FOLDER_MARKER } from '../run/folder';
import { resumeConfig, runTrain } from './train';
import { enginePaths, TOKENIZER_DIR as tokenizerDir, useFakeTinker } from './tinker-fixtures';
import { chatTasks, readEngineState } from './train-tinker';

describe('train config: --engine', () => {
  const base = ['--env', 'arith', '--out', 'r'];
  it('defaults to the local engine, which needs --init', () => {
    expect(loadConfig(trainConfigSchema, [...base, '--init', 'w'], 'train').config.engine).toEqual({ name: 'local', loraRank: 32 });
    expect(() => loadConfig(trainConfigSchema, base, 'train')).toThrow(/init: engine local needs init/);
  });

  it('--engine tinker with --engine.url, --engine.baseModel, --engine.loraRank (no --init)', () => {
    const { config } = loadConfig(trainConfigSchema, [...base, '--engine', 'tinker', '--engine.url', 'http://127.0.0.1:8000', '--engine.baseModel', 'Qwen/Qwen3-0.6B', '--engine.lora-rank', '16'], 'train');
    expect(config.engine).toEqual({ name: 'tinker', url: 'http://127.0.0.1:8000', baseModel: 'Qwen/Qwen3-0.6B', loraRank: 16 });
    expect(config.init).toBeUndefined();
    // The object form, as a config file holds it.
    expect(resolveConfig(trainConfigSchema, { env: 'arith', out: 'r', engine: { name: 'tinker', url: 'http://h', baseModel: 'm' } }, 'train').engine.loraRank).toBe(32);
  });

  it('--engine.hosted true selects hosted Tinker\'s protocol; without it the config has no hosted key', () => {
    const flags = [...base, '--engine', 'tinker', '--engine.url', 'https://tinker.example', '--engine.baseModel', 'Qwen/Qwen3-4B-Instruct-2507'];
    expect(loadConfig(trainConfigSchema, [...flags, '--engine.hosted', 'true'], 'train').config.engine.hosted).toBe(true);
    expect('hosted' in loadConfig(trainConfigSchema, flags, 'train').config.engine).toBe(false);
    expect(loadConfig(trainConfigSchema, [...flags, '--engine.hosted'], 'train').config.engine.hosted).toBe(true);
    const file = { env: 'arith', out: 'r', engine: { name: 'tinker', url: 'https://tinker.example', baseModel: 'm', hosted: 'yes' } };
    expect(() => resolveConfig(trainConfigSchema, file, 'train')).toThrow(/engine\.hosted/);
  });

  it.each([
    [['--engine', 'tinker'], /engine\.url: engine tinker needs engine\.url and engine\.baseModel/],
    [['--engine', 'tinker', '--engine.url', 'http://h'], /engine tinker needs engine\.url and engine\.baseModel/],
    [['--engine', 'gpu'], /engine\.name: must be one of "local", "tinker"/],
    [['--engine', 'tinker', '--engine.url', 'not a url', '--engine.baseModel', 'm'], /engine\.url/],
    [['--engine', 'tinker', '--engine.url', 'http://h', '--engine.baseModel', 'm', '--engine.loraRank', '1025'], /engine\.loraRank: .*1024/],
    [['--engine.lora', '4'], /unknown key 'engine\.lora'/],
  ])('%j is a config error naming the key', (flags, message) => {
    expect(() => loadConfig(trainConfigSchema, [...base, ...flags], 'train')).toThrow(ConfigError);
    expect(() => loadConfig(trainConfigSchema, [...base, ...flags], 'train')).toThrow(message);
  });
});

describe('runTrain on a Tinker engine (recorded SkyRL answers, no engine)', () => {
  const start = useFakeTinker('paretopo-train-tinker-unit-');

  async function setup() {
    const { fake, work } = await start();
    const config = resolveConfig(
      trainConfigSchema,
      {
        env: 'arith', method: 'paretopo', out: join(work, 'run'), seed: 3,
        engine: { name: 'tinker', url: fake.baseUrl, baseModel: 'Qwen/Qwen3-0.6B', tokenizer: tokenizerDir, loraRank: 4 },
        steps: 3, promptsPerStep: 1, groupSize: 2, maxTokens: 8, maxTurns: 2, lr: 0.01, warmupSteps: 2,
        task: { sftCount: 8, rlCount: 8, validationCount: 1, testCount: 1 }, eval: { every: 100, test: false },
      },
      'train',
    );
    return { fake, config };
  }
  const paths = enginePaths;

  it('runs the method in TypeScript and the model work on the engine: sample → forward → forward_backward → optim_step → sampler weights', async () => {
    const { fake, config } = await setup();
    const lines: string[] = [];
    const r = await runTrain(config, { progress: false, log: (l) => lines.push(l) });
    expect([r.status, r.step, r.backend]).toEqual(['finished', 3, null]);
    expect(lines[0]).toBe(`engine: tinker (${fake.baseUrl}, base model Qwen/Qwen3-0.6B, LoRA rank 4)`);
    const rows = values(readJsonlSync<StepRow>(join(config.out, RUN_FILES.metrics)));
    expect(rows.map((x) => [x.step, x.stage, x.episodes])).toEqual([[0, 1, 2], [1, 2, 2], [2, 2, 2]]);
    // The learning rate follows the same schedule as the local AdamW (linear warmup over 2 steps).
    expect(rows.map((x) => x.lr)).toEqual([0.005, 0.01, 0.01]);
    for (const x of rows) {
      expect(Number.isFinite(x.loss) && Number.isFinite(x.gradNorm) && x.generatedTokens > 0).toBe(true);
      expect(x.entropy).toBeNull();
    }
    const calls = paths(fake);
    // Training model and KL reference (β_KL > 0), then per step: G samples, reference forward, the custom-loss route, Adam, sampler sync.
    expect(calls.slice(0, 3)).toEqual(['create_session', 'create_model', 'create_model']);
    const step = calls.slice(calls.indexOf('forward') - 2, calls.indexOf('save_weights_for_sampler') + 1);
    expect(step).toEqual(['asample', 'asample', 'forward', 'forward', 'forward_backward', 'optim_step', 'save_weights_for_sampler']);
    const optim = fake.requests.filter((q) => q.path === '/api/v1/optim_step').map((q) => q.body.adam_params.learning_rate);
    expect(optim).toEqual([0.005, 0.01, 0.01]);
    expect(calls.filter((p) => p === 'unload_model')).toHaveLength(2);
    expect(existsSync(join(config.out, RUN_FILES.checkpoints, 'step-000003', 'engine-state.json'))).toBe(true);
  });

  it('with engine.hosted, the same run speaks hosted Tinker\'s protocol: client config, numbered training requests, sampling sessions', async () => {
    const { fake, config } = await setup();
    const hosted = { ...config, engine: { ...config.engine, hosted: true } };
    const lines: string[] = [];
    const r = await runTrain(hosted, { progress: false, log: (l) => lines.push(l) });
    expect([r.status, r.step]).toEqual(['finished', 3]);
    expect(lines[0]).toBe(`engine: tinker (${fake.baseUrl}, base model Qwen/Qwen3-0.6B, LoRA rank 4, hosted Tinker protocol)`);
    const calls = paths(fake);
    expect(calls.slice(0, 4)).toEqual(['client/config', 'create_session', 'create_model', 'create_model']);
    expect(calls).toContain('create_sampling_session');
    // Every sample goes through a sampling session, never straight to a base model or path.
    for (const q of fake.requests.filter((x) => x.path === '/api/v1/asample')) {
      expect(typeof q.body.sampling_session_id).toBe('string');
      expect(q.body.base_model ?? q.body.model_path).toBeUndefined();
    }
    // The training model's requests are numbered 1, 2, 3, … in the order they were sent.
    const trainModel = fake.requests.find((x) => x.path === '/api/v1/optim_step')?.body.model_id;
    const numbered = fake.requests.filter((x) => x.body?.model_id === trainModel && x.body?.seq_id !== undefined).map((x) => x.body.seq_id);
    expect(numbered.length).toBeGreaterThanOrEqual(9);
    expect(numbered).toEqual(numbered.map((_, i) => i + 1));
    expect(values(readJsonlSync<StepRow>(join(hosted.out, RUN_FILES.metrics))).map((x) => x.step)).toEqual([0, 1, 2]);
  });

  it('an interrupted run saves the engine checkpoint and the method state; resume loads them and continues', async () => {
    const { fake, config } = await setup();
    const stop = new AbortController();
    stop.abort();
    const first = await runTrain(config, { progress: false, log: () => {}, signal: stop.signal });
    expect([first.status, first.step]).toEqual(['interrupted', 0]);
    const saved = readEngineState(config.out, config);
    expect(saved.state.weights).toMatch(/^tinker:\/\//);
    expect(paths(fake)).toContain('save_weights');
    // The run folder rules hold on this engine too: a train folder, refused without --resume, resumed with --out alone.
    expect(JSON.parse(readFileSync(join(config.out, FOLDER_MARKER), 'utf8'))).toEqual({ kind: 'train', version: 1 });
    await expect(runTrain(config, { progress: false, log: () => {} })).rejects.toThrow(`already holds a run; continue it with \`paretopo train --resume --out ${config.out}\``);
    const resumed = resumeConfig(config.out, {});
    expect(resumed).toEqual(config);
    const lines: string[] = [];
    const r = await runTrain(resumed, { resume: true, progress: false, log: (l) => lines.push(l) });
    expect([r.status, r.step]).toEqual(['finished', 3]);
    expect(lines).toContain(`resume: ${config.out} from step 0 (${saved.dir})`);
    const load = fake.requests.find((q) => q.path === '/api/v1/load_weights');
    expect(load?.body).toMatchObject({ path: saved.state.weights, optimizer: true });
    expect(values(readJsonlSync<StepRow>(join(config.out, RUN_FILES.metrics))).map((x) => x.step)).toEqual([0, 1, 2]);
    // A checkpoint of another base model is refused, never silently used.
    expect(() => readEngineState(config.out, { ...config, engine: { ...config.engine, baseModel: 'other' } })).toThrow(TrainCheckpointError);
  });

  it('the built-in prompts go through the model’s chat template', () => {
    const template = new ChatTemplate(readTokenizerFiles(tokenizerDir).tokenizerConfig);
    expect(chatTasks(template, [{ id: 'q', prompt: 'What is 2+3?', answer: '5' }])).toEqual([
      { id: 'q', prompt: '<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n', answer: '5' },
    ]);
  });
});
