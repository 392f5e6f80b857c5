import { defineOp } from './define';
import { Op } from './names';
import { assertF32, assertIndices, assertSize } from './validate';
import type { EmbeddingArgs, EmbeddingBackwardArgs } from './types';
import type { KernelThis } from './kernelThis';

/**
 * Reference embedding gather.
 *
 * @param args - {@link EmbeddingArgs}
 * @example
 * const out = new Float32Array(2);
 * embeddingReference({ table: Float32Array.of(1, 2, 3, 4), ids: Int32Array.of(1), out, dim: 2 }); // out = [3, 4]
 */
export function embeddingReference(args: EmbeddingArgs): void {
  const { table, ids, out, dim } = args;
  for (let t = 0; t < ids.length; t++) {
    for (let c = 0; c < dim; c++) out[t * dim + c] = table[ids[t] * dim + c];
  }
}

/**
 * Reference embedding scatter-add, accumulating each touched row in float64 (ids in order) before
 * one rounding to float32.
 *
 * @param args - {@link EmbeddingBackwardArgs}
 * @example
 * const dTable = new Float32Array(4);
 * embeddingBackwardReference({ ids: Int32Array.of(1, 1), dOut: Float32Array.of(1, 2, 3, 4), dTable, dim: 2 });
 * // dTable = [0, 0, 4, 6]
 */
export function embeddingBackwardReference(args: EmbeddingBackwardArgs): void {
  const { ids, dOut, dTable, dim } = args;
  const acc = new Map<number, Float64Array>();
  for (let t = 0; t < ids.length; t++) {
    let row = acc.get(ids[t]);
    if (row === undefined) {
      row = new Float64Array(dim);
      for (let c = 0; c < dim; c++) row[c] = dTable[ids[t] * dim + c];
      acc.set(ids[t], row);
    }
    for (let c = 0; c < dim; c++) row[c] += dOut[t * dim + c];
  }
  for (const [id, row] of acc) dTable.set(row, id * dim);
}

/**
 * Fast embedding gather: an element loop per row (a `subarray` view per token was garbage on
 * every forward and decoding step).
 *
 * @param args - {@link EmbeddingArgs}
 * @example
 * const out = new Float32Array(2);
 * embeddingJs({ table: Float32Array.of(1, 2, 3, 4), ids: Int32Array.of(0), out, dim: 2 }); // out = [1, 2]
 */
export function embeddingJs(args: EmbeddingArgs): void {
  const { table, ids, out, dim } = args;
  for (let t = 0, dst = 0; t < ids.length; t++) {
    const src = ids[t] * dim;
    for (let c = 0; c < dim; c++) out[dst++] = table[src + c];
  }
}

/**
 * Fast embedding scatter-add in float32, tokens in order.
 *
 * @param args - {@link EmbeddingBackwardArgs}
 * @example
 * const dTable = new Float32Array(4);
 * embeddingBackwardJs({ ids: Int32Array.of(0, 0), dOut: Float32Array.of(1, 2, 3, 4), dTable, dim: 2 });
 * // dTable = [4, 6, 0, 0]
 */
export function embeddingBackwardJs(args: EmbeddingBackwardArgs): void {
  const { ids, dOut, dTable, dim } = args;
  for (let t = 0; t < ids.length; t++) {
    const dst = ids[t] * dim;
    const src = t * dim;
    for (let c = 0; c < dim; c++) dTable[dst + c] += dOut[src + c];
  }
}

/**
 * gpu.js kernel source for the embedding gather, output [dim, tokens] (x = column, y = token).
 * Ids travel as floats (gpu.js arrays are float); they are exact below 2²⁴.
 *
 * @param table - [vocab, dim]
 * @param ids - token ids as numbers
 * @returns table[ids[y], x]
 * @example
 * gpu.createKernel(embeddingKernel).setOutput([dim, tokens]).setConstants({ dim })(table, ids);
 */
export function embeddingKernel(this: KernelThis, table: number[], ids: number[]): number {
  return table[ids[this.thread.y] * this.constants.dim + this.thread.x];
}

function tableRows(op: string, name: string, table: Float32Array, dim: number): number {
  if (table.length % dim !== 0) throw new RangeError(`${op}: ${name} length must be a multiple of dim = ${dim} (got ${table.length})`);
  return table.length / dim;
}

/**
 * The embedding op (row gather).
 *
 * @example
 * await backend.run(Op.Embedding, { table, ids, out, dim: 64 });
 */
export const embeddingOp = defineOp({
  name: Op.Embedding,
  validate(a) {
    assertSize('embedding', 'dim', a.dim);
    assertF32('embedding', 'table', a.table, a.dim);
    const vocab = tableRows('embedding', 'table', a.table, a.dim);
    assertIndices('embedding', 'ids', a.ids, a.ids.length, vocab);
    assertF32('embedding', 'out', a.out, a.ids.length * a.dim);
  },
  reference: embeddingReference,
  js: embeddingJs,
  gpu: {
    key: (a) => `${a.ids.length}x${a.dim}|${a.table.length}`,
    build(ctx, first) {
      const { dim } = first;
      const tokens = first.ids.length;
      if (tokens === 0) return () => {};
      const kernel = ctx.createKernel(embeddingKernel as never, { output: [dim, tokens], constants: { dim } });
      return async (a) => {
        await ctx.readInto(kernel(a.table, Float32Array.from(a.ids)), a.out, tokens * dim);
      };
    },
  },
  conformance: {
    outputs: ['out'],
    cases(rng, { small }) {
      const shapes: [number, number, number][] = small ? [[1, 1, 1], [5, 3, 4]] : [[1, 1, 1], [5, 3, 4], [70, 64, 256]];
      return shapes.map(([vocab, dim, tokens]) => ({
        label: `vocab=${vocab} dim=${dim} tokens=${tokens}`,
        args: { table: rng.f32(vocab * dim), ids: rng.i32(tokens, 0, vocab - 1), out: new Float32Array(tokens * dim), dim },
      }));
    },
  },
});

/**
 * The embeddingBackward op (scatter-add into dTable).
 *
 * @example
 * await backend.run(Op.EmbeddingBackward, { ids, dOut, dTable, dim: 64 }); // dTable += gathered gradients
 */
export const embeddingBackwardOp = defineOp({
  name: Op.EmbeddingBackward,
  validate(a) {
    assertSize('embeddingBackward', 'dim', a.dim);
    assertF32('embeddingBackward', 'dTable', a.dTable, a.dim);
    const vocab = tableRows('embeddingBackward', 'dTable', a.dTable, a.dim);
    assertIndices('embeddingBackward', 'ids', a.ids, a.ids.length, vocab);
    assertF32('embeddingBackward', 'dOut', a.dOut, a.ids.length * a.dim);
  },
  reference: embeddingBackwardReference,
  js: embeddingBackwardJs,
  gaps: [
    {
      backends: ['webgpu', 'headlessgl', 'webasm', 'cpu'],
      reason:
        'scatter-add with duplicate ids: a gpu.js kernel writes one output per thread and has no atomics, and the gather form (each table row scans every token) costs vocab·tokens·dim, more than the whole js scatter',
    },
  ],
  conformance: {
    outputs: ['dTable'],
    cases(rng, { small }) {
      const shapes: [number, number, number][] = small ? [[1, 1, 3], [5, 3, 9]] : [[1, 1, 3], [5, 3, 9], [70, 64, 256]];
      return shapes.map(([vocab, dim, tokens]) => ({
        label: `vocab=${vocab} dim=${dim} tokens=${tokens} (duplicates, accumulate)`,
        args: { ids: rng.i32(tokens, 0, vocab - 1), dOut: rng.f32(tokens * dim), dTable: rng.f32(vocab * dim), dim },
      }));
    },
  },
});
