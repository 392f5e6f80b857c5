import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NOptTracker } from './nOptTracker';

describe('NOptTracker', () => {
  it('keeps the fewest calls among correct trajectories only', () => {
    const t = new NOptTracker();
    expect(t.get('q')).toBeUndefined();
    expect(t.observe('q', 0, false)).toBeUndefined();
    expect(t.observe('q', 4, true)).toBe(4);
    expect(t.observe('q', 1, false)).toBe(4);
    expect(t.observe('q', 2, true)).toBe(2);
    expect(t.observe('q', 3, true)).toBe(2);
    expect(t.get('q')).toBe(2);
    expect(t.size).toBe(1);
  });

  it('numeric and string ids share a key; batches accept 0/1 correctness', () => {
    const t = new NOptTracker();
    t.observeBatch([7, '7', 'b', 'b'], [3, 1, 2, 5], [1, true, 0, true]);
    expect(t.get(7)).toBe(1);
    expect(t.get('b')).toBe(5);
  });

  it('never increases, and equals the minimum over correct observations (random streams)', () => {
    const obs = fc.array(fc.tuple(fc.constantFrom('a', 'b', 3), fc.integer({ min: 0, max: 6 }), fc.boolean()), { maxLength: 40 });
    fc.assert(
      fc.property(obs, fc.boolean(), (stream, batched) => {
        const t = new NOptTracker();
        const seen = new Map<string, number>();
        for (let i = 0; i < stream.length; i += 3) {
          const chunk = stream.slice(i, i + 3);
          const before = new Map(['a', 'b', '3'].map((q) => [q, t.get(q)]));
          if (batched) t.observeBatch(chunk.map((c) => c[0]), chunk.map((c) => c[1]), chunk.map((c) => c[2]));
          else for (const [q, m, ok] of chunk) t.observe(q, m, ok);
          for (const [q, m, ok] of chunk) if (ok) seen.set(String(q), Math.min(m, seen.get(String(q)) ?? Infinity));
          for (const [q, prev] of before) {
            if (prev !== undefined) expect(t.get(q)!).toBeLessThanOrEqual(prev);
            expect(t.get(q)).toBe(seen.get(q));
          }
        }
      }),
    );
  });

  it('round-trips through JSON', () => {
    const t = new NOptTracker();
    t.observeBatch(['x', 'y', 5], [2, 0, 9], [true, true, true]);
    const back = NOptTracker.fromJSON(JSON.parse(JSON.stringify(t)));
    expect(back.toJSON()).toEqual({ version: 2, options: { rule: 'min', window: 4, support: 1 }, history: { x: [[2]], y: [[0]], '5': [[9]] } });
    expect(back.get(5)).toBe(9);
  });

  it('reads the version-1 snapshots of earlier checkpoints as the paper rule', () => {
    const t = NOptTracker.fromJSON({ version: 1, nOpt: { x: 2, '5': 0 } });
    expect(t.options).toEqual({ rule: 'min', window: 4, support: 1 });
    expect([t.get('x'), t.get(5), t.size]).toEqual([2, 0, 2]);
    expect(t.observe('x', 1, true)).toBe(1);
  });

  it.each([
    ['not an object', () => NOptTracker.fromJSON('x'), TypeError],
    ['wrong version', () => NOptTracker.fromJSON({ version: 3, nOpt: {} }), RangeError],
    ['v2 without options', () => NOptTracker.fromJSON({ version: 2, history: {} }), TypeError],
    ['v2 bad rule', () => NOptTracker.fromJSON({ version: 2, options: { rule: 'max', window: 4, support: 1 }, history: {} }), RangeError],
    ['v2 min with two rows', () => NOptTracker.fromJSON({ version: 2, options: { rule: 'min', window: 4, support: 1 }, history: { q: [[1], [2]] } }), RangeError],
    ['v2 min row longer than m', () => NOptTracker.fromJSON({ version: 2, options: { rule: 'min', window: 4, support: 1 }, history: { q: [[1, 2]] } }), RangeError],
    ['v2 recent beyond the window', () => NOptTracker.fromJSON({ version: 2, options: { rule: 'recent', window: 1, support: 1 }, history: { q: [[1], []] } }), RangeError],
    ['v2 negative count', () => NOptTracker.fromJSON({ version: 2, options: { rule: 'recent', window: 2, support: 1 }, history: { q: [[-1]] } }), RangeError],
    ['unknown rule', () => new NOptTracker({ rule: 'last' as never }), RangeError],
    ['window 0', () => new NOptTracker({ rule: 'recent', window: 0 }), RangeError],
    ['fractional support', () => new NOptTracker({ support: 1.5 }), RangeError],
    ['NaN window', () => new NOptTracker({ window: NaN }), TypeError],
    ['unknown option', () => new NOptTracker({ windw: 3 } as never), RangeError],
    ['nOpt array', () => NOptTracker.fromJSON({ version: 1, nOpt: [] }), TypeError],
    ['negative calls', () => NOptTracker.fromJSON({ version: 1, nOpt: { q: -1 } }), RangeError],
    ['fractional calls', () => NOptTracker.fromJSON({ version: 1, nOpt: { q: 1.5 } }), RangeError],
    ['observe negative calls', () => new NOptTracker().observe('q', -1, true), RangeError],
    ['observe NaN calls', () => new NOptTracker().observe('q', NaN, true), RangeError],
    ['observe bad id', () => new NOptTracker().observe({} as never, 1, true), TypeError],
    ['observe non-boolean', () => new NOptTracker().observe('q', 1, 1 as never), TypeError],
    ['batch length mismatch', () => new NOptTracker().observeBatch(['a'], [1, 2], [true]), RangeError],
    ['batch bad correctness', () => new NOptTracker().observeBatch(['a'], [1], [2 as never]), TypeError],
  ])('rejects %s', (_, run, type) => expect(run).toThrow(type));

  it('a bad batch leaves the state untouched', () => {
    const t = new NOptTracker();
    expect(() => t.observeBatch(['a', 'b'], [1, -1], [true, true])).toThrow(/calls\[1\]/);
    expect(t.size).toBe(0);
  });
});

type Obs = [string, number, boolean];
const batches = fc.array(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 1, maxLength: 6 }), { maxLength: 14 });

// Slow oracle: recomputes N_opt(q) from the whole history of batches, as METHOD.md §1 words each rule.
function oracle(history: Obs[][], q: string, rule: 'min' | 'recent', window: number, support: number): number | undefined {
  let scope = history.filter((b) => b.some(([id]) => id === q));
  if (rule === 'recent') scope = scope.slice(-window);
  const counts = scope.flatMap((b) => b.filter(([id, , ok]) => id === q && ok).map(([, m]) => m)).sort((x, y) => x - y);
  return counts.length >= support ? counts[support - 1] : undefined;
}

describe('NOptTracker rules', () => {
  it('recent: a lucky guess is forgotten after `window` appearances; support m needs m correct trajectories', () => {
    const r = new NOptTracker({ rule: 'recent', window: 2 });
    r.observeBatch(['q', 'q'], [0, 3], [true, true]);
    expect(r.get('q')).toBe(0);
    r.observeBatch(['q', 'p'], [2, 0], [true, true]);
    expect(r.get('q')).toBe(0);
    r.observeBatch(['p'], [1], [true]); // q not drawn: its window does not move
    expect(r.get('q')).toBe(0);
    r.observeBatch(['q'], [4], [false]);
    expect(r.get('q')).toBe(2);
    r.observeBatch(['q'], [4], [false]);
    expect(r.get('q')).toBeUndefined();
    const m = new NOptTracker({ support: 2 });
    m.observeBatch(['q', 'q', 'q'], [0, 3, 5], [true, true, false]);
    expect(m.get('q')).toBe(3);
    m.observe('q', 1, true);
    expect(m.get('q')).toBe(1);
    expect(new NOptTracker({ support: 2 }).observe('q', 0, true)).toBeUndefined();
  });

  it.each([
    ['min', 1, 1],
    ['min', 4, 2],
    ['recent', 1, 1],
    ['recent', 3, 1],
    ['recent', 2, 3],
  ] as const)('%s (window %d, m = %d) equals the slow oracle after every batch, and resumes from JSON exactly', (rule, window, support) => {
    fc.assert(
      fc.property(batches, fc.nat(14), (history, cut) => {
        let t = new NOptTracker({ rule, window, support });
        for (let s = 0; s < history.length; s++) {
          if (s === cut) t = NOptTracker.fromJSON(JSON.parse(JSON.stringify(t)));
          const b = history[s];
          t.observeBatch(b.map((o) => o[0]), b.map((o) => o[1]), b.map((o) => o[2]));
          const seen = history.slice(0, s + 1);
          let known = 0;
          for (const q of ['a', 'b', 'c']) {
            const want = oracle(seen, q, rule, window, support);
            expect(t.get(q)).toBe(want);
            if (want !== undefined) known++;
          }
          expect(t.size).toBe(known);
        }
      }),
    );
  });

  it('the min rule never increases N_opt once known, for any support m', () => {
    fc.assert(
      fc.property(batches, fc.integer({ min: 1, max: 3 }), (history, support) => {
        const t = new NOptTracker({ support });
        for (const b of history) {
          const before = ['a', 'b', 'c'].map((q) => t.get(q));
          t.observeBatch(b.map((o) => o[0]), b.map((o) => o[1]), b.map((o) => o[2]));
          before.forEach((prev, j) => {
            if (prev !== undefined) expect(t.get(['a', 'b', 'c'][j])!).toBeLessThanOrEqual(prev);
          });
        }
      }),
    );
  });

  it('recent with a window longer than the run is the min rule', () => {
    fc.assert(
      fc.property(batches, (history) => {
        const min = new NOptTracker();
        const recent = new NOptTracker({ rule: 'recent', window: 100 });
        for (const b of history) {
          for (const t of [min, recent]) t.observeBatch(b.map((o) => o[0]), b.map((o) => o[1]), b.map((o) => o[2]));
          for (const q of ['a', 'b', 'c']) expect(recent.get(q)).toBe(min.get(q));
        }
      }),
    );
  });
});
