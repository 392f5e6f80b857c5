import { describeValue } from './errors';
import type { Maximize, Points } from './types';

/**
 * Checks that `points` is a well-formed {@link Points} with finite values and returns it.
 * Public-edge validation: fast cores call this once, never inside loops.
 *
 * @param fn - name of the calling function, used as the message prefix
 * @param arg - name of the argument, used in the message
 * @throws TypeError when the shape is wrong; RangeError for non-finite values or bad sizes
 * @example
 * assertPoints({ data: Float64Array.of(1, 2), n: 1, d: 2 }, 'myFn'); // ok
 */
export function assertPoints(points: Points, fn: string, arg = 'points'): Points {
  if (points === null || typeof points !== 'object') {
    throw new TypeError(`${fn}: ${arg} must be an object { data: Float64Array, n, d } (got ${describeValue(points)})`);
  }
  const { data, n, d } = points;
  if (!(data instanceof Float64Array)) {
    throw new TypeError(`${fn}: ${arg}.data must be a Float64Array (got ${describeValue(data)})`);
  }
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`${fn}: ${arg}.n must be a non-negative integer (got ${describeValue(n)})`);
  }
  if (!Number.isInteger(d) || d < 1) {
    throw new RangeError(`${fn}: ${arg}.d must be a positive integer (got ${describeValue(d)})`);
  }
  if (data.length !== n * d) {
    throw new RangeError(`${fn}: ${arg}.data must have length n*d = ${n * d} (got ${data.length})`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / d);
      throw new RangeError(
        `${fn}: ${arg} must hold finite numbers (got ${describeValue(v)} at point ${row}, objective ${i - row * d})`,
      );
    }
  }
  return points;
}

/**
 * Checks a single objective vector (finite numbers, optional exact length) and returns it.
 *
 * @throws TypeError / RangeError naming `fn` and `arg`
 * @example
 * assertVector([1, 2], 'dominates', 'a', 2); // ok
 */
export function assertVector(
  v: ArrayLike<number>,
  fn: string,
  arg: string,
  length?: number,
): ArrayLike<number> {
  if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`${fn}: ${arg} must be an array of numbers (got ${describeValue(v)})`);
  }
  if (length !== undefined && v.length !== length) {
    throw new RangeError(`${fn}: ${arg} must have length ${length} (got ${v.length})`);
  }
  if (v.length === 0) throw new RangeError(`${fn}: ${arg} must not be empty`);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RangeError(`${fn}: ${arg}[${i}] must be a finite number (got ${describeValue(x)})`);
    }
  }
  return v;
}

/**
 * Resolves a {@link Maximize} option to one flag per objective, or `null` when every objective is
 * minimised (so callers can skip work on the common path).
 *
 * @throws RangeError when an array of the wrong length is given
 * @example
 * resolveMaximize([true, false], 2, 'f'); // Uint8Array [1, 0]
 * resolveMaximize(undefined, 3, 'f');      // null
 */
export function resolveMaximize(maximize: Maximize | undefined, d: number, fn: string): Uint8Array | null {
  if (maximize === undefined || maximize === false) return null;
  if (maximize === true) return new Uint8Array(d).fill(1);
  if (!Array.isArray(maximize)) {
    throw new TypeError(`${fn}: options.maximize must be a boolean or an array of booleans (got ${describeValue(maximize)})`);
  }
  if (maximize.length !== d) {
    throw new RangeError(`${fn}: options.maximize must have one flag per objective, length ${d} (got ${maximize.length})`);
  }
  const flags = new Uint8Array(d);
  let any = false;
  for (let j = 0; j < d; j++) {
    if (typeof maximize[j] !== 'boolean') {
      throw new TypeError(`${fn}: options.maximize[${j}] must be a boolean (got ${describeValue(maximize[j])})`);
    }
    if (maximize[j]) {
      flags[j] = 1;
      any = true;
    }
  }
  return any ? flags : null;
}

/**
 * Returns the points' data with maximised objectives negated, so every algorithm can assume
 * minimisation. Returns the original array (no copy) when nothing is maximised.
 *
 * @example
 * minimizedData({ data: Float64Array.of(1, 2), n: 1, d: 2 }, [true, false], 'f'); // Float64Array [-1, 2]
 */
export function minimizedData(points: Points, maximize: Maximize | undefined, fn: string): Float64Array {
  const flags = resolveMaximize(maximize, points.d, fn);
  if (flags === null) return points.data;
  const { data, d } = points;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i += d) {
    for (let j = 0; j < d; j++) out[i + j] = flags[j] ? -data[i + j] : data[i + j];
  }
  return out;
}

/**
 * Same as {@link minimizedData} for a single vector; always returns a fresh `Float64Array`.
 *
 * @example
 * minimizedVector([1, 2], true, 'f'); // Float64Array [-1, -2]
 */
export function minimizedVector(v: ArrayLike<number>, maximize: Maximize | undefined, fn: string): Float64Array {
  const flags = resolveMaximize(maximize, v.length, fn);
  const out = Float64Array.from(v);
  if (flags !== null) for (let j = 0; j < out.length; j++) if (flags[j]) out[j] = -out[j];
  return out;
}

/**
 * The overflow rule shared by every paretopo package: finite inputs whose result does not fit a
 * float64 throw a RangeError naming the function and what overflowed; ±Infinity or NaN is never
 * returned in place of a number.
 *
 * @param value - the computed result
 * @param fn - the public function's name
 * @param what - what `value` is, for the message (e.g. `'the hypervolume'`)
 * @returns `value` when it is finite
 * @throws RangeError when it is not
 * @example
 * finiteResult(2, 'hypervolume', 'the hypervolume');        // 2
 * finiteResult(Infinity, 'hypervolume', 'the hypervolume'); // throws RangeError 'hypervolume: the hypervolume overflowed float64 …'
 */
export function finiteResult(value: number, fn: string, what: string): number {
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `${fn}: ${what} overflowed float64 (got ${describeValue(value)}) although every input is finite; rescale the objectives`,
    );
  }
  return value;
}

/**
 * {@link finiteResult} for every entry of an array (`what` gets the index appended).
 *
 * @example
 * finiteResults(Float64Array.of(1, 2), 'hvContributions', 'the contribution of point'); // Float64Array [1, 2]
 */
export function finiteResults(values: Float64Array, fn: string, what: string): Float64Array {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) finiteResult(values[i], fn, `${what} ${i}`);
  return values;
}

/**
 * The overflow rule for objective spans: throws a RangeError when max − min of some objective
 * does not fit a float64 (e.g. −1e308 and 1e308), since every distance or normalisation built on
 * it would silently become 0, ∞ or NaN.
 *
 * @param data - n × d finite values, row-major
 * @example
 * assertFiniteSpans(Float64Array.of(-1e308, 0, 1e308, 1), 2, 2, 'crowdingDistance'); // throws RangeError
 */
export function assertFiniteSpans(data: Float64Array, n: number, d: number, fn: string): void {
  for (let j = 0; j < d; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = data[i * d + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (n > 0 && !Number.isFinite(hi - lo)) {
      throw new RangeError(
        `${fn}: objective ${j} spans more than float64 holds (max − min = ${hi} − ${lo} overflowed); rescale the objectives`,
      );
    }
  }
}
