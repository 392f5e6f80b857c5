/**
 * Test helper: the same batch in two layouts, to check an estimator's contiguous-group fast path
 * against its gather path. `contiguous` sorts the rows by group (stable); `interleaved` deals the
 * groups' rows round-robin (member 0 of every group, then member 1, …), so with two groups of two
 * or more no group is one run. `rowOf[i]` is the original row at position i of each layout.
 */
export function twoLayouts(rewards: Float64Array, groupIds: Int32Array, k: number) {
  const groups = new Map<number, number[]>();
  groupIds.forEach((g, i) => groups.set(g, [...(groups.get(g) ?? []), i]));
  const lists = [...groups.values()];
  const contiguousRows = lists.flat();
  const interleavedRows: number[] = [];
  for (let m = 0; m < Math.max(0, ...lists.map((l) => l.length)); m++) for (const l of lists) if (m < l.length) interleavedRows.push(l[m]);
  const build = (rows: number[]) => ({
    rewards: Float64Array.from(rows.flatMap((i) => Array.from(rewards.subarray(i * k, i * k + k)))),
    groupIds: Int32Array.from(rows, (i) => groupIds[i]),
    rowOf: rows,
  });
  return { contiguous: build(contiguousRows), interleaved: build(interleavedRows) };
}

/** `values` of the rows of one layout, put back in original row order. */
export function unpermute(values: ArrayLike<number>, rowOf: number[]): number[] {
  const out = new Array<number>(rowOf.length);
  rowOf.forEach((row, i) => (out[row] = values[i]));
  return out;
}
