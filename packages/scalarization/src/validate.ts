import { describeValue } from '@paretopo/pareto';

// Internal edge checks shared by this package's public functions. Each throws a TypeError or
// RangeError prefixed with the calling function's name, naming the argument, the requirement and
// the value that arrived (the convention of @paretopo/pareto's validate.ts).

/** Checks a weight vector: finite, non-negative, not all zero, optionally of length `k`. */
export function assertWeights(w: ArrayLike<number>, fn: string, arg = 'weights', k?: number): ArrayLike<number> {
  if (w === null || typeof w !== 'object' || typeof (w as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: ${arg} must be an array of numbers (got ${describeValue(w)})`);
  }
  if (k !== undefined && w.length !== k) throw new RangeError(`${fn}: ${arg} must have length ${k} (got ${w.length})`);
  if (w.length === 0) throw new RangeError(`${fn}: ${arg} must not be empty`);
  let sum = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a finite number >= 0 (got ${describeValue(x)})`);
    }
    sum += x;
  }
  if (sum === 0) throw new RangeError(`${fn}: ${arg} must have at least one positive entry (got all zeros)`);
  return w;
}

/** Checks an integer in [min, max]. */
export function assertInteger(x: unknown, fn: string, arg: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${fn}: ${arg} must be an integer ${range} (got ${describeValue(x)})`);
  }
  return x;
}

/** Checks a finite number, optionally with bounds (`lo` inclusive, `hi` exclusive when `hiOpen`). */
export function assertNumber(
  x: unknown,
  fn: string,
  arg: string,
  range: { min?: number; max?: number; maxOpen?: boolean; minOpen?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, maxOpen = false, minOpen = false } = range;
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (minOpen ? x > min : x >= min) &&
    (maxOpen ? x < max : x <= max);
  if (!ok) {
    let want = 'a finite number';
    if (min !== -Infinity || max !== Infinity) {
      const lo = min === -Infinity ? '(-∞' : `${minOpen ? '(' : '['}${min}`;
      const hi = max === Infinity ? '∞)' : `${max}${maxOpen ? ')' : ']'}`;
      want = `a finite number in ${lo}, ${hi}`;
    }
    throw new RangeError(`${fn}: ${arg} must be ${want} (got ${describeValue(x)})`);
  }
  return x as number;
}

/** Checks a seed: a safe integer (negative allowed; it is hashed, never used raw). */
export function assertSeed(seed: unknown, fn: string, arg = 'options.seed'): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new RangeError(`${fn}: ${arg} must be a safe integer (got ${describeValue(seed)})`);
  }
  return seed;
}

/** Checks an optional `out` array of length `n`, allocating one when absent. */
export function resolveOut(out: Float64Array | undefined, n: number, fn: string): Float64Array {
  if (out === undefined) return new Float64Array(n);
  if (!(out instanceof Float64Array)) throw new TypeError(`${fn}: options.out must be a Float64Array (got ${describeValue(out)})`);
  if (out.length !== n) throw new RangeError(`${fn}: options.out must have length ${n} (got ${out.length})`);
  return out;
}

/**
 * Checks a row-major reward batch of `k` objectives and returns its number of rows. Non-finite
 * values are reported with their sample and objective index.
 */
export function assertRewardBatch(rewards: unknown, k: number, fn: string, arg = 'rewards'): number {
  if (!(rewards instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${arg} must be a Float64Array (got ${describeValue(rewards)})`);
  }
  if (rewards.length % k !== 0) {
    throw new RangeError(`${fn}: ${arg} must have length n*k with k = ${k} (got length ${rewards.length})`);
  }
  for (let i = 0; i < rewards.length; i++) {
    const v = rewards[i];
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / k);
      throw new RangeError(`${fn}: ${arg} must hold finite numbers (got ${describeValue(v)} at sample ${row}, objective ${i - row * k})`);
    }
  }
  return rewards.length / k;
}

/** Checks a plain JSON object and its `type` tag. */
export function assertJsonObject(json: unknown, fn: string, type: string): Record<string, unknown> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`${fn}: json must be an object (got ${describeValue(json)})`);
  }
  const obj = json as Record<string, unknown>;
  if (obj.type !== type) throw new RangeError(`${fn}: json.type must be ${JSON.stringify(type)} (got ${describeValue(obj.type)})`);
  if (obj.version !== 1) throw new RangeError(`${fn}: json.version must be 1 (got ${describeValue(obj.version)})`);
  return obj;
}

/** Checks a JSON array of finite numbers, optionally of length `k`, and copies it. */
export function jsonVector(v: unknown, fn: string, arg: string, k?: number): Float64Array {
  if (!Array.isArray(v)) throw new TypeError(`${fn}: ${arg} must be an array of numbers (got ${describeValue(v)})`);
  if (k !== undefined && v.length !== k) throw new RangeError(`${fn}: ${arg} must have length ${k} (got ${v.length})`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a finite number (got ${describeValue(v[i])})`);
    }
  }
  return Float64Array.from(v as number[]);
}
