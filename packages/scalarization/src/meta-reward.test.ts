import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectAllClose, expectClose, groupedRewardsArb } from '@paretopo/test-utils';
import { HypervolumeMetaReward, paretoRewardFactor, type HypervolumeMetaRewardOptions } from './meta-reward';
import { dominatesMax, rowsOf, slowArchiveAdd, slowHypervolumeMax } from '../test/oracles';

const TOL = { rel: 1e-9, abs: 1e-12 };

describe('hand-computed examples', () => {
  it('first-minus-margin: the first step calibrates, the second measures', () => {
    const meta = new HypervolumeMetaReward({ k: 2 });
    const first = meta.step(Float64Array.of(0.4, 0.6, 0.6, 0.4)); // mean (0.5, 0.5)
    expect(first.calibration).toBe(true);
    expect(first.rPareto).toBe(0.5);
    expect(first.deltaHv).toBe(0);
    expect(first.deltaHvSmoothed).toBe(0);
    expectAllClose(first.reference, [0.4, 0.4]);
    expect(first.archiveSize).toBe(1);
    expectClose(first.hypervolume, 0.01, TOL);
    expect(Array.from(first.sampleFactors)).toEqual([0.5, 0.5]);

    const second = meta.step(Float64Array.of(0.7, 0.5, 0.5, 0.5)); // mean (0.6, 0.5)
    expect(second.calibration).toBe(false);
    expectClose(second.deltaHv, 0.01, TOL); // HV({(.5,.5),(.6,.5)}) − HV({(.5,.5)}) = 0.02 − 0.01
    expectClose(second.deltaHvSmoothed, 0.001, TOL); // 0.9·0 + 0.1·0.01
    expectClose(second.rPareto, 0.5 + 1.5 * Math.tanh(0.001), TOL);
    expect(second.archiveSize).toBe(1); // (0.6, 0.5) dominates (0.5, 0.5)
    expectClose(second.hypervolume, 0.02, TOL);
    expectAllClose(meta.apply(Float64Array.of(1, 0.4), second), [second.rPareto, 0.4 * second.rPareto]);

    const third = meta.step(Float64Array.of(0.6, 0.5)); // duplicate: no gain, EMA decays
    expect(third.deltaHv).toBe(0);
    expectClose(third.deltaHvSmoothed, 0.0009, TOL);
    expect(meta.stepCount).toBe(3);
  });

  it('fixed reference: the first vector’s gain is its whole box', () => {
    const meta = new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0], gamma: 0.5 });
    const r = meta.step(Float64Array.of(1, 0.5, 0, 0.5)); // mean (0.5, 0.5)
    expect(r.calibration).toBe(false);
    expectClose(r.deltaHv, 0.25, TOL);
    expectClose(r.deltaHvSmoothed, 0.125, TOL);
    expectClose(r.rPareto, 0.5 + 1.5 * Math.tanh(0.125), TOL);
    const r2 = meta.step(Float64Array.of(0.25, 0.75)); // non-dominated, adds (0.25·0.25)
    expectClose(r2.deltaHv, 0.0625, TOL);
    expect(r2.archiveSize).toBe(2);
    expectClose(r2.hypervolume, 0.3125, TOL);
  });

  it('a vector outside the reference box joins the archive but adds no volume', () => {
    const meta = new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0] });
    const r = meta.step(Float64Array.of(1, 0)); // does not strictly dominate z in objective 1
    expect(r.deltaHv).toBe(0);
    expect(r.rPareto).toBe(0.5);
    expect(r.archiveSize).toBe(1);
    expect(r.hypervolume).toBe(0);
  });

  it('group granularity: groups in ascending id, archive updated after each', () => {
    const meta = new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0], granularity: 'group' });
    // group 7: mean (0.5, 0.5); group 3: mean (1, 0.25). Processing order: 3 then 7.
    const rewards = Float64Array.of(0.5, 0.5, 1, 0.5, 0.5, 0.5, 1, 0);
    const groupIds = Int32Array.of(7, 3, 7, 3);
    const r = meta.step(rewards, groupIds);
    const g = r.groups!;
    expect(Array.from(g.ids)).toEqual([3, 7]);
    expectAllClose(g.vectors, [1, 0.25, 0.5, 0.5]);
    expectAllClose(g.deltaHv, [0.25, 0.125]); // box 0.5·0.5 minus its overlap 0.5·0.25 with the first
    expectAllClose(g.deltaHvSmoothed, [0.025, 0.0125]);
    expectAllClose(g.rPareto, [0.5 + 1.5 * Math.tanh(0.025), 0.5 + 1.5 * Math.tanh(0.0125)]);
    expectAllClose(r.sampleFactors, [g.rPareto[1], g.rPareto[0], g.rPareto[1], g.rPareto[0]]);
    expectClose(r.deltaHv, 0.375, TOL);
    expectClose(r.hypervolume, 0.375, TOL);
    expectClose(r.deltaHvSmoothed, 0.0375, TOL);
  });

  it('r_pareto stays below 2 even when tanh rounds to 1', () => {
    const meta = new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0], gamma: 0 });
    const r = meta.step(Float64Array.of(100, 100));
    expect(r.rPareto).toBeLessThan(2);
    expect(r.rPareto).toBeGreaterThan(1.99);
    expect(paretoRewardFactor(0)).toBe(0.5);
    expect(paretoRewardFactor(1e6)).toBeLessThan(2);
  });
});

// ---- oracle: the method written out with a list archive and a brute-force hypervolume ----

interface Batch {
  rewards: Float64Array;
  groupIds: Int32Array;
}

function oracle(batches: Batch[], o: { k: number; gamma: number; fixed: number[] | null; margin: number; group: boolean }) {
  let archive: number[][] = [];
  let ref: number[] | null = o.fixed;
  let ema = 0;
  return batches.map((b) => {
    const rows = rowsOf(b.rewards, o.k);
    const mean = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    let vectors: number[][];
    let ids: number[] = [];
    if (o.group) {
      ids = [...new Set(Array.from(b.groupIds))].sort((a, c) => a - c);
      vectors = ids.map((id) => {
        const members = rows.filter((_, i) => b.groupIds[i] === id);
        return mean.map((_, j) => members.reduce((s, r) => s + r[j], 0) / members.length);
      });
    } else vectors = [mean];
    const calibration = ref === null;
    if (ref === null) ref = mean.map((_, j) => Math.min(...vectors.map((v) => v[j])) - o.margin);
    const before = slowHypervolumeMax(archive, ref);
    const gR: number[] = [];
    for (const v of vectors) {
      const dhv = calibration ? 0 : slowHypervolumeMax([...archive, v], ref) - slowHypervolumeMax(archive, ref);
      archive = slowArchiveAdd(archive, v).archive;
      gR.push(0.5 + 1.5 * Math.tanh(o.gamma * ema + (1 - o.gamma) * dhv));
    }
    const hv = slowHypervolumeMax(archive, ref);
    const delta = calibration ? 0 : hv - before;
    ema = o.gamma * ema + (1 - o.gamma) * delta;
    return { delta, ema, r: 0.5 + 1.5 * Math.tanh(ema), gR, ids, hv, size: archive.length, archive };
  });
}

const configArb = fc.record({
  k: fc.integer({ min: 2, max: 3 }),
  gamma: fc.constantFrom(0, 0.5, 0.9, 0.99),
  fixed: fc.boolean(),
  margin: fc.constantFrom(0, 0.1, 0.5),
  group: fc.boolean(),
});

const runArb = configArb.chain((c) =>
  fc.tuple(
    fc.constant(c),
    fc.array(groupedRewardsArb({ k: c.k, maxGroups: 4, maxGroup: 4, values: [0, 0.25, 0.5, 0.75, 1] }), { minLength: 1, maxLength: 8 }),
  ),
);

function makeMeta(c: { k: number; gamma: number; fixed: boolean; margin: number; group: boolean }): HypervolumeMetaReward {
  const options: HypervolumeMetaRewardOptions = c.fixed
    ? { k: c.k, gamma: c.gamma, reference: 'fixed', referencePoint: new Array(c.k).fill(0), granularity: c.group ? 'group' : 'step' }
    : { k: c.k, gamma: c.gamma, margin: c.margin, granularity: c.group ? 'group' : 'step' };
  return new HypervolumeMetaReward(options);
}

describe('laws', () => {
  it('matches the brute-force oracle; r ∈ [0.5, 2); ΔHV ≥ 0; the archive stays non-dominated', () => {
    fc.assert(
      fc.property(runArb, ([c, batches]) => {
        const meta = makeMeta(c);
        const expected = oracle(batches, { k: c.k, gamma: c.gamma, fixed: c.fixed ? new Array(c.k).fill(0) : null, margin: c.margin, group: c.group });
        batches.forEach((b, t) => {
          const res = meta.step(b.rewards, b.groupIds);
          const e = expected[t];
          expect(res.step).toBe(t);
          expect(res.deltaHv).toBeGreaterThanOrEqual(0);
          expect(res.rPareto).toBeGreaterThanOrEqual(0.5);
          expect(res.rPareto).toBeLessThan(2);
          for (const f of res.sampleFactors) expect(f >= 0.5 && f < 2).toBe(true);
          expectClose(res.deltaHv, e.delta, TOL);
          expectClose(res.deltaHvSmoothed, e.ema, TOL);
          expectClose(res.rPareto, e.r, TOL);
          expectClose(res.hypervolume, e.hv, TOL);
          expect(res.archiveSize).toBe(e.size);
          if (c.group) {
            expect(Array.from(res.groups!.ids)).toEqual(e.ids);
            expectAllClose(res.groups!.rPareto, e.gR, TOL);
          }
          const arch = rowsOf(meta.archive().data, c.k);
          expect(arch.map(String).sort()).toEqual(e.archive.map(String).sort());
          for (const a of arch) for (const b2 of arch) expect(dominatesMax(a, b2)).toBe(false);
        });
      }),
      { numRuns: 80 },
    );
  });

  it('is exactly 0.5 at every step when nothing ever improves the archive', () => {
    const vec = (k: number) => fc.array(fc.integer({ min: 0, max: 8 }), { minLength: k, maxLength: k });
    fc.assert(
      fc.property(
        configArb,
        vec(3),
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), { maxLength: 12 }),
        (c, first, drops) => {
          const k = c.k;
          // With a fixed reference at the first vector itself, nothing can ever gain volume.
          const meta = c.fixed
            ? new HypervolumeMetaReward({ k, gamma: c.gamma, reference: 'fixed', referencePoint: first.slice(0, k), granularity: c.group ? 'group' : 'step' })
            : makeMeta(c);
          const v1 = Float64Array.from(first.slice(0, k));
          const r1 = meta.step(v1, Int32Array.of(0));
          expect(r1.rPareto).toBe(0.5);
          // Later vectors are weakly dominated by the first (repeats included): no improvement.
          for (const d of drops) {
            const v = Float64Array.from(v1, (x, j) => x - d[j]);
            const r = meta.step(v, Int32Array.of(0));
            expect(r.rPareto).toBe(0.5);
            expect(r.deltaHv).toBe(0);
            expect(r.deltaHvSmoothed).toBe(0);
          }
          expect(meta.archiveSize).toBe(1);
        },
      ),
    );
  });

  it('JSON round trip: a restored meta reward continues identically', () => {
    fc.assert(
      fc.property(runArb, fc.nat(), ([c, batches], cut) => {
        const a = makeMeta(c);
        const split = cut % (batches.length + 1);
        for (const b of batches.slice(0, split)) a.step(b.rewards, b.groupIds);
        const b = HypervolumeMetaReward.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
        expect(b.toJSON()).toEqual(a.toJSON());
        for (const batch of batches.slice(split)) {
          const ra = a.step(batch.rewards, batch.groupIds);
          const rb = b.step(batch.rewards, batch.groupIds);
          expect(rb).toEqual(ra);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('step granularity ignores how samples are grouped; group mode is invariant to relabelling order-preserving ids', () => {
    fc.assert(
      fc.property(runArb, ([c, batches]) => {
        const a = makeMeta({ ...c, group: false });
        const b = makeMeta({ ...c, group: false });
        const g1 = makeMeta({ ...c, group: true });
        const g2 = makeMeta({ ...c, group: true });
        for (const batch of batches) {
          expect(a.step(batch.rewards, batch.groupIds)).toEqual(b.step(batch.rewards));
          const r1 = g1.step(batch.rewards, batch.groupIds);
          const r2 = g2.step(batch.rewards, Int32Array.from(batch.groupIds, (id) => 10 * id - 5));
          expect(r2.sampleFactors).toEqual(r1.sampleFactors);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('bad input', () => {
  const meta = () => new HypervolumeMetaReward({ k: 2 });
  it.each([
    [() => new HypervolumeMetaReward({ k: 0 }), /HypervolumeMetaReward: options.k must be an integer >= 1 \(got 0\)/],
    [() => new HypervolumeMetaReward({ k: 2, gamma: 1 }), /HypervolumeMetaReward: options.gamma must be a finite number in \[0, 1\) \(got 1\)/],
    [() => new HypervolumeMetaReward({ k: 2, gamma: -0.1 }), /options.gamma must be a finite number in \[0, 1\) \(got -0.1\)/],
    [() => new HypervolumeMetaReward({ k: 2, margin: -0.01 }), /HypervolumeMetaReward: options.margin must be a finite number in \[0, ∞\) \(got -0.01\)/],
    [() => new HypervolumeMetaReward({ k: 2, margin: [0.1] }), /options.margin must have length 2 \(got 1\)/],
    [() => new HypervolumeMetaReward({ k: 2, margin: [0.1, -1] }), /options.margin\[1\] must be a finite number in \[0, ∞\) \(got -1\)/],
    [() => new HypervolumeMetaReward({ k: 2, reference: 'fixed' }), /options.referencePoint is required when reference is 'fixed'/],
    [() => new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, Number.NaN] }), /options.referencePoint\[1\] must be a finite number \(got NaN\)/],
    [() => new HypervolumeMetaReward({ k: 2, referencePoint: [0, 0] }), /options.referencePoint is only used with reference 'fixed'/],
    [() => new HypervolumeMetaReward({ k: 2, reference: 'nadir' as never }), /options.reference must be 'first-minus-margin' or 'fixed' \(got "nadir"\)/],
    [() => new HypervolumeMetaReward({ k: 2, granularity: 'token' as never }), /options.granularity must be 'step' or 'group' \(got "token"\)/],
    [() => meta().step(Float64Array.of(1, 0, 0.5, Number.NaN)), /HypervolumeMetaReward.step: rewards must hold finite numbers \(got NaN at sample 1, objective 1\)/],
    [() => meta().step(Float64Array.of(1, 0, Infinity, 0)), /\(got Infinity at sample 1, objective 0\)/],
    [() => meta().step(Float64Array.of(1, 0, 1)), /HypervolumeMetaReward.step: rewards must have length n\*k with k = 2 \(got length 3\)/],
    [() => meta().step(new Float64Array(0)), /HypervolumeMetaReward.step: rewards must hold at least one sample/],
    [() => meta().step([1, 0] as never), /HypervolumeMetaReward.step: rewards must be a Float64Array \(got Array\(2\)\)/],
    [() => meta().step(Float64Array.of(1, 0), Int32Array.of(0, 1)), /groupIds must have length n = 1 \(got 2\)/],
    [() => meta().step(Float64Array.of(1, 0), [0] as never), /groupIds must be an Int32Array \(got Array\(1\)\)/],
    [() => new HypervolumeMetaReward({ k: 2, granularity: 'group' }).step(Float64Array.of(1, 0)), /groupIds is required in 'group' granularity/],
    [() => paretoRewardFactor(-1), /paretoRewardFactor: deltaHvSmoothed must be a finite number in \[0, ∞\) \(got -1\)/],
  ])('%#: throws a named error', (f, message) => {
    expect(f).toThrow(message);
  });

  it('apply checks its arguments', () => {
    const m = meta();
    const r = m.step(Float64Array.of(1, 0, 0, 1));
    expect(() => m.apply(Float64Array.of(1), r)).toThrow(/HypervolumeMetaReward.apply: rewards must have one entry per sample of the step, length 2 \(got 1\)/);
    expect(() => m.apply(Float64Array.of(1, Number.NaN), r)).toThrow(/HypervolumeMetaReward.apply: rewards must hold finite numbers \(got NaN at sample 1, objective 0\)/);
    expect(() => m.apply(Float64Array.of(1, 1), {} as never)).toThrow(/HypervolumeMetaReward.apply: result must be the object returned by step\(\)/);
    const out = new Float64Array(2);
    expect(m.apply(Float64Array.of(1, 2), r, out)).toBe(out);
    expect(Array.from(out)).toEqual([0.5, 1]);
  });

  it('fromJSON validates every field', () => {
    const m = meta();
    m.step(Float64Array.of(0.5, 0.5));
    m.step(Float64Array.of(0.7, 0.45));
    const good = m.toJSON();
    const bad = (patch: object) => () => HypervolumeMetaReward.fromJSON({ ...good, ...patch });
    expect(bad({ type: 'x' })).toThrow(/HypervolumeMetaReward.fromJSON: json.type must be "hypervolume-meta-reward"/);
    expect(bad({ gamma: 2 })).toThrow(/options.gamma must be a finite number in \[0, 1\)/);
    expect(bad({ archive: [[0.5, 0.5], [0.7, 0.45], [0.6, 0.4]] })).toThrow(/json.archive must be mutually non-dominated without duplicates \(row 2/);
    expect(bad({ archive: [[0.5, 0.5], [0.5, 0.5]] })).toThrow(/json.archive must be mutually non-dominated/);
    expect(bad({ archive: [[0.5]] })).toThrow(/json.archive\[0\] must have length 2 \(got 1\)/);
    expect(bad({ referencePoint: null })).toThrow(/json.referencePoint must be null exactly when json.steps is 0/);
    expect(bad({ deltaHvSmoothed: -1 })).toThrow(/json.deltaHvSmoothed must be a finite number in \[0, ∞\)/);
    expect(bad({ steps: 1.5 })).toThrow(/json.steps must be an integer >= 0 \(got 1.5\)/);
    expect(() => HypervolumeMetaReward.fromJSON(null)).toThrow(/HypervolumeMetaReward.fromJSON: json must be an object \(got null\)/);
  });
});
