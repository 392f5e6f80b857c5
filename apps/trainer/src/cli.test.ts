import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { EXIT, main } from './cli';
import { loadConfig, parseFlags } from './config/load';
import { compareConfigSchema, reportFlagsSchema, sftConfigSchema, trainConfigSchema } from './config/schema';

// main() in this process, with stdout and stderr captured: the cases here never start any work.
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('paretopo --version and --help', () => {
  it('--version prints the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await run([flag]);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toBe(`paretopo ${packageJson.version}\n`);
    }
  });

  it.each(['demo', 'sft', 'train', 'eval', 'compare', 'report'])('%s --help prints its flags with defaults and starts nothing', async (command) => {
    // A demo would take minutes and write runs/demo; --help must return at once, whatever else is given.
    const r = await run([command, '--out', join(mkdtempSync(join(tmpdir(), 'paretopo-help-')), 'x'), '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(new RegExp(`^usage: paretopo ${command}`));
    expect(r.stdout).toContain('--out');
    expect(r.stderr).toBe('');
  });

  it('help lines give each key its type and default', async () => {
    const r = await run(['train', '--help']);
    expect(r.stdout).toMatch(/--lr +number \(default 0\.0005\)/);
    expect(r.stdout).toMatch(/--reward\.toolGate +none\|correct \(default "none"\)/);
    expect(r.stdout).toMatch(/--init +string \(optional\)/);
    expect(r.stdout).toMatch(/--engine\.name +local\|tinker \(default "local"\)/);
    expect(r.stdout).toMatch(/--resume/);
  });
});

describe('flag values take the type their key wants', () => {
  it('strings stay strings: digits and commas included', () => {
    expect(parseFlags(['--out', '2025'], [], sftConfigSchema).overrides).toEqual({ out: '2025' });
    expect(parseFlags(['--title', 'Run A, seed 1'], [], reportFlagsSchema).overrides).toEqual({ title: 'Run A, seed 1' });
    expect(loadConfig(sftConfigSchema, ['--env', 'arith', '--out', '2025'], 'sft').config.out).toBe('2025');
  });

  it('numbers, booleans, tuples, enum lists and nullables are parsed by their schema', () => {
    const { overrides } = parseFlags(
      ['--lr', '3e-4', '--reward.weights', '0.7,0.3', '--maxTokens', 'null', '--reward.center', 'false', '--eval.every', '5'],
      [],
      trainConfigSchema,
    );
    expect(overrides).toEqual({ lr: 3e-4, reward: { weights: [0.7, 0.3], center: false }, maxTokens: null, eval: { every: 5 } });
    expect(parseFlags(['--methods', 'rloo,grpo-acc'], [], compareConfigSchema).overrides).toEqual({ methods: ['rloo', 'grpo-acc'] });
    // A boolean key alone means true.
    expect(parseFlags(['--reward.center', '--lr', '1'], [], trainConfigSchema).overrides).toEqual({ reward: { center: true }, lr: 1 });
  });

  it('a value of the wrong type is left for the schema to reject by key', () => {
    expect(() => loadConfig(trainConfigSchema, ['--env', 'arith', '--init', 'a', '--out', 'b', '--lr', 'fast'], 'train')).toThrow(/lr: .*number/);
  });

  it('inside an untyped record (compare --train.*) values are JSON where they parse', () => {
    expect(parseFlags(['--train.steps', '2', '--train.reward.weights', '0.6,0.4'], [], compareConfigSchema).overrides).toEqual({
      train: { steps: 2, reward: { weights: [0.6, 0.4] } },
    });
  });
});

describe('nothing given is ignored', () => {
  it.each([
    [['demo', '--lrr', '1'], "unknown key 'lrr'"],
    [['demo', 'extra'], "demo: unexpected argument 'extra'"],
    [['sft', '--env', 'arith', '--out', 'x', 'stray'], "sft: unexpected argument 'stray'"],
    [['train', '--env', 'arith', '--init', 'a', '--out', 'b', 'stray'], "train: unexpected argument 'stray'"],
    [['report', 'dir', '--titel', 'x'], "unknown key 'titel'"],
  ])('%j is an error (exit 2)', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toContain(message);
  });
});
