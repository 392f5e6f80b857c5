import { describeValue } from '@paretopo/pareto';

/** Throws unless `v` is an integer ≥ `min`. */
export function assertInt(fn: string, name: string, v: unknown, min: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new RangeError(`${fn}: ${name} must be an integer >= ${min} (got ${describeValue(v)})`);
  }
}

/** Throws unless `v` is a non-empty string. */
export function assertString(fn: string, name: string, v: unknown): asserts v is string {
  if (typeof v !== 'string' || v === '') {
    throw new TypeError(`${fn}: ${name} must be a non-empty string (got ${describeValue(v)})`);
  }
}

/** Throws unless `v` is a finite number. */
export function assertFiniteNumber(fn: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`${fn}: ${name} must be a finite number (got ${describeValue(v)})`);
  }
}
