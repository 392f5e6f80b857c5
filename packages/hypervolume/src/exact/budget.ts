import { FrontierError, describeValue } from '@paretopo/pareto';

/**
 * Default work budget of the dimension sweep, in work units: per sweep call 64 + n·d (buffers,
 * sort), per sweep step 8 + m·(d−1) for the scan of the m kept points, plus c² when the next
 * level is the O(c²) 4-D core on c points. Units ran at 2–5e6 per second on the development
 * machine under a load of 16 on 2 cores, so 5e8 is on the order of 15 s on an idle core and a
 * few minutes under that load; the benchmark's d = 5, n = 1000 and d = 6, n = 200 fronts use
 * about 2e6.
 *
 * @example
 * DEFAULT_HV_BUDGET; // 5e8
 */
export const DEFAULT_HV_BUDGET = 5e8;

/** The `budget` option of `hypervolume`, `hvContributions` and `hvImprovement`. */
export interface BudgetOptions {
  /**
   * Work budget of the dimension sweep (d ≥ 5, and `hypervolume`'s `'sweep'` / `'sweep-2d'`), in
   * work units (about one per kept point visited per sweep level, see {@link DEFAULT_HV_BUDGET}).
   * Default 5e8 (~15 s on an idle core); `Infinity` for none. Past it the call throws a
   * `FrontierError` with code `'BUDGET_EXCEEDED'`, naming the Monte Carlo estimator, instead of
   * running for hours (50 points in 15 objectives would).
   */
  readonly budget?: number;
}

/**
 * Thrown by {@link charge} and caught by {@link withBudget}, which rethrows it as a
 * `FrontierError` naming the public function.
 */
const EXCEEDED = Symbol('hypervolume budget exceeded');

// The meter of the running exact computation. The cores are synchronous and never call user
// code, so one module-level meter serves every public entry point; withBudget saves and restores
// it, which keeps nested entries (none today) correct as well.
let left = Infinity;

/**
 * Validates `options.budget`: a positive number, `Infinity` for no limit.
 *
 * @example
 * resolveBudget(undefined, 'hypervolume'); // 5e8
 * resolveBudget(0, 'hypervolume');         // throws RangeError
 */
export function resolveBudget(budget: unknown, fn: string): number {
  if (budget === undefined) return DEFAULT_HV_BUDGET;
  if (typeof budget !== 'number' || !(budget > 0)) {
    throw new RangeError(`${fn}: options.budget must be a positive number or Infinity (got ${describeValue(budget)})`);
  }
  return budget;
}

/**
 * Runs an exact computation of `n` points in `d` objectives under a work budget. When the cores
 * {@link charge} more than `budget` units, it stops at once and throws a `FrontierError` with code
 * `'BUDGET_EXCEEDED'` whose message names the budget, the worst-case cost n^(d−2) and the Monte
 * Carlo estimator as the way out.
 *
 * @example
 * withBudget(1e9, 'hypervolume', 50, 3, () => 42); // 42
 */
export function withBudget<T>(budget: number, fn: string, n: number, d: number, run: () => T): T {
  const saved = left;
  left = budget;
  try {
    return run();
  } catch (err) {
    if (err !== EXCEEDED) throw err;
    const worst = d >= 4 ? n ** (d - 2) : n * Math.log2(Math.max(n, 2));
    throw new FrontierError(
      'BUDGET_EXCEEDED',
      `${fn}: exact hypervolume of ${n} points in ${d} objectives needs more than options.budget = ${budget} work units ` +
        `(worst case about n^(d−2) = ${worst.toPrecision(3)}); use estimateHypervolume (Monte Carlo, cost samples·n·d) ` +
        'or pass a larger options.budget (Infinity for none)',
    );
  } finally {
    left = saved;
  }
}

/**
 * Spends `units` of the running computation's budget (unchecked: called by the cores once per
 * sweep step, never in an inner loop).
 *
 * @example
 * charge(1000); // throws inside withBudget once the budget is spent
 */
export function charge(units: number): void {
  left -= units;
  if (left < 0) throw EXCEEDED;
}
