import { describe, expect, it } from 'vitest';
import { Rng } from '@paretopo/random';
import { benchPoints, seededRandom } from './random';

describe('seededRandom', () => {
  it('is deterministic per seed, in [0, 1), and differs across seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it("is @paretopo/random's Rng(seed).next() stream", () => {
    const rand = seededRandom(0);
    const rng = new Rng(0);
    for (let i = 0; i < 100; i++) expect(rand()).toBe(rng.next());
    expect(seededRandom(0)()).toBe(0.8868539502021594);
  });

  it('has a mean near 1/2 over 1e5 draws', () => {
    const rand = seededRandom(2026);
    let s = 0;
    for (let i = 0; i < 1e5; i++) s += rand();
    expect(Math.abs(s / 1e5 - 0.5)).toBeLessThan(0.005);
  });
});

describe('benchPoints', () => {
  it.each(['cube', 'simplex', 'sphere', 'rewards'] as const)('%s: shape, determinism and range', (kind) => {
    const p = benchPoints(500, 3, kind, 5);
    expect(p.n).toBe(500);
    expect(p.d).toBe(3);
    expect(p.data.length).toBe(1500);
    expect(benchPoints(500, 3, kind, 5).data).toEqual(p.data);
    for (const v of p.data) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('puts simplex points on Σx = 1 and sphere points on |x| = 1', () => {
    const simplex = benchPoints(200, 4, 'simplex');
    const sphere = benchPoints(200, 4, 'sphere');
    for (let i = 0; i < 200; i++) {
      let s = 0;
      let q = 0;
      for (let j = 0; j < 4; j++) {
        s += simplex.data[i * 4 + j];
        q += sphere.data[i * 4 + j] ** 2;
      }
      expect(s).toBeCloseTo(1, 12);
      expect(q).toBeCloseTo(1, 12);
    }
  });

  it('draws rewards on their grids: r_task ∈ {0, 1}, r_tool ∈ {exp(−k/2)}', () => {
    const { data } = benchPoints(300, 2, 'rewards');
    const tool = new Set([0, 1, 2, 3].map((k) => Math.exp(-0.5 * k)));
    for (let i = 0; i < 300; i++) {
      expect([0, 1]).toContain(data[2 * i]);
      expect(tool.has(data[2 * i + 1])).toBe(true);
    }
  });
});
