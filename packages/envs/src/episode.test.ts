import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultAnswerMatch } from './answer-match';
import { episodeFacts } from './episode';

const tools = { calc: 200, search: 100 };

describe('episodeFacts', () => {
  it.each([
    ['<calc>37*46</calc><res>1702</res><ans>1702</ans>', '1702', { correct: true, validCalls: 1, invalidCalls: 0, turns: 2, finishReason: 'answer' }],
    ['<ans>1,702</ans>', '1702', { correct: true, validCalls: 0, invalidCalls: 0, turns: 1, finishReason: 'answer' }],
    ['<ans>1703</ans>', '1702', { correct: false, validCalls: 0, invalidCalls: 0, turns: 1, finishReason: 'answer' }],
    ['<calc></calc><res>error</res><ans>1702</ans>', '1702', { correct: false, validCalls: 0, invalidCalls: 1, turns: 2, finishReason: 'malformed' }],
    ['<foo>x</foo><ans>1702</ans>', '1702', { correct: false, validCalls: 0, invalidCalls: 1, turns: 2, finishReason: 'malformed' }],
    ['I think 1702', '1702', { correct: false, validCalls: 0, invalidCalls: 0, turns: 1, finishReason: 'malformed' }],
    ['<ans>1702', '1702', { correct: false, validCalls: 0, invalidCalls: 0, turns: 1, finishReason: 'malformed' }],
    ['', '1702', { correct: false, validCalls: 0, invalidCalls: 0, turns: 0, finishReason: 'malformed' }],
    ['<search>Kalo born</search><doc>Kalo was born in Mite.</doc><ans>the Mite</ans>', 'Mite', { correct: true, validCalls: 1, invalidCalls: 0, turns: 2, finishReason: 'answer' }],
  ])('%j (gold %s)', (text, gold, expected) => {
    expect(episodeFacts(text, { tools, gold })).toMatchObject(expected);
  });

  it('applies limits and the caller stop reason', () => {
    const text = '<calc>1+1</calc><res>2</res><calc>2+2</calc><res>4</res><ans>4</ans>';
    expect(episodeFacts(text, { tools, gold: '4', limits: { maxToolCalls: 1 } }).finishReason).toBe('max-tool-calls');
    expect(episodeFacts(text, { tools, gold: '4', limits: { maxTurns: 2 } }).finishReason).toBe('max-turns');
    const tok = episodeFacts(text, { tools, gold: '4', limits: { maxTokens: 10 }, generatedTokens: 11 });
    expect(tok).toMatchObject({ finishReason: 'max-tokens', correct: false, generatedTokens: 11 });
    expect(episodeFacts('<calc>1', { tools, gold: '4', stopReason: 'max-tokens' }).finishReason).toBe('max-tokens');
    expect(episodeFacts(text, { tools, gold: '4', limits: { maxToolCalls: 2, maxTurns: 3 } }).correct).toBe(true);
    expect(episodeFacts(text, { tools, gold: '4', turns: 7 }).turns).toBe(7);
  });

  it('uses a custom matcher', () => {
    expect(episodeFacts('<ans>Four</ans>', { tools, gold: '4', match: (p) => p === 'Four' }).correct).toBe(true);
  });

  it('never throws on model text and only answer episodes are correct', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const f = episodeFacts(text, { tools, gold: '1' });
        if (f.correct) expect(f.finishReason).toBe('answer');
        expect(f.turns).toBeGreaterThanOrEqual(f.validCalls + f.invalidCalls);
      }),
    );
  });

  it('rejects bad options', () => {
    expect(() => episodeFacts('x', null as never)).toThrow(/options must be an object/);
    expect(() => episodeFacts('x', { tools, gold: 5 as never })).toThrow(/gold/);
  });

  it('defaultAnswerMatch combines numeric and exact match', () => {
    expect(defaultAnswerMatch('$1,702.00', '1702')).toBe(true);
    expect(defaultAnswerMatch('The Mite', 'mite')).toBe(true);
    expect(defaultAnswerMatch('17', '1702')).toBe(false);
  });
});
