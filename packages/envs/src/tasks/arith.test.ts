import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculate, createCalculator, evaluateArithmetic } from '../calculator';
import { episodeFacts } from '../episode';
import { parseToolCalls } from '../parse-calls';
import { runTool } from '../tool';
import { ARITH_ORACLE_MIX, arithFacts, arithPools, arithTasks, arithTeacher, inOneDigitTable, type ArithMeta } from './arith';
import { POOLS, poolOf } from './pools';
import type { TaskItem } from './types';

const COUNTS = { sft: 400, rl: 400, validation: 300, test: 500 };
const pools = arithPools({ seed: 1, counts: COUNTS });
const calc = createCalculator({ maxOperations: 1 });
const table = new Set(arithFacts().map((f) => f.split('=')[0]));

/**
 * A scripted oracle policy: knows exactly the one-digit table taught in SFT (`arithFacts`) and
 * nothing else; reads the question, evaluates it with standard precedence, and calls the real
 * one-operation calculator for every operation outside the table. Returns the episode text.
 */
async function oracleEpisode(prompt: string): Promise<string> {
  const expr = /^What is (.*)\?\n$/.exec(prompt)![1];
  let i = 0;
  let text = '';
  const apply = async (x: number, op: string, y: number): Promise<number> => {
    const body = `${x}${op}${y}`;
    if (table.has(body)) {
      const r = op === '+' ? x + y : op === '-' ? x - y : x * y;
      text += `${body}=${r} `;
      return r;
    }
    const res = await runTool(calc, calc.argsFromText(body), { timeoutMs: 1000 });
    text += `<calc>${body}</calc><res>${res.output}</res>`;
    return Number(res.output);
  };
  const atom = async (): Promise<number> => {
    if (expr[i] === '(') {
      i++;
      const v = await sum();
      i++;
      return v;
    }
    const m = /^\d+/.exec(expr.slice(i))!;
    i += m[0].length;
    return Number(m[0]);
  };
  const product = async (): Promise<number> => {
    let v = await atom();
    while (expr[i] === '*') {
      i++;
      v = await apply(v, '*', await atom());
    }
    return v;
  };
  const sum = async (): Promise<number> => {
    let v = await product();
    while (expr[i] === '+' || expr[i] === '-') {
      const op = expr[i++];
      v = await apply(v, op, await product());
    }
    return v;
  };
  const v = await sum();
  return `${text}<ans>${v}</ans>`;
}

describe('arithPools', () => {
  it('is deterministic per seed', () => {
    expect(arithPools({ seed: 1, counts: COUNTS })).toEqual(pools);
    expect(arithPools({ seed: 2, counts: { test: 50 } }).test).not.toEqual(arithPools({ seed: 3, counts: { test: 50 } }).test);
  });

  it('the four pools never share a question, for any seeds (law)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s1, s2) => {
        const a = arithPools({ seed: s1, counts: { sft: 150, rl: 150, validation: 60, test: 60 } });
        const b = arithPools({ seed: s2, counts: { sft: 150, rl: 150, validation: 60, test: 60 } });
        for (const p of POOLS) {
          for (const t of a[p]) expect(poolOf(t.meta.expression)).toBe(p);
          const mine = new Set(a[p].map((t) => t.question));
          for (const q of POOLS) if (q !== p) for (const t of b[q]) expect(mine.has(t.question)).toBe(false);
        }
      }),
      { numRuns: 8 },
    );
  });

  it('validation and test hold no repeats, and test holds at least 500 questions', () => {
    for (const p of ['validation', 'test'] as const) expect(new Set(pools[p].map((t) => t.question)).size).toBe(COUNTS[p]);
    expect(pools.test.length).toBeGreaterThanOrEqual(500);
  });

  it('every pool holds the same mix of oracle counts, and 0, 1, 2 and 3 calls all occur', () => {
    for (const p of POOLS) {
      const byCalls = [0, 1, 2, 3].map((k) => pools[p].filter((t) => t.oracleCalls === k).length);
      expect(byCalls.every((c) => c > 0)).toBe(true);
      // Strata are (operations, calls), each split exactly in proportion: at most one question
      // of rounding per stratum, and a count has at most three strata.
      byCalls.forEach((c, k) => expect(Math.abs(c - COUNTS[p] * ARITH_ORACLE_MIX[k])).toBeLessThanOrEqual(3));
    }
  });

  it('questions are chains of 1–3 operations whose table steps are exactly the oracle-free ones', () => {
    for (const p of POOLS) {
      for (const t of pools[p]) {
        const { expression, steps } = t.meta;
        expect(t.question).toBe(`What is ${expression}?`);
        expect(t.answer).toBe(calculate(expression).output);
        expect(steps.length).toBeGreaterThanOrEqual(1);
        expect(steps.length).toBeLessThanOrEqual(3);
        expect(evaluateArithmetic(expression, { maxOperations: steps.length }).ok).toBe(true);
        if (steps.length > 1) expect(evaluateArithmetic(expression, { maxOperations: steps.length - 1 }).ok).toBe(false);
        steps.forEach((s, i) => {
          if (i > 0) expect(s.a).toBe(steps[i - 1].result);
          expect(s.head).toBe(inOneDigitTable(s.a, s.op, s.b));
          expect(s.result).toBeGreaterThanOrEqual(0);
          expect(s.b).toBeGreaterThanOrEqual(1);
        });
        expect(String(steps[steps.length - 1].result)).toBe(t.answer);
        expect(t.oracleCalls).toBe(steps.filter((s) => !s.head).length);
        expect(t.split).toBe(p);
      }
    }
  });

  it('a scripted oracle policy (the one-digit table, the real calculator) is always right at exactly the oracle calls', async () => {
    for (const p of POOLS) {
      for (const t of pools[p].slice(0, 300)) {
        const text = await oracleEpisode(t.prompt);
        const facts = episodeFacts(text, { tools: { calc: 200 }, gold: t.answer });
        expect(facts.correct, `${t.question} ${text}`).toBe(true);
        expect(facts.validCalls).toBe(t.oracleCalls);
        expect(facts.invalidCalls).toBe(0);
      }
    }
  });

  it.each([
    [{ seed: Number.NaN, counts: {} }, /arithPools: options.seed/],
    [{ seed: 1, counts: { test: -1 } }, /arithPools: options.counts.test/],
    [{ seed: 1, counts: {}, mix: [1, 1, 1] }, /arithPools: options.mix must be 4 finite weights/],
    [{ seed: 1, counts: {}, mix: [0, 0, 0, 0] }, /mix/],
    [{ seed: 1, counts: {}, mix: [1, Number.NaN, 1, 1] }, /mix/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => arithPools(opts as never)).toThrow(msg);
  });

  it('throws task-exhausted when test asks for more distinct questions than its share holds', () => {
    expect(() => arithPools({ seed: 1, counts: { test: 1000 }, mix: [1, 0, 0, 0] })).toThrow(/test pool ran out of distinct questions/);
  });
});

describe('arithTasks', () => {
  it('is one pool of arithPools', () => {
    expect(arithTasks({ seed: 1, count: 500, pool: 'test' })).toEqual(arithPools({ seed: 1, counts: { test: 500 } }).test);
    expect(arithTasks({ seed: 1, count: 3 }).every((t) => t.split === 'sft')).toBe(true);
  });

  it.each([
    [{ seed: 1, count: -1 }, /arithTasks: options.count must be a non-negative integer \(got -1\)/],
    [{ seed: 1, count: 1, pool: 'train' }, /arithTasks: options.pool must be one of sft, rl, validation, test \(got "train"\)/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => arithTasks(opts as never)).toThrow(msg);
  });
});

describe('arithTeacher', () => {
  const items: TaskItem<ArithMeta>[] = pools.sft;

  it('writes traces that parse back to the right answer, with the one-operation calculator’s outputs', () => {
    for (const trace of arithTeacher(items, { seed: 5 })) {
      const item = items.find((i) => i.id === trace.taskId)!;
      const parsed = parseToolCalls(trace.text, { tools: { calc: 200 } });
      expect(parsed.answer?.text).toBe(item.answer);
      expect(parsed.validCalls).toBe(trace.toolCalls);
      expect(parsed.invalidCalls).toBe(0);
      for (const c of parsed.calls) {
        const shown = /^<res>(.*?)<\/res>/.exec(trace.text.slice(c.end))![1];
        expect(shown).toBe(calculate(c.body, { maxOperations: 1 }).output);
      }
      // Table steps the teacher states are facts the SFT data also teaches.
      for (const m of trace.text.replace(/<calc>.*?<\/calc><res>.*?<\/res>/g, '').matchAll(/(\d+[-+*]\d+)=(\d+)/g)) {
        expect(arithFacts()).toContain(`${m[1]}=${m[2]}`);
      }
      expect(trace.segments.map((s) => s.text).join('')).toBe(trace.text);
      expect(trace.segments.filter((s) => s.role === 'tool').every((s) => s.text.startsWith('<res>'))).toBe(true);
      const facts = episodeFacts(trace.text, { tools: { calc: 200 }, gold: item.answer });
      expect(facts.correct).toBe(true);
      expect(facts.finishReason).toBe('answer');
      expect(trace.toolCalls).toBe(item.oracleCalls + trace.redundantCalls);
      expect((trace.prompt + trace.text).length).toBeLessThanOrEqual(256);
    }
  });

  it('over-uses the calculator as configured', () => {
    const lean = arithTeacher(items, { seed: 1, overuse: 0, repeat: 0 });
    expect(lean.every((t, i) => t.toolCalls === items[i].oracleCalls && t.redundantCalls === 0)).toBe(true);
    const always = arithTeacher(items, { seed: 1, overuse: 1, repeat: 1 });
    expect(always.every((t, i) => t.toolCalls === 2 * items[i].meta.steps.length)).toBe(true);
    expect(always.every((t, i) => t.redundantCalls === 2 * items[i].meta.steps.length - items[i].oracleCalls)).toBe(true);
    const defaults = arithTeacher(items, { seed: 1 });
    const calls = defaults.reduce((s, t) => s + t.toolCalls, 0) / items.length;
    const oracle = items.reduce((s, t) => s + t.oracleCalls, 0) / items.length;
    expect(calls).toBeGreaterThan(oracle + 0.5);
  });

  it('is deterministic per seed', () => {
    expect(arithTeacher(items, { seed: 9 })).toEqual(arithTeacher(items, { seed: 9 }));
  });

  it.each([
    [{ seed: 1, overuse: 2 }, /arithTeacher: options.overuse must be a probability in \[0, 1\] \(got 2\)/],
    [{ seed: 1, repeat: -0.1 }, /repeat/],
    [{ seed: 'x' }, /seed/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => arithTeacher(items, opts as never)).toThrow(msg);
  });

  it('rejects items without steps, naming the item', () => {
    expect(() => arithTeacher([{ ...items[0], meta: {} as never }], { seed: 1 })).toThrow(/arithTeacher: items\[0\].meta.steps must be a non-empty array/);
  });
});

describe('arithFacts', () => {
  it('lists the one-digit table once each', () => {
    const facts = arithFacts();
    expect(facts).toHaveLength(207);
    expect(new Set(facts).size).toBe(207);
    expect(facts).toContain('7*8=56');
    expect(facts).toContain('9-9=0');
    expect(facts).not.toContain('3-4=-1');
  });
});

describe('the README figures of the SFT teacher (seed 1, 4,096 SFT questions, teacher seed 2 as `paretopo sft --seed 1`)', () => {
  it('1.35 calls lean, 2.30 with the defaults (0.95 redundant); prompt + trace 79.5 / 103.6 characters, at most 250', () => {
    const { sft } = arithPools({ seed: 1, counts: { sft: 4096, rl: 1, validation: 1, test: 1 } });
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const lean = arithTeacher(sft, { seed: 2, overuse: 0, repeat: 0 });
    const teacher = arithTeacher(sft, { seed: 2, overuse: 0.6, repeat: 0.2 });
    const chars = (ts: typeof lean) => ts.map((t) => t.prompt.length + t.text.length);
    const figures = {
      leanCalls: mean(lean.map((t) => t.toolCalls)),
      calls: mean(teacher.map((t) => t.toolCalls)),
      redundant: mean(teacher.map((t) => t.redundantCalls)),
      leanChars: mean(chars(lean)),
      chars: mean(chars(teacher)),
      maxChars: Math.max(...chars(lean), ...chars(teacher)),
    };
    console.log('[envs] arith SFT teacher figures', figures);
    expect(figures.leanCalls).toBeCloseTo(1.35, 2);
    expect(figures.calls).toBeCloseTo(2.3, 1);
    expect(figures.redundant).toBeCloseTo(0.95, 1);
    expect(figures.leanChars).toBeCloseTo(79.5, 0);
    expect(figures.chars).toBeCloseTo(103.6, 0);
    expect(figures.maxChars).toBe(250);
  });
});
