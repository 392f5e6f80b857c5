import { calculate } from '../calculator';
import { describeValue } from '@paretopo/pareto';
import { EnvError } from '../errors';
import { Rng } from '@paretopo/random';
import { hashString } from '../hash';
import { POOLS, drawPool, poolOf, resolvePools, resolveTeacher, type PoolCounts, type PoolFractions } from './pools';
import type { Split, TaskItem, TeacherOptions, TeacherTrace, TraceSegment } from './types';

/** Operators of `arith` questions. */
export type ArithOp = '+' | '-' | '*';

/** One binary operation of an `arith` question, in the order the question is evaluated. */
export interface ArithStep {
  a: number;
  op: ArithOp;
  b: number;
  result: number;
  /** True: the step is in the one-digit table ({@link arithFacts}), so it needs no calculator. */
  head: boolean;
}

/** What an `arith` question is made of. */
export interface ArithMeta {
  /** The expression without `What is` (also the canonical question). */
  expression: string;
  /** Its operations left to right; step i's `a` is step i−1's `result`. */
  steps: ArithStep[];
}

/**
 * Default mix of oracle counts (weights of 0, 1, 2 and 3 calculator calls) in every pool.
 *
 * @example
 * ARITH_ORACLE_MIX[0]; // 0.25
 */
export const ARITH_ORACLE_MIX: readonly number[] = Object.freeze([0.25, 0.3, 0.3, 0.15]);

/** Options of {@link arithPools}. */
export interface ArithPoolOptions {
  /** Seed of the draw (the pools' membership depends only on the question, not on the seed). */
  seed: number;
  /** Questions per pool; a pool left out is empty. */
  counts: Partial<PoolCounts>;
  /** Share of the question space per pool. Default {@link DEFAULT_POOL_FRACTIONS}. */
  fractions?: PoolFractions;
  /** Weights of the oracle counts 0, 1, 2, 3. Default {@link ARITH_ORACLE_MIX}. */
  mix?: readonly number[];
}

/** Options of {@link arithTasks}: one pool of {@link arithPools}. */
export interface ArithOptions extends Omit<ArithPoolOptions, 'counts'> {
  /** Number of questions. */
  count: number;
  /** Pool to draw from. Default `'sft'`. */
  pool?: Split;
}

/**
 * Whether an operation is in the one-digit table, i.e. learnable "in the head": both operands
 * 1–9, and for `-` a result ≥ 0.
 *
 * @param a - Left operand.
 * @param op - Operator.
 * @param b - Right operand.
 * @returns True for table facts.
 * @example
 * inOneDigitTable(7, '*', 8); // true
 */
export function inOneDigitTable(a: number, op: ArithOp, b: number): boolean {
  return a >= 1 && a <= 9 && b >= 1 && b <= 9 && Number.isInteger(a) && Number.isInteger(b) && (op !== '-' || b <= a);
}

/**
 * The one-digit table (`7*8=56`, `9-4=5`, `3+6=9`): the "in the head" knowledge of `arith`,
 * taught as plain text in SFT. Every table step of every question is answerable from it.
 *
 * @returns 207 facts (81 sums, 45 differences ≥ 0, 81 products of 1–9), in a fixed order.
 * @example
 * arithFacts().includes('7*8=56'); // true
 */
export function arithFacts(): string[] {
  const out: string[] = [];
  for (const op of ['+', '-', '*'] as const) {
    for (let a = 1; a <= 9; a++) {
      for (let b = 1; b <= 9; b++) {
        if (inOneDigitTable(a, op, b)) out.push(`${a}${op}${b}=${apply(a, op, b)}`);
      }
    }
  }
  return out;
}

function apply(a: number, op: ArithOp, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

const OPS: readonly ArithOp[] = ['+', '-', '*'];
/** Largest value any step may reach, which keeps answers (and generated tokens) short. */
const MAX_VALUE = 99_999;

/**
 * Builds a left-to-right chain whose steps are table steps exactly where `calc[i]` is false.
 * A table step after another step needs that step's result in 1–9, so a calculator step
 * followed by a table step is a subtraction landing in 1–9 (`25-18`, then `7*8`).
 */
function buildChain(rng: Rng, calc: readonly boolean[]): ArithStep[] | undefined {
  const steps: ArithStep[] = [];
  let x: number | undefined;
  for (let i = 0; i < calc.length; i++) {
    const nextHead = i + 1 < calc.length && !calc[i + 1];
    let a: number;
    let op: ArithOp;
    let b: number;
    if (!calc[i]) {
      a = x ?? rng.int(1, 9);
      if (a < 1 || a > 9) return undefined;
      op = rng.pick(OPS);
      b = op === '-' ? rng.int(1, a) : rng.int(1, 9);
    } else if (nextHead) {
      op = '-';
      const r = rng.int(1, 9);
      a = x ?? rng.int(r + 10, 99);
      b = a - r;
      if (b < 1) return undefined;
    } else {
      a = x ?? (rng.chance(0.5) ? rng.int(10, 99) : rng.int(2, 9));
      const ops: readonly ArithOp[] = a <= 9 ? ['+', '*'] : OPS;
      op = rng.pick(ops);
      if (a <= 9) b = rng.int(10, 99);
      else if (op === '-') b = rng.int(1, a - 1);
      else if (op === '*' && a >= 100) b = rng.int(2, 9);
      else b = rng.int(2, 99);
    }
    const result = apply(a, op, b);
    const head = inOneDigitTable(a, op, b);
    if (head === calc[i] || result < 0 || result > MAX_VALUE || (nextHead && !(result >= 1 && result <= 9))) return undefined;
    steps.push({ a, op, b, result, head });
    x = result;
  }
  return steps;
}

/**
 * Writes a chain as an expression whose standard evaluation order is the chain's: a product
 * after a sum or difference gets parentheses (`(7+8)*12`).
 */
function expressionOf(steps: readonly ArithStep[]): string {
  let s = String(steps[0].a);
  let sumAtTop = false;
  for (const { op, b } of steps) {
    if (op === '*' && sumAtTop) {
      s = `(${s})*${b}`;
      sumAtTop = false;
    } else {
      s = `${s}${op}${b}`;
      if (op !== '*') sumAtTop = true;
    }
  }
  return s;
}

interface Stratum {
  ops: number;
  calls: number;
}

function strataOf(mix: readonly number[]): { strata: Stratum[]; weights: number[] } {
  const strata: Stratum[] = [];
  const weights: number[] = [];
  for (let calls = 0; calls <= 3; calls++) {
    const opsChoices = [1, 2, 3].filter((n) => n >= calls);
    for (const ops of opsChoices) {
      strata.push({ ops, calls });
      weights.push(mix[calls] / opsChoices.length);
    }
  }
  return { strata, weights };
}

function resolveMix(fn: string, mix: unknown): readonly number[] {
  const m = mix ?? ARITH_ORACLE_MIX;
  if (!Array.isArray(m) || m.length !== 4 || m.some((w) => typeof w !== 'number' || !(w >= 0) || !Number.isFinite(w)) || !m.some((w) => w > 0)) {
    throw new RangeError(`${fn}: options.mix must be 4 finite weights >= 0 (oracle counts 0-3) with a positive sum (got ${describeValue(mix)})`);
  }
  return m as number[];
}

function itemOf(steps: ArithStep[], pool: Split): TaskItem<ArithMeta> {
  const expression = expressionOf(steps);
  const result = calculate(expression);
  const last = steps[steps.length - 1].result;
  if (!result.ok || result.output !== String(last)) {
    throw new EnvError('task-wrong', `arithTasks: ${expression} evaluates to ${result.output}, the chain to ${last}`);
  }
  const question = `What is ${expression}?`;
  const calls = steps.filter((s) => !s.head).length;
  return {
    id: `arith-${hashString(expression).toString(36)}`,
    task: 'arith',
    split: pool,
    question,
    prompt: `${question}\n`,
    answer: result.output,
    difficulty: `${steps.length}-op`,
    // A policy that knows exactly the one-digit table calls the calculator once per other step.
    oracleCalls: calls,
    meta: { expression, steps },
  };
}

/**
 * Draws the four disjoint `arith` pools (SFT, RL, validation, test) from one seed. Questions
 * are 1–3 operations (`+ - *`, operands 1–99) evaluated left to right; a step whose operands
 * are both one-digit is in the one-digit table (answerable in the head), any other needs one
 * call of the one-operation calculator, so `oracleCalls` is 0–3. Each pool holds the same mix
 * of oracle counts (default 0.25 / 0.3 / 0.3 / 0.15 for 0 / 1 / 2 / 3 calls; within a count
 * the possible numbers of operations are equally likely). A question belongs to one pool by a
 * hash of its expression ({@link poolOf}); validation and test hold no repeats, SFT and RL use
 * every question of a stratum before repeating one.
 *
 * @param options - See {@link ArithPoolOptions}.
 * @returns The four pools.
 * @throws EnvError `task-exhausted` when validation or test asks for more distinct questions of
 *   a stratum than its share of the question space holds.
 * @example
 * arithPools({ seed: 1, counts: { test: 500 } }).test.length; // 500
 */
export function arithPools(options: ArithPoolOptions): Record<Split, TaskItem<ArithMeta>[]> {
  const { seed, counts, fractions } = resolvePools('arithPools', options ?? {});
  const { strata, weights } = strataOf(resolveMix('arithPools', options.mix));
  const out = {} as Record<Split, TaskItem<ArithMeta>[]>;
  for (const pool of POOLS) {
    const draw = (s: number, rng: Rng): TaskItem<ArithMeta> | undefined => {
      const { ops, calls } = strata[s];
      for (let attempt = 0; attempt < 100_000; attempt++) {
        const calc = Array.from({ length: ops }, () => false);
        let placed = 0;
        while (placed < calls) {
          const i = rng.int(0, ops - 1);
          if (!calc[i]) {
            calc[i] = true;
            placed++;
          }
        }
        const steps = buildChain(rng, calc);
        if (steps !== undefined && poolOf(expressionOf(steps), fractions) === pool) return itemOf(steps, pool);
      }
      return undefined;
    };
    out[pool] = drawPool('arithPools', pool, counts[pool], weights, draw, (t) => t.meta.expression, seed);
  }
  return out;
}

/**
 * One pool of {@link arithPools} ("What is (7+8)*12?").
 *
 * @param options - See {@link ArithOptions}.
 * @returns `count` task items of the pool; `meta` holds the expression and its steps.
 * @example
 * arithTasks({ seed: 1, count: 2 }).length; // 2
 */
export function arithTasks(options: ArithOptions): TaskItem<ArithMeta>[] {
  const pool = options?.pool ?? 'sft';
  if (!POOLS.includes(pool)) {
    throw new TypeError(`arithTasks: options.pool must be one of ${POOLS.join(', ')} (got ${describeValue(pool)})`);
  }
  const count = options.count;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new RangeError(`arithTasks: options.count must be a non-negative integer (got ${describeValue(count)})`);
  }
  return arithPools({ ...options, counts: { [pool]: count } })[pool];
}

/**
 * Scripted SFT teacher for `arith`: for each step, states a table step in its own text
 * (`7*8=56 `) and calls the one-operation calculator for every other step; it also calls it on a
 * table step with probability `overuse`, and repeats a call with probability `repeat`. Every
 * `<res>` comes from running the calculator, and the answer is always right.
 *
 * @param items - Questions from {@link arithPools}.
 * @param options - Seed and over-use knobs (see {@link TeacherOptions}).
 * @returns One trace per item, e.g. `7+8=15 <calc>15*12</calc><res>180</res><ans>180</ans>`.
 * @example
 * arithTeacher(arithTasks({ seed: 1, count: 1 }), { seed: 2 })[0].text.endsWith('</ans>'); // true
 */
export function arithTeacher(items: readonly TaskItem<ArithMeta>[], options: TeacherOptions): TeacherTrace[] {
  const { seed, overuse, repeat } = resolveTeacher('arithTeacher', options);
  if (!Array.isArray(items)) throw new TypeError(`arithTeacher: items must be an array (got ${describeValue(items)})`);
  const rng = new Rng(seed);
  return items.map((item, i) => {
    const steps = item?.meta?.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new TypeError(`arithTeacher: items[${i}].meta.steps must be a non-empty array (got ${describeValue(steps)})`);
    }
    const segments: TraceSegment[] = [];
    let toolCalls = 0;
    let redundantCalls = 0;
    for (const { a, op, b, result, head } of steps) {
      const expr = `${a}${op}${b}`;
      if (head && !rng.chance(overuse)) {
        segments.push({ role: 'policy', text: `${expr}=${result} ` });
        continue;
      }
      const calls = rng.chance(repeat) ? 2 : 1;
      for (let c = 0; c < calls; c++) {
        const res = calculate(expr, { maxOperations: 1 });
        if (!res.ok || res.output !== String(result)) {
          throw new EnvError('teacher-wrong', `arithTeacher: calculator gave ${res.output} for ${expr}, expected ${result}`);
        }
        segments.push({ role: 'policy', text: `<calc>${expr}</calc>` }, { role: 'tool', text: `<res>${res.output}</res>` });
        toolCalls++;
        if (head || c > 0) redundantCalls++;
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
