import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose } from '@paretopo/test-utils';
import { resolveWeights } from '../options';
import { paretoRankAdvantages } from './paretoRank';
import { setWasmKernels } from '../wasm/switch';
import { RANK_CHUNK_ROWS, rankAdvantagesWasm, rankWasmAvailable, rankWasmValid } from './rankWasm';
import { paretoRankRef } from '../../test/reference';
import { editedRunsArb, expectSameBits, isEqualRuns, runsArb } from '../../test/equalRuns';

/** The JavaScript path's answer for the same call. */
function jsPath(rewards: Float64Array, groupIds: Int32Array, opts: Parameters<typeof paretoRankAdvantages>[2]): Float64Array {
  const was = setWasmKernels(false);
  try {
    return paretoRankAdvantages(rewards, groupIds, opts);
  } finally {
    setWasmKernels(was);
  }
}

describe('rankWasm (WebAssembly Pareto-rank kernel)', () => {
  afterEach(() => {
    setWasmKernels(true);
  });

  it('assembles a valid module that compiles here', () => {
    expect(rankWasmValid()).toBe(true);
    expect(rankWasmAvailable()).toBe(true);
  });

  it('gives the README example', () => {
    const out = new Float64Array(3);
    expect(rankAdvantagesWasm(Float64Array.of(1, 0, 0, 1, 0, 0), Int32Array.of(4, 4, 4), 2, 3, Float64Array.of(0.6, 0.4), 0.5, false, false, out)).toBe('ok');
    expect(Array.from(out)).toEqual([2.25, 1.75, 1]);
  });

  it('equals the JavaScript path bit for bit (k = 1–5, G = 1–40, every option)', () => {
    fc.assert(
      fc.property(runsArb(5, 40), ({ rewards, groupIds, beta, nRank, center }) => {
        const opts = { beta, nRank, center };
        expectSameBits(paretoRankAdvantages(rewards, groupIds, opts), jsPath(rewards, groupIds, opts));
      }),
      { numRuns: 400 },
    );
  });

  it('equals the JavaScript path bit for bit at the kernel limits (k ≤ 8, G ≤ 64) and past them', () => {
    fc.assert(
      fc.property(runsArb(9, 70), ({ rewards, groupIds, beta, nRank, center }) => {
        const opts = { beta, nRank, center, weights: undefined };
        expectSameBits(paretoRankAdvantages(rewards, groupIds, opts), jsPath(rewards, groupIds, opts));
      }),
      { numRuns: 300 },
    );
  });

  it('matches the literal METHOD.md §3 reference', () => {
    fc.assert(
      fc.property(runsArb(5, 40), ({ rewards, groupIds, k, beta, nRank, center }) => {
        const w = Array.from(resolveWeights('test', undefined, k));
        const expected = paretoRankRef(rewards, k, groupIds, w, beta, nRank, center);
        expectAllClose(paretoRankAdvantages(rewards, groupIds, { beta, nRank, center }), expected, { rel: 1e-12, abs: 1e-12 });
      }),
      { numRuns: 150 },
    );
  });

  it('uses custom weights like the JavaScript path', () => {
    const rewards = Float64Array.of(1, 0, 0.5, 0, 1, 0.5, 1, 1, 0, 0.25, 0.25, 0.25, 0, 0, 1, 1, 0, 0);
    const groupIds = Int32Array.of(7, 7, 7, 9, 9, 9);
    const opts = { weights: [0.2, 0.3, 0.5], k: 3 };
    expectSameBits(paretoRankAdvantages(rewards, groupIds, opts), jsPath(rewards, groupIds, opts));
  });

  it('throws the same error as the JavaScript path on a non-finite reward', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const rewards = Float64Array.of(1, 0, 0, 1, 0.5, 0.5, 1, 1);
      rewards[5] = bad;
      const groupIds = Int32Array.of(0, 0, 1, 1);
      let jsError: unknown;
      try {
        jsPath(rewards, groupIds, undefined);
      } catch (e) {
        jsError = e;
      }
      expect(jsError).toBeInstanceOf(RangeError);
      expect(() => paretoRankAdvantages(rewards, groupIds)).toThrow((jsError as Error).message);
    }
  });

  it.each([
    [64, 8],
    [16, 8],
    [16, 2],
    [17, 4],
    [8, 2],
    [63, 3],
    [61, 2],
    [33, 5],
    [65, 2],
    [16, 9],
  ])('equals the JavaScript path on groups of %i with k = %i (edges of the kernel and of its G ≤ 16 path, and past them)', (G, k) => {
    const b = runsBatch(7, G, k);
    expectSameBits(paretoRankAdvantages(b.rewards, b.groupIds, { center: false }), jsPath(b.rewards, b.groupIds, { center: false }));
    expectSameBits(paretoRankAdvantages(b.rewards, b.groupIds), jsPath(b.rewards, b.groupIds, undefined));
  });

  it('takes two-valued objectives (0/1, ±0 mixed, constant) through the count-free ranks, same bits', () => {
    // k = 1 and 2 look for objectives with at most two values in a group; each group here mixes
    // such objectives with ones of three or more values, and one group has a constant objective.
    const rows: number[][] = [];
    for (let g = 0; g < 40; g++) {
      for (let a = 0; a < 16; a++) {
        const bin = (g * 7 + a * 3) % 5 < 2 ? 1 : 0;
        const two = [(a % 2 === 0 ? -0 : 0), 0.25][(g + a) % 2];
        const many = ((g + 3 * a) % 7) / 7;
        rows.push(g % 4 === 0 ? [bin, many] : g % 4 === 1 ? [two, bin] : g % 4 === 2 ? [many, 0.5] : [bin, two]);
      }
    }
    const groupIds = Int32Array.from(rows, (_, i) => Math.floor(i / 16));
    for (const k of [1, 2]) {
      const rewards = Float64Array.from(rows.flatMap((r) => r.slice(0, k)));
      for (const opts of [undefined, { center: false }, { nRank: 'group-size' as const, beta: 0.9 }]) {
        expectSameBits(paretoRankAdvantages(rewards, groupIds, opts), jsPath(rewards, groupIds, opts));
      }
    }
  });

  it.each([
    ['ids that decrease between runs', [5, 5, 2, 2, 9, 9]],
    ['a run whose last id differs', [1, 1, 2, 3, 4, 4]],
    ['a run whose middle id differs', [1, 1, 1, 2, 2, 2, 3, 4, 3]],
    ['equal ids in two runs', [1, 1, 1, 1, 2, 2]],
  ])('leaves %s to the general path (the kernel checks the layout), with the same answer', (_, ids) => {
    const groupIds = Int32Array.from(ids);
    const rewards = Float64Array.from({ length: 2 * ids.length }, (_, i) => ((i * 7) % 5) / 4);
    const out = new Float64Array(ids.length);
    expect(rankAdvantagesWasm(rewards, groupIds, 2, 2 + +(ids.length === 9), Float64Array.of(0.6, 0.4), 0.5, false, true, out)).toBe('layout');
    expectSameBits(paretoRankAdvantages(rewards, groupIds), jsPath(rewards, groupIds, undefined));
  });

  it('takes exactly the layouts of equal increasing runs (the check inside the kernel)', () => {
    fc.assert(
      fc.property(editedRunsArb, fc.integer({ min: 1, max: 3 }), ({ G, ids }, k) => {
        const rewards = Float64Array.from({ length: ids.length * k }, (_, i) => (i % 5) / 4);
        const w = Float64Array.from({ length: k }, () => 1 / k);
        const res = rankAdvantagesWasm(rewards, ids, k, G, w, 0.5, false, true, new Float64Array(ids.length));
        expect(res).toBe(isEqualRuns(ids, G) ? 'ok' : 'layout');
      }),
      { numRuns: 400 },
    );
  });

  it('goes through large batches in chunks: same bits, layout breaks and bad rewards found at chunk boundaries', () => {
    const G = 16;
    const b = runsBatch((3 * RANK_CHUNK_ROWS) / G + 5, G, 2); // three whole chunks and a partial one
    const n = b.groupIds.length;
    expectSameBits(paretoRankAdvantages(b.rewards, b.groupIds), jsPath(b.rewards, b.groupIds, undefined));
    const at = 2 * RANK_CHUNK_ROWS; // the first row of the third chunk
    for (const broken of [b.groupIds[at - 1], b.groupIds[at - 1] - 1]) {
      const ids = b.groupIds.slice();
      ids.fill(broken, at, at + G);
      expect(rankAdvantagesWasm(b.rewards, ids, 2, G, Float64Array.of(0.6, 0.4), 0.5, false, true, new Float64Array(n))).toBe('layout');
      expectSameBits(paretoRankAdvantages(b.rewards, ids), jsPath(b.rewards, ids, undefined));
    }
    for (const row of [at - 1, at, n - 1]) {
      const bad = b.rewards.slice();
      bad[2 * row + 1] = -Infinity;
      expect(() => paretoRankAdvantages(bad, b.groupIds)).toThrow(`rewards must be finite (got -Infinity at row ${row}, objective 1)`);
    }
  });

  it('reuses its memory across calls of different sizes', () => {
    const big = runsBatch(3000, 16, 3);
    const small = runsBatch(2, 5, 2);
    for (const b of [big, small, big]) expectSameBits(paretoRankAdvantages(b.rewards, b.groupIds), jsPath(b.rewards, b.groupIds, undefined));
  });
});

function runsBatch(groups: number, G: number, k: number) {
  const n = groups * G;
  const rewards = Float64Array.from({ length: n * k }, (_, i) => ((i * 2654435761) >>> 28) / 4);
  const groupIds = Int32Array.from({ length: n }, (_, i) => Math.floor(i / G));
  return { rewards, groupIds };
}
