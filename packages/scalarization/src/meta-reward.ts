import { describeValue, type Points } from '@paretopo/pareto';
import { RewardFrontier } from './frontier';
import { assertInteger, assertJsonObject, assertNumber, assertRewardBatch, jsonVector, resolveOut } from './validate';

/** How the reference point z of the hypervolume is chosen. */
export type ReferencePolicy = 'first-minus-margin' | 'fixed';

/** One meta reward per step (batch-mean vector) or one per prompt group (group-mean vectors). */
export type MetaRewardGranularity = 'step' | 'group';

/** Options of {@link HypervolumeMetaReward}. */
export interface HypervolumeMetaRewardOptions {
  /** Number of objectives k (≥ 1). Required: every batch is checked against it. */
  readonly k: number;
  /** EMA factor γ ∈ [0, 1). Default 0.9 (METHOD.md §2). */
  readonly gamma?: number;
  /**
   * Default `'first-minus-margin'`: z = (first observed vector) − margin, set by the first
   * {@link HypervolumeMetaReward.step} call (METHOD.md §2). `'fixed'`: z = `referencePoint`.
   */
  readonly reference?: ReferencePolicy;
  /**
   * Margin subtracted under `'first-minus-margin'`, ≥ 0, one number for all objectives or one
   * per objective, in reward units. Default 0.1 (a tenth of the [0, 1] reward range): a later
   * vector more than 0.1 below the first one in some objective adds no hypervolume.
   */
  readonly margin?: number | ArrayLike<number>;
  /** The reference point for `reference: 'fixed'` (k finite numbers), e.g. (0, 0). */
  readonly referencePoint?: ArrayLike<number>;
  /** Default `'step'`. */
  readonly granularity?: MetaRewardGranularity;
}

/** Per-group detail of a `'group'` step, in processing order (ascending group id). */
export interface MetaRewardGroups {
  /** The distinct group ids, ascending: the order in which groups were processed. */
  readonly ids: Int32Array;
  /** Group-mean reward vectors, row-major (ids.length × k). */
  readonly vectors: Float64Array;
  /** ΔHV of each group's vector against the archive as it stood just before it. */
  readonly deltaHv: Float64Array;
  /** γ·ΔHV̄_{t−1} + (1 − γ)·ΔHV_g: the smoothed value behind each group's r_pareto. */
  readonly deltaHvSmoothed: Float64Array;
  /** 0.5 + 1.5·tanh(deltaHvSmoothed[g]). */
  readonly rPareto: Float64Array;
}

/** What {@link HypervolumeMetaReward.step} returns: the multipliers, and everything to log. */
export interface MetaRewardResult {
  /** 0-based index of this call. */
  readonly step: number;
  readonly granularity: MetaRewardGranularity;
  /** True for the call that set the reference point (`'first-minus-margin'`): ΔHV reported 0. */
  readonly calibration: boolean;
  /** Step-level r_pareto = 0.5 + 1.5·tanh(ΔHV̄_t) ∈ [0.5, 2). In `'step'` mode, every sample's factor. */
  readonly rPareto: number;
  /** ΔHV_t = HV(B_t) − HV(B_{t−1}) ≥ 0 (in `'group'` mode, the sum of the groups' ΔHV). */
  readonly deltaHv: number;
  /** ΔHV̄_t = γ·ΔHV̄_{t−1} + (1 − γ)·ΔHV_t. */
  readonly deltaHvSmoothed: number;
  /** The step's batch-mean reward vector (k). */
  readonly meanReward: Float64Array;
  /** The r_pareto factor of each sample (n): what {@link HypervolumeMetaReward.apply} multiplies by. */
  readonly sampleFactors: Float64Array;
  /** Per-group detail in `'group'` mode, `null` in `'step'` mode. */
  readonly groups: MetaRewardGroups | null;
  /** |B_t| after the step. */
  readonly archiveSize: number;
  /** HV(B_t) against the reference point. */
  readonly hypervolume: number;
  /** The reference point z (a copy). */
  readonly reference: Float64Array;
}

/** JSON form of {@link HypervolumeMetaReward}. */
export interface HypervolumeMetaRewardJSON {
  readonly type: 'hypervolume-meta-reward';
  readonly version: 1;
  readonly k: number;
  readonly gamma: number;
  readonly reference: ReferencePolicy;
  readonly margin: number[];
  readonly granularity: MetaRewardGranularity;
  /** The reference point in use; `null` before the first step under `'first-minus-margin'`. */
  readonly referencePoint: number[] | null;
  readonly archive: number[][];
  readonly deltaHvSmoothed: number;
  readonly steps: number;
}

/**
 * The ParetoPO meta reward factor r_pareto = 0.5 + 1.5·tanh(ΔHV̄), in [0.5, 2) for ΔHV̄ ≥ 0.
 *
 * @param deltaHvSmoothed - ΔHV̄, a finite number ≥ 0
 * @returns the factor
 * @example
 * paretoRewardFactor(0); // 0.5
 * paretoRewardFactor(1); // 0.5 + 1.5·tanh(1) ≈ 1.6424
 */
export function paretoRewardFactor(deltaHvSmoothed: number): number {
  assertNumber(deltaHvSmoothed, 'paretoRewardFactor', 'deltaHvSmoothed', { min: 0 });
  return factor(deltaHvSmoothed);
}

function factor(x: number): number {
  // tanh(x) rounds to exactly 1 for x ≳ 19.1; the cap keeps the documented half-open range [0.5, 2).
  const r = 0.5 + 1.5 * Math.tanh(x);
  return r < 2 ? r : 2 - Number.EPSILON;
}

const DEFAULT_GAMMA = 0.9;
const DEFAULT_MARGIN = 0.1;

interface Resolved {
  k: number;
  gamma: number;
  reference: ReferencePolicy;
  margin: Float64Array;
  fixedPoint: Float64Array | null;
  granularity: MetaRewardGranularity;
}

function resolveOptions(options: HypervolumeMetaRewardOptions, fn: string): Resolved {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object { k, … } (got ${describeValue(options)})`);
  }
  const k = assertInteger(options.k, fn, 'options.k', 1);
  const gamma = assertNumber(options.gamma ?? DEFAULT_GAMMA, fn, 'options.gamma', { min: 0, max: 1, maxOpen: true });
  const reference = options.reference ?? 'first-minus-margin';
  if (reference !== 'first-minus-margin' && reference !== 'fixed') {
    throw new RangeError(`${fn}: options.reference must be 'first-minus-margin' or 'fixed' (got ${describeValue(reference)})`);
  }
  const granularity = options.granularity ?? 'step';
  if (granularity !== 'step' && granularity !== 'group') {
    throw new RangeError(`${fn}: options.granularity must be 'step' or 'group' (got ${describeValue(granularity)})`);
  }
  const m = options.margin ?? DEFAULT_MARGIN;
  const margin = new Float64Array(k);
  if (typeof m === 'number') {
    margin.fill(assertNumber(m, fn, 'options.margin', { min: 0 }));
  } else {
    if (m === null || typeof m !== 'object' || typeof m.length !== 'number') {
      throw new TypeError(`${fn}: options.margin must be a number or an array of numbers (got ${describeValue(m)})`);
    }
    if (m.length !== k) throw new RangeError(`${fn}: options.margin must have length ${k} (got ${m.length})`);
    for (let j = 0; j < k; j++) margin[j] = assertNumber(m[j], fn, `options.margin[${j}]`, { min: 0 });
  }
  let fixedPoint: Float64Array | null = null;
  if (reference === 'fixed') {
    if (options.referencePoint === undefined) throw new TypeError(`${fn}: options.referencePoint is required when reference is 'fixed'`);
    fixedPoint = jsonVector(Array.from(options.referencePoint as ArrayLike<number>), fn, 'options.referencePoint', k);
  } else if (options.referencePoint !== undefined) {
    throw new RangeError(`${fn}: options.referencePoint is only used with reference 'fixed' (got reference ${JSON.stringify(reference)})`);
  }
  return { k, gamma, reference, margin, fixedPoint, granularity };
}

/**
 * The ParetoPO stage-1 meta reward (METHOD.md §2): a Pareto archive B of reward vectors
 * (maximised), the hypervolume gain ΔHV_t = HV(B ∪ {v_t}) − HV(B) of each new vector v_t, its
 * exponential moving average ΔHV̄_t = γ·ΔHV̄_{t−1} + (1 − γ)·ΔHV_t with ΔHV̄_0 = 0, and the factor
 * r_pareto = 0.5 + 1.5·tanh(ΔHV̄_t) ∈ [0.5, 2) that rescales the scalarised rewards,
 * r̃_w = r_pareto · r_w. After measuring, v_t joins B if no archived vector dominates or equals it
 * (and evicts the ones it dominates), so B stays mutually non-dominated.
 *
 * Conventions:
 * - Hypervolume is measured against the reference point z; a vector that does not strictly
 *   dominate z (v_i > z_i for every i) spans no volume and contributes 0, but still joins B if
 *   non-dominated.
 * - `'first-minus-margin'`: the first `step` call is a calibration call. It sets
 *   z = v_1 − margin (`'group'` mode: the component-wise minimum of that call's group vectors,
 *   minus margin), seeds B with its vectors and reports ΔHV = 0, so r_pareto = 0.5 on that call.
 *   Measuring v_1 against a point derived from v_1 itself would report margin^k of "progress"
 *   that is an artefact of the margin. With `'fixed'`, the first vector's gain is HV({v_1}).
 *   Hence r_pareto is exactly 0.5 on every call as long as nothing has improved the archive.
 * - `'group'` mode: groups are processed in ascending group id; each group's ΔHV is measured
 *   against the archive as updated by the groups before it (so earlier ids get credit first),
 *   and its r_pareto uses γ·ΔHV̄_{t−1} + (1 − γ)·ΔHV_g. The step EMA is then updated once with the
 *   step's total gain HV(B_t) − HV(B_{t−1}), so γ keeps its per-step meaning.
 * - A single per-step r_pareto multiplies every reward of the batch and so cancels under GRPO's
 *   per-group std normalisation: pair `'step'` mode with mean-centred advantages without std
 *   division (Dr. GRPO), or use `'group'` mode. Even then it only rescales the step's gradient,
 *   which an Adam-type optimiser divides out up to eps (METHOD.md §2); `'group'` mode weighs the
 *   groups against each other and so changes the update's direction.
 *
 * @example
 * const meta = new HypervolumeMetaReward({ k: 2 });
 * meta.step(Float64Array.of(0.5, 0.5)).rPareto;        // 0.5 (calibration: z = (0.4, 0.4))
 * const res = meta.step(Float64Array.of(0.7, 0.5, 0.5, 0.5)); // mean (0.6, 0.5): ΔHV = 0.1 · 0.1 = 0.01
 * res.deltaHvSmoothed;                                 // 0.1 · 0.01 = 0.001
 * res.rPareto;                                         // 0.5 + 1.5·tanh(0.001) ≈ 0.5015
 * meta.apply(Float64Array.of(1, 0.4), res);            // Float64Array [0.5015, 0.2006]
 */
export class HypervolumeMetaReward {
  private readonly o: Resolved;
  private frontier: RewardFrontier;
  private ref: Float64Array | null;
  private ema = 0;
  private steps = 0;

  /** @param options - see {@link HypervolumeMetaRewardOptions} (only `k` is required) */
  constructor(options: HypervolumeMetaRewardOptions) {
    this.o = resolveOptions(options, 'HypervolumeMetaReward');
    this.frontier = new RewardFrontier(this.o.k);
    this.ref = this.o.fixedPoint === null ? null : this.o.fixedPoint.slice();
  }

  /** Number of objectives. @example new HypervolumeMetaReward({ k: 2 }).k; // 2 */
  get k(): number {
    return this.o.k;
  }

  /** Current ΔHV̄ (0 before the first step). @example new HypervolumeMetaReward({ k: 2 }).deltaHvSmoothed; // 0 */
  get deltaHvSmoothed(): number {
    return this.ema;
  }

  /** Number of `step` calls so far. @example new HypervolumeMetaReward({ k: 2 }).stepCount; // 0 */
  get stepCount(): number {
    return this.steps;
  }

  /** The reference point, or `null` before the first step under `'first-minus-margin'`. @example new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0] }).reference; // Float64Array [0, 0] */
  get reference(): Float64Array | null {
    return this.ref === null ? null : this.ref.slice();
  }

  /** |B|. @example new HypervolumeMetaReward({ k: 2 }).archiveSize; // 0 */
  get archiveSize(): number {
    return this.frontier.size;
  }

  /**
   * A copy of the archive B (maximised reward vectors, mutually non-dominated).
   * @example
   * new HypervolumeMetaReward({ k: 2 }).archive().n; // 0
   */
  archive(): Points {
    return this.frontier.points();
  }

  /**
   * Processes one training step's reward vectors: measures ΔHV, updates ΔHV̄ and the archive, and
   * returns r_pareto with everything to log.
   *
   * @param rewards - n × k reward vectors, row-major, finite, n ≥ 1
   * @param groupIds - prompt group of each sample (length n); required in `'group'` mode, checked
   *   and otherwise unused in `'step'` mode
   * @returns see {@link MetaRewardResult}
   * @example
   * new HypervolumeMetaReward({ k: 2, reference: 'fixed', referencePoint: [0, 0] })
   *   .step(Float64Array.of(1, 0.5, 0, 0.5)).deltaHv; // HV({(0.5, 0.5)}) = 0.25
   */
  step(rewards: Float64Array, groupIds?: Int32Array): MetaRewardResult {
    const fn = 'HypervolumeMetaReward.step';
    const { k, gamma, granularity } = this.o;
    const n = assertRewardBatch(rewards, k, fn);
    if (n === 0) throw new RangeError(`${fn}: rewards must hold at least one sample (got length 0)`);
    if (groupIds !== undefined) {
      if (!(groupIds instanceof Int32Array)) throw new TypeError(`${fn}: groupIds must be an Int32Array (got ${describeValue(groupIds)})`);
      if (groupIds.length !== n) throw new RangeError(`${fn}: groupIds must have length n = ${n} (got ${groupIds.length})`);
    } else if (granularity === 'group') {
      throw new TypeError(`${fn}: groupIds is required in 'group' granularity`);
    }

    const meanReward = new Float64Array(k);
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) meanReward[j] += rewards[i * k + j];
    for (let j = 0; j < k; j++) meanReward[j] /= n;

    let vectors: Float64Array;
    let ids: Int32Array | null = null;
    let sampleGroup: Int32Array | null = null;
    if (granularity === 'group') {
      ({ ids, vectors, sampleGroup } = groupMeans(rewards, groupIds as Int32Array, n, k));
    } else {
      vectors = meanReward;
    }
    const m = vectors.length / k;

    const calibration = this.ref === null;
    if (this.ref === null) {
      const z = vectors.slice(0, k);
      for (let g = 1; g < m; g++) for (let j = 0; j < k; j++) z[j] = Math.min(z[j], vectors[g * k + j]);
      for (let j = 0; j < k; j++) z[j] -= this.o.margin[j];
      this.ref = z;
    }
    const ref = this.ref;

    const hvBefore = this.frontier.hypervolume(ref);
    const prevEma = this.ema;
    const gDelta = new Float64Array(m);
    const gEma = new Float64Array(m);
    const gR = new Float64Array(m);
    for (let g = 0; g < m; g++) {
      const v = vectors.subarray(g * k, g * k + k);
      // Calibration vectors only seed the archive (see the class notes); otherwise measure first.
      let dhv = 0;
      if (calibration) this.frontier.add(v);
      else dhv = this.frontier.measureAndAdd(v, ref);
      gDelta[g] = dhv;
      gEma[g] = gamma * prevEma + (1 - gamma) * dhv;
      gR[g] = factor(gEma[g]);
    }
    const hvAfter = this.frontier.hypervolume(ref);
    // HV(B_t) − HV(B_{t−1}) is ≥ 0 mathematically (B only gains non-dominated vectors); the
    // clamp removes rounding noise of the subtraction. In 'step' mode it equals gDelta[0].
    const deltaHv = calibration ? 0 : m === 1 ? gDelta[0] : Math.max(0, hvAfter - hvBefore);
    this.ema = gamma * prevEma + (1 - gamma) * deltaHv;
    const rPareto = factor(this.ema);

    const sampleFactors = new Float64Array(n);
    if (sampleGroup === null) sampleFactors.fill(rPareto);
    else for (let i = 0; i < n; i++) sampleFactors[i] = gR[sampleGroup[i]];

    const stepIndex = this.steps++;
    return {
      step: stepIndex,
      granularity,
      calibration,
      rPareto,
      deltaHv,
      deltaHvSmoothed: this.ema,
      meanReward,
      sampleFactors,
      groups: ids === null ? null : { ids, vectors, deltaHv: gDelta, deltaHvSmoothed: gEma, rPareto: gR },
      archiveSize: this.frontier.size,
      hypervolume: hvAfter,
      reference: ref.slice(),
    };
  }

  /**
   * Rescales scalarised rewards by the step's meta reward: r̃_w[i] = sampleFactors[i] · r_w[i].
   *
   * @param rewards - n scalarised rewards r_w (the same samples, in the same order, as the step)
   * @param result - the {@link MetaRewardResult} of that step
   * @param out - optional Float64Array of length n (may be `rewards` itself)
   * @returns r̃_w
   * @example
   * meta.apply(Float64Array.of(1, 0), result); // Float64Array [result.sampleFactors[0], 0]
   */
  apply(rewards: Float64Array, result: MetaRewardResult, out?: Float64Array): Float64Array {
    const fn = 'HypervolumeMetaReward.apply';
    if (result === null || typeof result !== 'object' || !(result.sampleFactors instanceof Float64Array)) {
      throw new TypeError(`${fn}: result must be the object returned by step() (got ${describeValue(result)})`);
    }
    const f = result.sampleFactors;
    assertRewardBatch(rewards, 1, fn);
    if (rewards.length !== f.length) {
      throw new RangeError(`${fn}: rewards must have one entry per sample of the step, length ${f.length} (got ${rewards.length})`);
    }
    const dst = resolveOut(out, f.length, fn);
    for (let i = 0; i < f.length; i++) dst[i] = f[i] * rewards[i];
    return dst;
  }

  /**
   * Plain-JSON checkpoint: options, reference point, archive, ΔHV̄ and step count.
   * @example
   * new HypervolumeMetaReward({ k: 2 }).toJSON().steps; // 0
   */
  toJSON(): HypervolumeMetaRewardJSON {
    const { k, gamma, reference, margin, granularity } = this.o;
    const pts = this.frontier.points();
    const archive: number[][] = [];
    for (let i = 0; i < pts.n; i++) archive.push(Array.from(pts.data.subarray(i * k, i * k + k)));
    return {
      type: 'hypervolume-meta-reward',
      version: 1,
      k,
      gamma,
      reference,
      margin: Array.from(margin),
      granularity,
      referencePoint: this.ref === null ? null : Array.from(this.ref),
      archive,
      deltaHvSmoothed: this.ema,
      steps: this.steps,
    };
  }

  /**
   * Restores a meta reward from {@link HypervolumeMetaReward.toJSON}, checking every field (the
   * archive must be mutually non-dominated, without duplicates).
   * @example
   * const copy = HypervolumeMetaReward.fromJSON(JSON.parse(JSON.stringify(meta))); // continues identically
   */
  static fromJSON(json: unknown): HypervolumeMetaReward {
    const fn = 'HypervolumeMetaReward.fromJSON';
    const obj = assertJsonObject(json, fn, 'hypervolume-meta-reward');
    const k = assertInteger(obj.k, fn, 'json.k', 1);
    const reference = obj.reference as ReferencePolicy;
    const point = obj.referencePoint === null ? null : jsonVector(obj.referencePoint, fn, 'json.referencePoint', k);
    const meta = new HypervolumeMetaReward({
      k,
      gamma: obj.gamma as number,
      reference,
      margin: jsonVector(obj.margin, fn, 'json.margin', k),
      referencePoint: reference === 'fixed' && point !== null ? point : undefined,
      granularity: obj.granularity as MetaRewardGranularity,
    });
    const steps = assertInteger(obj.steps, fn, 'json.steps', 0);
    if (reference === 'fixed' && point === null) throw new RangeError(`${fn}: json.referencePoint is required when reference is 'fixed'`);
    if (reference === 'first-minus-margin' && (point === null) !== (steps === 0)) {
      throw new RangeError(`${fn}: json.referencePoint must be null exactly when json.steps is 0 (got steps ${steps})`);
    }
    if (!Array.isArray(obj.archive)) throw new TypeError(`${fn}: json.archive must be an array of rows (got ${describeValue(obj.archive)})`);
    if (steps === 0 && obj.archive.length > 0) throw new RangeError(`${fn}: json.archive must be empty when json.steps is 0`);
    for (let i = 0; i < obj.archive.length; i++) {
      const row = jsonVector(obj.archive[i], fn, `json.archive[${i}]`, k);
      if (!meta.frontier.add(row) || meta.frontier.size !== i + 1) {
        throw new RangeError(`${fn}: json.archive must be mutually non-dominated without duplicates (row ${i} is dominated, equal or dominating)`);
      }
    }
    meta.ref = point;
    meta.ema = assertNumber(obj.deltaHvSmoothed, fn, 'json.deltaHvSmoothed', { min: 0 });
    meta.steps = steps;
    return meta;
  }
}

/** Distinct ids ascending, the group-mean vectors in that order, and each sample's group index. */
function groupMeans(rewards: Float64Array, groupIds: Int32Array, n: number, k: number) {
  const ids = groupIds.slice().sort();
  let m = 0;
  for (let i = 0; i < n; i++) if (i === 0 || ids[i] !== ids[i - 1]) ids[m++] = ids[i];
  const uniq = ids.slice(0, m);
  const sampleGroup = new Int32Array(n);
  const counts = new Float64Array(m);
  const vectors = new Float64Array(m * k);
  for (let i = 0; i < n; i++) {
    // Binary search in the sorted ids: no hash map, no per-sample allocation.
    const id = groupIds[i];
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (uniq[mid] < id) lo = mid + 1;
      else hi = mid;
    }
    sampleGroup[i] = lo;
    counts[lo]++;
    for (let j = 0; j < k; j++) vectors[lo * k + j] += rewards[i * k + j];
  }
  for (let g = 0; g < m; g++) for (let j = 0; j < k; j++) vectors[g * k + j] /= counts[g];
  return { ids: uniq, vectors, sampleGroup };
}
