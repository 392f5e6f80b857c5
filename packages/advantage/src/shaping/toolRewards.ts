import { describeValue } from '@paretopo/pareto';
import { checkOptionKeys, enumOption, numberOption } from '../options';

function checkCount(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`${fn}: ${name} must be a non-negative integer (got ${describeValue(v)})`);
  }
  return v;
}

/**
 * What r_tool is while `N_opt(q)` is unknown (q has no correct trajectory yet, METHOD.md §1):
 * - `'value'`: `exp(−α·|N_call − fallbackNOpt|)`; with `fallbackNOpt` 0, fewer calls is better even
 *   on questions the policy cannot answer yet (the literal reading).
 * - `'zero-reward'`: 0 for every trajectory of q: no efficiency signal until q is solved, so wrong
 *   answers with fewer calls are not preferred over wrong answers with more.
 */
export type NOptFallback = 'value' | 'zero-reward';

/** Options of {@link toolEfficiencyReward}. */
export interface ToolEfficiencyOptions {
  /** Decay rate α ≥ 0. Default 0.5 (METHOD.md §1). */
  readonly alpha?: number;
  /** What r_tool is while `N_opt` is unknown. Default `'value'`. */
  readonly nOptFallback?: NOptFallback;
  /** `N_opt` used while it is unknown, under `nOptFallback: 'value'`. Default 0: fewer calls is better. */
  readonly fallbackNOpt?: number;
}

/**
 * ParetoPO's tool-efficiency objective (METHOD.md §1): `r_tool = exp(−α · |N_call − N_opt|)`, in (0, 1],
 * 1 exactly at `N_opt` calls. `nOpt` undefined (no correct trajectory yet) follows `nOptFallback`
 * ({@link NOptFallback}).
 *
 * @param calls - tool calls of the trajectory (non-negative integer)
 * @param nOpt - `N_opt(q)` from an {@link NOptTracker}, or undefined
 * @param options - `alpha` 0.5, `nOptFallback` `'value'`, `fallbackNOpt` 0
 * @returns the reward
 * @example
 * toolEfficiencyReward(3, 1);          // exp(−1) ≈ 0.3679
 * toolEfficiencyReward(2, undefined);  // exp(−1) ≈ 0.3679 (fallback N_opt = 0)
 * toolEfficiencyReward(2, undefined, { nOptFallback: 'zero-reward' }); // 0
 */
export function toolEfficiencyReward(calls: number, nOpt: number | undefined, options?: ToolEfficiencyOptions): number {
  const fn = 'toolEfficiencyReward';
  const opts = checkOptionKeys(fn, options, ['alpha', 'nOptFallback', 'fallbackNOpt']);
  checkCount(fn, 'calls', calls);
  const alpha = numberOption(fn, 'alpha', opts.alpha, 0.5, { min: 0 });
  const mode = enumOption<NOptFallback>(fn, 'nOptFallback', opts.nOptFallback, 'value', ['value', 'zero-reward']);
  const fallback = numberOption(fn, 'fallbackNOpt', opts.fallbackNOpt, 0, { min: 0 });
  if (nOpt === undefined && mode === 'zero-reward') return 0;
  const target = nOpt === undefined ? fallback : checkCount(fn, 'nOpt', nOpt);
  return Math.exp(-alpha * Math.abs(calls - target));
}

/** Options of the OTC tool rewards. */
export interface OtcOptions {
  /**
   * Smoothing constant c > 0 of `cos(mπ/(2m + c))`: larger c decays more slowly with m. Default 1
   * (a project default; the OTC paper leaves c as a hyper-parameter).
   */
  readonly c?: number;
}

/**
 * OTC-PPO tool reward (Wang et al. 2025, "Acting Less is Reasoning More! Teaching Model to Act
 * Efficiently", arXiv:2504.14870, §3): PPO has no group to estimate the optimal call count from,
 * so the reward simply decays with the number of calls m: `r_tool = cos(m·π/(2m + c))`, 1 at m = 0
 * and tending to 0 as m grows. The final reward is `r_task · r_tool`.
 *
 * @param calls - m, tool calls of the trajectory
 * @param options - `c` (default 1)
 * @returns r_tool ∈ (0, 1]
 * @example
 * otcPpoToolReward(0); // 1
 * otcPpoToolReward(1); // cos(π/3) = 0.5
 */
export function otcPpoToolReward(calls: number, options?: OtcOptions): number {
  const fn = 'otcPpoToolReward';
  const opts = checkOptionKeys(fn, options, ['c']);
  const m = checkCount(fn, 'calls', calls);
  const c = numberOption(fn, 'c', opts.c, 1, { min: 0 });
  if (c === 0) throw new RangeError(`${fn}: options.c must be > 0 (got 0)`);
  return Math.cos((m * Math.PI) / (2 * m + c));
}

/**
 * OTC-GRPO tool reward (Wang et al. 2025, arXiv:2504.14870; METHOD.md §6), with m the calls of the
 * trajectory and n = N_opt(q) the optimal call count:
 * `f(m, n) = 0 if m = n = 0; m if n = 0; 2nm/(m + n) otherwise`, and
 * `r_otc = 1 if f = n = 0; cos(mπ/(2m + c)) if n = 0; sin(f·π/(2n)) otherwise` — 1 at m = n, lower
 * for both fewer and more calls. The OTC-GRPO reward is `r_task · r_otc`.
 *
 * @param calls - m, tool calls of the trajectory
 * @param nOpt - n = N_opt(q) (after observing the batch it is defined for every correct trajectory)
 * @param options - `c` (default 1)
 * @returns r_otc ∈ [0, 1]
 * @example
 * otcGrpoToolReward(2, 2); // 1
 * otcGrpoToolReward(0, 2); // 0
 * otcGrpoToolReward(0, 0); // 1
 * otcGrpoToolReward(1, 0); // cos(π/3) = 0.5
 */
export function otcGrpoToolReward(calls: number, nOpt: number, options?: OtcOptions): number {
  const fn = 'otcGrpoToolReward';
  const opts = checkOptionKeys(fn, options, ['c']);
  const m = checkCount(fn, 'calls', calls);
  const n = checkCount(fn, 'nOpt', nOpt);
  const c = numberOption(fn, 'c', opts.c, 1, { min: 0 });
  if (c === 0) throw new RangeError(`${fn}: options.c must be > 0 (got 0)`);
  if (n === 0) return m === 0 ? 1 : Math.cos((m * Math.PI) / (2 * m + c));
  const f = (2 * n * m) / (m + n);
  return Math.sin((f * Math.PI) / (2 * n));
}
