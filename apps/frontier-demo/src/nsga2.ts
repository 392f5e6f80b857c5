import { ParetoArchive, rankAndCrowd } from '@paretopo/pareto';
import { hypervolume } from '@paretopo/hypervolume';
import { Rng } from '@paretopo/random';

/** A bi-objective minimisation problem over decision vectors in [0, 1]^m. */
export interface Problem {
  readonly m: number;
  /** Writes the objectives of each row of `x` (n × m) into `out` (n × 2). */
  evaluate(x: Float64Array, n: number, out: Float64Array): void;
}

/** Options of {@link runNsga2}. */
export interface Nsga2Options {
  readonly population?: number;
  readonly generations?: number;
  readonly seed?: number;
  /** Reference point for the hypervolume trace. Default (1, 1). */
  readonly ref?: readonly [number, number];
  /** Called after every generation, e.g. for a progress bar. */
  readonly onGeneration?: (generation: number, hv: number, archiveSize: number) => void;
}

/** What {@link runNsga2} returns. */
export interface Nsga2Result {
  /** Objectives of the final population (population × 2). */
  readonly objectives: Float64Array;
  /** Every non-dominated vector seen during the run. */
  readonly archive: ParetoArchive;
  /** Hypervolume of the population after each generation. */
  readonly hvTrace: Float64Array;
}

/**
 * NSGA-II (Deb et al. 2002) with simulated binary crossover and polynomial mutation, built from
 * `rankAndCrowd` for selection and `hypervolume` for the trace: a worked example that the frontier
 * packages compose into a real optimiser.
 */
export function runNsga2(problem: Problem, options: Nsga2Options = {}): Nsga2Result {
  const N = options.population ?? 100;
  if (!Number.isInteger(N) || N < 4 || N % 2 !== 0) {
    throw new RangeError(`runNsga2: options.population must be an even integer >= 4 (got ${N})`);
  }
  const G = options.generations ?? 200;
  const ref = options.ref ?? [1, 1];
  const rng = new Rng(options.seed ?? 1);
  // 32-bit uniforms: the stream this demo has always drawn (published figures stay the same).
  const rand = (): number => rng.nextUint32() * 2.3283064365386963e-10;
  const { m } = problem;
  // Parents and offspring live in one 2N buffer so environmental selection ranks them together.
  const x = new Float64Array(2 * N * m);
  const f = new Float64Array(2 * N * 2);
  for (let i = 0; i < N * m; i++) x[i] = rand();
  problem.evaluate(x, N, f);
  const archive = new ParetoArchive(2);
  const hvTrace = new Float64Array(G);
  let keys = rankAndCrowd({ data: f.subarray(0, 2 * N), n: N, d: 2 });
  const nextX = new Float64Array(N * m);
  const nextF = new Float64Array(N * 2);
  const order = new Int32Array(2 * N);

  const better = (a: number, b: number) =>
    keys.ranks[a] < keys.ranks[b] || (keys.ranks[a] === keys.ranks[b] && keys.crowding[a] > keys.crowding[b]) ? a : b;
  const tournament = () => better(Math.floor(rand() * N), Math.floor(rand() * N));

  for (let gen = 0; gen < G; gen++) {
    for (let c = 0; c < N; c += 2) {
      const p1 = tournament();
      const p2 = tournament();
      // N is even (checked by the caller), so the second child always exists.
      sbx(x, p1 * m, p2 * m, (N + c) * m, (N + c + 1) * m, m, rand);
    }
    for (let i = N * m; i < 2 * N * m; i++) {
      if (rand() < 1 / m) x[i] = polynomialMutation(x[i], rand);
    }
    problem.evaluate(x.subarray(N * m), N, f.subarray(2 * N));
    const all = rankAndCrowd({ data: f, n: 2 * N, d: 2 });
    for (let i = 0; i < 2 * N; i++) order[i] = i;
    order.sort((a, b) => all.ranks[a] - all.ranks[b] || all.crowding[b] - all.crowding[a]);
    for (let k = 0; k < N; k++) {
      const i = order[k];
      nextX.set(x.subarray(i * m, i * m + m), k * m);
      nextF.set(f.subarray(2 * i, 2 * i + 2), 2 * k);
    }
    x.set(nextX);
    f.set(nextF);
    keys = rankAndCrowd({ data: f.subarray(0, 2 * N), n: N, d: 2 });
    for (let k = 0; k < N; k++) if (keys.ranks[k] === 0) archive.add(f.subarray(2 * k, 2 * k + 2));
    hvTrace[gen] = hypervolume({ data: f.subarray(0, 2 * N), n: N, d: 2 }, ref);
    options.onGeneration?.(gen + 1, hvTrace[gen], archive.size);
  }
  return { objectives: f.slice(0, 2 * N), archive, hvTrace };
}

/** Simulated binary crossover (Deb & Agrawal 1995), distribution index 15, bounds [0, 1]. */
function sbx(x: Float64Array, a: number, b: number, c1: number, c2: number, m: number, rand: () => number): void {
  const eta = 15;
  for (let j = 0; j < m; j++) {
    const p1 = x[a + j];
    const p2 = x[b + j];
    const u = rand();
    const beta = u <= 0.5 ? (2 * u) ** (1 / (eta + 1)) : (1 / (2 * (1 - u))) ** (1 / (eta + 1));
    const swap = rand() < 0.5;
    const y1 = clamp01(0.5 * ((1 + beta) * p1 + (1 - beta) * p2));
    const y2 = clamp01(0.5 * ((1 - beta) * p1 + (1 + beta) * p2));
    x[c1 + j] = swap ? y2 : y1;
    x[c2 + j] = swap ? y1 : y2;
  }
}

/** Polynomial mutation (Deb & Goyal 1996), distribution index 20, bounds [0, 1]. */
function polynomialMutation(v: number, rand: () => number): number {
  const eta = 20;
  const u = rand();
  const delta = u < 0.5 ? (2 * u) ** (1 / (eta + 1)) - 1 : 1 - (2 * (1 - u)) ** (1 / (eta + 1));
  return clamp01(v + delta);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
