import { describe, expect, it } from 'vitest';
import { PRESETS, initParams, paramLayout, validateConfig } from './config';
import { Rng } from '@paretopo/random';

const tiny = { ...PRESETS.tiny, vocab: 111 };

describe('paramLayout', () => {
  it('counts GPT-2 parameters: V·d + C·d + L·(12d² + 13d) + 2d for mlpRatio 4', () => {
    const { layers: L, dModel: d, context: C, vocab: V } = tiny;
    expect(paramLayout(tiny).size).toBe(V * d + C * d + L * (12 * d * d + 13 * d) + 2 * d);
  });

  it('tiles the flat array without gaps, names in GPT-2 style', () => {
    const layout = paramLayout(tiny);
    let off = 0;
    for (const e of layout.entries) {
      expect(e.offset).toBe(off);
      off += e.size;
    }
    expect(layout.entries.map((e) => e.name).slice(0, 6)).toEqual([
      'wte.weight', 'wpe.weight', 'h.0.ln_1.weight', 'h.0.ln_1.bias', 'h.0.attn.c_attn.weight', 'h.0.attn.c_attn.bias',
    ]);
    expect(layout.byName.get('h.1.mlp.c_fc.weight')!.shape).toEqual([64, 256]);
    expect(layout.entries.at(-1)!.name).toBe('ln_f.bias');
  });

  it.each([
    [{ ...tiny, heads: 5 }, /multiple of config.heads/],
    [{ ...tiny, layers: 0 }, /config.layers must be a positive integer \(got 0\)/],
    [{ ...tiny, vocab: 1.5 }, /config.vocab/],
    [{ ...tiny, context: Number.NaN }, /config.context/],
  ])('rejects bad configs', (cfg, re) => {
    expect(() => paramLayout(cfg)).toThrow(re);
    expect(() => validateConfig(cfg)).toThrow(RangeError);
  });
});

describe('initParams', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const same = (a: Float32Array, b: Float32Array): boolean => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
    expect(same(initParams(tiny, 3), initParams(tiny, 3))).toBe(true);
    expect(same(initParams(tiny, 3), initParams(tiny, 4))).toBe(false);
  });

  it('uses GPT-2 statistics per tensor kind', () => {
    const layout = paramLayout(tiny);
    const p = initParams(tiny, 1);
    const std = (name: string): number => {
      const e = layout.byName.get(name)!;
      let s = 0;
      for (let i = 0; i < e.size; i++) s += p[e.offset + i] ** 2;
      return Math.sqrt(s / e.size);
    };
    expect(std('wte.weight')).toBeCloseTo(0.02, 3);
    expect(std('h.0.mlp.c_fc.weight')).toBeCloseTo(0.02, 3);
    expect(std('h.1.attn.c_proj.weight')).toBeCloseTo(0.01, 3);
    const g = layout.byName.get('h.0.ln_1.weight')!;
    expect(Array.from(p.subarray(g.offset, g.offset + g.size)).every((x) => x === 1)).toBe(true);
    const b = layout.byName.get('ln_f.bias')!;
    expect(Array.from(p.subarray(b.offset, b.offset + b.size)).every((x) => x === 0)).toBe(true);
  });

  it('rejects a bad seed', () => {
    expect(() => initParams(tiny, Number.NaN)).toThrow(/seed/);
  });
});

describe('Rng', () => {
  it('is reproducible, resumable and gives distinct derived streams', () => {
    const a = new Rng(5);
    a.next();
    const b = Rng.fromState(a.state());
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(Rng.derive(1, 0).next()).not.toBe(Rng.derive(1, 1).next());
    const r = new Rng(9);
    let mean = 0;
    let inRange = true;
    for (let i = 0; i < 10000; i++) {
      const u = r.next();
      inRange &&= u >= 0 && u < 1;
      mean += u / 10000;
    }
    expect(inRange).toBe(true);
    expect(mean).toBeCloseTo(0.5, 1);
  });

  it('rejects bad seeds and states', () => {
    expect(() => new Rng(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/all zero/);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(TypeError);
  });
});
