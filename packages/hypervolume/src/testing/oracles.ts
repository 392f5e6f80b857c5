/**
 * Slow, obviously correct reference implementations: the oracles this package tests its fast
 * cores with, exported from `@paretopo/hypervolume/testing`. Exponential in n: keep n ≤ 12.
 * Minimisation, plain nested arrays (`rows[i][j]`), so they share no code with the fast paths.
 */

/**
 * Hypervolume by inclusion–exclusion over every non-empty subset: the intersection of the boxes
 * of a subset is the box of its component-wise maximum (minimisation). Points outside the
 * reference box contribute empty boxes.
 *
 * @example
 * hvInclusionExclusionOracle([[5, 5], [4, 6], [2, 7], [7, 4]], [10, 10]); // 38
 */
export function hvInclusionExclusionOracle(rows: number[][], ref: number[]): number {
  const n = rows.length;
  const d = ref.length;
  let total = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const corner = new Array<number>(d).fill(-Infinity);
    let size = 0;
    for (let i = 0; i < n; i++) {
      if (!(mask & (1 << i))) continue;
      size++;
      for (let j = 0; j < d; j++) corner[j] = Math.max(corner[j], rows[i][j]);
    }
    let vol = 1;
    for (let j = 0; j < d; j++) vol *= Math.max(0, ref[j] - corner[j]);
    total += size % 2 === 1 ? vol : -vol;
  }
  return total;
}

/**
 * Contributions by definition: HV(all) − HV(all without i), each by inclusion–exclusion.
 *
 * @example
 * contributionsOracle([[5, 5], [4, 6], [2, 7], [7, 4]], [10, 10]); // [2, 1, 6, 3]
 */
export function contributionsOracle(rows: number[][], ref: number[]): number[] {
  const all = hvInclusionExclusionOracle(rows, ref);
  return rows.map((_, i) => all - hvInclusionExclusionOracle(rows.filter((_, k) => k !== i), ref));
}
