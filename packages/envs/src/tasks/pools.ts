import { describeValue } from '@paretopo/pareto';
import { EnvError } from '../errors';
import { Rng } from '@paretopo/random';
import { hashString } from '../hash';
import type { Split } from './types';

/**
 * The four question pools of a built-in task, in the order they are drawn.
 *
 * @example
 * POOLS.length; // 4
 */
export const POOLS: readonly Split[] = Object.freeze(['sft', 'rl', 'validation', 'test'] as const);

/** Share of the canonical question space that belongs to each pool (positive, any sum). */
export type PoolFractions = Record<Split, number>;

/** Questions to draw from each pool. */
export type PoolCounts = Record<Split, number>;

/**
 * Default shares of the question space: SFT 0.15, RL 0.25, validation 0.2, test 0.4 (SFT and RL
 * may repeat questions; validation and test may not, so they get the larger shares).
 *
 * @example
 * DEFAULT_POOL_FRACTIONS.test; // 0.4
 */
export const DEFAULT_POOL_FRACTIONS: Readonly<PoolFractions> = Object.freeze({ sft: 0.15, rl: 0.25, validation: 0.2, test: 0.4 });

/**
 * Assigns a question to a pool by a hash of its canonical text, so two pools can never share a
 * question, whatever the seed or the order of generation. `among` restricts the pools a question
 * may fall in (its fractions renormalised), for questions that some pools must not hold.
 *
 * @param canonical - The canonical question text.
 * @param fractions - Share of the question space per pool. Default {@link DEFAULT_POOL_FRACTIONS}.
 * @param among - Pools the question may fall in. Default all four.
 * @returns The pool the question belongs to.
 * @example
 * poolOf('12*34', { sft: 1, rl: 0, validation: 0, test: 0 }); // 'sft'
 */
export function poolOf(canonical: string, fractions: Readonly<PoolFractions> = DEFAULT_POOL_FRACTIONS, among: readonly Split[] = POOLS): Split {
  let total = 0;
  for (const p of among) total += fractions[p];
  let u = (hashString(canonical) / 4294967296) * total;
  for (const p of among) {
    if (u < fractions[p]) return p;
    u -= fractions[p];
  }
  // Rounding can leave u a hair above the last share; the last pool with a share takes it.
  for (let i = among.length - 1; i >= 0; i--) if (fractions[among[i]] > 0) return among[i];
  throw new RangeError(`poolOf: among must name a pool with a positive fraction (got ${JSON.stringify(among)})`);
}

/**
 * Validates a generator seed.
 * @internal
 */
export function checkSeed(fn: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TypeError(`${fn}: options.seed must be a finite number (got ${describeValue(seed)})`);
  }
  return seed;
}

/**
 * Validates a probability option (`fallback` when absent).
 * @internal
 */
export function checkProbability(fn: string, name: string, value: unknown, fallback: number): number {
  const p = value ?? fallback;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
    throw new RangeError(`${fn}: options.${name} must be a probability in [0, 1] (got ${describeValue(p)})`);
  }
  return p;
}

/**
 * Validates pool fractions and counts at the public edge.
 * @internal
 */
export function resolvePools(
  fn: string,
  options: { seed?: unknown; counts?: unknown; fractions?: unknown },
): { seed: number; counts: PoolCounts; fractions: PoolFractions } {
  const seed = checkSeed(fn, options.seed);
  const counts = options.counts as Partial<PoolCounts> | undefined;
  if (counts === null || typeof counts !== 'object') {
    throw new TypeError(`${fn}: options.counts must be an object with a count per pool (got ${describeValue(counts)})`);
  }
  const fractions = (options.fractions ?? DEFAULT_POOL_FRACTIONS) as Partial<PoolFractions>;
  if (fractions === null || typeof fractions !== 'object') {
    throw new TypeError(`${fn}: options.fractions must be an object with a share per pool (got ${describeValue(fractions)})`);
  }
  const outCounts = {} as PoolCounts;
  const outFractions = {} as PoolFractions;
  for (const p of POOLS) {
    const c = counts[p] ?? 0;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c > 1_000_000) {
      throw new RangeError(`${fn}: options.counts.${p} must be an integer in [0, 1000000] (got ${describeValue(c)})`);
    }
    const f = fractions[p];
    if (typeof f !== 'number' || !(f > 0) || !Number.isFinite(f)) {
      throw new RangeError(`${fn}: options.fractions.${p} must be a finite number > 0 (got ${describeValue(f)})`);
    }
    outCounts[p] = c;
    outFractions[p] = f;
  }
  return { seed, counts: outCounts, fractions: outFractions };
}

/**
 * Splits `count` over strata in proportion to `weights` (largest remainder), so every pool gets
 * the same mix up to one question per stratum.
 * @internal
 */
export function stratumCounts(count: number, weights: readonly number[]): number[] {
  let total = 0;
  for (const w of weights) total += w;
  const exact = weights.map((w) => (count * w) / total);
  const out = exact.map(Math.floor);
  let left = count - out.reduce((s, c) => s + c, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; left > 0; j++, left--) out[order[j % order.length][1]]++;
  return out;
}

/** Consecutive draws of already-taken questions after which a stratum counts as used up. */
const MAX_MISSES = 2000;

/**
 * Draws one pool stratum by stratum. `draw(stratum, rng)` returns a random question of that
 * stratum that belongs to the pool (or `undefined` when the pool holds none). Validation and
 * test never repeat a question (a stratum that runs out throws `task-exhausted`); SFT and RL
 * take every question of a stratum once before repeating any. With `answerCap`, no answer takes
 * more than `share` of the pool. The result is shuffled.
 * @internal
 */
export function drawPool<T>(
  fn: string,
  pool: Split,
  count: number,
  weights: readonly number[],
  draw: (stratum: number, rng: Rng) => T | undefined,
  key: (item: T) => string,
  seed: number,
  answerCap?: { answer: (item: T) => string; share: number },
): T[] {
  const rng = new Rng(hashString(`${pool}:${seed}`));
  const strict = pool === 'validation' || pool === 'test';
  const out: T[] = [];
  // A question whose answer already holds `share` of the pool is redrawn like a repeat.
  const capCount = answerCap === undefined ? Number.POSITIVE_INFINITY : Math.max(1, Math.floor(answerCap.share * count));
  const answers = new Map<string, number>();
  const full = (item: T): boolean => answerCap !== undefined && (answers.get(answerCap.answer(item)) ?? 0) >= capCount;
  const perStratum = stratumCounts(count, weights);
  for (let s = 0; s < perStratum.length; s++) {
    const seen = new Set<string>();
    let usedUp = false;
    for (let taken = 0; taken < perStratum[s]; ) {
      let item: T | undefined;
      for (let misses = 0; ; misses++) {
        item = draw(s, rng);
        if (item === undefined) {
          throw new EnvError('task-exhausted', `${fn}: the ${pool} pool holds no question of stratum ${s} (needed ${perStratum[s]})`);
        }
        if ((usedUp || !seen.has(key(item))) && !full(item)) break;
        if (misses >= MAX_MISSES) {
          if (strict || usedUp) {
            throw new EnvError(
              'task-exhausted',
              `${fn}: the ${pool} pool ran out of distinct questions of stratum ${s}${answerCap === undefined ? '' : ` with answers under ${answerCap.share} of the pool`} after ${seen.size} (needed ${perStratum[s]}); lower the count or raise the pool's fraction`,
            );
          }
          // Every question of the stratum has been taken once: repeats are allowed from now on.
          usedUp = true;
          misses = 0;
        }
      }
      seen.add(key(item));
      if (answerCap !== undefined) answers.set(answerCap.answer(item), (answers.get(answerCap.answer(item)) ?? 0) + 1);
      out.push(item);
      taken++;
    }
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Validates teacher probabilities.
 * @internal
 */
export function resolveTeacher(
  fn: string,
  options: { seed?: unknown; overuse?: unknown; repeat?: unknown },
): { seed: number; overuse: number; repeat: number } {
  return {
    seed: checkSeed(fn, options.seed),
    overuse: checkProbability(fn, 'overuse', options.overuse, 0.6),
    repeat: checkProbability(fn, 'repeat', options.repeat, 0.2),
  };
}
