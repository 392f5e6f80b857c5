/**
 * Exact hypervolume on the grid of distinct coordinates (unchecked core, contract as
 * {@link hv1d}): a grid cell counts when some point weakly dominates its lower corner.
 * O(nᵈ·n·d) time: a second, independent test oracle for small n and d.
 *
 * @example
 * hvSlicing(Float64Array.of(1, 0, 1, 0, 1, 0), 2, 3, Float64Array.of(2, 2, 2)); // 5
 */
export function hvSlicing(data: Float64Array, n: number, d: number, ref: Float64Array): number {
  if (n === 0) return 0;
  const axes: number[][] = [];
  for (let j = 0; j < d; j++) {
    const vals = new Set<number>([ref[j]]);
    for (let i = 0; i < n; i++) vals.add(data[i * d + j]);
    axes.push([...vals].sort((a, b) => a - b));
  }
  const corner = new Int32Array(d);
  let total = 0;
  const walk = (j: number, vol: number): void => {
    if (j === d) {
      for (let i = 0; i < n; i++) {
        let covers = true;
        for (let k = 0; k < d; k++) {
          if (data[i * d + k] > axes[k][corner[k]]) {
            covers = false;
            break;
          }
        }
        if (covers) {
          total += vol;
          return;
        }
      }
      return;
    }
    const ax = axes[j];
    for (let c = 0; c + 1 < ax.length; c++) {
      corner[j] = c;
      walk(j + 1, vol * (ax[c + 1] - ax[c]));
    }
  };
  walk(0, 1);
  return total;
}
