/**
 * Exact hypervolume by inclusion–exclusion over all non-empty subsets (unchecked core, contract
 * as {@link hv1d}): Σ_T (−1)^(|T|+1) vol(box of the component-wise max of T). O(2ⁿ·d): only for
 * tiny sets, and obviously correct, so it is the test oracle of the fast cores.
 *
 * @example
 * hvInclusionExclusion(Float64Array.of(5, 5, 4, 6, 2, 7, 7, 4), 4, 2, Float64Array.of(10, 10)); // 38
 */
export function hvInclusionExclusion(data: Float64Array, n: number, d: number, ref: Float64Array): number {
  const join = new Float64Array((n + 1) * d);
  // Depth 0 holds the "empty join": −∞ so that max() picks the first member.
  join.fill(-Infinity, 0, d);
  let total = 0;
  const visit = (start: number, depth: number): void => {
    for (let i = start; i < n; i++) {
      let vol = 1;
      const cur = (depth + 1) * d;
      const prev = depth * d;
      for (let j = 0; j < d; j++) {
        const v = Math.max(join[prev + j], data[i * d + j]);
        join[cur + j] = v;
        vol *= ref[j] - v;
      }
      total += depth % 2 === 0 ? vol : -vol;
      visit(i + 1, depth + 1);
    }
  };
  visit(0, 0);
  return total;
}
