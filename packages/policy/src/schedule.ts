/** Options of `AdamW` (defaults in brackets). */
export interface AdamWOptions {
  /** Peak learning rate [3e-3]. */
  lr?: number;
  /** First-moment decay [0.9]. */
  beta1?: number;
  /** Second-moment decay [0.95]. */
  beta2?: number;
  /** Denominator epsilon [1e-8]. */
  eps?: number;
  /** Decoupled weight decay, applied to matrices and embeddings only (not biases or layer-norm gains) [0.1]. */
  weightDecay?: number;
  /** Linear warmup steps from 0 to `lr` [0]. */
  warmupSteps?: number;
  /** Steps of the cosine decay after warmup; `0` keeps `lr` constant after warmup [0]. */
  totalSteps?: number;
  /** Floor of the cosine as a fraction of `lr` [0.1]. */
  minLrRatio?: number;
  /** Global gradient-norm clip; `0` disables it [1]. */
  clipNorm?: number;
}

/** Resolved {@link AdamWOptions}. */
export type ResolvedAdamWOptions = Required<AdamWOptions>;

/**
 * Resolves and checks AdamW options.
 *
 * @param options - partial options
 * @returns every option, defaults filled in
 * @throws RangeError naming a bad option
 * @example
 * resolveAdamWOptions({ lr: 1e-3 }).beta2; // 0.95
 */
export function resolveAdamWOptions(options: AdamWOptions = {}): ResolvedAdamWOptions {
  const o: ResolvedAdamWOptions = {
    lr: 3e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, warmupSteps: 0, totalSteps: 0, minLrRatio: 0.1, clipNorm: 1,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const check = (key: keyof ResolvedAdamWOptions, ok: boolean, want: string): void => {
    if (!ok) throw new RangeError(`AdamW: options.${key} must be ${want} (got ${String(o[key])})`);
  };
  check('lr', Number.isFinite(o.lr) && o.lr >= 0, 'a finite number ≥ 0');
  check('beta1', o.beta1 >= 0 && o.beta1 < 1, 'in [0, 1)');
  check('beta2', o.beta2 >= 0 && o.beta2 < 1, 'in [0, 1)');
  check('eps', Number.isFinite(o.eps) && o.eps > 0, 'a finite number > 0');
  check('weightDecay', Number.isFinite(o.weightDecay) && o.weightDecay >= 0, 'a finite number ≥ 0');
  check('warmupSteps', Number.isInteger(o.warmupSteps) && o.warmupSteps >= 0, 'an integer ≥ 0');
  check('totalSteps', Number.isInteger(o.totalSteps) && o.totalSteps >= 0, 'an integer ≥ 0');
  check('minLrRatio', o.minLrRatio >= 0 && o.minLrRatio <= 1, 'in [0, 1]');
  check('clipNorm', Number.isFinite(o.clipNorm) && o.clipNorm >= 0, 'a finite number ≥ 0');
  return o;
}

/**
 * Learning rate of step `step` (1-based): linear warmup over `warmupSteps`, then a cosine from `lr`
 * down to `lr·minLrRatio` at `totalSteps`, flat after (flat at `lr` when `totalSteps` is 0).
 *
 * @param step - the step, ≥ 1
 * @param options - resolved options
 * @returns the learning rate
 * @example
 * learningRate(5, resolveAdamWOptions({ lr: 1, warmupSteps: 10 })); // 0.5
 */
export function learningRate(step: number, options: ResolvedAdamWOptions): number {
  const { lr, warmupSteps, totalSteps, minLrRatio } = options;
  if (step <= warmupSteps) return (lr * step) / warmupSteps;
  if (totalSteps === 0) return lr;
  const span = totalSteps - warmupSteps;
  const progress = span <= 0 ? 1 : Math.min(1, (step - warmupSteps) / span);
  return lr * (minLrRatio + (1 - minLrRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

