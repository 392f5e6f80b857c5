// Class 1 of issue 14 (docs/RELIABILITY.md): every parser that sees model output does work linear in its input. Work is
// measured by each parser's step counter (a count does not depend on machine load); the old
// implementations are kept here as slow references, and the fast ones must agree with them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCalculator, evaluateArithmetic, evaluateArithmeticCounted } from './calculator';
import { extractBoxed, extractBoxedCounted } from './extract';
import { type ParseCallsOptions, type ParsedCalls, type ToolCallRecord, parseToolCalls, parseToolCallsCounted, scanTags } from './parse-calls';
import type { WorkCounter } from './work';

/** The former parser: a regex over the text and, per tag, `indexOf` of its closing tag (quadratic on unclosed tags). */
function referenceParse(text: string, options: ParseCallsOptions): ParsedCalls {
  const { tools } = options;
  const answerTag = options.answerTag ?? 'ans';
  const resultTags = new Set(options.resultTags ?? ['res', 'doc']);
  const stopAtAnswer = options.stopAtAnswer ?? true;
  const out: ParsedCalls = { calls: [], answer: null, unclosedAnswer: false, validCalls: 0, invalidCalls: 0 };
  const known = Object.keys(tools);
  const re = /<([A-Za-z][A-Za-z0-9_-]{0,31})>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const tag = m[1];
    const start = m.index;
    const bodyStart = start + m[0].length;
    const closeTag = `</${tag}>`;
    const close = text.indexOf(closeTag, bodyStart);
    const closed = close >= 0;
    const bodyEnd = closed ? close : text.length;
    const end = closed ? close + closeTag.length : text.length;
    const body = text.slice(bodyStart, bodyEnd);
    if (resultTags.has(tag)) {
      re.lastIndex = end;
      continue;
    }
    if (tag === answerTag) {
      if (!closed) {
        out.unclosedAnswer = true;
        break;
      }
      if (out.answer === null) out.answer = { text: body.trim(), start, end };
      re.lastIndex = end;
      if (stopAtAnswer) break;
      continue;
    }
    const record: ToolCallRecord = { tag, body, start, end, bodyStart, bodyEnd, valid: false };
    if (!Object.prototype.hasOwnProperty.call(tools, tag)) {
      record.error = `unknown tool <${tag}>; available: ${known.map((k) => `<${k}>`).join(' ') || 'none'}`;
      if (!closed) record.end = record.bodyEnd = bodyStart;
      if (!closed) record.body = '';
      re.lastIndex = record.end;
    } else {
      const limit = tools[tag];
      if (!closed) record.error = `unclosed <${tag}>: end the call with </${tag}>`;
      else if (body.trim() === '') record.error = `empty <${tag}> call`;
      else if (body.length > limit) record.error = `<${tag}> argument is ${body.length} characters (limit ${limit})`;
      else record.valid = true;
      re.lastIndex = end;
    }
    out.calls.push(record);
    if (record.valid) out.validCalls++;
    else out.invalidCalls++;
  }
  return out;
}

/**
 * The former box reader: from the last keyword backwards, each box rescanned to the end of the text.
 * It also looped forever on an incomplete box at offset 0 (`lastIndexOf(x, -1)` finds offset 0
 * again); that one line is mended here so it can serve as the oracle.
 */
function referenceBoxed(text: string): string | null {
  const readBox = (at: number): string | null => {
    let i = at + (text.startsWith('\\boxed', at) ? 6 : 5);
    if (text[i] === ' ') {
      const m = /^ +([^\s$]+)/.exec(text.slice(i));
      return m ? m[1] : null;
    }
    if (text[i] !== '{') return null;
    let depth = 0;
    const start = i + 1;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return text.slice(start, i);
    }
    return null;
  };
  let idx = Math.max(text.lastIndexOf('\\boxed'), text.lastIndexOf('\\fbox'));
  while (idx >= 0) {
    const found = readBox(idx);
    if (found !== null) return found;
    idx = idx === 0 ? -1 : Math.max(text.lastIndexOf('\\boxed', idx - 1), text.lastIndexOf('\\fbox', idx - 1));
  }
  return null;
}

const opts: ParseCallsOptions = { tools: { calc: 20, search: 50, code: 200 } };

/** Model text built from tag fragments: unclosed, nested, repeated and broken tags, runs of `<`. */
const hostileTagText = fc
  .array(
    fc.oneof(
      fc.constantFrom('<calc>', '</calc>', '<ans>', '</ans>', '<res>', '</res>', '<doc>', '<a>', '</a>', '<b>', '<search>', '</search>'),
      fc.constantFrom('<', '</', '<<', '>', '<a', '</a', '<a-b_1>', ' ', 'x', '1+2', '\n', '<'.repeat(5), `<${'a'.repeat(33)}>`, `<${'z'.repeat(32)}>`),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

const hostileBoxText = fc
  .array(
    fc.oneof(
      fc.constantFrom('\\boxed', '\\fbox', '\\boxed{', '\\fbox{', '{', '}', '\\', '\\{', '\\}', ' ', '  ', '$', '\n', 'x', '12', '\\frac{1}{2}'),
      fc.string({ maxLength: 3 }),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

/** Hostile inputs of size about `n` for the tag parser. */
const tagFamilies: [string, (n: number) => string][] = [
  ['unknown unclosed tags', (n) => '<a>'.repeat(n / 3)],
  ['distinct unknown unclosed tags', (n) => Array.from({ length: n / 6 }, (_, i) => `<t${i}>`).join('')],
  ['nested tool tags', (n) => '<calc>'.repeat(n / 6)],
  ['opens then one close at the end', (n) => `${'<b>'.repeat(n / 3)}</b>`],
  ['a run of <', (n) => '<'.repeat(n)],
  ['32-letter names that never close', (n) => `<${'a'.repeat(32)}`.repeat(n / 33)],
  ['broken closing tags', (n) => '</a'.repeat(n / 3)],
  ['results that never close', (n) => '<res><doc>'.repeat(n / 10)],
];

const stepsOf = <T>(run: (work: WorkCounter) => T): number => {
  const work = { steps: 0 };
  run(work);
  return work.steps;
};

describe('parseToolCalls on hostile text', () => {
  it('agrees with the reference parser on generated hostile text', () => {
    fc.assert(
      fc.property(hostileTagText, (text) => {
        expect(parseToolCalls(text, opts)).toEqual(referenceParse(text, opts));
        expect(parseToolCalls(text, { ...opts, stopAtAnswer: false })).toEqual(referenceParse(text, { ...opts, stopAtAnswer: false }));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the same tags as the tag regular expression', () => {
    fc.assert(
      fc.property(hostileTagText, (text) => {
        const expected = [...text.matchAll(/<(\/?)([A-Za-z][A-Za-z0-9_-]{0,31})>/g)].map((m) => ({ name: m[2], start: m.index, end: m.index + m[0].length, closing: m[1] === '/' }));
        expect(scanTags(text)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(tagFamilies)('%s: at most 4 steps per character, at every size', (_, make) => {
    for (const n of [3_000, 30_000, 300_000]) {
      const text = make(n);
      const steps = stepsOf((work) => parseToolCallsCounted(text, opts, work));
      expect(steps).toBeLessThanOrEqual(4 * text.length + 4);
    }
  });

  it('at most 4 steps per character on any generated text', () => {
    fc.assert(
      fc.property(hostileTagText, (text) => {
        expect(stepsOf((work) => parseToolCallsCounted(text, opts, work))).toBeLessThanOrEqual(4 * text.length + 4);
      }),
      { numRuns: 1000 },
    );
  });

  it("'<a>' × 1e5 (50 s before the fix) parses in well under 5 s", () => {
    const t0 = performance.now();
    const r = parseToolCalls('<a>'.repeat(1e5), opts);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.invalidCalls).toBe(1e5);
  });
});

/** Hostile inputs of size about `n` for the box reader. */
const boxFamilies: [string, (n: number) => string][] = [
  ['boxes that never close', (n) => '\\boxed{'.repeat(n / 7)],
  ['boxes without a brace', (n) => '\\boxed'.repeat(n / 6)],
  ['brace-less boxes with a space then nothing', (n) => '\\fbox \n'.repeat(n / 7)],
  ['one box, then only opening braces', (n) => `\\boxed{1}${'{'.repeat(n)}`],
  ['backslash runs', (n) => `\\boxed{${'\\'.repeat(n)}`],
];

describe('extractBoxed on hostile text', () => {
  it.each(['\\boxed', '\\fbox{1', '\\boxed \n'])('an incomplete box at offset 0 (%j, a hang before the fix) gives null', (text) => {
    expect(extractBoxed(text)).toBeNull();
  });

  it('agrees with the reference reader on generated hostile text', () => {
    fc.assert(
      fc.property(hostileBoxText, (text) => {
        expect(extractBoxed(text)).toBe(referenceBoxed(text));
      }),
      { numRuns: 3000 },
    );
  });

  it.each(boxFamilies)('%s: at most 5 steps per character, at every size', (_, make) => {
    for (const n of [3_000, 30_000, 300_000]) {
      const text = make(n);
      expect(stepsOf((work) => extractBoxedCounted(text, work))).toBeLessThanOrEqual(5 * text.length + 4);
    }
  });

  it('at most 5 steps per character on any generated text', () => {
    fc.assert(
      fc.property(hostileBoxText, (text) => {
        expect(stepsOf((work) => extractBoxedCounted(text, work))).toBeLessThanOrEqual(5 * text.length + 4);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the calculator on hostile expressions', () => {
  const big = { maxLength: 1_000_000 };
  const families: [string, (n: number) => string][] = [
    ['deep parentheses', (n) => `${'('.repeat(n / 2)}1${')'.repeat(n / 2)}`],
    ['unclosed parentheses', (n) => '('.repeat(n)],
    ['closing parentheses', (n) => ')'.repeat(n)],
    ['unary signs', (n) => `${'-'.repeat(n)}1`],
    ['a long sum', (n) => '1+'.repeat(n / 2) + '1'],
    ['thousands groups that break', (n) => '1,234'.repeat(n / 5)],
    ['dots', (n) => '.'.repeat(n)],
  ];

  it.each(families)('%s: at most 6 steps per character, and a clear error or a value', (_, make) => {
    for (const n of [2_000, 20_000, 200_000]) {
      const expr = make(n);
      const work = { steps: 0 };
      const r = evaluateArithmeticCounted(expr, big, work);
      expect(work.steps).toBeLessThanOrEqual(6 * expr.length + 8);
      if (!r.ok) expect(r.message.length).toBeLessThan(200);
    }
  });

  it('the tool caps its own limits, naming the cap', () => {
    expect(() => createCalculator({ maxLength: 10_001 })).toThrow('createCalculator: options.maxLength must be an integer in [1, 10000] (got 10001)');
    expect(() => createCalculator({ maxDepth: 1e6 })).toThrow('createCalculator: options.maxDepth must be an integer in [1, 1000] (got 1000000)');
    expect(createCalculator({ maxLength: 10_000, maxDepth: 1000 }).maxArgChars).toBe(10_000);
  });

  it('refuses nesting deeper than maxDepth with a message naming the limit', () => {
    expect(evaluateArithmetic(`${'('.repeat(65)}1${')'.repeat(65)}`, { maxLength: 1000 })).toMatchObject({
      ok: false,
      error: 'too-deep',
      message: 'expression nests deeper than 64 levels',
    });
    expect(evaluateArithmetic(`${'('.repeat(64)}7${')'.repeat(64)}`, { maxLength: 1000 })).toMatchObject({ ok: true });
  });

  it('any generated text of parentheses, signs and digits: linear work, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('(', ')', '-', '+', '1', '2', ',', '.', ' ', '*', '/', 'x'), { maxLength: 400 }), (parts) => {
        const expr = parts.join('');
        const work = { steps: 0 };
        evaluateArithmeticCounted(expr, big, work);
        expect(work.steps).toBeLessThanOrEqual(6 * expr.length + 8);
      }),
      { numRuns: 1000 },
    );
  });
});
