import type { Points } from '../src/types';

/** mulberry32: a small seeded PRNG, so every run times the same inputs. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `cube`: uniform in [0, 1)^d (many fronts, most points dominated).
 * `front`: uniform on the simplex Σx = 1 (every point non-dominated: one front, the worst case
 * for front-scanning algorithms).
 * `rewards`: the trainer's case, maximised (r_task ∈ {0, 1}, r_tool = exp(−0.5·|calls − 1|)): heavy ties.
 */
export type Kind = 'cube' | 'front' | 'rewards';

export function makePoints(n: number, d: number, kind: Kind, seed = 1): Points {
  const next = rng(seed + 7919 * d + n);
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    if (kind === 'cube') {
      for (let j = 0; j < d; j++) data[i * d + j] = next();
    } else if (kind === 'front') {
      let s = 0;
      for (let j = 0; j < d; j++) s += data[i * d + j] = -Math.log(1 - next());
      for (let j = 0; j < d; j++) data[i * d + j] /= s;
    } else {
      for (let j = 0; j < d; j++) data[i * d + j] = j === 0 ? (next() < 0.6 ? 1 : 0) : Math.exp(-0.5 * Math.abs(Math.floor(next() * 5) - 1));
    }
  }
  return { data, n, d };
}
