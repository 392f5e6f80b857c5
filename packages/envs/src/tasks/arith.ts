import { calculate } from '../calculator';
import { EnvError } from '../errors';
import { Rng, hashString } from '../prng';
import { resolveCommon, resolveTeacher, splitOf } from './split';
import type { Split, TaskItem, TeacherOptions, TeacherTrace, TraceSegment } from './types';

/** Difficulty levels of `arith` questions. */
export type ArithDifficulty = 'easy' | 'medium' | 'hard';

/** Operands and operator of an `arith` question. */
export interface ArithMeta {
  a: number;
  b: number;
  op: '+' | '-' | '*' | '/';
}

/** Options of {@link arithTasks}. */
export interface ArithOptions {
  /** Seed of the generator. */
  seed: number;
  /** Number of questions to produce. */
  count: number;
  /** Split to draw from. Default `'train'`. */
  split?: Split;
  /** Share of the question space held out for test. Default 0.2. */
  testFraction?: number;
  /**
   * Relative weights of the difficulty levels. Default `{ easy: 0.4, medium: 0.2, hard: 0.4 }`.
   * easy: 1-digit `+ - *` (learnable in the head); medium: 2-digit `±` 2-digit, 2-digit × 1-digit;
   * hard: 3-digit × 3-digit, 4-digit × 2-digit, 4-digit `±` 4-digit, exact 4-digit ÷ 1–2-digit.
   */
  mix?: Partial<Record<ArithDifficulty, number>>;
  /** Draw each question at most once (throws when the split runs out). Default false. */
  unique?: boolean;
}

const LEVELS: ArithDifficulty[] = ['easy', 'medium', 'hard'];

function digits(rng: Rng, n: number): number {
  return n === 1 ? rng.int(1, 9) : rng.int(10 ** (n - 1), 10 ** n - 1);
}

function drawArith(rng: Rng, level: ArithDifficulty): ArithMeta {
  if (level === 'easy') {
    const op = rng.pick(['+', '-', '*'] as const);
    const a = digits(rng, 1);
    const b = digits(rng, 1);
    return op === '-' && b > a ? { a: b, b: a, op } : { a, b, op };
  }
  if (level === 'medium') {
    const op = rng.pick(['+', '-', '*'] as const);
    if (op === '*') return { a: digits(rng, 2), b: digits(rng, 1), op };
    const a = digits(rng, 2);
    const b = digits(rng, 2);
    return op === '-' && b > a ? { a: b, b: a, op } : { a, b, op };
  }
  const kind = rng.int(0, 3);
  if (kind === 0) return { a: digits(rng, 3), b: digits(rng, 3), op: '*' };
  if (kind === 1) return { a: digits(rng, 4), b: digits(rng, 2), op: '*' };
  if (kind === 2) {
    const op = rng.pick(['+', '-'] as const);
    const a = digits(rng, 4);
    const b = digits(rng, rng.int(3, 4));
    return op === '-' && b > a ? { a: b, b: a, op } : { a, b, op };
  }
  // Exact division keeps every answer an integer: pick divisor and quotient, multiply.
  for (;;) {
    const b = rng.int(2, 99);
    const q = rng.int(10, 999);
    if (b * q >= 1000 && b * q <= 9999) return { a: b * q, b, op: '/' };
  }
}

/**
 * Generates `arith` questions ("What is 371*46?") from a seed with a difficulty mix. Train and
 * test are disjoint by construction ({@link splitOf} on the expression). Answers are integers
 * computed exactly by the calculator.
 *
 * @param options - See {@link ArithOptions}.
 * @returns `count` task items; `meta` holds the operands.
 * @example
 * arithTasks({ seed: 1, count: 2 }).length; // 2
 */
export function arithTasks(options: ArithOptions): TaskItem<ArithMeta>[] {
  const { seed, count, split, testFraction } = resolveCommon('arithTasks', options);
  const mix = { easy: 0.4, medium: 0.2, hard: 0.4, ...options.mix };
  const weights = LEVELS.map((l) => mix[l]);
  if (weights.some((w) => typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w)) || !weights.some((w) => w > 0)) {
    throw new RangeError(`arithTasks: options.mix must hold finite weights >= 0 with a positive sum (got ${JSON.stringify(options.mix)})`);
  }
  const unique = options.unique ?? false;
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const items: TaskItem<ArithMeta>[] = [];
  const maxAttempts = 1000 * count + 10_000;
  for (let attempt = 0; items.length < count; attempt++) {
    if (attempt >= maxAttempts) {
      throw new EnvError('task-exhausted', `arithTasks: found only ${items.length} of ${count} unique ${split} questions`);
    }
    const level = LEVELS[rng.weighted(weights)];
    const meta = drawArith(rng, level);
    const expr = `${meta.a}${meta.op}${meta.b}`;
    if (splitOf(expr, testFraction) !== split) continue;
    if (unique) {
      if (seen.has(expr)) continue;
      seen.add(expr);
    }
    const result = calculate(expr);
    const question = `What is ${expr}?`;
    items.push({
      id: `arith-${hashString(expr).toString(36)}`,
      task: 'arith',
      split,
      question,
      prompt: `${question}\n`,
      answer: result.output,
      difficulty: level,
      // Easy questions are answerable from the one-digit table taught in SFT; the rest need one call.
      oracleCalls: level === 'easy' ? 0 : 1,
      meta,
    });
  }
  return items;
}

/**
 * Scripted SFT teacher for `arith`: always uses the calculator for medium and hard questions,
 * also for easy ones with probability `overuse`, and repeats a call with probability `repeat`.
 * Every `<res>` comes from actually running the calculator, and the answer is always right.
 *
 * @param items - Questions from {@link arithTasks}.
 * @param options - Seed and over-use knobs (see {@link TeacherOptions}).
 * @returns One trace per item, e.g. `<calc>371*46</calc><res>17066</res><ans>17066</ans>`.
 * @example
 * arithTeacher(arithTasks({ seed: 1, count: 1 }), { seed: 2 })[0].text.endsWith('</ans>'); // true
 */
export function arithTeacher(items: readonly TaskItem<ArithMeta>[], options: TeacherOptions): TeacherTrace[] {
  const { seed, overuse, repeat } = resolveTeacher('arithTeacher', options);
  if (!Array.isArray(items)) throw new TypeError(`arithTeacher: items must be an array (got ${typeof items})`);
  const rng = new Rng(seed);
  return items.map((item) => {
    const { a, b, op } = item.meta;
    const expr = `${a}${op}${b}`;
    const segments: TraceSegment[] = [];
    let toolCalls = 0;
    let redundantCalls = 0;
    const needed = item.difficulty !== 'easy';
    if (needed || rng.chance(overuse)) {
      const calls = rng.chance(repeat) ? 2 : 1;
      for (let c = 0; c < calls; c++) {
        const res = calculate(expr);
        if (!res.ok || res.output !== item.answer) {
          throw new EnvError('teacher-wrong', `arithTeacher: calculator gave ${res.output} for ${expr}, gold ${item.answer}`);
        }
        segments.push({ role: 'policy', text: `<calc>${expr}</calc>` }, { role: 'tool', text: `<res>${res.output}</res>` });
        toolCalls++;
        if (!needed || c > 0) redundantCalls++;
      }
    }
    segments.push({ role: 'policy', text: `<ans>${item.answer}</ans>` });
    return {
      taskId: item.id,
      prompt: item.prompt,
      segments,
      text: segments.map((s) => s.text).join(''),
      toolCalls,
      redundantCalls,
    };
  });
}
