import { POOLS, parseToolCalls } from '@paretopo/envs';
import { TagTokenizer } from '@paretopo/policy';
import { describe, expect, it } from 'vitest';
import { createEnvironment } from './environment';

const COUNTS = { seed: 1, sftCount: 1000, rlCount: 1000, validationCount: 300, testCount: 500 };
const tok = TagTokenizer.create();

describe.each(['arith', 'kb'] as const)('createEnvironment(%s)', (name) => {
  const env = createEnvironment(name, COUNTS);

  it('holds four disjoint pools of the configured sizes; validation and test without repeats', () => {
    expect([env.sft.length, env.rl.length, env.validation.length, env.test.length]).toEqual([1000, 1000, 300, 500]);
    const seen = new Map<string, string>();
    for (const p of POOLS) {
      for (const t of env[p]) {
        expect(seen.get(t.question) ?? p).toBe(p);
        seen.set(t.question, p);
      }
    }
    expect(new Set(env.validation.map((t) => t.question)).size).toBe(300);
    expect(new Set(env.test.map((t) => t.question)).size).toBe(500);
  });

  it('every teacher trace fits maxTokens (generated tokens) and the tiny model’s 256-token context', () => {
    const demos = env.demonstrations({ seed: 2, overuse: 1, repeat: 1 });
    let most = 0;
    for (const d of demos) {
      const generated = d.segments.filter((s) => s.role === 'policy').reduce((n, s) => n + tok.encode(s.text).length, 0);
      most = Math.max(most, generated);
      expect(tok.encode(d.prompt + d.segments.map((s) => s.text).join('')).length).toBeLessThanOrEqual(255);
    }
    expect(most).toBeLessThanOrEqual(env.maxTokens);
  });

  it('the tool answers the teacher’s calls', async () => {
    const [trace] = env.demonstrations({ seed: 2, overuse: 1, repeat: 0 }).filter((d) => d.prompt !== '');
    const text = trace.segments.map((s) => s.text).join('');
    const tool = env.tools[0];
    const { calls } = parseToolCalls(text, { tools: { [tool.tag]: tool.maxArgChars } });
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect((await tool.run(tool.argsFromText(c.body))).ok).toBe(true);
  });
});

it('arith: the calculator takes one operation per call', async () => {
  const calc = createEnvironment('arith', { ...COUNTS, sftCount: 1, rlCount: 1, validationCount: 1, testCount: 1 }).tools[0];
  expect(await calc.run({ expression: '12*34' })).toEqual({ ok: true, output: '408' });
  expect(await calc.run({ expression: '2+3*4' })).toMatchObject({ ok: false, error: 'too-many-operations' });
});
