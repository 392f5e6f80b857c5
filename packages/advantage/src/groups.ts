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

/**
 * Copies column `j` (or, when `w` is given, the weighted sum `w · r`) of the group's rows into
 * `buf[0 .. e − s)` and returns the shifted sum `Σ (buf[a] − buf[0])` computed on the way (see
 * `shiftedSum`). Per-group gathering keeps every later pass inside L1 cache.
 *
 * @returns the shifted sum of the gathered values (non-finite when one of them is)
 * @example
 * const buf = new Float64Array(2);
 * gatherGroup(Float64Array.of(1, 0, 0, 1), 2, null, 1, null, 0, 2, buf); // 1; buf = [0, 1]
 */
export function gatherGroup(
  rewards: Float64Array,
  k: number,
  w: Float64Array | null,
  j: number,
  order: Int32Array | null,
  s: number,
  e: number,
  buf: Float64Array,
): number {
  let sum = 0;
  if (w === null || k === 1) {
    const scale = w === null ? 1 : w[0];
    const first = scale * rewards[(order === null ? s : order[s]) * k + j];
    for (let a = s; a < e; a++) {
      const v = scale * rewards[(order === null ? a : order[a]) * k + j];
      buf[a - s] = v;
      sum += v - first;
    }
  } else if (k === 2) {
    const w0 = w[0];
    const w1 = w[1];
    const o0 = (order === null ? s : order[s]) * 2;
    const first = w0 * rewards[o0] + w1 * rewards[o0 + 1];
    for (let a = s; a < e; a++) {
      const o = (order === null ? a : order[a]) * 2;
      const v = w0 * rewards[o] + w1 * rewards[o + 1];
      buf[a - s] = v;
      sum += v - first;
    }
  } else {
    for (let a = s; a < e; a++) {
      const o = (order === null ? a : order[a]) * k;
      let acc = 0;
      for (let c = 0; c < k; c++) acc += w[c] * rewards[o + c];
      buf[a - s] = acc;
      sum += acc - buf[0];
    }
  }
  return sum;
}

/**
 * Writes `buf[0 .. e − s)` back to the group's rows of `out`.
 *
 * @example
 * const out = new Float64Array(3);
 * scatterGroup(out, Int32Array.of(0, 2, 1), 0, 2, Float64Array.of(5, 6)); // out = [5, 0, 6]
 */
export function scatterGroup(out: Float64Array, order: Int32Array | null, s: number, e: number, buf: Float64Array): void {
  if (order === null) for (let a = s; a < e; a++) out[a] = buf[a - s];
  else for (let a = s; a < e; a++) out[order[a]] = buf[a - s];
}
