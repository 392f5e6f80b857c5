/**
 * Where each group's rows are: group g (numbered densely in order of first appearance) owns rows
 * `order[starts[g] .. starts[g + 1])`, or rows `starts[g] .. starts[g + 1] − 1` themselves when
 * `order` is null (the batch is already grouped in contiguous runs, the usual trainer layout).
 */
export interface GroupLayout {
  readonly nGroups: number;
  readonly starts: Int32Array;
  readonly order: Int32Array | null;
}

/**
 * Buckets a batch by group id, once per estimator call. Ids are arbitrary int32 values and groups
 * need not be contiguous. Contiguous batches are recognised in one sweep: when ids rise from run to
 * run nothing more is needed, else one table probe per group checks that runs are distinct; otherwise a counting sort (stable: batch order within a group) builds `order`. When
 * the id range is at most a few times n (prompt indices), a flat lookup table replaces hashing.
 *
 * @param groupIds - one id per row
 * @returns the {@link GroupLayout}
 * @example
 * groupLayout(Int32Array.of(7, 7, -1)); // { nGroups: 2, starts: [0, 2, 3], order: null }
 * groupLayout(Int32Array.of(7, -1, 7)); // { nGroups: 2, starts: [0, 2, 3], order: [0, 2, 1] }
 */
export function groupLayout(groupIds: Int32Array): GroupLayout {
  const n = groupIds.length;
  if (n === 0) return { nGroups: 0, starts: new Int32Array(1), order: null };
  // One sweep: where each run of equal ids starts, and whether ids ever fall from run to run.
  const runStarts = new Int32Array(n + 1);
  let runs = 1;
  let descents = 0;
  let prev = groupIds[0];
  for (let i = 1; i < n; i++) {
    const v = groupIds[i];
    if (v !== prev) {
      runStarts[runs++] = i;
      descents += +(v < prev);
      prev = v;
    }
  }
  runStarts[runs] = n;
  // Ids rising run to run (the common 0, 0, …, 1, 1, … layout): the runs are distinct groups.
  if (descents === 0) return { nGroups: runs, starts: runStarts.subarray(0, runs + 1), order: null };
  let lo = groupIds[0];
  let hi = lo;
  for (let r = 1; r < runs; r++) {
    const v = groupIds[runStarts[r]];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  const table = hi - lo + 1 <= 4 * n + 1024 ? new Int32Array(hi - lo + 1).fill(-1) : null;
  const map = table === null ? new Map<number, number>() : null;
  // Contiguous runs with distinct ids: the runs are the groups (one table probe per run).
  let contiguous = true;
  for (let r = 0; r < runs && contiguous; r++) {
    const id = groupIds[runStarts[r]];
    if (table !== null) {
      if (table[id - lo] >= 0) contiguous = false;
      else table[id - lo] = r;
    } else if (map!.has(id)) contiguous = false;
    else map!.set(id, r);
  }
  if (contiguous) return { nGroups: runs, starts: runStarts.subarray(0, runs + 1), order: null };
  // General case: dense ids by first appearance, then a counting sort of the rows.
  const dense = new Int32Array(n);
  const counts = new Int32Array(n);
  let nGroups = 0;
  if (table !== null) table.fill(-1);
  else map!.clear();
  for (let i = 0; i < n; i++) {
    const id = groupIds[i];
    let d: number;
    if (table !== null) {
      d = table[id - lo];
      if (d < 0) table[id - lo] = d = nGroups++;
    } else {
      const found = map!.get(id);
      if (found === undefined) map!.set(id, (d = nGroups++));
      else d = found;
    }
    dense[i] = d;
    counts[d]++;
  }
  const gStarts = new Int32Array(nGroups + 1);
  for (let d = 0; d < nGroups; d++) gStarts[d + 1] = gStarts[d] + counts[d];
  const cursor = counts;
  cursor.set(gStarts.subarray(0, nGroups));
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[cursor[dense[i]]++] = i;
  return { nGroups, starts: gStarts, order };
}

/**
 * The size of the largest group (0 for an empty batch), to size per-call scratch arrays.
 *
 * @example
 * maxGroupSize(groupLayout(Int32Array.of(1, 1, 2))); // 2
 */
export function maxGroupSize(layout: GroupLayout): number {
  let m = 0;
  for (let g = 0; g < layout.nGroups; g++) {
    const c = layout.starts[g + 1] - layout.starts[g];
    if (c > m) m = c;
  }
  return m;
}
