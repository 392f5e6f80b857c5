import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, mergeConfig, parseFlags, readConfigFile, resolveConfig } from './load';
import { compareConfigSchema, evalConfigSchema, sftConfigSchema, trainConfigSchema } from './schema';

describe('parseFlags', () => {
  it.each([
    [['--lr', '3e-4'], { lr: 3e-4 }],
    [['--lr=3e-4'], { lr: 3e-4 }],
    [['--loss.betaKl', '0.01'], { loss: { betaKl: 0.01 } }],
    [['--prompts-per-step', '8'], { promptsPerStep: 8 }],
    [['--methods', 'grpo-acc,paretopo'], { methods: ['grpo-acc', 'paretopo'] }],
    [['--reward.weights', '0.7,0.3'], { reward: { weights: [0.7, 0.3] } }],
    [['--out', 'runs/x'], { out: 'runs/x' }],
    [['--flag'], { flag: true }],
    [['--a', '--b', 'x'], { a: true, b: 'x' }],
    [['--methods', '["rloo"]'], { methods: ['rloo'] }],
  ])('%j → %j', (argv, overrides) => {
    expect(parseFlags(argv).overrides).toEqual(overrides);
  });

  it('keeps positional arguments apart and takes boolean flags without a value', () => {
    expect(parseFlags(['runs/a', '--resume', 'runs/b'], ['resume'])).toEqual({ overrides: { resume: true }, positional: ['runs/a', 'runs/b'] });
  });

  it.each([['--'], ['--1x'], ['--a..b']])('rejects the malformed flag %s', (flag) => {
    expect(() => parseFlags([flag])).toThrow(ConfigError);
  });

  it('rejects a nested key under a scalar', () => {
    expect(() => parseFlags(['--lr', '1', '--lr.x', '2'])).toThrow('not an object');
  });
});

describe('mergeConfig', () => {
  it('merges nested objects and replaces arrays', () => {
    expect(mergeConfig({ loss: { epsLow: 0.2, betaKl: 1 }, m: [1, 2] }, { loss: { betaKl: 0 }, m: [3] })).toEqual({ loss: { epsLow: 0.2, betaKl: 0 }, m: [3] });
  });
});

describe('resolveConfig: errors that name the key and the allowed values', () => {
  const base = { env: 'arith', init: 'w', out: 'r' };

  it('fills METHOD.md defaults', () => {
    const c = resolveConfig(trainConfigSchema, base, 'train');
    expect(c.method).toBe('paretopo');
    expect(c.reward).toEqual({
      weights: [0.6, 0.4],
      alpha: 0.5,
      toolGate: 'none',
      nOptFallback: 'value',
      fallbackNOpt: 0,
      nOptRule: 'min',
      nOptWindow: 4,
      nOptSupport: 1,
      gamma: 0.9,
      beta: 0.5,
      switchFraction: 0.5,
      std: 'sample',
      otcC: 1,
      granularity: 'step',
      reference: 'first-minus-margin',
      referencePoint: [0, 0],
      switchPolicy: 'fixed',
      switchEpsilon: 1e-4,
      switchPatience: 10,
      nRank: 'fronts',
      center: true,
    });
    expect(c.loss).toEqual({ epsLow: 0.2, epsHigh: 0.2, betaKl: 0.001, aggregation: 'token-mean', dualClip: 3, klClamp: 10 });
    expect(c).toMatchObject({ warmupSteps: 10, lrSchedule: 'constant' });
  });

  it('the method options arrive from flags as the study names its arms', () => {
    const { overrides } = parseFlags(['--reward.toolGate', 'correct', '--reward.nOptRule', 'recent', '--reward.nOptWindow', '8', '--reward.nOptFallback', 'zero-reward', '--lrSchedule', 'cosine', '--warmupSteps', '0']);
    const c = resolveConfig(trainConfigSchema, mergeConfig(base, overrides), 'train');
    expect(c.reward).toMatchObject({ toolGate: 'correct', nOptRule: 'recent', nOptWindow: 8, nOptFallback: 'zero-reward' });
    expect(c).toMatchObject({ lrSchedule: 'cosine', warmupSteps: 0 });
    expect(() => resolveConfig(trainConfigSchema, mergeConfig(base, { reward: { toolGate: 'wrong' } }), 'train')).toThrow(/reward\.toolGate: must be one of "none", "correct"/);
    expect(() => resolveConfig(trainConfigSchema, mergeConfig(base, { lrSchedule: 'linear' }), 'train')).toThrow(/lrSchedule: must be one of "constant", "cosine"/);
    expect(() => resolveConfig(trainConfigSchema, mergeConfig(base, { reward: { nOptWindow: 0 } }), 'train')).toThrow(/reward\.nOptWindow: /);
  });

  it('loss.dualClip and loss.klClamp take null (off) and refuse values that bound nothing', () => {
    expect(resolveConfig(trainConfigSchema, { ...base, loss: { dualClip: null, klClamp: null } }, 'train').loss).toMatchObject({ dualClip: null, klClamp: null });
    expect(resolveConfig(trainConfigSchema, { ...base, loss: { dualClip: 2, klClamp: 5 } }, 'train').loss).toMatchObject({ dualClip: 2, klClamp: 5 });
    expect(() => resolveConfig(trainConfigSchema, { ...base, loss: { dualClip: 1 } }, 'train')).toThrow(/loss\.dualClip/);
    expect(() => resolveConfig(trainConfigSchema, { ...base, loss: { klClamp: 0 } }, 'train')).toThrow(/loss\.klClamp/);
  });

  it('the RL budget defaults per environment and yields to explicit values', () => {
    expect(resolveConfig(trainConfigSchema, base, 'train')).toMatchObject({ steps: 200, promptsPerStep: 8 });
    expect(resolveConfig(trainConfigSchema, { ...base, env: 'kb' }, 'train')).toMatchObject({ steps: 100, promptsPerStep: 4 });
    expect(resolveConfig(trainConfigSchema, { ...base, env: 'kb', steps: 7 }, 'train')).toMatchObject({ steps: 7, promptsPerStep: 4 });
  });

  it('a typo at the top level names the key and lists the allowed keys', () => {
    const err = (() => {
      try {
        resolveConfig(trainConfigSchema, { ...base, lrr: 1 }, 'train');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err?.message).toMatch(/^train config: unknown key 'lrr' \(allowed keys: env, seed, backend,/);
  });

  it('a typo in a nested object names its path', () => {
    expect(() => resolveConfig(trainConfigSchema, { ...base, loss: { betaKL: 0 } }, 'train')).toThrow("unknown key 'loss.betaKL'");
  });

  it('a bad enum value lists the allowed values', () => {
    expect(() => resolveConfig(trainConfigSchema, { ...base, method: 'ppo' }, 'train')).toThrow(/method: must be one of "grpo-acc", "grpo-ws", .*"paretopo"/);
    expect(() => resolveConfig(trainConfigSchema, { ...base, env: 'gsm' }, 'train')).toThrow('env: must be one of "arith", "kb"');
    expect(() => resolveConfig(trainConfigSchema, { ...base, backend: 'cuda' }, 'train')).toThrow('backend: must be one of "auto"');
  });

  it.each([
    [{ steps: 0 }, 'steps'],
    [{ steps: 1.5 }, 'steps'],
    [{ lr: -1 }, 'lr'],
    [{ reward: { beta: 1 } }, 'reward.beta'],
    [{ reward: { weights: [0.6] } }, 'reward.weights'],
    [{ temperature: 'hot' }, 'temperature'],
  ])('a bad value %j names %s', (patch, key) => {
    expect(() => resolveConfig(trainConfigSchema, mergeConfig(base, patch), 'train')).toThrow(new RegExp(`${key.replace('.', '\\.')}: `));
  });

  it('names a missing required key', () => {
    expect(() => resolveConfig(trainConfigSchema, { env: 'arith', out: 'r' }, 'train')).toThrow(/init: /);
    expect(() => resolveConfig(sftConfigSchema, { env: 'arith' }, 'sft')).toThrow(/out: /);
  });

  it('eval takes exactly one of checkpoint and endpoint, and an endpoint needs a model', () => {
    expect(() => resolveConfig(evalConfigSchema, { env: 'arith' }, 'eval')).toThrow('exactly one of checkpoint');
    expect(() => resolveConfig(evalConfigSchema, { env: 'arith', checkpoint: 'a', endpoint: 'http://127.0.0.1:1/v1', model: 'm' }, 'eval')).toThrow('exactly one of checkpoint');
    expect(() => resolveConfig(evalConfigSchema, { env: 'arith', endpoint: 'http://127.0.0.1:1/v1' }, 'eval')).toThrow('endpoint needs model');
    expect(resolveConfig(evalConfigSchema, { env: 'kb', checkpoint: 'a' }, 'eval').split).toBe('test');
  });

  it('compare defaults to the issue method set and 3 seeds', () => {
    const c = resolveConfig(compareConfigSchema, { env: 'kb', out: 'x' }, 'compare');
    expect(c.methods).toEqual(['grpo-acc', 'grpo-ws', 'otc-grpo', 'mo-grpo', 'paretopo-s1', 'paretopo-s2', 'paretopo']);
    expect(c.seeds).toBe(3);
    expect(() => resolveConfig(compareConfigSchema, { env: 'kb', out: 'x', methods: ['grpo', 'paretopo'] }, 'compare')).toThrow('methods.0: must be one of');
  });
});

describe('loadConfig: file, then flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paretopo-config-'));

  it('reads JSON and YAML files and lets flags override them', () => {
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ env: 'arith', init: 'w', out: 'r', lr: 1e-3, loss: { betaKl: 0.1 } }));
    writeFileSync(join(dir, 'a.yaml'), 'env: kb\ninit: w\nout: r\nloss:\n  betaKl: 0.1\n');
    const a = loadConfig(trainConfigSchema, ['--config', join(dir, 'a.json'), '--lr', '2e-4'], 'train').config;
    expect([a.lr, a.loss.betaKl, a.loss.epsLow]).toEqual([2e-4, 0.1, 0.2]);
    const b = loadConfig(trainConfigSchema, ['--config', join(dir, 'a.yaml'), '--loss.betaKl', '0'], 'train').config;
    expect([b.env, b.loss.betaKl]).toEqual(['kb', 0]);
  });

  it('reports unreadable, unparsable and non-object files with their path', () => {
    writeFileSync(join(dir, 'bad.json'), '{ "env": ');
    writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json/);
    expect(() => readConfigFile(join(dir, 'bad.json'))).toThrow(/bad\.json does not parse/);
    expect(() => readConfigFile(join(dir, 'list.yaml'))).toThrow(/list\.yaml must hold an object/);
  });

  it('a flag typo is as clear as a file typo', () => {
    expect(() => loadConfig(trainConfigSchema, ['--env', 'arith', '--init', 'w', '--out', 'r', '--group-sise', '4'], 'train')).toThrow("unknown key 'groupSise'");
  });
});
