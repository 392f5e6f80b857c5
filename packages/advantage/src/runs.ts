import { groupLayout, type GroupLayout } from './groups';

/**
 * The usual trainer layout, recognised without the general bucketing of `groupLayout`: the n rows
 * are n / G runs of exactly G equal ids, and each run's id is larger than the one before (prompt
 * p's G samples in rows p·G … p·G + G − 1). On that layout the estimators read rows in place,
 * group after group, with no index arrays and no allocation.
 */

/**
 * The candidate group size G: the length of the first run of equal ids, when n is a multiple of
 * it; else 0 (also for an empty batch). O(G): the rest of the layout is confirmed by
 * {@link isEqualRuns}, or by the estimator's first pass over the rows, before a result is returned.
 *
 * @example
 * firstRunLength(Int32Array.of(4, 4, 9, 9)); // 2
 * firstRunLength(Int32Array.of(4, 4, 9)); // 0
 */
export function firstRunLength(groupIds: Int32Array): number {
  const n = groupIds.length;
  if (n === 0) return 0;
  const id = groupIds[0];
  let G = 1;
  while (G < n && groupIds[G] === id) G++;
  return n % G === 0 ? G : 0;
}

/**
 * Whether `groupIds` is n / G runs of G equal ids with strictly increasing run ids (which makes the
 * runs distinct groups). One branch-free sweep; the estimators whose per-group work dwarfs it call
 * this, while the scalar ones fuse the same test into their first pass.
 *
 * @example
 * isEqualRuns(Int32Array.of(1, 1, 3, 3), 2); // true
 * isEqualRuns(Int32Array.of(3, 3, 1, 1), 2); // false (runs not increasing)
 */
export function isEqualRuns(groupIds: Int32Array, G: number): boolean {
  const n = groupIds.length;
  if (G < 1 || n % G !== 0) return false;
  let bad = 0;
  for (let s = 0; s < n; s += G) {
    const id = groupIds[s];
    if (s > 0) bad |= +(id <= groupIds[s - 1]);
    const e = s + G;
    for (let a = s + 1; a < e; a++) bad |= groupIds[a] ^ id;
  }
  return bad === 0;
}

let runStarts = new Int32Array(0);

/**
 * The batch's {@link GroupLayout}: on equal runs (checked with {@link isEqualRuns}, one sweep) the
 * run starts, written into a module-level buffer reused across calls so that nothing is
 * allocated; otherwise {@link groupLayout}. The buffer is overwritten by the next call, so callers
 * use the layout within one estimator call only.
 *
 * @example
 * layoutOf(Int32Array.of(2, 2, 5, 5)); // { nGroups: 2, starts: [0, 2, 4, …], order: null }
 */
export function layoutOf(groupIds: Int32Array): GroupLayout {
  const G = firstRunLength(groupIds);
  if (G === 0 || !isEqualRuns(groupIds, G)) return groupLayout(groupIds);
  const nGroups = groupIds.length / G;
  if (runStarts.length < nGroups + 1) runStarts = new Int32Array(2 * nGroups + 2);
  for (let g = 0; g <= nGroups; g++) runStarts[g] = g * G;
  return { nGroups, starts: runStarts, order: null };
}
