import { assertPoints, describeValue, minimizedData } from '@paretopo/pareto';
import type { Maximize, Points } from '@paretopo/pareto';

/** Options shared by every quality indicator. */
export interface IndicatorOptions {
  /** Which objectives are maximised. Default `false`: all minimised. */
  readonly maximize?: Maximize;
}

/** Validated, minimised approximation and reference sets for the unchecked indicator cores. */
export interface IndicatorInput {
  readonly a: Float64Array;
  readonly na: number;
  readonly r: Float64Array;
  readonly nr: number;
  readonly d: number;
}

/**
 * Validates both sets (finite, same d, non-empty) and the options once, then converts both to
 * minimisation. Public-edge helper of every indicator.
 *
 * @throws TypeError / RangeError naming `fn` and the argument
 * @example
 * prepareIndicatorInput(fromRows([[1, 2]]), fromRows([[0, 2]]), { maximize: true }, 'igd');
 * // { a: Float64Array [-1, -2], na: 1, r: Float64Array [-0, -2], nr: 1, d: 2 }
 */
export function prepareIndicatorInput(
  approximation: Points,
  reference: Points,
  options: IndicatorOptions | undefined,
  fn: string,
): IndicatorInput {
  if (options !== undefined && (options === null || typeof options !== 'object')) {
    throw new TypeError(`${fn}: options must be an object (got ${describeValue(options)})`);
  }
  assertPoints(approximation, fn, 'approximation');
  assertPoints(reference, fn, 'reference');
  if (reference.d !== approximation.d) {
    throw new RangeError(
      `${fn}: reference must have the same number of objectives as approximation, d = ${approximation.d} (got ${reference.d})`,
    );
  }
  if (approximation.n === 0) throw new RangeError(`${fn}: approximation must hold at least one point (got n = 0)`);
  if (reference.n === 0) throw new RangeError(`${fn}: reference must hold at least one point (got n = 0)`);
  return {
    a: minimizedData(approximation, options?.maximize, fn),
    na: approximation.n,
    r: minimizedData(reference, options?.maximize, fn),
    nr: reference.n,
    d: approximation.d,
  };
}

/**
 * Reads the power `p` of the distance indicators: a finite number ≥ 1, default 1.
 *
 * @example
 * resolvePower(undefined, 'igd'); // 1
 */
export function resolvePower(p: unknown, fn: string): number {
  if (p === undefined) return 1;
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 1) {
    throw new RangeError(`${fn}: options.p must be a finite number >= 1 (got ${describeValue(p)})`);
  }
  return p;
}
