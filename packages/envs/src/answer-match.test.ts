import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractAnswerTag, extractBoxed, extractFinalAnswer } from './extract';
import { MATH_EQUAL_KNOWN_GAPS, mathEqual, normalizeMathAnswer } from './math-equal';
import { numericEqual, parseNumber } from './numeric';
import { exactMatch, normalizeAnswer, tokenF1 } from './qa-match';
import { defaultAnswerMatch, qaAnswerMatch } from './answer-match';

describe('SQuAD / HotpotQA matching', () => {
  it.each([
    ['The Beatles', 'beatles'],
    ['  An   apple.', 'apple'],
    ["Rock 'n' Roll!", 'rock n roll'],
    ['the theory', 'theory'],
    ['A-B', 'ab'],
  ])('normalizeAnswer(%j) = %j', (a, b) => {
    expect(normalizeAnswer(a)).toBe(b);
  });

  it.each([
    ['the Beatles', 'Beatles', true],
    ['Paris, France', 'paris france', true],
    ['Paris', 'London', false],
  ])('exactMatch(%j, %j) = %s', (p, g, expected) => {
    expect(exactMatch(p, g)).toBe(expected);
  });

  it.each([
    ['Paris France', 'Paris', 2 / 3],
    ['the cat sat', 'a cat sat down', 0.8],
    ['yes', 'no', 0],
    ['yes', 'yes', 1],
    ['yes it is', 'yes', 0],
    ['noanswer', 'something', 0],
    ['', '', 0],
    ['', 'x', 0],
    ['x y y', 'y y z', 2 / 3],
    ['a b b', 'b b c', 0.8],
  ])('tokenF1(%j, %j) = %f', (p, g, f) => {
    expect(tokenF1(p, g)).toBeCloseTo(f, 12);
  });

  it('F1 is symmetric and 1 exactly when normalised answers are equal and non-special', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (a, b) => {
        expect(tokenF1(a, b)).toBeCloseTo(tokenF1(b, a), 12);
        if (exactMatch(a, b) && normalizeAnswer(a) !== '') expect(tokenF1(a, b)).toBe(1);
      }),
    );
  });
});

describe('QA normalisation is Unicode-aware, as the official script (Python 3 `\\b`)', () => {
  it.each([
    ['Almería', 'almería'],
    ['García', 'garcía'],
    ['The Ångström', 'ångström'],
    ['a ça', 'ça'],
    ['Sofía the Great', 'sofía great'],
    ['Garci\u0301a', 'garci\u0301a'],
  ])('normalizeAnswer(%j) = %j', (a, b) => {
    expect(normalizeAnswer(a)).toBe(b);
  });

  it('García ≠ Garcí', () => {
    expect(exactMatch('Garcí', 'García')).toBe(false);
    expect(qaAnswerMatch('Garcí', 'García')).toBe(false);
  });
});

describe('defaultAnswerMatch and qaAnswerMatch never accept a wrong answer', () => {
  it.each([
    ['18', '18'],
    ['$18', '18'],
    ['18.00', '18'],
    ['18 dollars', '18'],
    ['1,250', '1250'],
    ['1250', '1,250'],
    ['\\$5', '5'],
    ['−7', '-7'],
    ['45%', '45'],
    ['3/4', '3/4'],
    ['0.75', '3/4'],
    ['18 eggs per day', '18'],
    ['the Beatles', 'Beatles'],
    ['1045 AD', '1045 AD'],
    ['July 1941', 'july 1941'],
  ])('defaultAnswerMatch(%j, %j) accepts', (p, g) => {
    expect(defaultAnswerMatch(p, g)).toBe(true);
  });

  it.each([
    ['-18', '18'],
    ['1.8', '18'],
    ['1/8', '18'],
    ['1-8', '18'],
    ['18', '-18'],
    ['not 18', '18'],
    ['about 18', '18'],
    ['2 million', '2'],
    ['18 or 19', '18'],
    ['x-18', '18'],
    ['1045 BC', '1045 AD'],
    ['June 1941', 'July 1941'],
    ['1941', 'July 1941'],
    ['-5 degrees', '5 degrees'],
    ['3-1', '31'],
    ['', ''],
    ['the', 'the'],
    ['Garcí', 'García'],
  ])('defaultAnswerMatch(%j, %j) refuses', (p, g) => {
    expect(defaultAnswerMatch(p, g)).toBe(false);
  });

  it.each([
    ['1.8', '18'],
    ['-18', '18'],
    ['1-8', '18'],
    ['3 players', '3'],
    ['', ''],
  ])('qaAnswerMatch(%j, %j) refuses (the first three pass SQuAD EM)', (p, g) => {
    expect(qaAnswerMatch(p, g)).toBe(false);
  });

  it('the numeric path agrees with exact rational equality on formatted integers and decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -1e9, max: 1e9 }), (a, b) => {
        const ga = String(a);
        for (const v of [`${a}`, `${a}.0`, `$${a.toLocaleString('en-US')}`, `${a} units`]) expect(defaultAnswerMatch(v, ga)).toBe(true);
        expect(defaultAnswerMatch(String(b), ga)).toBe(a === b);
        if (a !== 0) expect(defaultAnswerMatch(String(-a), ga)).toBe(false);
      }),
    );
  });

  it('whatever a policy writes from number-like pieces, an accepted answer has the gold value', () => {
    const pieces = ['-', '−', '+', '.', '/', ',', ' ', '$', '\\$', '%', 'dollars', 'million', 'about', 'not', 'or', 'x', 'e', '1', '8', '18', '0', '00', '000'];
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), fc.constantFrom('18', '-18', '1,800', '0.5', '3/4'), (parts, gold) => {
        const p = parts.join('');
        if (!defaultAnswerMatch(p, gold)) return;
        accepted++;
        // What is left once unit words (with their hyphens), currency, percent, spaces and
        // thousands commas are gone.
        const bare = p.replace(/[\s-]*[A-Za-z]+/g, '').replace(/\\?\$|%|\s/g, '').replace(/,(?=\d{3})/g, '').replace('−', '-');
        const value = (t: string): number => (t.includes('/') ? Number(t.split('/')[0]) / Number(t.split('/')[1]) : Number(t));
        expect(value(bare), `${JSON.stringify(p)} accepted for ${gold}`).toBe(value(gold.replace(/,/g, '')));
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('hostile inputs end quickly: every grader is linear or capped in its input', () => {
    const long = [
      ' '.repeat(200_000),
      '1'.repeat(200_000),
      '1,'.repeat(100_000),
      '\\text{'.repeat(30_000),
      '{'.repeat(100_000) + '}'.repeat(100_000),
      'a '.repeat(100_000),
      '-'.repeat(100_000) + '1',
      '$ '.repeat(100_000) + '1',
    ];
    for (const s of long) {
      expect(defaultAnswerMatch(s, '18')).toBe(false);
      expect(defaultAnswerMatch(s, 'Paris')).toBe(false);
      expect(mathEqual(s, '1')).toBe(false);
      expect(typeof tokenF1(s, s)).toBe('number');
      expect(typeof normalizeAnswer(s)).toBe('string');
    }
  });
});

describe('numeric equivalence', () => {
  it.each([
    ['1,234.50 dollars', '1234.5'],
    ['$18', '18'],
    ['18.0', '18'],
    ['18.00', '18'],
    ['3/4', '0.75'],
    ['50%', '50'],
    ['\\$5', '5'],
    ['-7', '−7'],
    ['The answer is 42.', '42'],
    ['1,000,000', '1000000'],
    ['0.1', '1/10'],
  ])('%j = %j', (a, b) => {
    expect(numericEqual(a, b)).toBe(true);
  });

  it.each([
    ['3 apples and 4 pears', '3'],
    ['12', '13'],
    ['abc', 'abc'],
    ['1/0', '1'],
    ['10-12', '10'],
    ['0.333', '1/3'],
  ])('%j ≠ %j', (a, b) => {
    expect(numericEqual(a, b)).toBe(false);
  });

  it('relTol allows a tolerance', () => {
    expect(numericEqual('0.333333', '1/3', { relTol: 1e-5 })).toBe(true);
    expect(() => numericEqual('1', '1', { relTol: Number.NaN })).toThrow(/relTol/);
  });

  it('parseNumber reads exact values or null', () => {
    expect(parseNumber('-2.50 m')).toEqual({ num: -5n, den: 2n });
    expect(parseNumber('no number')).toBeNull();
    expect(parseNumber(5 as never)).toBeNull();
  });

  it('every integer equals its formatted variants', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (n) => {
        const g = String(n);
        for (const v of [`${n}.0`, `$${n.toLocaleString('en-US')}`, ` ${n} units`]) expect(numericEqual(v, g)).toBe(true);
      }),
    );
  });
});

describe('extraction', () => {
  it.each([
    ['x \\boxed{5} y', '5'],
    ['\\boxed{1} then \\boxed{\\frac{1}{2}}', '\\frac{1}{2}'],
    ['\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}', '\\left( 3, \\frac{\\pi}{2} \\right)'],
    ['\\fbox{7}', '7'],
    ['$\\boxed 5$', '5'],
    ['\\boxed{\\{1,2\\}}', '\\{1,2\\}'],
    ['\\boxed{2} and \\boxed{unclosed', '2'],
    ['no box', null],
  ])('extractBoxed(%j) = %j', (t, b) => {
    expect(extractBoxed(t)).toBe(b);
  });

  it('extractAnswerTag takes the first complete answer', () => {
    expect(extractAnswerTag('<ans>a</ans><ans>b</ans>')).toBe('a');
    expect(extractAnswerTag('<ans>a')).toBeNull();
  });

  it('extractFinalAnswer prefers <ans>, then \\boxed, then ####', () => {
    expect(extractFinalAnswer('\\boxed{2}<ans>1</ans>')).toBe('1');
    expect(extractFinalAnswer('\\boxed{2}\n#### 3')).toBe('2');
    expect(extractFinalAnswer('so\n#### 1,234')).toBe('1,234');
    expect(extractFinalAnswer('nothing')).toBeNull();
  });
});

describe('MATH-style equivalence', () => {
  it.each([
    ['\\frac{1}{2}', '0.5'],
    ['\\dfrac{1}{2}', '\\frac12'],
    ['\\tfrac12', '1/2'],
    ['-\\frac{3}{4}', '-0.75'],
    ['\\frac{-3}{4}', '-0.75'],
    ['\\sqrt2', '\\sqrt{2}'],
    ['\\frac{\\sqrt3}{2}', '\\frac{\\sqrt{3}}{2}'],
    ['90^\\circ', '90'],
    ['90^{\\circ}', '90'],
    ['50\\%', '50'],
    ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})'],
    ['10,\\!000', '10000'],
    ['5\\text{ cm}', '5'],
    ['\\text{Evelyn}', 'Evelyn'],
    ['\\$18.90', '18.9'],
    ['x = 5', '5'],
    ['(1, 2.0)', '(1,2)'],
    ['[-1, \\frac12)', '[-1,0.5)'],
    ['1, 2, 3', '1,2,3'],
    ['.5', '0.5'],
    ['3.', '3'],
    ['18 dollars', '18'],
    ['\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}'],
    ['\\text{(C)}', '(C)'],
    ['y = 2x+3', '2x+3'],
    ['\\theta = \\frac{\\pi}{2}', '\\frac{\\pi}{2}'],
    ['\\text{\\{1, 2\\}}', '\\{1,2\\}'],
    ['\\mathrm{f(x)}', 'f(x)'],
    ['\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}', '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}'],
    ['52_{8}', '52_8'],
    ['x^{2}+1', 'x^2+1'],
    ['1{,}250', '1250'],
  ])('%j ≡ %j', (a, b) => {
    expect(mathEqual(a, b)).toBe(true);
    expect(mathEqual(b, a)).toBe(true);
  });

  it.each([
    ['(1,2)', '[1,2]'],
    ['(1,2]', '(1,2)'],
    ['\\frac{1}{3}', '0.333'],
    ['2', '3'],
    ['(1,2)', '(2,1)'],
    ['', ''],
    ['x+1', '1+x'],
    ['-x=5', 'x=5'],
    ['-x=5', '5'],
    ['2x=5', '5'],
    ['52_{9}', '52_8'],
    ['5\\text{ million}', '5'],
    ['5 million', '5'],
    ['5\\text{ or more}', '5'],
    ['\\begin{vmatrix} 1 \\end{vmatrix}', '\\begin{pmatrix} 1 \\end{pmatrix}'],
  ])('%j ≢ %j', (a, b) => {
    expect(mathEqual(a, b)).toBe(false);
  });

  it.each(MATH_EQUAL_KNOWN_GAPS.map((g) => [g.prediction, g.gold, g.reason]))(
    'known gap: %j vs %j (%s)',
    (prediction, gold) => {
      expect(mathEqual(prediction, gold)).toBe(false);
    },
  );

  it('answers false / null for non-string input', () => {
    expect(mathEqual(undefined as never, '1')).toBe(false);
    expect(extractBoxed(null as never)).toBeNull();
    expect(extractAnswerTag(3 as never)).toBeNull();
    expect(extractFinalAnswer(undefined as never)).toBeNull();
    expect(mathEqual('1'.repeat(1001), '1'.repeat(1001))).toBe(false);
  });

  it('normalises a known example', () => {
    expect(normalizeMathAnswer('\\left( 3, \\dfrac{\\pi}2 \\right)')).toBe('(3,\\frac{\\pi}{2})');
  });

  it('never throws and is reflexive on any non-blank string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (s) => {
        const eq = mathEqual(s, s);
        if (normalizeMathAnswer(s) !== '') expect(eq).toBe(true);
      }),
    );
  });
});
