import { describeValue } from '@paretopo/pareto';

/**
 * Throws when `options` holds a key outside `allowed`, naming the key and the allowed ones.
 * Misspelt options (`beta` vs `betta`) would otherwise be ignored silently and the default used.
 *
 * @param fn - calling function, the message prefix
 * @param options - the caller's options object (may be undefined)
 * @param allowed - the accepted keys
 * @returns the options object, or an empty one
 * @example
 * checkOptionKeys('grpo', { eps: 0 }, ['eps', 'std']); // { eps: 0 }
 */
export function checkOptionKeys<T extends object>(fn: string, options: T | undefined, allowed: readonly string[]): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object (got ${describeValue(options)})`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new RangeError(`${fn}: unknown option '${key}' (allowed: ${allowed.join(', ')})`);
    }
  }
  return options;
}

/**
 * Validates an optional finite number option within [min, max] (or [min, max) when `maxOpen`).
 *
 * @returns the value, or `fallback` when undefined
 * @example
 * numberOption('grpo', 'eps', undefined, 1e-6, { min: 0 }); // 1e-6
 */
export function numberOption(
  fn: string,
  name: string,
  value: unknown,
  fallback: number,
  bounds: { min?: number; max?: number; maxOpen?: boolean; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${fn}: options.${name} must be a finite number (got ${describeValue(value)})`);
  }
  const { min = -Infinity, max = Infinity, maxOpen = false, integer = false } = bounds;
  if (integer && !Number.isInteger(value)) {
    throw new RangeError(`${fn}: options.${name} must be an integer (got ${value})`);
  }
  if (value < min || value > max || (maxOpen && value === max)) {
    const hi = max === Infinity ? '∞)' : `${max}${maxOpen ? ')' : ']'}`;
    throw new RangeError(`${fn}: options.${name} must be in [${min}, ${hi} (got ${value})`);
  }
  return value;
}

/**
 * Validates an optional string option against its allowed values.
 *
 * @example
 * enumOption('grpo', 'std', undefined, 'sample', ['sample', 'population', 'none']); // 'sample'
 */
export function enumOption<T extends string>(fn: string, name: string, value: unknown, fallback: T, allowed: readonly T[]): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    throw new RangeError(`${fn}: options.${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')} (got ${describeValue(value)})`);
  }
  return value as T;
}

/**
 * Validates an optional boolean option.
 *
 * @example
 * booleanOption('paretoRank', 'center', undefined, true); // true
 */
export function booleanOption(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TypeError(`${fn}: options.${name} must be a boolean (got ${describeValue(value)})`);
  }
  return value;
}

/**
 * The project's default objective weights (METHOD.md §1): `(0.6, 0.4)` for k = 2, the paper's best;
 * uniform `1/k` otherwise (so `[1]` for k = 1).
 *
 * @example
 * defaultWeights(2); // Float64Array [0.6, 0.4]
 * defaultWeights(4); // Float64Array [0.25, 0.25, 0.25, 0.25]
 * defaultWeights(Number.NaN); // throws RangeError 'defaultWeights: k must be a positive integer ≤ 2^24 (got NaN)'
 */
export function defaultWeights(k: number): Float64Array {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 2 ** 24) {
    throw new RangeError(`defaultWeights: k must be a positive integer ≤ 2^24 (got ${describeValue(k)})`);
  }
  if (k === 2) return Float64Array.of(0.6, 0.4);
  return new Float64Array(k).fill(1 / k);
}

/**
 * Resolves a weights option to a fresh `Float64Array` of length k (finite entries), or the
 * {@link defaultWeights}.
 *
 * @example
 * resolveWeights('grpo', undefined, 2); // Float64Array [0.6, 0.4]
 */
export function resolveWeights(fn: string, weights: unknown, k: number): Float64Array {
  if (weights === undefined) return defaultWeights(k);
  if (weights === null || typeof weights !== 'object' || typeof (weights as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: options.weights must be an array of numbers (got ${describeValue(weights)})`);
  }
  const w = weights as ArrayLike<unknown>;
  if (w.length !== k) {
    throw new RangeError(`${fn}: options.weights must have one weight per objective, length ${k} (got ${w.length})`);
  }
  const out = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const x = w[j];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`${fn}: options.weights[${j}] must be a finite number (got ${describeValue(x)})`);
    }
    out[j] = x;
  }
  return out;
}
