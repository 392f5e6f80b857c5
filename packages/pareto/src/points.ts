import { describeValue } from './errors';
import { assertPoints } from './validate';
import type { Points } from './types';

/**
 * Builds {@link Points} from an array of rows, checking that every row has the same length and
 * holds finite numbers.
 *
 * @example
 * fromRows([[5, 5], [4, 6]]); // { data: Float64Array [5, 5, 4, 6], n: 2, d: 2 }
 */
export function fromRows(rows: ReadonlyArray<ArrayLike<number>>, d?: number): Points {
  if (!Array.isArray(rows)) throw new TypeError(`fromRows: rows must be an array of rows (got ${describeValue(rows)})`);
  const n = rows.length;
  const dim = d ?? (n > 0 ? rows[0].length : 0);
  if (n === 0 && d === undefined) {
    throw new RangeError('fromRows: cannot infer d from an empty rows array; pass d explicitly');
  }
  const data = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const row = rows[i];
    if (row === null || typeof row !== 'object' || row.length !== dim) {
      throw new RangeError(`fromRows: rows[${i}] must have length ${dim} (got ${describeValue(row?.length ?? row)})`);
    }
    for (let j = 0; j < dim; j++) data[i * dim + j] = row[j];
  }
  return assertPoints({ data, n, d: dim }, 'fromRows', 'rows');
}

/**
 * Splits {@link Points} back into an array of plain rows (for display, JSON and tests).
 *
 * @example
 * toRows({ data: Float64Array.of(5, 5, 4, 6), n: 2, d: 2 }); // [[5, 5], [4, 6]]
 */
export function toRows(points: Points): number[][] {
  const { data, n, d } = points;
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(data.subarray(i * d, i * d + d));
  return rows;
}

/**
 * Picks the rows at `indices` (in that order) into a new {@link Points}.
 *
 * @example
 * selectRows(fromRows([[1, 2], [3, 4], [5, 6]]), [2, 0]); // rows [[5, 6], [1, 2]]
 */
export function selectRows(points: Points, indices: ArrayLike<number>): Points {
  const { data, d } = points;
  const out = new Float64Array(indices.length * d);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= points.n) {
      throw new RangeError(`selectRows: indices[${k}] must be an integer in [0, ${points.n}) (got ${describeValue(i)})`);
    }
    out.set(data.subarray(i * d, i * d + d), k * d);
  }
  return { data: out, n: indices.length, d };
}
