import { describe, expect, it } from 'vitest';
import { FrontierError } from '@paretopo/pareto';
import { prepareHvInput } from './reference';

const P = (rows: number[][], d = rows[0]?.length ?? 2) => ({ data: Float64Array.from(rows.flat()), n: rows.length, d });

describe('prepareHvInput', () => {
  it('keeps only points that strictly dominate ref, in order, with the index map', () => {
    const input = prepareHvInput(P([[1, 1], [2, 0], [3, 3], [0, 2.5]]), [2, 3], {}, 'f');
    expect(input.n).toBe(2);
    expect([...input.index]).toEqual([0, 3]);
    expect([...input.data]).toEqual([1, 1, 0, 2.5]);
    expect([...input.ref]).toEqual([2, 3]);
  });

  it('returns the caller array untouched when nothing is dropped or negated', () => {
    const pts = P([[1, 1], [0, 2]]);
    expect(prepareHvInput(pts, [5, 5], undefined, 'f').data).toBe(pts.data);
  });

  it('negates maximised objectives of points and ref', () => {
    const input = prepareHvInput(P([[1, 5], [3, 0]]), [2, 1], { maximize: [false, true] }, 'f');
    expect([...input.ref]).toEqual([2, -1]);
    expect([...input.index]).toEqual([0]);
    expect([...input.data]).toEqual([1, -5]);
  });

  it('strict mode names the first offending point', () => {
    expect(() => prepareHvInput(P([[1, 1], [2, 2], [3, 3]]), [2, 5], { strict: true }, 'f')).toThrowError(
      /f: point 1 does not strictly dominate/,
    );
    try {
      prepareHvInput(P([[2, 1]]), [2, 5], { strict: true }, 'f');
    } catch (e) {
      expect(e).toBeInstanceOf(FrontierError);
      expect((e as FrontierError).code).toBe('REF_NOT_DOMINATED');
    }
  });

  it.each([
    ['NaN in points', P([[NaN, 1]]), [2, 2], {}, /f: points must hold finite numbers \(got NaN at point 0, objective 0\)/],
    ['Infinity in ref', P([[1, 1]]), [2, Infinity], {}, /f: ref\[1\] must be a finite number \(got Infinity\)/],
    ['ref too short', P([[1, 1, 1]]), [2, 2], {}, /f: ref must have length 3 \(got 2\)/],
    ['d = 0', { data: new Float64Array(0), n: 0, d: 0 }, [], {}, /f: points.d must be a positive integer/],
    ['bad strict', P([[1, 1]]), [2, 2], { strict: 1 }, /f: options.strict must be a boolean/],
    ['bad options', P([[1, 1]]), [2, 2], 5, /f: options must be an object/],
    ['bad maximize', P([[1, 1]]), [2, 2], { maximize: [true] }, /f: options.maximize must have one flag per objective/],
  ])('rejects %s', (_name, pts, ref, opts, msg) => {
    expect(() => prepareHvInput(pts as never, ref, opts as never, 'f')).toThrowError(msg);
  });
});
