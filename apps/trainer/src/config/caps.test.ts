// Class 3 of issue 14 (docs/RELIABILITY.md): every size in the configs has an upper bound, named
// in the error, so a mistyped flag is a config error instead of an out-of-memory abort.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load';
import { CONFIG_CAPS, compareConfigSchema, evalConfigSchema, sftConfigSchema, trainConfigSchema } from './schema';

const train = ['--env', 'arith', '--init', 'w', '--out', 'r'];
const sft = ['--env', 'arith', '--out', 'r'];

describe('config caps', () => {
  it.each([
    [trainConfigSchema, train, 'group-size', 'groupSize', CONFIG_CAPS.groupSize],
    [trainConfigSchema, train, 'prompts-per-step', 'promptsPerStep', CONFIG_CAPS.batch],
    [trainConfigSchema, train, 'steps', 'steps', CONFIG_CAPS.steps],
    [trainConfigSchema, train, 'max-tokens', 'maxTokens', CONFIG_CAPS.maxTokens],
    [trainConfigSchema, train, 'task.rl-count', 'task.rlCount', CONFIG_CAPS.taskCount],
    [trainConfigSchema, train, 'checkpoint.keep', 'checkpoint.keep', CONFIG_CAPS.keep],
    [sftConfigSchema, sft, 'batch-size', 'batchSize', CONFIG_CAPS.batch],
    [sftConfigSchema, sft, 'model.d-model', 'model.dModel', CONFIG_CAPS.dModel],
    [sftConfigSchema, sft, 'model.context', 'model.context', CONFIG_CAPS.context],
    [evalConfigSchema, ['--env', 'arith', '--checkpoint', 'c'], 'limit', 'limit', CONFIG_CAPS.taskCount],
    [compareConfigSchema, ['--env', 'arith', '--out', 'o'], 'seeds', 'seeds', CONFIG_CAPS.seeds],
  ] as const)('%#: --%s 1e9 is a config error naming %s and its cap', (schema, base, flag, key, cap) => {
    const run = () => loadConfig(schema, [...base, `--${flag}`, '1e9'], 'cmd');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(`${key.replace('.', '\\.')}: .*${cap}`));
    // The cap itself is accepted.
    expect(() => loadConfig(schema, [...base, `--${flag}`, String(cap)], 'cmd')).not.toThrow();
  });

  it('the caps are finite integers', () => {
    for (const [k, v] of Object.entries(CONFIG_CAPS)) expect(Number.isSafeInteger(v), k).toBe(true);
  });
});
