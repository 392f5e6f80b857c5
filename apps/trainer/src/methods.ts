import {
  NOptTracker,
  drGrpoAdvantages,
  gdpoAdvantages,
  grpoAdvantages,
  moGrpoAdvantages,
  otcGrpoToolReward,
  paretoRankAdvantages,
  rlooAdvantages,
  toolEfficiencyReward,
  type NOptFallback,
  type NOptRule,
  type NOptTrackerJSON,
  type NRankMode,
  type StdMode,
} from '@paretopo/advantage';
import {
  HypervolumeMetaReward,
  StageSwitch,
  weightedSumBatch,
  type HypervolumeMetaRewardJSON,
  type MetaRewardGranularity,
  type ReferencePolicy,
  type Stage,
  type StageSwitchJSON,
} from '@paretopo/scalarization';

/** The methods of METHOD.md §6, by name, in the table's order. */
export const METHOD_NAMES = [
  'grpo-acc',
  'grpo-ws',
  'drgrpo',
  'rloo',
  'otc-grpo',
  'mo-grpo',
  'gdpo',
  'paretopo-s1',
  'paretopo-s2',
  'paretopo',
] as const;

/** One of {@link METHOD_NAMES}. */
export type MethodName = (typeof METHOD_NAMES)[number];

/** Correctness gate of r_tool: none, or r_tool ← r_task · r_tool (METHOD.md §1). */
export type ToolGate = 'none' | 'correct';

/** Options of a {@link MethodState}; every default is METHOD.md's. */
export interface MethodOptions {
  /** Total RL steps of the run (needed by the fixed stage switch of `paretopo`). Required. */
  totalSteps: number;
  /** Scalarisation weights w over (r_task, r_tool) [(0.6, 0.4)]. */
  weights?: readonly [number, number];
  /** α of the tool-efficiency reward exp(−α·|N_call − N_opt|) [0.5]. */
  alpha?: number;
  /**
   * Correctness gate of r_tool (METHOD.md §1): `'none'` keeps r_tool for wrong answers too (the
   * literal reading); `'correct'` uses r_task · r_tool, so a wrong answer never earns efficiency
   * [`'none'`]. Every method that uses r_tool sees the gated value; OTC-GRPO already multiplies its
   * own tool reward by r_task, and grpo-acc ignores r_tool.
   */
  toolGate?: ToolGate;
  /** r_tool while N_opt(q) is unknown: from `fallbackNOpt` (`'value'`) or 0 (`'zero-reward'`) [`'value'`]. */
  nOptFallback?: NOptFallback;
  /** N_opt used for questions without a known N_opt, under `nOptFallback: 'value'` [0]. */
  fallbackNOpt?: number;
  /** N_opt update rule: the paper's monotone minimum over the run, or over a question's last `nOptWindow` appearances [`'min'`]. */
  nOptRule?: NOptRule;
  /** Appearances of a question the `'recent'` N_opt rule looks back over [4]. */
  nOptWindow?: number;
  /** m: N_opt is the m-th smallest call count among correct trajectories in scope [1]. */
  nOptSupport?: number;
  /** γ of the ΔHV EMA [0.9]. */
  gamma?: number;
  /** β of the Pareto-rank advantage [0.5]. */
  beta?: number;
  /** Fraction of the steps after which `paretopo` switches to stage 2 [0.5]. */
  switchFraction?: number;
  /** std convention of the z-scoring estimators [`'sample'`, n − 1]. */
  std?: Exclude<StdMode, 'none'>;
  /** c of the OTC-GRPO tool reward [1]. */
  otcC?: number;
  /** Stage-1 r_pareto per step (one batch-mean vector) or per prompt group (METHOD.md §2) [`'step'`]. */
  granularity?: MetaRewardGranularity;
  /** HV reference point z: the first observed vector minus a margin, or `referencePoint` [`'first-minus-margin'`]. */
  reference?: ReferencePolicy;
  /** z for `reference: 'fixed'` [(0, 0)]. */
  referencePoint?: readonly [number, number];
  /** When `paretopo` leaves stage 1 (METHOD.md §4): at `switchFraction`, on a ΔHV̄ plateau, or when the archive stalls [`'fixed'`]. */
  switchPolicy?: 'fixed' | 'plateau' | 'stall';
  /** ε of the plateau switch: ΔHV̄ below it counts as flat [1e-4]. */
  switchEpsilon?: number;
  /** K of the plateau and stall switches: consecutive flat steps [10]. */
  switchPatience?: number;
  /** N_rank of the Pareto-rank advantage: the number of fronts in the group, or G [`'fronts'`]. */
  nRank?: NRankMode;
  /** Mean-centre the Pareto-rank advantages within each group (METHOD.md §3 default) [true]. */
  center?: boolean;
}

/** What the trainer knows about each finished episode of a step (n episodes). */
export interface EpisodeFactsBatch {
  /** The final answer was correct. */
  correct: ArrayLike<boolean>;
  /** Tool calls N_call (valid + invalid). */
  calls: ArrayLike<number>;
  /** Question id of each episode (one N_opt entry per id). */
  taskIds: ArrayLike<string>;
  /** Prompt group of each episode. */
  groupIds: Int32Array;
}

/** What a method logs for one step. */
export interface MethodLog {
  /** 0-based step index of this method state. */
  step: number;
  /** Stage the step ran in (1 for every non-ParetoPO method). */
  stage: Stage;
  /** Scalarisation weights w. */
  weights: [number, number];
  /** r_pareto of the step (ParetoPO variants; `null` otherwise). */
  rPareto: number | null;
  /** ΔHV̄ after the step (ParetoPO variants; `null` otherwise). */
  deltaHvSmoothed: number | null;
  /** |B| after the step (ParetoPO variants; `null` otherwise). */
  archiveSize: number | null;
  /** The first stage-2 step, known once the switch has decided it (`paretopo`: after step ⌊f·T⌋ − 1; `paretopo-s2`: 0; else `null`). */
  switchStep: number | null;
  /** Questions with a known N_opt. */
  nOptKnown: number;
}

/** Output of {@link MethodState.step}. */
export interface MethodStepResult {
  /** Reward vectors (r_task, r_tool), n × 2 row-major; r_tool is the tool-efficiency reward, after the `toolGate`. */
  rewards: Float64Array;
  /** Advantage of each episode (n). */
  advantages: Float64Array;
  log: MethodLog;
}

/** JSON form of a {@link MethodState} (checkpoints). */
export interface MethodStateJSON {
  type: 'method-state';
  version: 1;
  name: MethodName;
  options: Required<MethodOptions>;
  step: number;
  nOpt: NOptTrackerJSON;
  meta: HypervolumeMetaRewardJSON | null;
  stage: StageSwitchJSON | null;
}

/**
 * Whether a method is one of the ParetoPO variants (`paretopo`, `paretopo-s1`, `paretopo-s2`).
 *
 * @example
 * isParetoPO('paretopo-s1'); // true
 */
export const isParetoPO = (name: MethodName): boolean => name.startsWith('paretopo');

/**
 * Checks a method name.
 *
 * @param name - any value
 * @returns the name, typed
 * @throws RangeError listing the known names when it is not one of them
 * @example
 * resolveMethodName('paretopo'); // 'paretopo'
 */
export function resolveMethodName(name: unknown): MethodName {
  if (typeof name !== 'string' || !(METHOD_NAMES as readonly string[]).includes(name)) {
    throw new RangeError(`method: unknown method ${JSON.stringify(name)} (known: ${METHOD_NAMES.join(', ')})`);
  }
  return name as MethodName;
}

function resolveOptions(options: MethodOptions): Required<MethodOptions> {
  if (!Number.isInteger(options?.totalSteps) || options.totalSteps < 1) {
    throw new RangeError(`MethodState: options.totalSteps must be an integer ≥ 1 (got ${String(options?.totalSteps)})`);
  }
  const weights = options.weights ?? [0.6, 0.4];
  if (weights.length !== 2 || !weights.every((w) => Number.isFinite(w) && w >= 0)) {
    throw new RangeError(`MethodState: options.weights must be 2 finite numbers ≥ 0 (got ${String(weights)})`);
  }
  return {
    totalSteps: options.totalSteps,
    weights: [weights[0], weights[1]],
    alpha: options.alpha ?? 0.5,
    toolGate: oneOf('toolGate', options.toolGate, ['none', 'correct'], 'none'),
    nOptFallback: oneOf('nOptFallback', options.nOptFallback, ['value', 'zero-reward'], 'value'),
    fallbackNOpt: options.fallbackNOpt ?? 0,
    nOptRule: oneOf('nOptRule', options.nOptRule, ['min', 'recent'], 'min'),
    nOptWindow: positiveInteger('nOptWindow', options.nOptWindow, 4),
    nOptSupport: positiveInteger('nOptSupport', options.nOptSupport, 1),
    gamma: options.gamma ?? 0.9,
    beta: options.beta ?? 0.5,
    switchFraction: options.switchFraction ?? 0.5,
    std: options.std ?? 'sample',
    otcC: options.otcC ?? 1,
    granularity: oneOf('granularity', options.granularity, ['step', 'group'], 'step'),
    reference: oneOf('reference', options.reference, ['first-minus-margin', 'fixed'], 'first-minus-margin'),
    referencePoint: [options.referencePoint?.[0] ?? 0, options.referencePoint?.[1] ?? 0],
    switchPolicy: oneOf('switchPolicy', options.switchPolicy, ['fixed', 'plateau', 'stall'], 'fixed'),
    switchEpsilon: options.switchEpsilon ?? 1e-4,
    switchPatience: options.switchPatience ?? 10,
    nRank: oneOf('nRank', options.nRank, ['fronts', 'group-size'], 'fronts'),
    center: options.center ?? true,
  };
}

function positiveInteger(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`MethodState: options.${key} must be an integer ≥ 1 (got ${String(value)})`);
  return value;
}

function oneOf<T extends string>(key: string, value: T | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) throw new RangeError(`MethodState: options.${key} must be one of ${allowed.join(', ')} (got ${String(value)})`);
  return value;
}


/**
 * The per-run state of one method of METHOD.md §6: the N_opt tracker (all methods), and for the
 * ParetoPO variants the hypervolume meta reward (archive B, ΔHV̄) and the fixed stage switch.
 * `step(facts)` turns one step's episode facts into rewards, advantages and a log.
 *
 * @example
 * const m = new MethodState('drgrpo', { totalSteps: 10 });
 * m.step({ correct: [true, false], calls: [0, 0], taskIds: ['q', 'q'], groupIds: Int32Array.of(0, 0) }).advantages;
 * // Float64Array [0.3, −0.3]  (w·r = 1 and 0.4; N_opt(q) = 0)
 */
export class MethodState {
  readonly name: MethodName;
  readonly options: Readonly<Required<MethodOptions>>;
  #step = 0;
  #nOpt: NOptTracker;
  #meta: HypervolumeMetaReward | null;
  #stage: StageSwitch | null;

  /**
   * @param name - one of {@link METHOD_NAMES}
   * @param options - {@link MethodOptions}; `totalSteps` is required
   * @throws RangeError on an unknown name (listing the known ones) or bad options
   */
  constructor(name: MethodName, options: MethodOptions) {
    this.name = resolveMethodName(name);
    this.options = resolveOptions(options);
    this.#nOpt = new NOptTracker(this.#trackerOptions());
    if (isParetoPO(this.name)) {
      const o = this.options;
      this.#meta = new HypervolumeMetaReward({
        k: 2,
        gamma: o.gamma,
        granularity: o.granularity,
        reference: o.reference,
        ...(o.reference === 'fixed' ? { referencePoint: o.referencePoint } : {}),
      });
      // Ablations (METHOD.md §6): paretopo-s1 has no switch (stage 1 throughout); paretopo-s2 is
      // the fixed switch at fraction 0, i.e. stage 2 from step 0.
      this.#stage =
        this.name === 'paretopo-s1'
          ? null
          : this.name === 'paretopo-s2' || o.switchPolicy === 'fixed'
            ? new StageSwitch({ policy: 'fixed', totalSteps: o.totalSteps, fraction: this.name === 'paretopo-s2' ? 0 : o.switchFraction })
            : o.switchPolicy === 'plateau'
              ? new StageSwitch({ policy: 'plateau', epsilon: o.switchEpsilon, patience: o.switchPatience })
              : new StageSwitch({ policy: 'stall', patience: o.switchPatience });
    } else {
      this.#meta = null;
      this.#stage = null;
    }
  }

  #trackerOptions() {
    return { rule: this.options.nOptRule, window: this.options.nOptWindow, support: this.options.nOptSupport };
  }

  /** Number of steps taken so far (the index of the next step). */
  get stepCount(): number {
    return this.#step;
  }

  /** The stage the next step will run in. */
  get stage(): Stage {
    return this.#stage?.stage ?? 1;
  }

  /** N_opt of a question, `undefined` until it has a correct trajectory. */
  nOpt(taskId: string): number | undefined {
    return this.#nOpt.get(taskId);
  }

  /**
   * One step: updates N_opt with the batch (so the step's own correct episodes count, METHOD.md
   * §1 "seen so far"), builds (r_task, r_tool), then the method's advantages.
   *
   * @param facts - the step's episodes
   * @returns rewards (n × 2), advantages (n) and the log
   * @throws RangeError on mismatched lengths or bad call counts
   */
  step(facts: EpisodeFactsBatch): MethodStepResult {
    const n = facts.groupIds.length;
    if (facts.correct.length !== n || facts.calls.length !== n || facts.taskIds.length !== n) {
      throw new RangeError(
        `MethodState.step: correct, calls, taskIds and groupIds must have one entry per episode (got ${facts.correct.length}, ${facts.calls.length}, ${facts.taskIds.length}, ${n})`,
      );
    }
    const o = this.options;
    const step = this.#step;
    const stage = this.stage;
    this.#nOpt.observeBatch(facts.taskIds, facts.calls, facts.correct);
    const rewards = new Float64Array(2 * n);
    const toolOptions = { alpha: o.alpha, nOptFallback: o.nOptFallback, fallbackNOpt: o.fallbackNOpt };
    const gated = o.toolGate === 'correct';
    for (let i = 0; i < n; i++) {
      const rTask = facts.correct[i] ? 1 : 0;
      const rTool = toolEfficiencyReward(facts.calls[i], this.#nOpt.get(facts.taskIds[i]), toolOptions);
      rewards[2 * i] = rTask;
      // The one place r_tool is gated: every method below reads it from `rewards`.
      rewards[2 * i + 1] = gated ? rTask * rTool : rTool;
    }
    const g = facts.groupIds;
    const w = [o.weights[0], o.weights[1]];
    let advantages: Float64Array;
    let rPareto: number | null = null;
    let deltaHvSmoothed: number | null = null;
    let archiveSize: number | null = null;
    switch (this.name) {
      case 'grpo-acc': {
        const task = new Float64Array(n);
        for (let i = 0; i < n; i++) task[i] = rewards[2 * i];
        advantages = grpoAdvantages(task, g, { k: 1, std: o.std });
        break;
      }
      case 'grpo-ws':
        advantages = grpoAdvantages(rewards, g, { k: 2, weights: w, std: o.std });
        break;
      case 'drgrpo':
        advantages = drGrpoAdvantages(rewards, g, { k: 2, weights: w });
        break;
      case 'rloo':
        advantages = rlooAdvantages(rewards, g, { k: 2, weights: w });
        break;
      case 'otc-grpo': {
        const r = new Float64Array(n);
        // OTC's own tool reward, already gated by r_task; an unknown N_opt (wrong answers, or
        // correct ones below nOptSupport) takes fallbackNOpt whatever nOptFallback says.
        for (let i = 0; i < n; i++) {
          r[i] = rewards[2 * i] * otcGrpoToolReward(facts.calls[i], this.#nOpt.get(facts.taskIds[i]) ?? o.fallbackNOpt, { c: o.otcC });
        }
        advantages = grpoAdvantages(r, g, { k: 1, std: o.std });
        break;
      }
      case 'mo-grpo':
        advantages = moGrpoAdvantages(rewards, g, { k: 2, weights: w, std: o.std });
        break;
      case 'gdpo':
        advantages = gdpoAdvantages(rewards, g, { k: 2, weights: w, std: o.std });
        break;
      default: {
        // ParetoPO: the archive and ΔHV̄ run in both stages (B is shared with stage 2, METHOD.md §2).
        const meta = this.#meta!;
        const res = meta.step(rewards, o.granularity === 'group' ? g : undefined);
        rPareto = res.rPareto;
        deltaHvSmoothed = res.deltaHvSmoothed;
        archiveSize = res.archiveSize;
        if (stage === 1) {
          const rw = weightedSumBatch({ data: rewards, n, d: 2 }, w);
          // Dr. GRPO form: a step-wide r_pareto would cancel under std division (METHOD.md §2 caveat).
          advantages = drGrpoAdvantages(meta.apply(rw, res), g, { k: 1 });
        } else {
          advantages = paretoRankAdvantages(rewards, g, { k: 2, weights: w, beta: o.beta, nRank: o.nRank, center: o.center });
        }
        this.#stage?.observe(step, res);
      }
    }
    this.#step = step + 1;
    return {
      rewards,
      advantages,
      log: {
        step,
        stage,
        weights: [w[0], w[1]],
        rPareto,
        deltaHvSmoothed,
        archiveSize,
        switchStep: this.#stage?.switchStep ?? null,
        nOptKnown: this.#nOpt.size,
      },
    };
  }

  /** Checkpointable state. */
  toJSON(): MethodStateJSON {
    return {
      type: 'method-state',
      version: 1,
      name: this.name,
      options: {
        ...this.options,
        weights: [this.options.weights[0], this.options.weights[1]],
        referencePoint: [this.options.referencePoint[0], this.options.referencePoint[1]],
      },
      step: this.#step,
      nOpt: this.#nOpt.toJSON(),
      meta: this.#meta?.toJSON() ?? null,
      stage: this.#stage?.toJSON() ?? null,
    };
  }

  /**
   * Restores a state saved with {@link MethodState.toJSON}; the next `step` continues exactly.
   *
   * @param json - the saved object (parsed JSON)
   * @returns the restored state
   * @throws TypeError when `json` is not a method state
   */
  static fromJSON(json: unknown): MethodState {
    const j = json as MethodStateJSON;
    if (j === null || typeof j !== 'object' || j.type !== 'method-state' || j.version !== 1) {
      throw new TypeError('MethodState.fromJSON: json must be a method-state object of version 1');
    }
    const state = new MethodState(j.name, j.options);
    if (!Number.isInteger(j.step) || j.step < 0) throw new TypeError(`MethodState.fromJSON: step must be an integer ≥ 0 (got ${String(j.step)})`);
    state.#step = j.step;
    const nOpt = NOptTracker.fromJSON(j.nOpt);
    const want = state.#trackerOptions();
    const got = nOpt.options;
    if (got.rule !== want.rule || got.window !== want.window || got.support !== want.support) {
      throw new TypeError(`MethodState.fromJSON: nOpt was saved with ${JSON.stringify(got)} but the options say ${JSON.stringify(want)}`);
    }
    state.#nOpt = nOpt;
    if (state.#meta !== null) state.#meta = HypervolumeMetaReward.fromJSON(j.meta);
    if (state.#stage !== null) state.#stage = StageSwitch.fromJSON(j.stage);
    return state;
  }
}
