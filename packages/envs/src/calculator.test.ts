import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calculate, createCalculator, evaluateArithmetic } from './calculator';
import { type Rational, addRational, divRational, equalRational, formatRational, mulRational, rational, subRational } from './rational';

type Expr = { leaf: bigint } | { op: '+' | '-' | '*' | '/'; l: Expr; r: Expr } | { neg: Expr };

const exprArb = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.bigInt({ min: 0n, max: 9999n }).map((leaf) => ({ leaf })),
    fc.record({ op: fc.constantFrom('+', '-', '*', '/') as fc.Arbitrary<'+' | '-' | '*' | '/'>, l: tie('e'), r: tie('e') }),
    tie('e').map((neg) => ({ neg })),
  ),
})).e;

/** Reference: evaluate the tree directly (null on division by zero). */
function evalTree(e: Expr): Rational | null {
  if ('leaf' in e) return rational(e.leaf);
  if ('neg' in e) {
    const v = evalTree(e.neg);
    return v && rational(-v.num, v.den);
  }
  const l = evalTree(e.l);
  const r = evalTree(e.r);
  if (!l || !r) return null;
  if (e.op === '+') return addRational(l, r);
  if (e.op === '-') return subRational(l, r);
  if (e.op === '*') return mulRational(l, r);
  return divRational(l, r);
}

const prec = (e: Expr): number => ('leaf' in e ? 4 : 'neg' in e ? 3 : e.op === '+' || e.op === '-' ? 1 : 2);

/** Prints with the fewest parentheses standard precedence needs. */
function print(e: Expr): string {
  if ('leaf' in e) return e.leaf.toString();
  if ('neg' in e) return `-${prec(e.neg) < 3 ? `(${print(e.neg)})` : print(e.neg)}`;
  const p = prec(e);
  const left = prec(e.l) < p ? `(${print(e.l)})` : print(e.l);
  const right = prec(e.r) <= p ? `(${print(e.r)})` : print(e.r);
  return `${left}${e.op}${right}`;
}
import { runTool, toOpenAITool } from './tool';

describe('calculate', () => {
  it.each([
    ['37*46', '1702'],
    ['2+3*4', '14'],
    ['(2+3)*4', '20'],
    ['2*3+4*5', '26'],
    ['10-4-3', '3'],
    ['100/10/5', '2'],
    ['-3+5', '2'],
    ['--3', '3'],
    ['-(2+3)*-2', '10'],
    ['+7', '7'],
    ['3 x 4', '12'],
    ['3×4', '12'],
    ['12÷4', '3'],
    ['5 − 7', '-2'],
    ['1,234 + 1', '1235'],
    ['7/2', '3.5'],
    ['1/8', '0.125'],
    ['1/3', '0.333333333333'],
    ['2/3', '0.666666666667'],
    ['-2/3', '-0.666666666667'],
    ['0.1+0.2', '0.3'],
    ['1.50*2', '3'],
    ['.5+.25', '0.75'],
    ['3.', '3'],
    ['123456789012345*987654321098765', '121932631137021071359549253925'],
    ['1000000000000000*1000000000000000', '1000000000000000000000000000000'],
    // Never drops integer digits: 10^16/7 = 1428571428571428.571… rounds to an integer.
    ['10000000000000000/7', '1428571428571429'],
    ['1/1024', '0.0009765625'],
    ['0.000001/3', '0.000000333333333333'],
  ])('%s = %s', (expr, expected) => {
    expect(calculate(expr)).toEqual({ ok: true, output: expected });
  });

  it.each([
    ['2+', 'syntax'],
    ['(', 'syntax'],
    ['(1+2', 'syntax'],
    ['1+2)', 'syntax'],
    ['2(3)', 'syntax'],
    ['abc', 'letters'],
    ['sqrt(4)', 'letters'],
    ['1/0', 'division-by-zero'],
    ['5/(3-3)', 'division-by-zero'],
    ['2**3', 'unsupported-operator'],
    ['2^3', 'unsupported-operator'],
    ['50%', 'unsupported-operator'],
    ['1;2', 'invalid-character'],
    ['1=1', 'invalid-character'],
    ['', 'empty'],
    ['   ', 'empty'],
    ['1'.repeat(201), 'too-long'],
    [`${'('.repeat(65)}1${')'.repeat(65)}`, 'too-deep'],
    [`${'-'.repeat(65)}1`, 'too-deep'],
  ])('rejects %j with %s', (expr, code) => {
    const r = calculate(expr);
    expect(r.ok).toBe(false);
    expect(r.error).toBe(code);
    expect(r.output.startsWith('error: ')).toBe(true);
  });

  it('returns an error for non-string input', () => {
    expect(calculate(undefined as never).ok).toBe(false);
    expect(calculate(42 as never).ok).toBe(false);
  });

  it('accepts nesting up to the depth limit', () => {
    expect(calculate(`${'('.repeat(64)}1${')'.repeat(64)}`)).toEqual({ ok: true, output: '1' });
  });

  it('never throws and never uses host code on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        const r = calculate(s);
        expect(typeof r.output).toBe('string');
      }),
      { numRuns: 300 },
    );
  });

  it('matches BigInt arithmetic on random integer expressions (oracle)', () => {
    const big = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n });
    fc.assert(
      fc.property(big, big, big, (a, b, c) => {
        const expr = `(${a})*(${b})-(${c})`;
        expect(calculate(expr).output).toBe((a * b - c).toString());
      }),
      { numRuns: 100 },
    );
  });

  it('parses minimal-parenthesis expressions like a direct tree evaluation (oracle)', () => {
    fc.assert(
      fc.property(exprArb, (tree) => {
        const text = print(tree);
        fc.pre(text.length <= 200);
        const expected = evalTree(tree);
        const got = evaluateArithmetic(text);
        if (expected === null) expect(got.ok ? 'ok' : got.error).toBe('division-by-zero');
        else expect(got.ok && equalRational(got.value, expected)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('division agrees with the rational it prints (exact when terminating)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 1, max: 64 }), (a, b) => {
        const out = calculate(`${a}/${b}`).output;
        expect(Math.abs(Number(out) - a / b)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(a / b)));
      }),
    );
  });
});

describe('maxOperations', () => {
  const ops = (e: Expr): number => ('leaf' in e ? 0 : 'neg' in e ? ops(e.neg) : 1 + ops(e.l) + ops(e.r));

  it('accepts exactly the expressions with at most that many binary operations (law)', () => {
    fc.assert(
      fc.property(exprArb, fc.integer({ min: 1, max: 6 }), (e, limit) => {
        const text = print(e);
        const limited = evaluateArithmetic(text, { maxOperations: limit });
        if (ops(e) <= limit) expect(limited).toEqual(evaluateArithmetic(text));
        else expect(limited).toMatchObject({ ok: false, error: 'too-many-operations' });
      }),
    );
  });

  it('refuses an expression over the limit before evaluating it (found by the law: 0+(0/0+0) with a limit of 2)', () => {
    expect(evaluateArithmetic('0+(0/0+0)', { maxOperations: 2 })).toMatchObject({ ok: false, error: 'too-many-operations' });
    expect(evaluateArithmetic('0+(0/0+0)', { maxOperations: 3 })).toMatchObject({ ok: false, error: 'division-by-zero' });
    expect(evaluateArithmetic('-(-2)*-3', { maxOperations: 1 })).toMatchObject({ ok: true });
  });

  it.each([
    ['12+25', '37'],
    ['(12)*3', '36'],
    ['-5*3', '-15'],
  ])('one-operation calculator: %s = %s', async (expression, output) => {
    expect(await createCalculator({ maxOperations: 1 }).run({ expression })).toEqual({ ok: true, output });
  });

  it('the one-operation calculator answers a longer expression with a tool error that says why', async () => {
    const calc = createCalculator({ maxOperations: 1 });
    expect(calc.description).toMatch(/one arithmetic operation/);
    const r = await calc.run({ expression: '2+3*4' });
    expect(r).toMatchObject({ ok: false, error: 'too-many-operations' });
    expect(r.output).toMatch(/^error: this calculator takes one operation per call/);
  });

  it.each([0, 1.5, Number.NaN, -1])('createCalculator rejects maxOperations %s', (m) => {
    expect(() => createCalculator({ maxOperations: m })).toThrow(/createCalculator: options.maxOperations must be a positive integer or Infinity/);
  });
});

describe('formatRational', () => {
  it.each([
    [rational(5n), '5'],
    [rational(-5n, 2n), '-2.5'],
    [rational(1n, 3n), '0.333333333333'],
    [rational(10n ** 15n, 7n), '142857142857143'],
    [rational(1n, 2n ** 80n), '0.000000000000000000000000827180612553'],
  ])('%o → %s', (r, s) => {
    expect(formatRational(r)).toBe(s);
  });

  it.each([
    [{ significantDigits: 0 }, /significantDigits/],
    [{ significantDigits: Number.NaN }, /significantDigits/],
    [{ maxFractionDigits: -1 }, /maxFractionDigits/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => formatRational(rational(1n, 3n), opts)).toThrow(msg);
  });

  it('respects significantDigits', () => {
    expect(formatRational(rational(2n, 3n), { significantDigits: 3 })).toBe('0.667');
  });
});

describe('createCalculator', () => {
  it('describes itself in OpenAI function-calling shape', () => {
    const spec = toOpenAITool(createCalculator());
    expect(spec.type).toBe('function');
    expect(spec.function.name).toBe('calculator');
    expect(spec.function.parameters.required).toEqual(['expression']);
  });

  it('runs from the text-tag form and returns errors as output', async () => {
    const calc = createCalculator();
    expect(await calc.run(calc.argsFromText(' 37*46 '))).toEqual({ ok: true, output: '1702' });
    const bad = await runTool(calc, { expression: '1/0' });
    expect(bad).toEqual({ ok: false, output: 'error: division by zero', error: 'division-by-zero' });
    const wrong = await calc.run({} as never);
    expect(wrong.error).toBe('bad-arguments');
  });

  it('honours maxLength', () => {
    expect(createCalculator({ maxLength: 5 }).maxArgChars).toBe(5);
  });

  it.each([
    [{ maxLength: 0 }, /maxLength/],
    [{ maxLength: Number.NaN }, /maxLength/],
    [{ maxDepth: 1.5 }, /maxDepth/],
    [{ significantDigits: 0 }, /significantDigits/],
  ])('rejects bad options %o', (opts, msg) => {
    expect(() => createCalculator(opts)).toThrow(msg);
  });

  it('evaluateArithmetic exposes the exact value', () => {
    expect(evaluateArithmetic('1/3+1/6')).toEqual({ ok: true, value: { num: 1n, den: 2n } });
  });
});
