import { FrontierError, assertPoints, assertVector, describeValue, resolveMaximize } from '@paretopo/pareto';
import type { ObjectiveOptions, Points } from '@paretopo/pareto';

/** Options shared by every function that measures against a reference point. */
export interface ReferenceOptions extends ObjectiveOptions {
  /**
   * Default `false`: points that do not strictly dominate the reference point are ignored (they
   * contribute 0). `true`: such a point throws a `FrontierError` with code `'REF_NOT_DOMINATED'`.
   */
  readonly strict?: boolean;
}

/**
 * Validated, minimised input for the unchecked hypervolume cores.
 * `data` holds only the `n` points that strictly dominate `ref`, in their original order;
 * `index[k]` is the row of kept point `k` in the caller's `points`. Cores never write to `data`
 * (it may be the caller's own array when nothing had to be dropped or negated).
 */
export interface HvInput {
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
  /** The reference point, with maximised objectives negated. */
  readonly ref: Float64Array;
  readonly index: Int32Array;
}

/**
 * Validates points and a reference point once, converts both to minimisation and keeps the points
 * that strictly dominate the reference point (the only ones with a non-zero box).
 *
 * @param points - the point set; every value must be finite
 * @param ref - the reference point, length `points.d`, finite
 * @param options - `maximize` (default all minimised) and `strict` (default `false`)
 * @param fn - the public function's name, used as the error-message prefix
 * @returns the kept, minimised points with an index map back to the caller's rows
 * @throws TypeError / RangeError for malformed or non-finite input; `FrontierError`
 *   `'REF_NOT_DOMINATED'` in strict mode
 * @example
 * const input = prepareHvInput({ data: Float64Array.of(1, 1, 3, 0), n: 2, d: 2 }, [2, 2], {}, 'f');
 * // input.n === 1, input.index → Int32Array [0] (the point (3, 0) does not dominate (2, 2))
 */
export function prepareHvInput(
  points: Points,
  ref: ArrayLike<number>,
  options: ReferenceOptions | undefined,
  fn: string,
): HvInput {
  assertPoints(points, fn);
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object (got ${describeValue(options)})`);
  }
  const strict = options?.strict ?? false;
  if (typeof strict !== 'boolean') {
    throw new TypeError(`${fn}: options.strict must be a boolean (got ${describeValue(strict)})`);
  }
  const { n, d, data } = points;
  assertVector(ref, fn, 'ref', d);
  const flags = resolveMaximize(options?.maximize, d, fn);
  const r = new Float64Array(d);
  for (let j = 0; j < d; j++) r[j] = flags !== null && flags[j] ? -ref[j] : ref[j];

  // The loops live in functions of their own that end with them (see contributions2d: code
  // after a long loop made every call fall back to the interpreter).
  const keep = new Int32Array(n);
  const m = keepInside(data, n, d, r, flags, strict, keep, fn);
  const index = keep.subarray(0, m);
  if (m === n && flags === null) return { data, n, d, ref: r, index };
  const out = new Float64Array(m * d);
  copyKept(data, d, flags, index, out);
  return { data: out, n: m, d, ref: r, index };
}

/**
 * Writes to `keep` the rows that strictly dominate `r` (after negating the maximised objectives);
 * returns their count, or throws for the first other row in strict mode.
 */
function keepInside(
  data: Float64Array,
  n: number,
  d: number,
  r: Float64Array,
  flags: Uint8Array | null,
  strict: boolean,
  keep: Int32Array,
  fn: string,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < d; j++) {
      const v = flags !== null && flags[j] ? -data[i * d + j] : data[i * d + j];
      if (!(v < r[j])) {
        ok = false;
        break;
      }
    }
    if (ok) keep[m++] = i;
    else if (strict) {
      throw new FrontierError(
        'REF_NOT_DOMINATED',
        `${fn}: point ${i} does not strictly dominate the reference point (strict mode)`,
      );
    }
  }
  return m;
}

/** Copies the rows `index` of `data` to `out`, negating the maximised objectives. */
function copyKept(data: Float64Array, d: number, flags: Uint8Array | null, index: Int32Array, out: Float64Array): void {
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    for (let j = 0; j < d; j++) out[k * d + j] = flags !== null && flags[j] ? -data[i * d + j] : data[i * d + j];
  }
}
