import { createCalculator, parseToolCalls, type Tool } from '@paretopo/envs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charTokenizer } from './char-tokenizer';
import { rollout, type RolloutOptions } from './rollout';
import { scriptedPolicy } from './scripted-policy';
import { failTool, GEN, hangTool, slowTool, turnsIn, type Gauge } from '../test/tools';
import type { Policy, RolloutTask } from './types';

const tok = charTokenizer();
const calc = createCalculator();

/** Policy that writes `turns[k]` on its k-th turn of every episode ('' = end-of-sequence). */
function turnsPolicy(turns: (prompt: string) => readonly string[]): Policy {
  return scriptedPolicy(
    tok,
    ({ text, tokens }) => {
      const prompt = text.slice(0, text.indexOf('\n') + 1);
      return turns(prompt)[turnsIn(tokens)] ?? '';
    },
    { idOffset: GEN, logprob: (i) => -0.25 - (i % 3) },
  );
}

const task = (id: string, answer = '5'): RolloutTask => ({ id, prompt: `${id}\n`, answer });

describe('rollout: finish reasons on hand-made episodes', () => {
  it.each<[string, string[], RolloutOptions, string, string, number]>([
    ['call then answer', ['<calc>2+3</calc>', '<ans>5</ans>'], {}, '<calc>2+3</calc><res>5</res><ans>5</ans>', 'answer', 2],
    ['text after the stop is dropped', ['x<calc>2+3</calc>junk', 'ok <ans>5</ans> tail'], {}, 'x<calc>2+3</calc><res>5</res>ok <ans>5</ans>', 'answer', 2],
    ['wrong answer still finishes with answer', ['<ans>4</ans>'], {}, '<ans>4</ans>', 'answer', 1],
    ['end-of-sequence without answer', ['I give up'], {}, 'I give up', 'malformed', 1],
    ['unclosed call at end-of-sequence', ['<calc>2+'], {}, '<calc>2+', 'malformed', 1],
    ['unknown tag becomes tool output', ['<foo>1</foo>', '<ans>5</ans>'], {}, '<foo>1</foo><res>error: unknown tool <foo>; available: <calc></res><ans>5</ans>', 'malformed', 2],
    ['tool error is output', ['<calc>1/0</calc>', '<ans>5</ans>'], {}, '<calc>1/0</calc><res>error: division by zero</res><ans>5</ans>', 'answer', 2],
    ['max tool calls', ['<calc>1</calc>', '<calc>2</calc>', '<calc>3</calc>'], { maxToolCalls: 2 }, '<calc>1</calc><res>1</res><calc>2</calc><res>2</res><calc>3</calc>', 'max-tool-calls', 3],
    ['zero tool calls allowed', ['<calc>1</calc>'], { maxToolCalls: 0 }, '<calc>1</calc>', 'max-tool-calls', 1],
    ['max turns', ['<calc>1</calc>', '<calc>2</calc>', '<ans>2</ans>'], { maxTurns: 2 }, '<calc>1</calc><res>1</res><calc>2</calc><res>2</res>', 'max-turns', 2],
    ['max tokens mid-turn', ['abcdefghijklmnop'], { maxTokens: 10 }, 'abcdefghij', 'max-tokens', 1],
    ['max tokens exactly at a call', ['<calc>1</calc>', '<ans>1</ans>'], { maxTokens: 14 }, '<calc>1</calc><res>1</res>', 'max-tokens', 1],
    ['answer on the last allowed turn', ['<calc>1</calc>', '<ans>5</ans>'], { maxTurns: 2 }, '<calc>1</calc><res>1</res><ans>5</ans>', 'answer', 2],
    ['tool output capped', ['<calc>123456*1000</calc>', '<ans>5</ans>'], { toolOutputChars: 4 }, '<calc>123456*1000</calc><res>1234</res><ans>5</ans>', 'answer', 2],
  ])('%s', async (_name, turns, opts, text, finish, nTurns) => {
    const out = await rollout(turnsPolicy(() => turns), [task('q')], { groupSize: 1, tools: [calc], ...opts });
    const ep = out.episodes[0];
    expect(ep.text).toBe(text);
    expect(ep.finishReason).toBe(finish);
    expect(ep.turns).toBe(nTurns);
  });

  it('scores a correct answer and packs prompt, generated and tool spans', async () => {
    const out = await rollout(turnsPolicy(() => ['<calc>2+3</calc>', '<ans>5</ans>']), [task('q')], { groupSize: 2, tools: [calc] });
    expect(out.episodes.map((e) => [e.correct, e.validCalls, e.invalidCalls, e.generatedTokens])).toEqual([
      [true, 1, 0, 28],
      [true, 1, 0, 28],
    ]);
    // 'q\n' (2) + '<calc>2+3</calc>' (16) + '<res>5</res>' (12) + '<ans>5</ans>' (12) = 42 tokens.
    expect(Array.from(out.offsets)).toEqual([0, 42, 84]);
    const mask = Array.from(out.lossMask.subarray(0, 42)).join('');
    expect(mask).toBe(`00${'1'.repeat(16)}${'0'.repeat(12)}${'1'.repeat(12)}`);
    expect(out.oldLogprobs[2]).toBe(-0.25);
    expect(out.oldLogprobs[1]).toBe(0);
    expect(out.episodes[0].toolCalls).toEqual([
      { name: 'calculator', args: { expression: '2+3' }, valid: true, ok: true, output: '5', ran: true },
    ]);
    expect(Array.from(out.groupIds)).toEqual([0, 0]);
    expect(out.taskIds).toEqual(['q', 'q']);
  });

  it('cuts a tool output to the context cap and stops with max-tokens', async () => {
    const out = await rollout(turnsPolicy(() => ['<calc>2+3</calc>', '<ans>5</ans>']), [task('q')], {
      groupSize: 1,
      tools: [calc],
      maxContextTokens: 2 + 16 + 5,
    });
    expect(out.episodes[0].finishReason).toBe('max-tokens');
    expect(out.episodes[0].text).toBe('<calc>2+3</calc><res>');
    expect(out.tokens.length).toBe(23);
  });

  it('ends at once with max-tokens when the prompt fills the context', async () => {
    const out = await rollout(turnsPolicy(() => ['<ans>5</ans>']), [task('long-prompt')], { groupSize: 1, maxContextTokens: 5 });
    expect([out.episodes[0].finishReason, out.episodes[0].turns, out.tokens.length]).toEqual(['max-tokens', 0, 12]);
  });

  it('gives each generation call its own seed, repeatably', async () => {
    const seen: number[][] = [];
    const record = (): Policy => {
      const calls: number[] = [];
      seen.push(calls);
      const inner = turnsPolicy(() => ['<calc>1</calc>', '<calc>2</calc>', '<ans>3</ans>']);
      return { tokenizer: tok, generate: (ctx, o) => (calls.push(o.seed), inner.generate(ctx, o)) };
    };
    await rollout(record(), [task('q')], { groupSize: 2, tools: [calc], seed: 7 });
    await rollout(record(), [task('q')], { groupSize: 2, tools: [calc], seed: 7 });
    await rollout(record(), [task('q')], { groupSize: 2, tools: [calc], seed: 8 });
    expect(seen[0]).toEqual(seen[1]);
    expect(new Set(seen[0]).size).toBe(3);
    expect(seen[2].some((x, i) => x === seen[0][i])).toBe(false);
  });

  it('turns tool timeouts and exceptions into tool output', async () => {
    const out = await rollout(turnsPolicy(() => ['<hang>x</hang>', '<fail>y</fail>', '<ans>5</ans>']), [task('q')], {
      groupSize: 1,
      tools: [calc, hangTool(), failTool()],
      toolTimeoutMs: 20,
    });
    const ep = out.episodes[0];
    expect(ep.text).toBe('<hang>x</hang><res>error: timed out after 20 ms</res><fail>y</fail><res>error: boom</res><ans>5</ans>');
    expect(ep.toolCalls.map((c) => [c.name, c.ok, c.error])).toEqual([
      ['hang', false, 'timeout'],
      ['fail', false, 'exception'],
    ]);
    expect(ep.finishReason).toBe('answer');
  });

  it('keeps only its budget when the batch shares a larger maxNewTokens', async () => {
    // Episode a spent 12 tokens on turn 1, b only 3: the second call asks for 8 tokens (b's
    // budget) and a keeps its remaining 3 of them, finishing with max-tokens.
    const long = 'z'.repeat(40);
    const out = await rollout(
      turnsPolicy((p) => (p === 'a\n' ? ['<calc>12</calc>', long] : ['<calc>1</calc>', long])),
      [task('a'), task('b')],
      { groupSize: 1, tools: [calc], maxTokens: 20 },
    );
    expect(out.episodes.map((e) => [e.generatedTokens, e.finishReason])).toEqual([
      [20, 'max-tokens'],
      [20, 'max-tokens'],
    ]);
  });
});

// The property test's script language: pieces a turn is made of.
const pieces = [
  'think ',
  '<calc>1+2</calc>',
  '<calc>1/0</calc>',
  '<slow>3</slow>',
  '<slow>1</slow>',
  '<hang>h</hang>',
  '<fail>f</fail>',
  '<foo>q</foo>',
  '<calc></calc>',
  '<calc>2*',
  '<res>fake</res>',
  '<ans>3</ans>',
  '<ans>4',
] as const;

const STOPS = ['</calc>', '</slow>', '</hang>', '</fail>', '</ans>'];

interface Limits {
  maxTurns: number;
  maxToolCalls: number;
  maxTokens: number;
}

/** Slow, sequential oracle of one episode: what stopped it, its turns and how many calls ran. */
function referenceEpisode(turns: readonly string[], lim: Limits, tagLimits: Record<string, number>) {
  let gen = 0;
  let nTurns = 0;
  let ran = 0;
  for (;;) {
    if (gen >= lim.maxTokens) return { stop: 'max-tokens', turns: nTurns, ran };
    let t = turns[nTurns] ?? '';
    let cut = -1;
    for (const s of STOPS) {
      const at = t.indexOf(s);
      if (at >= 0 && (cut < 0 || at + s.length < cut)) cut = at + s.length;
    }
    if (cut >= 0) t = t.slice(0, cut);
    let length = false;
    if (t.length > lim.maxTokens - gen) {
      t = t.slice(0, lim.maxTokens - gen);
      length = true;
    }
    nTurns++;
    gen += t.length;
    const p = parseToolCalls(t, { tools: tagLimits });
    const unclosed = p.calls.some((c) => c.tag in tagLimits && !t.startsWith(`</${c.tag}>`, c.bodyEnd));
    if (p.answer !== null) return { stop: undefined, turns: nTurns, ran };
    if (length) return { stop: 'max-tokens', turns: nTurns, ran };
    if (p.unclosedAnswer || unclosed || p.calls.length === 0) return { stop: undefined, turns: nTurns, ran };
    for (let i = 0; i < p.calls.length; i++) {
      if (ran >= lim.maxToolCalls) return { stop: 'max-tool-calls', turns: nTurns, ran };
      ran++;
    }
    if (nTurns >= lim.maxTurns) return { stop: 'max-turns', turns: nTurns, ran };
  }
}

describe('rollout: laws on random scripted episodes', () => {
  it('masks exactly the generated spans, keeps offsets consistent and respects every limit', async () => {
    const seen = new Set<string>();
    const turnArb = fc.array(fc.constantFrom(...pieces), { minLength: 0, maxLength: 4 }).map((p) => p.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(turnArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.record({
          maxTurns: fc.integer({ min: 1, max: 5 }),
          maxToolCalls: fc.integer({ min: 0, max: 4 }),
          maxTokens: fc.integer({ min: 5, max: 120 }),
          toolConcurrency: fc.integer({ min: 1, max: 3 }),
          toolOutputChars: fc.integer({ min: 0, max: 30 }),
        }),
        async (scripts, G, lim) => {
          const gauge: Gauge = { now: 0, max: 0, total: 0 };
          const tools: Tool<any>[] = [calc, slowTool(gauge), hangTool(), failTool()];
          const tasks = scripts.map((_, t) => task(`t${t}`, '3'));
          const byPrompt = new Map(tasks.map((t, i) => [t.prompt, scripts[i]]));
          const out = await rollout(turnsPolicy((p) => byPrompt.get(p) ?? []), tasks, {
            groupSize: G,
            tools,
            toolTimeoutMs: 40,
            ...lim,
          });
          const n = tasks.length * G;
          expect(out.offsets.length).toBe(n + 1);
          expect(out.offsets[0]).toBe(0);
          expect(out.offsets[n]).toBe(out.tokens.length);
          expect(out.lossMask.length).toBe(out.tokens.length);
          expect(out.oldLogprobs.length).toBe(out.tokens.length);
          for (let i = 0; i < out.tokens.length; i++) {
            // Generated ids carry GEN; the loop never sees that convention, so this is an oracle.
            expect(out.lossMask[i]).toBe(out.tokens[i] >= GEN ? 1 : 0);
            expect(out.oldLogprobs[i] !== 0).toBe(out.lossMask[i] === 1);
          }
          const tagLimits = { calc: 200, slow: 10, hang: 10, fail: 10 };
          for (let e = 0; e < n; e++) {
            const t = Math.floor(e / G);
            const ep = out.episodes[e];
            const a = out.offsets[e];
            const b = out.offsets[e + 1];
            expect(a).toBeLessThanOrEqual(b);
            expect(out.groupIds[e]).toBe(t);
            expect(out.taskIds[e]).toBe(tasks[t].id);
            expect(tok.decode(out.tokens.subarray(a, a + tasks[t].prompt.length))).toBe(tasks[t].prompt);
            expect(tok.decode(out.tokens.subarray(a + tasks[t].prompt.length, b))).toBe(ep.text);
            let masked = 0;
            for (let i = a; i < b; i++) masked += out.lossMask[i];
            expect(ep.generatedTokens).toBe(masked);
            expect(ep.generatedTokens).toBeLessThanOrEqual(lim.maxTokens);
            expect(ep.turns).toBeLessThanOrEqual(lim.maxTurns);
            const ran = ep.toolCalls.filter((c) => c.ran).length;
            expect(ran).toBeLessThanOrEqual(lim.maxToolCalls);
            const ref = referenceEpisode(scripts[t], lim, tagLimits);
            expect([ep.turns, ran]).toEqual([ref.turns, ref.ran]);
            if (ref.stop !== undefined) expect(ep.finishReason).toBe(ref.stop);
            else expect(['answer', 'malformed']).toContain(ep.finishReason);
            if (ep.finishReason === 'answer') expect(ep.answer).not.toBeNull();
            seen.add(ep.finishReason);
            for (const c of ep.toolCalls) {
              if (c.ran && c.name === 'hang') expect([c.error, c.output]).toEqual(['timeout', 'error: timed out after 40 ms']);
              if (c.ran && c.name === 'fail') expect([c.error, c.output]).toEqual(['exception', 'error: boom']);
            }
          }
          // A call that times out frees its slot while its body may still run (a hung tool must
          // not hold a slot forever), so the gauge may count such bodies on top: a slow call's
          // 1–3 ms sleep overran the 40 ms timeout when CI ran every package's tests at once.
          const abandoned = out.episodes.flatMap((ep) => ep.toolCalls).filter((c) => c.name === 'slow' && c.error === 'timeout').length;
          expect(gauge.max).toBeLessThanOrEqual(lim.toolConcurrency + abandoned);
          expect(gauge.now).toBeLessThanOrEqual(abandoned);
        },
      ),
      { numRuns: 60 },
    );
    // The random scripts reach every finish reason (the property is not vacuous).
    expect([...seen].sort()).toEqual(['answer', 'malformed', 'max-tokens', 'max-tool-calls', 'max-turns']);
  });

  it('honours the tool concurrency limit under load', async () => {
    const gauge: Gauge = { now: 0, max: 0, total: 0 };
    const tasks = Array.from({ length: 12 }, (_, i) => task(`c${i}`));
    const out = await rollout(turnsPolicy(() => ['<slow>5</slow>', '<slow>5</slow>', '<ans>5</ans>']), tasks, {
      groupSize: 2,
      tools: [slowTool(gauge)],
      toolConcurrency: 3,
    });
    expect(gauge.total).toBe(48);
    expect(gauge.max).toBe(3);
    expect(out.episodes.every((e) => e.finishReason === 'answer')).toBe(true);
  });
});

describe('rollout: bad input', () => {
  const policy = turnsPolicy(() => ['<ans>1</ans>']);
  it.each<[string, () => Promise<unknown>, RegExp]>([
    ['policy without generate', () => rollout({} as Policy, [task('q')]), /rollout: policy must have a generate/],
    ['policy without tokenizer', () => rollout({ generate: async () => [] } as unknown as Policy, [task('q')]), /policy.tokenizer/],
    ['tasks not an array', () => rollout(policy, 'x' as unknown as RolloutTask[]), /tasks must be an array/],
    ['task without answer', () => rollout(policy, [{ id: 'q', prompt: 'p' } as RolloutTask]), /tasks\[0\] must have string id, prompt and answer/],
    ['groupSize 0', () => rollout(policy, [task('q')], { groupSize: 0 }), /options.groupSize must be an integer >= 1 \(got 0\)/],
    ['maxTurns NaN', () => rollout(policy, [task('q')], { maxTurns: Number.NaN }), /options.maxTurns must be an integer >= 1 \(got NaN\)/],
    ['maxTokens Infinity', () => rollout(policy, [task('q')], { maxTokens: Number.POSITIVE_INFINITY }), /options.maxTokens/],
    ['maxToolCalls -1', () => rollout(policy, [task('q')], { maxToolCalls: -1 }), /options.maxToolCalls/],
    ['toolConcurrency 1.5', () => rollout(policy, [task('q')], { toolConcurrency: 1.5 }), /options.toolConcurrency/],
    ['toolTimeoutMs 0', () => rollout(policy, [task('q')], { toolTimeoutMs: 0 }), /options.toolTimeoutMs/],
    ['toolOutputChars -1', () => rollout(policy, [task('q')], { toolOutputChars: -1 }), /options.toolOutputChars/],
    ['seed NaN', () => rollout(policy, [task('q')], { seed: Number.NaN }), /options.seed must be a finite number/],
    ['temperature -1', () => rollout(policy, [task('q')], { temperature: -1 }), /options.temperature/],
    ['maxContextTokens 0', () => rollout(policy, [task('q')], { maxContextTokens: 0 }), /options.maxContextTokens/],
    ['duplicate tool tag', () => rollout(policy, [task('q')], { tools: [calc, calc] }), /repeats tag <calc>/],
    ['not a tool', () => rollout(policy, [task('q')], { tools: [{}] as unknown as Tool[] }), /options.tools\[0\] must be a Tool/],
    ['bad answerTag', () => rollout(policy, [task('q')], { answerTag: '<a>' }), /options.answerTag/],
  ])('%s', async (_name, run, message) => {
    await expect(run()).rejects.toThrow(message);
  });

  it.each<[string, Policy]>([
    ['wrong count', { tokenizer: tok, generate: async () => [] }],
    ['wrong types', { tokenizer: tok, generate: async () => [{ tokens: [1], logprobs: [0], finish: 'stop' }] as never }],
    ['NaN log-prob', { tokenizer: tok, generate: async () => [{ tokens: new Int32Array([65]), logprobs: new Float32Array([Number.NaN]), finish: 'stop' as const }] }],
    ['bad finish', { tokenizer: tok, generate: async () => [{ tokens: new Int32Array(0), logprobs: new Float32Array(0), finish: 'eos' }] as never }],
  ])('rejects policy output: %s', async (_name, bad) => {
    await expect(rollout(bad, [task('q')], { groupSize: 1 })).rejects.toMatchObject({ name: 'RolloutError', code: 'policy-output' });
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(rollout(policy, [task('q')], { signal: ac.signal })).rejects.toMatchObject({ code: 'aborted' });
  });

  it('returns empty packed arrays for no tasks', async () => {
    const out = await rollout(policy, []);
    expect([out.tokens.length, Array.from(out.offsets), out.episodes.length]).toEqual([0, [0], 0]);
  });
});
