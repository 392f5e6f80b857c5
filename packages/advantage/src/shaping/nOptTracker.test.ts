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
    expect(back.toJSON()).toEqual({ version: 1, nOpt: { x: 2, y: 0, '5': 9 } });
    expect(back.get(5)).toBe(9);
  });

  it.each([
    ['not an object', () => NOptTracker.fromJSON('x'), TypeError],
    ['wrong version', () => NOptTracker.fromJSON({ version: 2, nOpt: {} }), RangeError],
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
