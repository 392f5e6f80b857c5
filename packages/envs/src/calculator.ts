import {
  type FormatRationalOptions,
  type Rational,
  addRational,
  decimalToRational,
  divRational,
  formatRational,
  mulRational,
  rational,
  subRational,
} from './rational';
import type { Tool, ToolResult } from './tool';
import type { WorkCounter } from './work';

/** Limits and output format of the calculator, resolved once. */
export interface CalculatorOptions extends FormatRationalOptions {
  /** Longest accepted expression in characters. Default 200; `createCalculator` accepts at most 10,000 (exact arithmetic on longer input can grow numbers without bound). */
  maxLength?: number;
  /** Deepest accepted nesting of parentheses and unary signs. Default 64. */
  maxDepth?: number;
  /**
   * Most binary operations (`+ - * /` between two operands) one expression may hold; more is the
   * error `too-many-operations`. Default unlimited. `1` makes a one-operation-per-call calculator
   * (the `arith` task's tool), so a multi-step question costs one call per step.
   */
  maxOperations?: number;
}

/** Outcome of {@link evaluateArithmetic}: an exact value, or an error code and message. */
export type ArithmeticOutcome =
  | { ok: true; value: Rational }
  | { ok: false; error: ArithmeticErrorCode; message: string };

/** Why an expression was rejected. */
export type ArithmeticErrorCode =
  | 'empty'
  | 'too-long'
  | 'too-deep'
  | 'letters'
  | 'unsupported-operator'
  | 'invalid-character'
  | 'syntax'
  | 'division-by-zero'
  | 'too-many-operations';

const enum Tok {
  Num,
  Plus,
  Minus,
  Times,
  Divide,
  LParen,
  RParen,
  End,
}

interface Token {
  kind: Tok;
  pos: number;
  text: string;
}

class ArithmeticFailure {
  constructor(
    readonly error: ArithmeticErrorCode,
    readonly message: string,
  ) {}
}

const fail = (error: ArithmeticErrorCode, message: string): never => {
  throw new ArithmeticFailure(error, message);
};

// Digits with optional thousands groups ("1,234,567"), then an optional fraction.
const NUMBER_RE = /(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d*)?|\.\d+/y;

function tokenize(expr: string, work: WorkCounter): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    work.steps++;
    const c = expr[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '.') {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(expr);
      if (!m) fail('syntax', `'.' must be followed by digits at position ${i}`);
      const text = m![0];
      work.steps += text.length;
      tokens.push({ kind: Tok.Num, pos: i, text: text.replace(/,/g, '') });
      i += text.length;
      continue;
    }
    if (c === '*' && expr[i + 1] === '*') fail('unsupported-operator', "power ('**') is not supported; use repeated *");
    let kind: Tok | undefined;
    if (c === '+') kind = Tok.Plus;
    else if (c === '-' || c === '\u2212' || c === '\u2013') kind = Tok.Minus;
    else if (c === '*' || c === '\u00d7' || c === '\u00b7' || c === 'x' || c === 'X') kind = Tok.Times;
    else if (c === '/' || c === '\u00f7' || c === ':') kind = Tok.Divide;
    else if (c === '(') kind = Tok.LParen;
    else if (c === ')') kind = Tok.RParen;
    if (kind !== undefined) {
      tokens.push({ kind, pos: i, text: c });
      i++;
      continue;
    }
    if (/\p{L}/u.test(c)) {
      const word = /[\p{L}\p{N}_]+/uy;
      word.lastIndex = i;
      const w = word.exec(expr)?.[0] ?? c;
      fail('letters', `letters are not allowed ('${w}'); use only numbers and + - * / ( )`);
    }
    if (c === '^' || c === '%') fail('unsupported-operator', `'${c}' is not supported; use only + - * / ( )`);
    fail('invalid-character', `unexpected character '${c}' at position ${i}; use only numbers and + - * / ( )`);
  }
  tokens.push({ kind: Tok.End, pos: expr.length, text: '' });
  return tokens;
}

function tooManyOperations(maxOperations: number): never {
  const limit = maxOperations === 1 ? 'one operation' : `${maxOperations} operations`;
  return fail('too-many-operations', `this calculator takes ${limit} per call (+ - * / between two numbers); split the expression into calls`);
}

/** Recursive descent over the precedence levels sum > product > unary > primary. */
class Parser {
  private i = 0;
  private depth = 0;
  private operations = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly maxDepth: number,
    private readonly work: WorkCounter,
    private readonly maxOperations: number,
  ) {}

  private operation(): void {
    if (++this.operations > this.maxOperations) tooManyOperations(this.maxOperations);
  }

  parse(): Rational {
    // Counted before anything is evaluated, so an expression over the limit is refused as such
    // even when evaluating it would fail first (`0+(0/0+0)` with a limit of 2 is too many
    // operations, not a division by zero). A + or - is binary after a number or ')'.
    if (this.maxOperations !== Number.POSITIVE_INFINITY) {
      let binary = 0;
      for (let k = 1; k < this.tokens.length; k++) {
        const kind = this.tokens[k].kind;
        const prev = this.tokens[k - 1].kind;
        if ((kind === Tok.Plus || kind === Tok.Minus || kind === Tok.Times || kind === Tok.Divide) && (prev === Tok.Num || prev === Tok.RParen)) binary++;
      }
      if (binary > this.maxOperations) tooManyOperations(this.maxOperations);
    }
    const value = this.sum();
    const t = this.tokens[this.i];
    if (t.kind === Tok.RParen) fail('syntax', `unmatched ')' at position ${t.pos}`);
    if (t.kind !== Tok.End) fail('syntax', `missing operator before '${t.text}' at position ${t.pos}`);
    return value;
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) fail('too-deep', `expression nests deeper than ${this.maxDepth} levels`);
  }

  private sum(): Rational {
    this.work.steps++;
    let left = this.product();
    for (;;) {
      const k = this.tokens[this.i].kind;
      if (k !== Tok.Plus && k !== Tok.Minus) return left;
      this.operation();
      this.i++;
      const right = this.product();
      left = k === Tok.Plus ? addRational(left, right) : subRational(left, right);
    }
  }

  private product(): Rational {
    this.work.steps++;
    let left = this.unary();
    for (;;) {
      const k = this.tokens[this.i].kind;
      if (k !== Tok.Times && k !== Tok.Divide) return left;
      this.operation();
      this.i++;
      const right = this.unary();
      if (k === Tok.Times) left = mulRational(left, right);
      else {
        const q = divRational(left, right);
        if (q === null) fail('division-by-zero', 'division by zero');
        left = q!;
      }
    }
  }

  private unary(): Rational {
    this.work.steps++;
    const t = this.tokens[this.i];
    if (t.kind === Tok.Minus || t.kind === Tok.Plus) {
      this.enter();
      this.i++;
      const v = this.unary();
      this.depth--;
      return t.kind === Tok.Minus ? rational(-v.num, v.den) : v;
    }
    return this.primary();
  }

  private primary(): Rational {
    this.work.steps++;
    const t = this.tokens[this.i];
    if (t.kind === Tok.Num) {
      this.i++;
      return decimalToRational(t.text);
    }
    if (t.kind === Tok.LParen) {
      this.enter();
      this.i++;
      const v = this.sum();
      const close = this.tokens[this.i];
      if (close.kind !== Tok.RParen) {
        fail('syntax', close.kind === Tok.End ? "unclosed '('" : `expected ')' at position ${close.pos}`);
      }
      this.i++;
      this.depth--;
      return v;
    }
    if (t.kind === Tok.End) fail('syntax', 'expression ends where a number was expected');
    return fail('syntax', `expected a number at position ${t.pos} (got '${t.text}')`);
  }
}

/**
 * Evaluates an arithmetic expression exactly: `+ - * /` (also `×`, `x`, `÷`, `−`), unary signs,
 * parentheses, integers (with optional thousands commas) and decimals. Values are exact rationals
 * on BigInt, so `123456789012345 * 987654321098765` keeps every digit. Never uses `eval`.
 *
 * @param expr - The expression text.
 * @param options - `maxLength` (default 200), `maxDepth` (default 64), `maxOperations` (default unlimited).
 * @returns `{ ok: true, value }` or `{ ok: false, error, message }`; never throws on any string.
 * @example
 * evaluateArithmetic('37*46'); // { ok: true, value: { num: 1702n, den: 1n } }
 */
export function evaluateArithmetic(expr: string, options: CalculatorOptions = {}): ArithmeticOutcome {
  return evaluateArithmeticCounted(expr, options, { steps: 0 });
}

/**
 * {@link evaluateArithmetic} with a step counter (one step per character tokenised and per
 * grammar rule entered), for the tests that show the work is linear in the expression.
 *
 * @internal
 * @param expr - The expression text.
 * @param options - As for {@link evaluateArithmetic}.
 * @param work - Step counter.
 * @returns As {@link evaluateArithmetic}.
 * @example
 * evaluateArithmeticCounted('1+2', {}, { steps: 0 }).ok; // true
 */
export function evaluateArithmeticCounted(expr: string, options: CalculatorOptions, work: WorkCounter): ArithmeticOutcome {
  const maxLength = options.maxLength ?? 200;
  const maxDepth = options.maxDepth ?? 64;
  const maxOperations = options.maxOperations ?? Number.POSITIVE_INFINITY;
  if (typeof expr !== 'string') return { ok: false, error: 'syntax', message: 'expression must be text' };
  if (expr.length > maxLength) {
    return { ok: false, error: 'too-long', message: `expression is ${expr.length} characters (limit ${maxLength})` };
  }
  if (expr.trim() === '') return { ok: false, error: 'empty', message: 'empty expression' };
  try {
    return { ok: true, value: new Parser(tokenize(expr, work), maxDepth, work, maxOperations).parse() };
  } catch (err) {
    if (err instanceof ArithmeticFailure) return { ok: false, error: err.error, message: err.message };
    throw err;
  }
}

/**
 * Evaluates and prints an expression the way the calculator tool answers: see
 * {@link formatRational} for the number format.
 *
 * @param expr - The expression text.
 * @param options - Limits and number format.
 * @returns A tool result: `{ ok: true, output: '1702' }` or `{ ok: false, output: 'error: …', error }`.
 * @example
 * calculate('7/2'); // { ok: true, output: '3.5' }
 */
export function calculate(expr: string, options: CalculatorOptions = {}): ToolResult {
  const r = evaluateArithmetic(expr, options);
  if (!r.ok) return { ok: false, output: `error: ${r.message}`, error: r.error };
  return { ok: true, output: formatRational(r.value, options) };
}

/** Arguments of the calculator tool (a type alias, so a `Tool<CalculatorArgs>` fits in a `Tool[]`). */
export type CalculatorArgs = { expression: string };

/** Largest `maxLength` the calculator tool accepts. */
const MAX_EXPRESSION_CHARS = 10_000;
/** Largest `maxDepth` (each level is a few stack frames of the recursive descent). */
const MAX_DEPTH = 1000;

/**
 * Creates the calculator tool: text tag `calc`, result tag `res`, function name `calculator`.
 *
 * @param options - Limits and number format (see {@link CalculatorOptions}); `maxOperations: 1`
 *   gives the one-operation-per-call variant.
 * @returns A {@link Tool} whose `run` never throws.
 * @example
 * await createCalculator().run({ expression: '37*46' }); // { ok: true, output: '1702' }
 * await createCalculator({ maxOperations: 1 }).run({ expression: '2+3*4' });
 * // { ok: false, output: 'error: this calculator takes one operation per call …', error: 'too-many-operations' }
 */
export function createCalculator(options: CalculatorOptions = {}): Tool<CalculatorArgs> {
  const maxLength = options.maxLength ?? 200;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > MAX_EXPRESSION_CHARS) {
    throw new RangeError(`createCalculator: options.maxLength must be an integer in [1, ${MAX_EXPRESSION_CHARS}] (got ${maxLength})`);
  }
  const maxDepth = options.maxDepth ?? 64;
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH) {
    throw new RangeError(`createCalculator: options.maxDepth must be an integer in [1, ${MAX_DEPTH}] (got ${maxDepth})`);
  }
  const sig = options.significantDigits ?? 12;
  if (!Number.isInteger(sig) || sig < 1 || sig > 100) {
    throw new RangeError(`createCalculator: options.significantDigits must be an integer in [1, 100] (got ${sig})`);
  }
  const maxOperations = options.maxOperations ?? Number.POSITIVE_INFINITY;
  if (!(maxOperations === Number.POSITIVE_INFINITY || (Number.isInteger(maxOperations) && maxOperations >= 1))) {
    throw new RangeError(`createCalculator: options.maxOperations must be a positive integer or Infinity (got ${maxOperations})`);
  }
  const resolved: CalculatorOptions = { ...options, maxLength, maxDepth, significantDigits: sig, maxOperations };
  return {
    name: 'calculator',
    description:
      maxOperations === 1
        ? 'Evaluates one arithmetic operation exactly (two numbers and one of + - * /) and returns the number.'
        : 'Evaluates an arithmetic expression exactly (+ - * / and parentheses) and returns the number.',
    parameters: {
      type: 'object',
      properties: {
        expression: { type: 'string', description: 'Arithmetic expression, e.g. "37*46".', maxLength },
      },
      required: ['expression'],
      additionalProperties: false,
    },
    tag: 'calc',
    resultTag: 'res',
    maxArgChars: maxLength,
    argsFromText: (text) => ({ expression: text.trim() }),
    run: async (args) => {
      const expression = (args as Partial<CalculatorArgs> | null)?.expression;
      if (typeof expression !== 'string') {
        return { ok: false, output: 'error: argument "expression" must be a string', error: 'bad-arguments' };
      }
      return calculate(expression, resolved);
    },
  };
}
