/**
 * A set of `n` points in `d` objectives, stored row-major: objective `j` of point `i` is
 * `data[i * d + j]`. This is the currency of every paretopo frontier function.
 *
 * @example
 * const pts: Points = { data: Float64Array.of(5, 5, 4, 6), n: 2, d: 2 };
 */
export interface Points {
  readonly data: Float64Array;
  readonly n: number;
  readonly d: number;
}

/**
 * Direction of each objective. `false` (the default, as in moocore) minimises every objective;
 * `true` maximises every objective; an array gives one flag per objective.
 */
export type Maximize = boolean | readonly boolean[];

/** Options shared by every function that compares points. */
export interface ObjectiveOptions {
  /** Which objectives are maximised. Default `false`: all minimised. */
  readonly maximize?: Maximize;
}
