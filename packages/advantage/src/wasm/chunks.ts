/**
 * Chunks of whole groups for the kernels on equal runs: a batch goes through a module's memory
 * chunk by chunk, so that each chunk's data stays in cache from its copy in, through the kernel,
 * to its copy out.
 */

/** Groups per chunk: as many runs of G as fit in `maxRows` rows, at least one, at most all. */
export function groupsPerChunk(nGroups: number, G: number, maxRows: number): number {
  return Math.min(nGroups, Math.max(1, Math.floor(maxRows / G)));
}

/** A module's memory as one chunk sees it. */
export interface ChunkViews {
  /** The chunk's rewards (k a row) and ids, copied in before each kernel call. */
  readonly rew: Float64Array;
  readonly ids: Int32Array;
  /** The chunk's advantages, copied out to `out` after each call; null to leave them there. */
  readonly adv: Float64Array | null;
}

/**
 * For each chunk of `perChunk` groups in order: checks that its first id is above the previous
 * row's (the kernel checks the runs inside a chunk), copies its rewards and ids in, calls
 * `each(r0, r1)` with its rows, and copies its advantages out to `out[r0 .. r1)`.
 *
 * @returns `'layout'` at the first chunk start that breaks the layout, the first value other than
 *   undefined that `each` returns (its chunk is then not copied out), or undefined when every
 *   chunk ran
 */
export function eachChunk<T>(
  rewards: Float64Array,
  groupIds: Int32Array,
  k: number,
  G: number,
  perChunk: number,
  views: ChunkViews,
  out: Float64Array,
  each: (r0: number, r1: number) => T | undefined,
): T | 'layout' | undefined {
  const { rew, ids, adv } = views;
  const nGroups = groupIds.length / G;
  for (let g0 = 0; g0 < nGroups; g0 += perChunk) {
    const r0 = g0 * G;
    const r1 = Math.min(nGroups, g0 + perChunk) * G;
    if (g0 > 0 && groupIds[r0] <= groupIds[r0 - 1]) return 'layout';
    rew.set(rewards.subarray(r0 * k, r1 * k));
    ids.set(groupIds.subarray(r0, r1));
    const res = each(r0, r1);
    if (res !== undefined) return res;
    if (adv !== null) out.set(r1 - r0 === adv.length ? adv : adv.subarray(0, r1 - r0), r0);
  }
  return undefined;
}
