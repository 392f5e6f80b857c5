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

// The figures behind createEnvironment's maxTokens comments (seed 1, 4,096 SFT questions, teacher
// seed 2), printed and pinned here so the comments have a command: `npx vitest run
// src/environment.test.ts -t "maxTokens comments"` in apps/trainer.
it('the maxTokens comments: generated and whole-episode token maxima of the teachers', () => {
  const figures = (name: 'arith' | 'kb', o: { seed: number; overuse: number; repeat: number }) => {
    const env = createEnvironment(name, { seed: 1, sftCount: 4096, rlCount: 10, validationCount: 10, testCount: 10 });
    let most = 0;
    let sum = 0;
    let episode = 0;
    const traces = env.teacherTraces(o);
    for (const d of traces) {
      const generated = d.segments.filter((s) => s.role === 'policy').reduce((n, s) => n + tok.encode(s.text).length, 0);
      most = Math.max(most, generated);
      sum += generated;
      episode = Math.max(episode, tok.encode(d.prompt + d.segments.map((s) => s.text).join('')).length);
    }
    const row = { most, mean: Math.round((10 * sum) / traces.length) / 10, episode };
    console.log(`${name} teacher ${JSON.stringify(o)}: generated at most ${row.most} (mean ${row.mean}), whole episode at most ${row.episode}`);
    return row;
  };
  // arith: the lean teacher (the oracle's calls) and the one that calls every step twice.
  expect(figures('arith', { seed: 2, overuse: 0, repeat: 0 }).most).toBe(35);
  expect(figures('arith', { seed: 2, overuse: 1, repeat: 1 }).most).toBe(63);
  // kb: the lean teacher and the default over-using one; whole episodes within the 256-token context.
  expect(figures('kb', { seed: 2, overuse: 0, repeat: 0 })).toMatchObject({ most: 87, mean: 43.4 });
  // The teacher's defaults (overuse 0.6, repeat 0.2), as `paretopo sft` uses them.
  expect(figures('kb', { seed: 2, overuse: 0.6, repeat: 0.2 })).toEqual({ most: 85, mean: 41.1, episode: 223 });
}, 120_000);
