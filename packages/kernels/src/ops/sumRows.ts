import { defineOp } from './define';
import { Op } from './names';
import type { SumRowsArgs } from './types';
import { assertF32, assertSize } from './validate';

function validateSumRows(args: SumRowsArgs): void {
  assertSize('sumRows', 'rows', args.rows);
  assertSize('sumRows', 'cols', args.cols);
  assertF32('sumRows', 'x', args.x, args.rows * args.cols);
  assertF32('sumRows', 'out', args.out, args.cols);
}

/**
 * Float64 oracle of sumRows: out[c] = Σ_r x[r, c] (+ out[c] when accumulate).
 *
 * @example
 * sumRowsReference({ x: Float32Array.of(1, 2, 3, 4), out, rows: 2, cols: 2 }) // out = [4, 6]
 */
export function sumRowsReference(args: SumRowsArgs): void {
  const { x, out, rows, cols, accumulate = false } = args;
  for (let c = 0; c < cols; c++) {
    let s = accumulate ? out[c] : 0;
    for (let r = 0; r < rows; r++) s += x[r * cols + c];
    out[c] = s;
  }
}

/**
 * Fast sumRows: row-major streaming (unit stride) into a float32 accumulator row.
 *
 * @example
 * sumRowsJs({ x: Float32Array.of(1, 2, 3, 4), out, rows: 2, cols: 2 }) // out = [4, 6]
 */
export function sumRowsJs(args: SumRowsArgs): void {
  const { x, out, rows, cols, accumulate = false } = args;
  if (!accumulate) out.fill(0, 0, cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c] += x[base + c];
  }
}

interface SumRowsThis {
  thread: { x: number };
  constants: { rows: number; cols: number };
}

function sumRowsKernel(this: SumRowsThis, x: Float32Array, prev: Float32Array): number {
  let s = 0;
  for (let r = 0; r < this.constants.rows; r++) s += x[r * this.constants.cols + this.thread.x];
  return s + prev[this.thread.x];
}

/**
 * The sumRows op (bias gradient of a linear layer).
 *
 * @example
 * await backend.run(Op.SumRows, { x, out, rows: 8, cols: 4, accumulate: true });
 */
export const sumRowsOp = defineOp({
  name: Op.SumRows,
  validate: validateSumRows,
  reference: sumRowsReference,
  js: sumRowsJs,
  gpu: {
    key: (a) => `${a.rows}x${a.cols}`,
    build(ctx, first) {
      const { rows, cols } = first;
      const kernel = ctx.createKernel(sumRowsKernel as never, { output: [cols], constants: { rows, cols } });
      const zero = new Float32Array(cols);
      return async (args) => {
        const prev = args.accumulate ? args.out.subarray(0, cols).slice() : zero;
        await ctx.readInto(kernel(args.x.subarray(0, rows * cols), prev), args.out, cols);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases(rng, { small }) {
      const shapes: [number, number][] = small ? [[1, 1], [3, 5], [6, 2]] : [[1, 1], [1, 9], [7, 1], [5, 3], [64, 64], [129, 33]];
      return shapes.map(([rows, cols], index) => {
        const accumulate = index % 2 === 1;
        return {
          label: `${rows}x${cols}${accumulate ? ' +accumulate' : ''}`,
          args: { x: rng.f32(rows * cols), out: accumulate ? rng.f32(cols) : new Float32Array(cols), rows, cols, accumulate },
        };
      });
    },
  },
});
