import { dedupe2, dominanceMasks, peelFronts, type RankScratch } from './dominance';

/**
 * The ParetoPO stage-2 advantage of one group (METHOD.md §3), written straight to the group's
 * rows of `out`: `out[st + a]`, or `out[order[st + a]]` for a gathered group. Within the group,
 * `A = N_rank − r + β(r̂ − 0.5)` with 0-based front r and r̂ the front's min–max normalised
 * `w · r` (0.5 when the front has no spread), then minus the group mean when centring (the even
 * and the odd members summed apart, each in member order, then added).
 */

/** The resolved options of `paretoRankAdvantages`. */
export interface RankAdvantageOptions {
  readonly w: Float64Array;
  readonly beta: number;
  /** `N_rank` = G (`'group-size'`) rather than the number of fronts. */
  readonly bySize: boolean;
  readonly center: boolean;
}

/**
 * Writes the advantages of the G rows `src[base .. base + G·k)` (see the file comment). k = 2
 * groups of up to 32 members work on their distinct vectors ({@link dedupe2}); others compare
 * every pair. A group whose members all share one vector (a singleton included) gets exactly 0.
 *
 * @returns false, with nothing written, when a value is NaN or infinite
 * @example
 * const out = new Float64Array(3);
 * const opts = { w: Float64Array.of(0.6, 0.4), beta: 0.5, bySize: false, center: false };
 * groupRankAdvantages(Float64Array.of(1, 0, 0, 1, 0, 0), 0, 2, 3, opts, rankScratch(3, 2), out, null, 0);
 * // true; out = [2.25, 1.75, 1]
 */
export function groupRankAdvantages(
  src: Float64Array,
  base: number,
  k: number,
  G: number,
  opts: RankAdvantageOptions,
  s: RankScratch,
  out: Float64Array,
  order: Int32Array | null,
  st: number,
): boolean {
  return k === 2 && G <= 32 ? distinctAdvantages2(src, base, G, opts, s, out, order, st) : pairAdvantages(src, base, k, G, opts, s, out, order, st);
}

/**
 * The k = 2 path: ranks, scalar rewards and the per-front min / max are computed once per
 * distinct vector, then each member takes its vector's advantage. Equal vectors would get equal
 * values anyway, so only repeated work is skipped.
 */
function distinctAdvantages2(
  src: Float64Array,
  base: number,
  G: number,
  opts: RankAdvantageOptions,
  s: RankScratch,
  out: Float64Array,
  order: Int32Array | null,
  st: number,
): boolean {
  const D = dedupe2(src, base, G, s);
  if (D < 0) return false;
  if (D === 1) {
    writeZeros(out, order, st, G);
    return true;
  }
  const { dvec, uniq, scalar, rank } = s;
  const w0 = opts.w[0];
  const w1 = opts.w[1];
  for (let d = 0; d < D; d++) scalar[d] = w0 * dvec[2 * d] + w1 * dvec[2 * d + 1];
  dominanceMasks(dvec, 0, 2, D, s);
  const fronts = peelFronts(D, s, rank, scalar);
  scoreFronts(D, s, opts.bySize ? G : fronts, opts.beta);
  writeGroup(scalar, uniq, G, opts.center, out, order, st);
  return true;
}

/** The general path: every pair of members compared (O(G²·k)), any k, any G. */
function pairAdvantages(
  src: Float64Array,
  base: number,
  k: number,
  G: number,
  opts: RankAdvantageOptions,
  s: RankScratch,
  out: Float64Array,
  order: Int32Array | null,
  st: number,
): boolean {
  const { scalar, rank } = s;
  const w = opts.w;
  // One pass for the finiteness probe Σ (x − x), whether any vector differs from the first, and w · r.
  let probe = 0;
  let differ = 0;
  if (k === 3 || k === 4) {
    // Unrolled (a 4th objective of weight 0 and value 0 when k = 3 changes nothing).
    const four = k === 4;
    const w0 = w[0];
    const w1 = w[1];
    const w2 = w[2];
    const w3 = four ? w[3] : 0;
    const f0 = src[base];
    const f1 = src[base + 1];
    const f2 = src[base + 2];
    const f3 = four ? src[base + 3] : 0;
    for (let a = 0; a < G; a++) {
      const o = base + a * k;
      const x0 = src[o];
      const x1 = src[o + 1];
      const x2 = src[o + 2];
      const x3 = four ? src[o + 3] : 0;
      probe += x0 - x0 + (x1 - x1) + (x2 - x2) + (x3 - x3);
      differ |= +(x0 !== f0) | +(x1 !== f1) | +(x2 !== f2) | +(x3 !== f3);
      let v = 0;
      v += w0 * x0;
      v += w1 * x1;
      v += w2 * x2;
      v += w3 * x3;
      scalar[a] = v;
    }
  } else {
    for (let a = 0; a < G; a++) {
      const o = base + a * k;
      let v = 0;
      for (let j = 0; j < k; j++) {
        const x = src[o + j];
        probe += x - x;
        differ |= +(x !== src[base + j]);
        v += w[j] * x;
      }
      scalar[a] = v;
    }
  }
  if (probe !== 0) return false;
  if (differ === 0) {
    writeZeros(out, order, st, G);
    return true;
  }
  dominanceMasks(src, base, k, G, s);
  const fronts = peelFronts(G, s, rank, scalar);
  scoreFronts(G, s, opts.bySize ? G : fronts, opts.beta);
  writeGroup(scalar, null, G, opts.center, out, order, st);
  return true;
}

/**
 * `A = N_rank − r + β(r̂ − 0.5)` in place for entries 0 … count − 1 of `s.scalar` (members, or
 * distinct vectors), from their fronts `s.rank` and the fronts' `s.lo` / `s.inv`.
 */
function scoreFronts(count: number, s: RankScratch, nRank: number, beta: number): void {
  const { scalar, rank, lo, inv } = s;
  for (let i = 0; i < count; i++) {
    const r = rank[i];
    const f = inv[r];
    // r̂ = (v − lo)/span, or 0.5 when the front has no spread (f = 0): no branch on the data.
    const unit = (scalar[i] - lo[r]) * f + 0.5 * +(f === 0);
    // A_base = N_rank − ρ + 1 with 1-based ρ, i.e. N_rank − r for the 0-based r used here.
    scalar[i] = nRank - r + beta * (unit - 0.5);
  }
}

/**
 * Writes member a's advantage (`scalar[uniq[a]]`, or `scalar[a]` without `uniq`) to its row,
 * minus the group mean when centring: the even and the odd members summed apart, each in member
 * order (the WebAssembly kernel's order).
 */
function writeGroup(
  scalar: Float64Array,
  uniq: Int32Array | null,
  G: number,
  center: boolean,
  out: Float64Array,
  order: Int32Array | null,
  st: number,
): void {
  let sum0 = 0;
  let sum1 = 0;
  let a = 0;
  for (; a + 1 < G; a += 2) {
    sum0 += scalar[uniq === null ? a : uniq[a]];
    sum1 += scalar[uniq === null ? a + 1 : uniq[a + 1]];
  }
  if (a < G) sum0 += scalar[uniq === null ? a : uniq[a]];
  const mean = center ? (sum0 + sum1) / G : 0;
  for (a = 0; a < G; a++) out[order === null ? st + a : order[st + a]] = scalar[uniq === null ? a : uniq[a]] - mean;
}

/** A group whose members share one vector (a singleton included): exactly 0, centred or not. */
function writeZeros(out: Float64Array, order: Int32Array | null, st: number, G: number): void {
  if (order === null) for (let a = 0; a < G; a++) out[st + a] = 0;
  else for (let a = 0; a < G; a++) out[order[st + a]] = 0;
}
