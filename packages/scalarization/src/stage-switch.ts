import { describeValue } from '@paretopo/pareto';
import { assertInteger, assertJsonObject, assertNumber } from './validate';

/** ParetoPO's two stages: 1 = HV-guided scalarisation, 2 = Pareto-rank advantages. */
export type Stage = 1 | 2;

/**
 * When to leave stage 1 (METHOD.md §4; the paper does not say):
 * - `fixed`: at step ⌊fraction · totalSteps⌋ (default fraction 0.5);
 * - `plateau`: after ΔHV̄ < epsilon for `patience` consecutive observed steps;
 * - `stall`: after the archive size has not grown for `patience` consecutive observed steps.
 */
export type StageSwitchOptions =
  | { readonly policy: 'fixed'; readonly totalSteps: number; readonly fraction?: number }
  | { readonly policy: 'plateau'; readonly epsilon?: number; readonly patience?: number; readonly minStep?: number }
  | { readonly policy: 'stall'; readonly patience?: number; readonly minStep?: number };

/** What {@link StageSwitch.observe} reads from a stage-1 step (the meta reward's result has both). */
export interface StageObservation {
  /** ΔHV̄ after the step (needed by `plateau`). */
  readonly deltaHvSmoothed?: number;
  /** Archive size after the step (needed by `stall`). */
  readonly archiveSize?: number;
}

/** JSON form of {@link StageSwitch}. */
export interface StageSwitchJSON {
  readonly type: 'stage-switch';
  readonly version: 1;
  readonly options: ResolvedOptions;
  readonly stage: Stage;
  readonly switchStep: number | null;
  readonly lastStep: number | null;
  readonly count: number;
  readonly lastArchiveSize: number;
}

export type ResolvedOptions =
  | { policy: 'fixed'; totalSteps: number; fraction: number }
  | { policy: 'plateau'; epsilon: number; patience: number; minStep: number }
  | { policy: 'stall'; patience: number; minStep: number };

/** Default ε of the `plateau` policy: ΔHV̄ below 1e-4 (rewards in [0, 1]) counts as flat. */
const DEFAULT_EPSILON = 1e-4;
/** Default K of `plateau` and `stall`: 10 consecutive steps. */
const DEFAULT_PATIENCE = 10;

function resolveOptions(options: StageSwitchOptions, fn: string): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object { policy, … } (got ${describeValue(options)})`);
  }
  switch (options.policy) {
    case 'fixed':
      return {
        policy: 'fixed',
        totalSteps: assertInteger(options.totalSteps, fn, 'options.totalSteps', 1),
        fraction: assertNumber(options.fraction ?? 0.5, fn, 'options.fraction', { min: 0, max: 1 }),
      };
    case 'plateau':
      return {
        policy: 'plateau',
        epsilon: assertNumber(options.epsilon ?? DEFAULT_EPSILON, fn, 'options.epsilon', { min: 0, minOpen: true }),
        patience: assertInteger(options.patience ?? DEFAULT_PATIENCE, fn, 'options.patience', 1),
        minStep: assertInteger(options.minStep ?? 0, fn, 'options.minStep', 0),
      };
    case 'stall':
      return {
        policy: 'stall',
        patience: assertInteger(options.patience ?? DEFAULT_PATIENCE, fn, 'options.patience', 1),
        minStep: assertInteger(options.minStep ?? 0, fn, 'options.minStep', 0),
      };
    default:
      throw new RangeError(
        `${fn}: options.policy must be 'fixed', 'plateau' or 'stall' (got ${describeValue((options as { policy?: unknown }).policy)})`,
      );
  }
}

/**
 * Decides when ParetoPO leaves stage 1 for stage 2. Call {@link StageSwitch.observe} once after
 * each step with that step's meta-reward figures; it returns the stage for the NEXT step. Once in
 * stage 2 it never goes back, and {@link StageSwitch.switchStep} holds the first stage-2 step
 * (log it). Steps are 0-based and must be observed in increasing order.
 *
 * Under `plateau` and `stall`, the first stage-2 step is `step + 1` where `step` is the observation
 * that completed the run of `patience` flat steps (and `step + 1 ≥ minStep`). Under `fixed`, it is
 * ⌊fraction · totalSteps⌋ (0 means stage 2 from the start, `paretopo-s2`; totalSteps means never,
 * `paretopo-s1`).
 *
 * @example
 * const sw = new StageSwitch({ policy: 'fixed', totalSteps: 4 });
 * sw.observe(0, {}); // 1
 * sw.observe(1, {}); // 2  (step 2 = ⌊0.5·4⌋ is the first stage-2 step)
 * sw.switchStep;     // 2
 */
export class StageSwitch {
  private readonly opts: ResolvedOptions;
  private stageNow: Stage = 1;
  private switchedAt: number | null = null;
  private lastStep: number | null = null;
  private count = 0;
  private lastArchiveSize = 0;

  /** @param options - the policy and its parameters (see {@link StageSwitchOptions}) */
  constructor(options: StageSwitchOptions) {
    this.opts = resolveOptions(options, 'StageSwitch');
    if (this.opts.policy === 'fixed' && this.fixedSwitchStep() === 0) {
      this.stageNow = 2;
      this.switchedAt = 0;
    }
  }

  /**
   * The stage for the next step to run.
   * @example
   * new StageSwitch({ policy: 'stall' }).stage; // 1
   */
  get stage(): Stage {
    return this.stageNow;
  }

  /**
   * The first step run in stage 2, or `null` while still in stage 1.
   * @example
   * new StageSwitch({ policy: 'fixed', totalSteps: 10, fraction: 0 }).switchStep; // 0
   */
  get switchStep(): number | null {
    return this.switchedAt;
  }

  /**
   * The resolved policy options (defaults filled in).
   * @example
   * new StageSwitch({ policy: 'plateau' }).options; // { policy: 'plateau', epsilon: 1e-4, patience: 10, minStep: 0 }
   */
  get options(): Readonly<ResolvedOptions> {
    return { ...this.opts };
  }

  private fixedSwitchStep(): number {
    const o = this.opts as { totalSteps: number; fraction: number };
    return Math.floor(o.fraction * o.totalSteps);
  }

  /**
   * Records step `step` and returns the stage for step `step + 1`. Observations made in stage 2
   * are accepted and change nothing.
   *
   * @param step - 0-based step just completed, greater than the previous one
   * @param info - `deltaHvSmoothed` (required by `plateau`), `archiveSize` (required by `stall`)
   * @returns 1 or 2
   * @example
   * const sw = new StageSwitch({ policy: 'plateau', epsilon: 0.01, patience: 2 });
   * sw.observe(0, { deltaHvSmoothed: 0.5 });   // 1
   * sw.observe(1, { deltaHvSmoothed: 0.001 }); // 1
   * sw.observe(2, { deltaHvSmoothed: 0.002 }); // 2, switchStep = 3
   */
  observe(step: number, info: StageObservation): Stage {
    const fn = 'StageSwitch.observe';
    assertInteger(step, fn, 'step', 0);
    if (this.lastStep !== null && step <= this.lastStep) {
      throw new RangeError(`${fn}: step must be greater than the previously observed step ${this.lastStep} (got ${step})`);
    }
    if (info === null || typeof info !== 'object') throw new TypeError(`${fn}: info must be an object (got ${describeValue(info)})`);
    const o = this.opts;
    // Validate what the policy needs before any state changes, so a bad call leaves no trace.
    let dhv = 0;
    let size = 0;
    if (this.stageNow === 1 && o.policy === 'plateau') dhv = assertNumber(info.deltaHvSmoothed, fn, 'info.deltaHvSmoothed', { min: 0 });
    if (this.stageNow === 1 && o.policy === 'stall') size = assertInteger(info.archiveSize, fn, 'info.archiveSize', 0);
    this.lastStep = step;
    if (this.stageNow === 2) return 2;
    const next = step + 1;
    if (o.policy === 'fixed') {
      // `next`, not the nominal step: if observations skipped past it, steps up to `step` still ran in stage 1.
      if (next >= this.fixedSwitchStep()) this.switchTo(next);
      return this.stageNow;
    }
    if (o.policy === 'plateau') {
      this.count = dhv < o.epsilon ? this.count + 1 : 0;
    } else {
      this.count = size > this.lastArchiveSize ? 0 : this.count + 1;
      this.lastArchiveSize = size;
    }
    if (this.count >= o.patience && next >= o.minStep) this.switchTo(next);
    return this.stageNow;
  }

  private switchTo(step: number): void {
    this.stageNow = 2;
    this.switchedAt = step;
  }

  /**
   * Plain-JSON checkpoint.
   * @example
   * new StageSwitch({ policy: 'stall' }).toJSON().stage; // 1
   */
  toJSON(): StageSwitchJSON {
    return {
      type: 'stage-switch',
      version: 1,
      options: { ...this.opts },
      stage: this.stageNow,
      switchStep: this.switchedAt,
      lastStep: this.lastStep,
      count: this.count,
      lastArchiveSize: this.lastArchiveSize,
    };
  }

  /**
   * Restores a switch from {@link StageSwitch.toJSON}, checking its consistency.
   * @example
   * StageSwitch.fromJSON(new StageSwitch({ policy: 'stall' }).toJSON()).stage; // 1
   */
  static fromJSON(json: unknown): StageSwitch {
    const fn = 'StageSwitch.fromJSON';
    const obj = assertJsonObject(json, fn, 'stage-switch');
    const sw = new StageSwitch(obj.options as StageSwitchOptions);
    if (obj.stage !== 1 && obj.stage !== 2) throw new RangeError(`${fn}: json.stage must be 1 or 2 (got ${describeValue(obj.stage)})`);
    const switchStep = obj.switchStep === null ? null : assertInteger(obj.switchStep, fn, 'json.switchStep', 0);
    if ((obj.stage === 2) !== (switchStep !== null)) {
      throw new RangeError(`${fn}: json.switchStep must be null exactly when json.stage is 1 (got stage ${obj.stage}, switchStep ${describeValue(switchStep)})`);
    }
    sw.stageNow = obj.stage;
    sw.switchedAt = switchStep;
    sw.lastStep = obj.lastStep === null ? null : assertInteger(obj.lastStep, fn, 'json.lastStep', 0);
    sw.count = assertInteger(obj.count, fn, 'json.count', 0);
    sw.lastArchiveSize = assertInteger(obj.lastArchiveSize, fn, 'json.lastArchiveSize', 0);
    return sw;
  }
}
