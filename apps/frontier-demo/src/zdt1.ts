/**
 * ZDT1 (Zitzler, Deb & Thiele 2000): m decision variables in [0, 1], two minimised objectives
 * f1 = x1, f2 = g·(1 − sqrt(f1/g)), g = 1 + 9·mean(x2..xm). Its Pareto front is f2 = 1 − sqrt(f1)
 * (g = 1), whose hypervolume against the reference point (1, 1) is ∫ sqrt(x) dx = 2/3.
 */
export const ZDT1_HV_REF11 = 2 / 3;

/** Writes the two objectives of each row of `x` (n × m) into `out` (n × 2). */
export function evaluateZdt1(x: Float64Array, n: number, m: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const row = i * m;
    let s = 0;
    for (let j = 1; j < m; j++) s += x[row + j];
    const g = 1 + (9 * s) / (m - 1);
    const f1 = x[row];
    out[2 * i] = f1;
    out[2 * i + 1] = g * (1 - Math.sqrt(f1 / g));
  }
}

/** `count` points evenly spaced on the true ZDT1 front, as a reference set for IGD. */
export function zdt1Front(count: number): Float64Array {
  const out = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    const f1 = i / (count - 1);
    out[2 * i] = f1;
    out[2 * i + 1] = 1 - Math.sqrt(f1);
  }
  return out;
}
