/**
 * Argument checks for the typed arrays `validate.ts` does not cover (Uint8Array masks, Float64Array
 * uniforms) and for option values. Messages follow validate.ts: op name, argument, expectation,
 * what arrived.
 */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Uint8Array).length})`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}

/**
 * Asserts `value` is a Uint8Array with at least `length` entries.
 *
 * @example
 * assertU8('pgLoss', 'mask', new Uint8Array(1), 2); // throws RangeError: pgLoss: mask must have length >= 2 (got 1)
 */
export function assertU8(op: string, name: string, value: unknown, length: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${op}: ${name} must be a Uint8Array (got ${describe(value)})`);
  if (value.length < length) throw new RangeError(`${op}: ${name} must have length >= ${length} (got ${value.length})`);
}

/**
 * Asserts `value` is a Float64Array with at least `length` entries, each in [lo, hi).
 *
 * @example
 * assertF64Range('sample', 'uniforms', Float64Array.of(1), 1, 0, 1); // throws RangeError: sample: uniforms[0] must be in [0, 1) (got 1)
 */
export function assertF64Range(op: string, name: string, value: unknown, length: number, lo: number, hi: number): asserts value is Float64Array {
  if (!(value instanceof Float64Array)) throw new TypeError(`${op}: ${name} must be a Float64Array (got ${describe(value)})`);
  if (value.length < length) throw new RangeError(`${op}: ${name} must have length >= ${length} (got ${value.length})`);
  for (let i = 0; i < length; i++) {
    if (!(value[i] >= lo && value[i] < hi)) throw new RangeError(`${op}: ${name}[${i}] must be in [${lo}, ${hi}) (got ${value[i]})`);
  }
}

/**
 * Asserts `value` is a finite number in [lo, hi].
 *
 * @example
 * assertInRange('pgLoss', 'epsLow', 1.5, 0, 1); // throws RangeError: pgLoss: epsLow must be a number in [0, 1] (got 1.5)
 */
export function assertInRange(op: string, name: string, value: unknown, lo: number, hi: number): asserts value is number {
  if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
    throw new RangeError(`${op}: ${name} must be a number in [${lo}, ${hi}] (got ${describe(value)})`);
  }
}

/**
 * Asserts `value` is one of `choices`.
 *
 * @example
 * assertOneOf('pgLoss', 'aggregation', 'mean', ['token-mean']); // throws RangeError: pgLoss: aggregation must be one of 'token-mean' (got "mean")
 */
export function assertOneOf<T extends string>(op: string, name: string, value: unknown, choices: readonly T[]): asserts value is T {
  if (!choices.includes(value as T)) {
    throw new RangeError(`${op}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')} (got ${describe(value)})`);
  }
}

/**
 * Asserts `value` is a finite number ≥ 0.
 *
 * @example
 * assertNonNegative('adamw', 'lr', -1); // throws RangeError: adamw: lr must be a finite number >= 0 (got -1)
 */
export function assertNonNegative(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${op}: ${name} must be a finite number >= 0 (got ${describe(value)})`);
  }
}
