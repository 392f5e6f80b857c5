import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculate } from '../calculator';
import { episodeFacts } from '../episode';
import { parseToolCalls } from '../parse-calls';
import { arithTasks, arithTeacher } from './arith';
import { splitOf } from './split';

function evalMeta(a: number, op: string, b: number): number {
  if (op === '+') return a + b;
  if (op === '-') return a - b;
  if (op === '*') return a * b;
  return a / b;
}

describe('arithTasks', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(arithTasks({ seed: 7, count: 50 })).toEqual(arithTasks({ seed: 7, count: 50 }));
    expect(arithTasks({ seed: 7, count: 50 })).not.toEqual(arithTasks({ seed: 8, count: 50 }));
  });

  it('train and test never share a question, for any seeds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s1, s2) => {
        const train = new Set(arithTasks({ seed: s1, count: 200 }).map((t) => t.question));
        for (const t of arithTasks({ seed: s2, count: 100, split: 'test' })) expect(train.has(t.question)).toBe(false);
      }),
      { numRuns: 10 },
    );
  });

  it('answers are exact integers with operands of 1–4 digits', () => {
    for (const t of arithTasks({ seed: 3, count: 500 })) {
      const { a, b, op } = t.meta;
      expect(Number.isInteger(a) && a >= 1 && a <= 9999 && b >= 1 && b <= 9999).toBe(true);
      expect(t.answer).toBe(String(evalMeta(a, op, b)));
      expect(Number.isInteger(Number(t.answer))).toBe(true);
      expect(splitOf(`${a}${op}${b}`, 0.2)).toBe('train');
      expect(t.prompt.length).toBeLessThanOrEqual(24);
    }
  });

  it('follows the difficulty mix', () => {
    const items = arithTasks({ seed: 1, count: 2000, mix: { easy: 3, medium: 0, hard: 1 } });
    const easy = items.filter((t) => t.difficulty === 'easy').length / items.length;
    expect(easy).toBeGreaterThan(0.7);
    expect(easy).toBeLessThan(0.8);
    expect(items.some((t) => t.difficulty === 'medium')).toBe(false);
    for (const t of items.filter((i) => i.difficulty === 'easy')) expect(t.meta.a < 10 && t.meta.b < 10).toBe(true);
  });

  it('unique draws never repeat and fail clearly when the split runs out', () => {
    const items = arithTasks({ seed: 2, count: 100, unique: true, split: 'test' });
    expect(new Set(items.map((t) => t.question)).size).toBe(100);
    expect(() => arithTasks({ seed: 2, count: 1000, unique: true, mix: { easy: 1, medium: 0, hard: 0 } })).toThrow(/found only/);
  });

  it.each([
    [{ seed: Number.NaN, count: 1 }, /seed/],
    [{ seed: 1, count: -1 }, /count/],
    [{ seed: 1, count: 1.5 }, /count/],
    [{ seed: 1, count: 1, split: 'dev' }, /split/],
    [{ seed: 1, count: 1, testFraction: 1 }, /testFraction/],
    [{ seed: 1, count: 1, mix: { easy: -1 } }, /mix/],
    [{ seed: 1, count: 1, mix: { easy: 0, medium: 0, hard: 0 } }, /mix/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => arithTasks(opts as never)).toThrow(msg);
  });
});

describe('arithTeacher', () => {
  const items = arithTasks({ seed: 11, count: 400 });

  it('writes traces that parse back to the right answer with right calculator outputs', () => {
    for (const trace of arithTeacher(items, { seed: 5 })) {
      const item = items.find((i) => i.id === trace.taskId)!;
      const parsed = parseToolCalls(trace.text, { tools: { calc: 200 } });
      expect(parsed.answer?.text).toBe(item.answer);
      expect(parsed.validCalls).toBe(trace.toolCalls);
      expect(parsed.invalidCalls).toBe(0);
      for (const c of parsed.calls) {
        const shown = /^<res>(.*?)<\/res>/.exec(trace.text.slice(c.end))![1];
        expect(shown).toBe(calculate(c.body).output);
      }
      expect(trace.segments.map((s) => s.text).join('')).toBe(trace.text);
      expect(trace.segments.filter((s) => s.role === 'tool').every((s) => s.text.startsWith('<res>'))).toBe(true);
      const facts = episodeFacts(trace.text, { tools: { calc: 200 }, gold: item.answer });
      expect(facts.correct).toBe(true);
      expect(facts.finishReason).toBe('answer');
      expect((trace.prompt + trace.text).length).toBeLessThanOrEqual(128);
    }
  });

  it('over-uses the calculator as configured', () => {
    const never = arithTeacher(items, { seed: 1, overuse: 0, repeat: 0 });
    expect(never.every((t, i) => t.toolCalls === (items[i].difficulty === 'easy' ? 0 : 1))).toBe(true);
    expect(never.every((t) => t.redundantCalls === 0)).toBe(true);
    const always = arithTeacher(items, { seed: 1, overuse: 1, repeat: 1 });
    expect(always.every((t) => t.toolCalls === 2)).toBe(true);
    const easyCount = items.filter((i) => i.difficulty === 'easy').length;
    expect(always.reduce((s, t) => s + t.redundantCalls, 0)).toBe(items.length + easyCount);
  });

  it('is deterministic per seed', () => {
    expect(arithTeacher(items, { seed: 9 })).toEqual(arithTeacher(items, { seed: 9 }));
  });

  it.each([
    [{ seed: 1, overuse: 2 }, /overuse/],
    [{ seed: 1, repeat: -0.1 }, /repeat/],
    [{ seed: 'x' }, /seed/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => arithTeacher(items, opts as never)).toThrow(msg);
  });
});
