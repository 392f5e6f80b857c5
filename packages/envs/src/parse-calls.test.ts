import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseToolCalls, stopSequences } from './parse-calls';

const opts = { tools: { calc: 20, search: 50 } };

describe('parseToolCalls', () => {
  it('finds valid calls with spans and the answer', () => {
    const text = 'hm <calc>37*46</calc><res>1702</res> so <ans> 1702 </ans> trailing <calc>1</calc>';
    const r = parseToolCalls(text, opts);
    expect(r.validCalls).toBe(1);
    expect(r.invalidCalls).toBe(0);
    const c = r.calls[0];
    expect(text.slice(c.start, c.end)).toBe('<calc>37*46</calc>');
    expect(text.slice(c.bodyStart, c.bodyEnd)).toBe('37*46');
    expect(r.answer?.text).toBe('1702');
    expect(text.slice(r.answer!.start, r.answer!.end)).toBe('<ans> 1702 </ans>');
  });

  it.each([
    ['<calc>1+2', /unclosed <calc>/],
    ['<calc></calc>', /empty <calc>/],
    ['<calc>   </calc>', /empty <calc>/],
    [`<calc>${'1'.repeat(21)}</calc>`, /21 characters \(limit 20\)/],
    ['<python>print(1)</python>', /unknown tool <python>; available: <calc> <search>/],
    ['<foo>', /unknown tool <foo>/],
  ])('%j is one invalid call', (text, message) => {
    const r = parseToolCalls(text, opts);
    expect(r.validCalls).toBe(0);
    expect(r.invalidCalls).toBe(1);
    expect(r.calls[0].valid).toBe(false);
    expect(r.calls[0].error).toMatch(message);
  });

  it('skips tool outputs, even when they contain tags', () => {
    const r = parseToolCalls('<search>x</search><doc>see <calc>1</calc> and <ans>no</ans></doc><ans>y</ans>', opts);
    expect(r.calls.map((c) => c.tag)).toEqual(['search']);
    expect(r.answer?.text).toBe('y');
  });

  it('counts valid and invalid calls separately', () => {
    const r = parseToolCalls('<calc>1+1</calc><res>2</res><calc></calc><res>e</res><bad>x</bad><search>q</search>', opts);
    expect(r.validCalls).toBe(2);
    expect(r.invalidCalls).toBe(2);
    expect(r.calls.map((c) => c.valid)).toEqual([true, false, false, true]);
  });

  it('flags an unclosed answer', () => {
    const r = parseToolCalls('<calc>1</calc><ans>4', opts);
    expect(r.answer).toBeNull();
    expect(r.unclosedAnswer).toBe(true);
  });

  it('ignores text that does not look like a tag', () => {
    expect(parseToolCalls('a < b and 3<4 > 2 </calc>', opts).calls).toEqual([]);
  });

  it('never throws and keeps spans inside the text (any string)', () => {
    const tagged = fc.array(
      fc.oneof(
        fc.string({ maxLength: 6 }),
        fc.constantFrom('<calc>', '</calc>', '<ans>', '</ans>', '<res>', '</res>', '<x>', '</x>', '<search>', '<doc>'),
      ),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), tagged.map((parts) => parts.join(''))), (text) => {
        const r = parseToolCalls(text, opts);
        expect(r.validCalls + r.invalidCalls).toBe(r.calls.length);
        let prevEnd = 0;
        for (const c of r.calls) {
          expect(c.start).toBeGreaterThanOrEqual(prevEnd);
          expect(c.start <= c.bodyStart && c.bodyStart <= c.bodyEnd && c.bodyEnd <= c.end && c.end <= text.length).toBe(true);
          expect(text.slice(c.bodyStart, c.bodyEnd)).toBe(c.body);
          expect(c.valid).toBe(c.error === undefined);
          prevEnd = c.end;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('rejects missing options', () => {
    expect(() => parseToolCalls('x', {} as never)).toThrow(/options.tools/);
    expect(() => parseToolCalls('x', { tools: { calc: Number.NaN } })).toThrow(/options.tools.calc/);
  });

  it('returns empty records for non-string text', () => {
    expect(parseToolCalls(undefined as never, opts).calls).toEqual([]);
  });
});

describe('stopSequences', () => {
  it('lists closing tags', () => {
    expect(stopSequences(['calc'])).toEqual(['</calc>', '</ans>']);
  });
});
