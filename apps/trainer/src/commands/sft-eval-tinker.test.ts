import { values } from '@paretopo/test-utils';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findDataDir, readJsonlSync } from '@paretopo/envs';
import { ChatTemplate, hfTokenizer, readTokenizerFiles } from '@paretopo/tinker';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, resolveConfig } from '../config/load';
import { evalConfigSchema, sftConfigSchema } from '../config/schema';
import { createEnvironment } from '../environment';
import { FOLDER_MARKER } from '../run/folder';
import { TrainCheckpointError } from '../run/checkpoint';
import { runEval } from './eval';
import { engineSftDatums, runSftTinker } from './sft-tinker';
import { enginePaths, TOKENIZER_DIR, useFakeTinker } from './tinker-fixtures';
import { ENGINE_SFT_FILE, readEngineSft } from './train-tinker';

const files = readTokenizerFiles(TOKENIZER_DIR);
const tokenizer = hfTokenizer(files);
const template = new ChatTemplate(files.tokenizerConfig);
const TASK = { seed: 3, sftCount: 8, rlCount: 8, validationCount: 2, testCount: 2 };

describe('engineSftDatums: teacher traces through the chat template, token-exact', () => {
  const env = createEnvironment('arith', TASK);
  const traces = env.teacherTraces({ seed: 2, overuse: 0.6, repeat: 0.2 });

  it('the datum is the tokenizer’s encoding of prompt and segments, weights 1 on exactly the teacher’s tokens', () => {
    const withTool = traces.find((t) => t.segments.some((s) => s.role !== 'policy'))!;
    expect(withTool).toBeDefined();
    const [d] = engineSftDatums(tokenizer, template, [withTool]);
    const prompt = template.render([{ role: 'user', content: withTool.prompt }]);
    // Segment by segment, as a rollout lays out the same episode.
    const parts = [{ ids: tokenizer.encode(prompt), learn: false }, ...withTool.segments.map((s) => ({ ids: tokenizer.encode(s.text), learn: s.role === 'policy' }))];
    const tokens = parts.flatMap((p) => Array.from(p.ids));
    const mask = parts.flatMap((p) => Array.from(p.ids, () => (p.learn ? 1 : 0)));
    expect(d.model_input.chunks[0].tokens).toEqual(tokens.slice(0, -1));
    expect(d.loss_fn_inputs.target_tokens.data).toEqual(tokens.slice(1));
    expect(d.loss_fn_inputs.weights!.data).toEqual(mask.slice(1));
    expect(tokenizer.decode(Int32Array.from(tokens))).toBe(prompt + withTool.segments.map((s) => s.text).join(''));
    // Tool outputs are never trained on; the teacher's text is.
    expect(mask.includes(1) && mask.slice(parts[0].ids.length).includes(0)).toBe(true);
    expect(prompt.startsWith('<|im_start|>user\n')).toBe(true);
  });

  it('teacherTraces are the demonstrations without the background text', () => {
    const demos = env.demonstrations({ seed: 2, overuse: 0.6, repeat: 0.2 });
    expect(demos.filter((d) => d.prompt !== '')).toEqual(traces);
    expect(traces.every((t) => t.prompt !== '')).toBe(true);
  });
});

describe('sft and eval config: --engine', () => {
  const engine = ['--engine', 'tinker', '--engine.url', 'http://127.0.0.1:8000', '--engine.baseModel', 'Qwen/Qwen3-0.6B'];
  it('sft --engine tinker parses; the local engine stays the default', () => {
    expect(loadConfig(sftConfigSchema, ['--env', 'arith', '--out', 'o'], 'sft').config.engine.name).toBe('local');
    expect(loadConfig(sftConfigSchema, ['--env', 'arith', '--out', 'o', ...engine, '--engine.loraRank', '8'], 'sft').config.engine).toEqual({ name: 'tinker', url: 'http://127.0.0.1:8000', baseModel: 'Qwen/Qwen3-0.6B', loraRank: 8 });
    expect(() => loadConfig(sftConfigSchema, ['--env', 'arith', '--out', 'o', '--engine', 'tinker'], 'sft')).toThrow(/engine tinker needs engine\.url and engine\.baseModel/);
  });
  it('eval --engine tinker needs no checkpoint and refuses an endpoint', () => {
    expect(loadConfig(evalConfigSchema, ['--env', 'gsm8k', ...engine], 'eval').config.checkpoint).toBeUndefined();
    expect(() => loadConfig(evalConfigSchema, ['--env', 'gsm8k', ...engine, '--endpoint', 'http://h/v1', '--model', 'm'], 'eval')).toThrow(ConfigError);
    expect(() => loadConfig(evalConfigSchema, ['--env', 'gsm8k', ...engine, '--endpoint', 'http://h/v1', '--model', 'm'], 'eval')).toThrow(/endpoint: engine tinker evaluates the engine's model/);
    // The local engine still needs exactly one of checkpoint and endpoint.
    expect(() => loadConfig(evalConfigSchema, ['--env', 'gsm8k'], 'eval')).toThrow(/give exactly one of checkpoint/);
  });
});

describe('sft and eval on a Tinker engine (recorded SkyRL answers, no engine)', () => {
  const setup = useFakeTinker('paretopo-sft-tinker-unit-');
  const paths = enginePaths;

  it('sft: cross_entropy + optim_step per step, greedy evaluation, then the warm start saved on the engine with checksums', async () => {
    const { fake, work, engine } = await setup();
    const out = join(work, 'sft');
    const config = resolveConfig(sftConfigSchema, { env: 'arith', out, engine, steps: 2, batchSize: 2, lr: 0.01, warmupSteps: 1, maxTokens: 8, task: TASK }, 'sft');
    const lines: string[] = [];
    const r = await runSftTinker(config, { progress: false, log: (l) => lines.push(l) });
    expect(lines[0]).toBe(`engine: tinker (${fake.baseUrl}, base model Qwen/Qwen3-0.6B, LoRA rank 4)`);
    const calls = paths(fake);
    expect(calls.slice(0, 6)).toEqual(['create_session', 'create_model', 'forward_backward', 'optim_step', 'forward_backward', 'optim_step']);
    expect(calls.slice(6, 8)).toEqual(['save_weights_for_sampler', 'asample']);
    expect(calls.slice(-2)).toEqual(['save_weights', 'unload_model']);
    const fb = fake.requests.filter((q) => q.path === '/api/v1/forward_backward');
    expect(fb.map((q) => q.body.forward_backward_input.loss_fn)).toEqual(['cross_entropy', 'cross_entropy']);
    expect(fb[0].body.forward_backward_input.data).toHaveLength(2);
    // Linear warmup over 1 step, then cosine to lr/10 at the last step (the local SFT's schedule).
    const lrs = fake.requests.filter((q) => q.path === '/api/v1/optim_step').map((q) => q.body.adam_params.learning_rate);
    expect(lrs[0]).toBeCloseTo(0.01, 12);
    const rows = values(readJsonlSync<{ step: number; loss: number; tokens: number }>(join(out, 'sft.jsonl')));
    expect(rows.map((x) => x.step)).toEqual([0, 1]);
    expect(rows.every((x) => Number.isFinite(x.loss) && x.loss > 0 && x.tokens > 0)).toBe(true);
    expect(r.losses).toEqual(rows.map((x) => x.loss));
    expect(readEngineSft(out, 'test')).toEqual({ type: 'paretopo-engine-sft', version: 1, weights: r.weights, baseModel: 'Qwen/Qwen3-0.6B', loraRank: 4, steps: 2 });
    for (const f of ['eval.json', 'test.json', 'sft-config.json', 'checksums.json']) expect(existsSync(join(out, f))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, FOLDER_MARKER), 'utf8'))).toEqual({ kind: 'sft', version: 1 });
    // A finished warm start is never replaced.
    await expect(runSftTinker(config, { progress: false, log: () => {} })).rejects.toThrow(/already holds a warm start \(engine-sft\.json\)/);

    // eval --engine tinker --checkpoint <that folder>: its weights in a fresh LoRA, greedy samples from them.
    fake.requests.length = 0;
    const evalConfig = resolveConfig(evalConfigSchema, { env: 'arith', split: 'test', engine, checkpoint: out, maxTokens: 8, task: TASK }, 'eval');
    const evalLines: string[] = [];
    const row = await runEval(evalConfig, { log: (l) => evalLines.push(l) });
    expect(evalLines[0]).toBe(`engine: tinker (${fake.baseUrl}, base model Qwen/Qwen3-0.6B, ${out} (engine SFT, 2 steps))`);
    expect(paths(fake).slice(0, 4)).toEqual(['create_session', 'create_model', 'load_weights', 'save_weights_for_sampler']);
    expect(fake.requests.find((q) => q.path === '/api/v1/load_weights')?.body).toMatchObject({ path: r.weights, optimizer: false });
    const samples = fake.requests.filter((q) => q.path === '/api/v1/asample');
    expect(samples).toHaveLength(TASK.testCount);
    expect(samples.every((q) => q.body.sampling_params.temperature === 0 && typeof q.body.model_path === 'string')).toBe(true);
    expect(row.n).toBe(TASK.testCount);
    expect([row.accuracy, row.meanCalls, row.toolEfficiency, row.hv].every(Number.isFinite)).toBe(true);
    expect(row.oracle?.strata.length).toBeGreaterThan(0);
    expect(paths(fake).at(-1)).toBe('unload_model');

    // A corrupted warm start is refused, naming the file.
    const state = join(out, ENGINE_SFT_FILE);
    writeFileSync(state, readFileSync(state, 'utf8').replace('"steps": 2', '"steps": 3'));
    await expect(runEval(evalConfig, { log: () => {} })).rejects.toThrow(TrainCheckpointError);
    await expect(runEval(evalConfig, { log: () => {} })).rejects.toThrow(/engine-sft\.json: SHA-256 [0-9a-f]{64} does not match/);
  });

  it('eval --engine tinker without a checkpoint samples the base model; another base model’s checkpoint is refused', async () => {
    const { fake, work, engine } = await setup();
    const row = await runEval(resolveConfig(evalConfigSchema, { env: 'arith', engine, maxTokens: 8, task: TASK, split: 'validation' }, 'eval'), { log: () => {} });
    expect(row.n).toBe(TASK.validationCount);
    const samples = fake.requests.filter((q) => q.path === '/api/v1/asample');
    expect(samples.every((q) => q.body.base_model === 'Qwen/Qwen3-0.6B')).toBe(true);
    expect(paths(fake)).not.toContain('create_model');
    // The prompt is the question as one user turn of the model's chat template.
    const prompt = tokenizer.decode(Int32Array.from(samples[0].body.prompt.chunks[0].tokens));
    expect(prompt).toMatch(/^<\|im_start\|>user\n.*\n<\|im_end\|>\n<\|im_start\|>assistant\n$/s);
    // An engine checkpoint of another base model.
    const out = join(work, 'sft');
    await runSftTinker(resolveConfig(sftConfigSchema, { env: 'arith', out, engine, steps: 1, batchSize: 1, maxTokens: 8, task: TASK, evalTest: false }, 'sft'), { progress: false, log: () => {} });
    await expect(runEval(resolveConfig(evalConfigSchema, { env: 'arith', engine: { ...engine, baseModel: 'other' }, checkpoint: out, task: TASK }, 'eval'), { log: () => {} })).rejects.toThrow(/is a LoRA of Qwen\/Qwen3-0\.6B; --engine\.baseModel is other/);
    // A folder with no engine checkpoint.
    await expect(runEval(resolveConfig(evalConfigSchema, { env: 'arith', engine, checkpoint: work, task: TASK }, 'eval'), { log: () => {} })).rejects.toThrow(/holds no engine checkpoint/);
  });

  describe.skipIf(findDataDir() === null)('eval --engine tinker on the real benchmarks (data from the shared data folder)', () => {
    it.each([
      ['gsm8k', 'calc'],
      ['math500', 'code'],
      ['hotpotqa', 'search'],
    ])('%s: a system turn explains its tool <%s>, the row counts the question', async (env, tag) => {
      const { fake, engine } = await setup();
      const row = await runEval(resolveConfig(evalConfigSchema, { env, engine, limit: 1, maxTokens: 8 }, 'eval'), { log: () => {} });
      expect(row.n).toBe(1);
      const prompt = tokenizer.decode(Int32Array.from(fake.requests.find((q) => q.path === '/api/v1/asample')!.body.prompt.chunks[0].tokens));
      expect(prompt.startsWith('<|im_start|>system\nAnswer the question. You may call a tool by writing its tag')).toBe(true);
      expect(prompt).toContain(`- <${tag}>…</${tag}>`);
      expect(prompt).toMatch(/<\|im_end\|>\n<\|im_start\|>user\n[^]*<\|im_end\|>\n<\|im_start\|>assistant\n$/);
    });
  });
});
