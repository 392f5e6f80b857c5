import { createCalculator } from '@paretopo/envs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charTokenizer } from './char-tokenizer';
import { ConcurrencyLimiter } from './limiter';
import { systemPrompt } from './prompt';
import { scriptedPolicy } from './scripted-policy';

describe('charTokenizer', () => {
  it('round-trips any string, long ones included', () => {
    const t = charTokenizer();
    // Any UTF-16 code units, lone surrogates included.
    const anyString = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }).map((c) => String.fromCharCode(...c));
    fc.assert(fc.property(anyString, (s) => t.decode(t.encode(s)) === s));
    const long = 'ab'.repeat(10_000);
    expect(t.decode(t.encode(long))).toBe(long);
  });
  it('ignores the high bits of ids', () => {
    expect(charTokenizer().decode(new Int32Array([65 + 65536, 66]))).toBe('AB');
  });
});

describe('scriptedPolicy', () => {
  const t = charTokenizer();
  const opts = { maxNewTokens: 64, stop: ['</calc>', '</ans>'], temperature: 1, seed: 0 };
  it.each<[string, string, number, string, string, string | undefined]>([
    ['cuts after the first stop', 'a<calc>1</calc>b<ans>1</ans>', 64, 'a<calc>1</calc>', 'stop', '</calc>'],
    ['earliest stop wins whatever its order in the list', '<ans>1</ans><calc>1</calc>', 64, '<ans>1</ans>', 'stop', '</ans>'],
    ['end-of-sequence without stop', 'hello', 64, 'hello', 'stop', undefined],
    ['length', 'hello world', 5, 'hello', 'length', undefined],
    ['length beats a stop past the limit', 'ab<calc>1</calc>', 4, 'ab<c', 'length', undefined],
  ])('%s', async (_n, script, maxNewTokens, text, finish, stop) => {
    const [g] = await scriptedPolicy(t, () => script).generate([new Int32Array(0)], { ...opts, maxNewTokens });
    expect([t.decode(g.tokens), g.finish, g.stop, g.logprobs.length]).toEqual([text, finish, stop, g.tokens.length]);
  });
  it('rejects a non-function script', () => {
    expect(() => scriptedPolicy(t, 'x' as never)).toThrow(/scriptedPolicy: script must be a function \(got string\)/);
  });
});

describe('ConcurrencyLimiter', () => {
  it('never runs more than its limit and returns every result in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }), async (limit, delays) => {
        const lim = new ConcurrencyLimiter(limit);
        let now = 0;
        let max = 0;
        const out = await Promise.all(
          delays.map((d, i) =>
            lim.run(async () => {
              now++;
              max = Math.max(max, now);
              await new Promise((r) => setTimeout(r, d));
              now--;
              return i;
            }),
          ),
        );
        expect(out).toEqual(delays.map((_, i) => i));
        expect(max).toBeLessThanOrEqual(limit);
        expect(lim.inFlight).toBe(0);
      }),
      { numRuns: 30 },
    );
  });
  it('releases the slot when a job throws', async () => {
    const lim = new ConcurrencyLimiter(1);
    await expect(lim.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(await lim.run(async () => 1)).toBe(1);
  });
  it.each([0, -1, 1.5, Number.NaN])('rejects limit %s', (limit) => {
    expect(() => new ConcurrencyLimiter(limit)).toThrow(/ConcurrencyLimiter: limit must be an integer >= 1/);
  });
});

describe('systemPrompt', () => {
  const calc = createCalculator();
  it.each<[string, string]>([
    ['text', '- <calc>…</calc>: calculator.'],
    ['native', 'Call a tool only when it helps.'],
  ])('%s protocol', (protocol, part) => {
    const p = systemPrompt([calc], protocol as 'text' | 'native');
    expect(p).toContain(part);
    expect(p).toContain('<ans>42</ans>');
  });
  it('without tools', () => {
    expect(systemPrompt([])).toBe('Answer the question. Write the final answer alone inside <ans></ans>, e.g. <ans>42</ans>.');
  });
});
