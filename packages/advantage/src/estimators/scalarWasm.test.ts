import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose } from '@paretopo/test-utils';
import { resolveWeights } from '../options';
import { drGrpoAdvantages, grpoAdvantages, opoAdvantages, reinforcePlusPlusAdvantages, rlooAdvantages } from './scalar';
import { gdpoAdvantages, moGrpoAdvantages } from './multi';
import { setWasmKernels } from '../wasm/switch';
import { moGrpoRunsWasm, SCALAR_CHUNK_ROWS, scalarRunsWasm, scalarWasmAvailable, scalarWasmBytes } from './scalarWasm';
import { grpoRef, moGrpoRef, rlooRef, scalarRef } from '../../test/reference';
import { editedRunsArb, expectSameBits, isEqualRuns, runsArb } from '../../test/equalRuns';

type Call = (rewards: Float64Array, groupIds: Int32Array) => Float64Array;

/** Every estimator that goes through the kernel, with the options that change its arithmetic. */
const calls: Record<string, Call> = {
  'grpo sample': (r, g) => grpoAdvantages(r, g),
  'grpo population eps 0': (r, g) => grpoAdvantages(r, g, { std: 'population', eps: 0 }),
  'grpo sample eps 0.1': (r, g) => grpoAdvantages(r, g, { eps: 0.1 }),
  'grpo none': (r, g) => grpoAdvantages(r, g, { std: 'none' }),
  drgrpo: (r, g) => drGrpoAdvantages(r, g),
  rloo: (r, g) => rlooAdvantages(r, g),
  'reinforce++': (r, g) => reinforcePlusPlusAdvantages(r, g),
  opo: (r, g) => opoAdvantages(r, g, { lengths: Float64Array.from(g, (_, i) => 1 + ((i * 7919) % 997)) }),
  'mo-grpo sample': (r, g) => moGrpoAdvantages(r, g),
  'mo-grpo population eps 0': (r, g) => moGrpoAdvantages(r, g, { std: 'population', eps: 0 }),
  'mo-grpo none': (r, g) => moGrpoAdvantages(r, g, { std: 'none' }),
  gdpo: (r, g) => gdpoAdvantages(r, g),
  'grpo custom weights k = 3': (r, g) => grpoAdvantages(r, g, { k: 3, weights: [0.5, -0.25, 2] }),
  'mo-grpo custom weights k = 3': (r, g) => moGrpoAdvantages(r, g, { k: 3, weights: [0.5, -0.25, 2] }),
};
/** The calls that work for any k (the last two fix k = 3). */
const anyK = Object.values(calls).slice(0, -2);

/** The same call with the kernel switched off: the JavaScript path's answer, or its error. */
function jsPath(call: Call, rewards: Float64Array, groupIds: Int32Array): Float64Array {
  const was = setWasmKernels(false);
  try {
    return call(rewards, groupIds);
  } finally {
    setWasmKernels(was);
  }
}

function errorOf(f: () => unknown): Error | undefined {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  return undefined;
}

describe('scalarWasm (WebAssembly group kernels: GRPO family, OPO, MO-GRPO)', () => {
  afterEach(() => {
    setWasmKernels(true);
  });

  it('assembles a valid module that compiles here', () => {
    expect((globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate(scalarWasmBytes())).toBe(true);
    expect(scalarWasmAvailable()).toBe(true);
  });

  it('gives its documented examples', () => {
    const out = new Float64Array(4);
    const probe = scalarRunsWasm(Float64Array.of(1, 0, 3, 5), Int32Array.of(7, 7, 9, 9), { k: 1, w: Float64Array.of(1), G: 2, std: true, denom: 1, eps: 0, fixed: 0 }, null, out);
    expect(probe).toBe(1);
    expectAllClose(out, [Math.SQRT1_2, -Math.SQRT1_2, -Math.SQRT1_2, Math.SQRT1_2], { rel: 1e-15 });
    const two = new Float64Array(2);
    const pass = { k: 2, w: Float64Array.of(0.6, 0.4), G: 2, std: true, denom: 2, eps: 0, fixed: 0 };
    expect(moGrpoRunsWasm(Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0), pass, two)).toBe(0);
    expectAllClose(two, [0.2, -0.2], { rel: 1e-15 });
  });

  it.each(Object.keys(calls))('%s: equals the JavaScript path bit for bit (k = 1–8, G = 1–40)', (name) => {
    const call = calls[name];
    fc.assert(
      fc.property(runsArb(8, 40), ({ rewards, groupIds, k }) => {
        if (name.endsWith('k = 3') && k !== 3) return;
        expectSameBits(call(rewards, groupIds), jsPath(call, rewards, groupIds));
      }),
      { numRuns: 150 },
    );
  });

  it('MO-GRPO matches the literal formula', () => {
    fc.assert(
      fc.property(runsArb(4, 20), ({ rewards, groupIds, k }) => {
        const w = Array.from(resolveWeights('test', undefined, k));
        expectAllClose(moGrpoAdvantages(rewards, groupIds, { std: 'population' }), moGrpoRef(rewards, k, groupIds, w, 'population', 1e-6), { rel: 1e-9, abs: 1e-9 });
      }),
      { numRuns: 150 },
    );
  });

  it('matches the literal GRPO and RLOO formulas', () => {
    fc.assert(
      fc.property(runsArb(4, 20), ({ rewards, groupIds, k }) => {
        const values = scalarRef(rewards, k, Array.from(resolveWeights('test', undefined, k)));
        expectAllClose(grpoAdvantages(rewards, groupIds, { std: 'population' }), grpoRef(values, groupIds, 'population', 1e-6), { rel: 1e-9, abs: 1e-9 });
        expectAllClose(rlooAdvantages(rewards, groupIds), rlooRef(values, groupIds), { rel: 1e-9, abs: 1e-9 });
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    ['ids that decrease between runs', [5, 5, 2, 2, 9, 9]],
    ['a run whose last id differs', [1, 1, 2, 3, 4, 4]],
    ['a run whose middle id differs', [1, 1, 1, 2, 2, 2, 3, 4, 3]],
    ['groups interleaved', [1, 2, 1, 2, 1, 2]],
    ['equal ids in two runs', [1, 1, 1, 1, 2, 2]],
  ])('leaves %s to the general path, with the same answer', (_, ids) => {
    const groupIds = Int32Array.from(ids);
    const rewards = Float64Array.from(ids, (_, i) => ((i * 7) % 5) / 4);
    for (const call of anyK) {
      expectSameBits(call(rewards, groupIds), jsPath(call, rewards, groupIds));
    }
  });

  it('takes exactly the layouts of equal increasing runs (the check inside the kernels)', () => {
    fc.assert(
      fc.property(editedRunsArb, fc.integer({ min: 1, max: 3 }), ({ G, ids }, k) => {
        const n = ids.length;
        const rewards = Float64Array.from({ length: n * k }, (_, i) => (i % 5) / 4);
        const w = resolveWeights('test', undefined, k);
        const pass = { k, w, G, std: G > 1, denom: Math.max(G - 1, 1), eps: 1e-6, fixed: 0 };
        const lengths = Float64Array.from(ids, (_, i) => 1 + (i % 7));
        const expected = isEqualRuns(ids, G) ? 'number' : 'layout';
        const kind = (r: unknown): string => (typeof r === 'number' ? 'number' : String(r));
        expect(kind(scalarRunsWasm(rewards, ids, pass, null, new Float64Array(n)))).toBe(expected);
        expect(kind(scalarRunsWasm(rewards, ids, pass, lengths, new Float64Array(n)))).toBe(expected);
        expect(kind(moGrpoRunsWasm(rewards, ids, pass, new Float64Array(n)))).toBe(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('goes through large batches in chunks: same bits, layout breaks and bad rewards found at chunk boundaries', () => {
    const G = 16;
    const groups = (3 * SCALAR_CHUNK_ROWS) / G + 5; // three whole chunks and a partial one
    const n = G * groups;
    const rewards = Float64Array.from({ length: 2 * n }, (_, i) => ((i * 2654435761) >>> 27) / 8 - 1);
    const groupIds = Int32Array.from({ length: n }, (_, i) => 2 * Math.floor(i / G) + 1);
    for (const call of anyK) expectSameBits(call(rewards, groupIds), jsPath(call, rewards, groupIds));
    const at = 2 * SCALAR_CHUNK_ROWS; // the first row of the third chunk
    const w = resolveWeights('test', undefined, 2);
    const pass = { k: 2, w, G, std: true, denom: G - 1, eps: 1e-6, fixed: 0 };
    for (const broken of [groupIds[at - 1], groupIds[at - 1] - 1]) {
      // The third chunk's first run takes the previous run's id, or a smaller one.
      const ids = groupIds.slice();
      ids.fill(broken, at, at + G);
      expect(scalarRunsWasm(rewards, ids, pass, null, new Float64Array(n))).toBe('layout');
      expect(moGrpoRunsWasm(rewards, ids, pass, new Float64Array(n))).toBe('layout');
      for (const call of anyK) expectSameBits(call(rewards, ids), jsPath(call, rewards, ids));
    }
    for (const row of [at - 1, at, n - 1]) {
      const bad = rewards.slice();
      bad[2 * row + 1] = NaN;
      for (const call of anyK) {
        const jsError = errorOf(() => jsPath(call, bad, groupIds));
        expect(jsError).toBeInstanceOf(RangeError);
        expect(errorOf(() => call(bad, groupIds))?.message).toBe(jsError?.message);
      }
    }
  });

  it('throws the same error as the JavaScript path on a non-finite reward or an overflow', () => {
    const cases = [NaN, Infinity, -Infinity].map((bad) => {
      const rewards = Float64Array.of(1, 0, 0, 1, 0.5, 0.5, 1, 1);
      rewards[5] = bad;
      return rewards;
    });
    cases.push(Float64Array.of(-1.7e308, -1.7e308, 1.7e308, 1.7e308, 1, 1, 0, 0)); // finite, but v₁ − v₀ overflows
    for (const rewards of cases) {
      const groupIds = Int32Array.of(0, 0, 1, 1);
      for (const call of anyK) {
        const jsError = errorOf(() => jsPath(call, rewards, groupIds));
        expect(jsError).toBeInstanceOf(RangeError);
        expect(errorOf(() => call(rewards, groupIds))?.message).toBe(jsError?.message);
      }
    }
  });

  it.each([
    [1, 1, 5],
    [2, 1, 4],
    [3, 9, 1],
    [7, 2, 3],
    [300, 3, 2],
    [16, 2, 4097],
    [SCALAR_CHUNK_ROWS + 3, 2, 3], // a group longer than a chunk: one group per chunk
  ])('equals the JavaScript path on groups of %i, k = %i, %i groups', (G, k, groups) => {
    const n = G * groups;
    const rewards = Float64Array.from({ length: n * k }, (_, i) => ((i * 2654435761) >>> 27) / 8 - 1);
    const groupIds = Int32Array.from({ length: n }, (_, i) => 3 * Math.floor(i / G) - 4);
    for (const call of anyK) expectSameBits(call(rewards, groupIds), jsPath(call, rewards, groupIds));
    // The kernel itself takes this layout (so the comparisons above did not fall back to JavaScript).
    const out = new Float64Array(n);
    const w = resolveWeights('test', undefined, k);
    const probe = scalarRunsWasm(rewards, groupIds, { k, w, G, std: G > 1, denom: G - 1, eps: 1e-6, fixed: 0 }, null, out);
    if (k > 8) {
      expect(probe).toBe('unavailable');
      return;
    }
    expect(typeof probe).toBe('number');
    expectSameBits(out, jsPath(calls['grpo sample'], rewards, groupIds));
    const lengths = Float64Array.from(groupIds, (_, i) => 1 + ((i * 7919) % 997));
    expect(typeof scalarRunsWasm(rewards, groupIds, { k, w, G, std: false, denom: G, eps: 0, fixed: 1 }, lengths, out)).toBe('number');
    expectSameBits(out, jsPath(calls.opo, rewards, groupIds));
    expect(typeof moGrpoRunsWasm(rewards, groupIds, { k, w, G, std: G > 1, denom: G - 1, eps: 1e-6, fixed: 0 }, out)).toBe('number');
    expectSameBits(out, jsPath(calls['mo-grpo sample'], rewards, groupIds));
  });
});
