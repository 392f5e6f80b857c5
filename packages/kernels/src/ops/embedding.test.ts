import { describe, expect, it } from 'vitest';
import { caseRng } from '../conformance/rng';
import { dot, f64, maxMixedError, numericGradient, randomF64 } from './gradCheck';
import { embeddingBackwardJs, embeddingBackwardOp, embeddingBackwardReference, embeddingJs, embeddingOp, embeddingReference } from './embedding';

describe.each([
  ['reference', embeddingReference, embeddingBackwardReference],
  ['js', embeddingJs, embeddingBackwardJs],
])('embedding (%s)', (_, gather, scatter) => {
  it('gathers rows, and scatter-adds with duplicates accumulating onto the existing gradient', () => {
    const table = Float32Array.of(1, 2, 3, 4, 5, 6);
    const out = new Float32Array(6);
    gather({ table, ids: Int32Array.of(2, 0, 2), out, dim: 2 });
    expect(Array.from(out)).toEqual([5, 6, 1, 2, 5, 6]);
    const dTable = Float32Array.of(1, 1, 1, 1, 1, 1);
    scatter({ ids: Int32Array.of(2, 0, 2), dOut: Float32Array.of(1, 2, 3, 4, 5, 6), dTable, dim: 2 });
    expect(Array.from(dTable)).toEqual([4, 5, 1, 1, 7, 9]);
  });
});

describe('embedding', () => {
  it('backward matches central finite differences in float64', () => {
    const dim = 3;
    const ids = Int32Array.of(1, 3, 1, 0, 1);
    const table = randomF64(4 * dim, 91);
    const c = randomF64(ids.length * dim, 92);
    const out = f64(ids.length * dim);
    const dTable = f64(4 * dim);
    embeddingBackwardReference({ ids, dOut: c, dTable, dim });
    const numeric = numericGradient(table, () => {
      embeddingReference({ table, ids, out, dim });
      return dot(c, out);
    });
    expect(maxMixedError(dTable, numeric)).toBeLessThan(1e-8);
  });

  it('js matches the reference on seeded random ids with many duplicates', () => {
    const rng = caseRng(93);
    const dim = 64;
    const ids = rng.i32(256, 0, 9);
    const dOut = rng.f32(256 * dim);
    const start = rng.f32(10 * dim);
    const [a, b] = [start.slice(), start.slice()];
    embeddingBackwardReference({ ids, dOut, dTable: a, dim });
    embeddingBackwardJs({ ids, dOut, dTable: b, dim });
    expect(maxMixedError(b, a)).toBeLessThan(1e-5);
  });

  it('validate rejects ids out of range and a table that is not whole rows', () => {
    const ok = { table: new Float32Array(6), ids: Int32Array.of(0, 2), out: new Float32Array(4), dim: 2 };
    expect(() => embeddingOp.validate(ok)).not.toThrow();
    expect(() => embeddingOp.validate({ ...ok, ids: Int32Array.of(0, 3) })).toThrow(/embedding: ids\[1\] must be in \[0, 3\) \(got 3\)/);
    expect(() => embeddingOp.validate({ ...ok, ids: Int32Array.of(-1, 0) })).toThrow(/embedding: ids\[0\] must be in \[0, 3\) \(got -1\)/);
    expect(() => embeddingOp.validate({ ...ok, table: new Float32Array(5) })).toThrow(/embedding: table length must be a multiple of dim = 2 \(got 5\)/);
    expect(() => embeddingOp.validate({ ...ok, out: new Float32Array(3) })).toThrow(/embedding: out must have length >= 4 \(got 3\)/);
    expect(() => embeddingBackwardOp.validate({ ids: [0] as unknown as Int32Array, dOut: new Float32Array(2), dTable: new Float32Array(2), dim: 2 })).toThrow(
      /embeddingBackward: ids must be an Int32Array/,
    );
  });
});
