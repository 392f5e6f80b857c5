// Slow, obviously-correct references used as test oracles. Not part of the package's API.

/**
 * Exact hypervolume of maximised points against `ref` by brute force over the grid cells cut by
 * every coordinate: a cell counts when some point weakly dominates its upper corner. Points that do
 * not strictly dominate `ref` add nothing (their cells have zero width or lie outside the box).
 */
export function slowHypervolumeMax(rows: number[][], ref: ArrayLike<number>): number {
  const k = ref.length;
  const inside = rows.filter((r) => r.every((x, j) => x > ref[j]));
  if (inside.length === 0) return 0;
  const axes: number[][] = [];
  for (let j = 0; j < k; j++) {
    axes.push([...new Set([ref[j], ...inside.map((r) => r[j])])].sort((a, b) => a - b));
  }
  let total = 0;
  const idx = new Array<number>(k).fill(0);
  for (;;) {
    // Cell j-intervals [axes[j][idx[j]], axes[j][idx[j]+1]].
    let vol = 1;
    const upper: number[] = [];
    for (let j = 0; j < k; j++) {
      vol *= axes[j][idx[j] + 1] - axes[j][idx[j]];
      upper.push(axes[j][idx[j] + 1]);
    }
    if (inside.some((r) => r.every((x, j) => x >= upper[j]))) total += vol;
    let j = 0;
    while (j < k) {
      idx[j]++;
      if (idx[j] < axes[j].length - 1) break;
      idx[j] = 0;
      j++;
    }
    if (j === k) break;
  }
  return total;
}

/** Pareto dominance for maximisation. */
export function dominatesMax(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  let better = false;
  for (let j = 0; j < a.length; j++) {
    if (a[j] < b[j]) return false;
    if (a[j] > b[j]) better = true;
  }
  return better;
}

/** A list-based Pareto archive (maximisation): add keeps v iff nothing dominates or equals it. */
export function slowArchiveAdd(archive: number[][], v: number[]): { archive: number[][]; added: boolean } {
  if (archive.some((a) => dominatesMax(a, v) || a.every((x, j) => x === v[j]))) return { archive, added: false };
  return { archive: [...archive.filter((a) => !dominatesMax(v, a)), v], added: true };
}

/** Rows of a flat row-major array. */
export function rowsOf(data: ArrayLike<number>, k: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < data.length; i += k) rows.push(Array.from({ length: k }, (_, j) => data[i + j]));
  return rows;
}
