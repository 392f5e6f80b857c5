import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { episodeFacts } from '../episode';
import { parseToolCalls } from '../parse-calls';
import { exactMatch } from '../qa-match';
import { createKbWorld, kbParametricSentences, kbTasks, kbTeacher } from './kb';

const world = createKbWorld({ seed: 1 });
const names = new Map(world.entities.map((e) => [e.id, e.name]));

describe('createKbWorld', () => {
  it('is deterministic per seed', () => {
    expect(createKbWorld({ seed: 1 })).toEqual(world);
    expect(createKbWorld({ seed: 2 })).not.toEqual(world);
  });

  it('has unique names, one fact per subject and relation, and one passage per fact', () => {
    expect(new Set(world.entities.map((e) => e.name)).size).toBe(world.entities.length);
    const keys = world.facts.map((f) => `${f.subject}|${f.relation}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(world.passages.map((p) => p.id)).toEqual(world.facts.map((f) => f.id));
    for (const f of world.facts) expect(f.sentence).toContain(names.get(f.subject)!);
  });

  it('marks about parametricShare of the facts as parametric', () => {
    const big = createKbWorld({ seed: 3, people: 400, companies: 50, cities: 40, parametricShare: 0.3 });
    const share = big.facts.filter((f) => f.parametric).length / big.facts.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
    expect(kbParametricSentences(createKbWorld({ seed: 1, parametricShare: 0 }))).toEqual([]);
    expect(kbParametricSentences(createKbWorld({ seed: 1, parametricShare: 1 }))).toHaveLength(world.facts.length);
  });

  it.each([
    [{ seed: Number.POSITIVE_INFINITY }, /seed/],
    [{ seed: 1, people: 0 }, /people/],
    [{ seed: 1, parametricShare: 1.5 }, /parametricShare/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => createKbWorld(opts as never)).toThrow(msg);
  });
});

describe('kbTasks', () => {
  it('answers follow the fact chain', () => {
    const facts = new Map(world.facts.map((f) => [f.id, f]));
    for (const t of kbTasks(world, { seed: 4, count: 300 })) {
      expect(t.meta.facts).toHaveLength(t.meta.hops);
      let at = t.meta.path[0];
      for (const id of t.meta.facts) {
        expect(facts.get(id)!.subject).toBe(at);
        at = facts.get(id)!.object;
      }
      expect(t.answer).toBe(names.get(at));
      expect(t.question).toContain(names.get(t.meta.path[0])!);
    }
  });

  it('train and test never share a question, for any seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s1, s2) => {
        const train = new Set(kbTasks(world, { seed: s1, count: 200 }).map((t) => t.question));
        for (const t of kbTasks(world, { seed: s2, count: 50, split: 'test' })) expect(train.has(t.question)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });

  it('is deterministic per seed and follows the hop mix', () => {
    expect(kbTasks(world, { seed: 1, count: 20 })).toEqual(kbTasks(world, { seed: 1, count: 20 }));
    const only3 = kbTasks(world, { seed: 1, count: 50, hopMix: [0, 0, 1] });
    expect(only3.every((t) => t.meta.hops === 3)).toBe(true);
  });

  it.each([
    [{ seed: 1, count: 1, hopMix: [0, 0, 0] }, /hopMix/],
    [{ seed: 1, count: 1, hopMix: [1, 1] }, /hopMix/],
    [{ seed: 1, count: -2 }, /count/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => kbTasks(world, opts as never)).toThrow(msg);
  });
});

describe('kbTeacher', () => {
  const items = kbTasks(world, { seed: 8, count: 300 });
  const tools = { search: 100 };
  const facts = new Map(world.facts.map((f) => [f.id, f]));

  it('writes traces that parse back to the right answer and search exactly the non-parametric facts', () => {
    const traces = kbTeacher(world, items, { seed: 2, overuse: 0, repeat: 0 });
    traces.forEach((trace, i) => {
      const item = items[i];
      const parsed = parseToolCalls(trace.text, { tools });
      expect(parsed.answer?.text).toBe(item.answer);
      expect(exactMatch(parsed.answer!.text, item.answer)).toBe(true);
      const needed = item.meta.facts.filter((id) => !facts.get(id)!.parametric).length;
      expect(parsed.validCalls).toBe(needed);
      expect(trace.redundantCalls).toBe(0);
      for (const id of item.meta.facts) {
        const f = facts.get(id)!;
        if (f.parametric) expect(trace.segments.some((s) => s.role === 'policy' && s.text.includes(f.sentence))).toBe(true);
        else expect(trace.segments.some((s) => s.role === 'tool' && s.text === `<doc>${f.sentence}</doc>`)).toBe(true);
      }
      expect(episodeFacts(trace.text, { tools, gold: item.answer }).correct).toBe(true);
    });
  });

  it('over-uses search as configured', () => {
    const traces = kbTeacher(world, items, { seed: 2, overuse: 1, repeat: 1, maxChars: Number.POSITIVE_INFINITY });
    traces.forEach((t, i) => {
      expect(t.toolCalls).toBe(2 * items[i].meta.hops);
      expect(t.redundantCalls).toBe(t.toolCalls - items[i].meta.facts.filter((id) => !facts.get(id)!.parametric).length);
    });
    const lean = kbTeacher(world, items, { seed: 2, overuse: 0, repeat: 0 });
    const mean = lean.reduce((s, t) => s + (t.prompt + t.text).length, 0) / lean.length;
    expect(mean).toBeLessThan(160);
  });

  it('drops only redundant searches to fit maxChars', () => {
    const lean = kbTeacher(world, items, { seed: 2, overuse: 0, repeat: 0, maxChars: Number.POSITIVE_INFINITY });
    const capped = kbTeacher(world, items, { seed: 2, overuse: 1, repeat: 1 });
    let trimmed = 0;
    capped.forEach((t, i) => {
      const len = (t.prompt + t.text).length;
      const leanLen = (lean[i].prompt + lean[i].text).length;
      if (leanLen <= 256) expect(len).toBeLessThanOrEqual(256);
      expect(t.toolCalls).toBeGreaterThanOrEqual(lean[i].toolCalls);
      if (t.toolCalls < 2 * items[i].meta.hops) trimmed++;
      expect(episodeFacts(t.text, { tools, gold: items[i].answer }).correct).toBe(true);
    });
    expect(trimmed).toBeGreaterThan(0);
  });

  it('uses a swapped-in retriever for <doc> text', () => {
    const [trace] = kbTeacher(world, items.slice(0, 1), { seed: 1, overuse: 1, retrieve: (q) => `hit for ${q}` });
    expect(trace.text).toMatch(/<doc>hit for [A-Z][a-z]+/);
  });

  it('rejects bad options', () => {
    expect(() => kbTeacher(world, items, { seed: 1, retrieve: 5 as never })).toThrow(/retrieve/);
    expect(() => kbTeacher(world, items, { seed: 1, overuse: Number.NaN })).toThrow(/overuse/);
    expect(() => kbTeacher(world, items, { seed: 1, maxChars: 0 })).toThrow(/maxChars/);
  });
});
