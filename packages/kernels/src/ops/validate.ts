/**
 * Argument checks shared by op definitions. Each throws a TypeError/RangeError prefixed with the op
 * name, naming the argument, what was expected and what arrived. They check shapes only: scanning
 * every tensor for NaN would double the memory traffic of the cheap ops on every training step.
 */

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value;
}

/**
 * Asserts `value` is a Float32Array with at least `length` entries.
 *
 * @example
 * assertF32('gelu', 'x', new Float32Array(2), 3) // throws RangeError: gelu: x must have length >= 3 (got 2)
 */
export function assertF32(op: string, name: string, value: unknown, length: number): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) throw new TypeError(`${op}: ${name} must be a Float32Array (got ${describe(value)})`);
  if (value.length < length) throw new RangeError(`${op}: ${name} must have length >= ${length} (got ${value.length})`);
}

/**
 * Asserts `value` is an Int32Array with at least `length` entries, every entry in [0, bound).
 *
 * @example
 * assertIndices('embedding', 'ids', Int32Array.of(3), 1, 2) // throws RangeError: embedding: ids[0] must be in [0, 2) (got 3)
 */
export function assertIndices(op: string, name: string, value: unknown, length: number, bound: number): asserts value is Int32Array {
  if (!(value instanceof Int32Array)) throw new TypeError(`${op}: ${name} must be an Int32Array (got ${describe(value)})`);
  if (value.length < length) throw new RangeError(`${op}: ${name} must have length >= ${length} (got ${value.length})`);
  for (let i = 0; i < length; i++) {
    const v = value[i];
    if (v < 0 || v >= bound) throw new RangeError(`${op}: ${name}[${i}] must be in [0, ${bound}) (got ${v})`);
  }
}

/**
 * Asserts `value` is an integer >= `min` (default 1).
 *
 * @example
 * assertSize('matmul', 'm', 0) // throws RangeError: matmul: m must be an integer >= 1 (got 0)
 */
export function assertSize(op: string, name: string, value: unknown, min = 1): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new RangeError(`${op}: ${name} must be an integer >= ${min} (got ${describe(value)})`);
  }
}

/**
 * Asserts `value` is a finite number.
 *
 * @example
 * assertFinite('scale', 'factor', NaN) // throws RangeError: scale: factor must be a finite number (got NaN)
 */
export function assertFinite(op: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${op}: ${name} must be a finite number (got ${describe(value)})`);
  }
}

/**
 * Asserts `offsets` is a valid packed-ragged offset array: Int32Array, starts at 0, non-decreasing,
 * ends at `total` when given.
 *
 * @example
 * assertOffsets('attention', 'seqOffsets', Int32Array.of(0, 2, 1)) // throws RangeError
 */
export function assertOffsets(op: string, name: string, offsets: unknown, total?: number): asserts offsets is Int32Array {
  if (!(offsets instanceof Int32Array)) throw new TypeError(`${op}: ${name} must be an Int32Array (got ${describe(offsets)})`);
  if (offsets.length < 1 || offsets[0] !== 0) throw new RangeError(`${op}: ${name} must start with 0 (got ${describe(offsets)})`);
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] < offsets[i - 1]) throw new RangeError(`${op}: ${name} must be non-decreasing (${name}[${i}] = ${offsets[i]} < ${offsets[i - 1]})`);
  }
  const last = offsets[offsets.length - 1];
  if (total !== undefined && last !== total) throw new RangeError(`${op}: ${name} must end at ${total} (got ${last})`);
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
