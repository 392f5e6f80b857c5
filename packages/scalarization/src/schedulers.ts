import { describeValue } from '@paretopo/pareto';
import { sampleDirichletInto, stepRng } from './rng';
import { assertInteger, assertJsonObject, assertSeed, assertWeights, jsonVector } from './validate';
import { resolveAlpha } from './weights';

/** What a trainer may tell a scheduler after a step (all fields optional; stateless schedulers ignore it). */
export interface SchedulerObservation {
  /** Smoothed ΔHV̄ of the step, if the trainer runs the meta reward. */
  readonly deltaHvSmoothed?: number;
  /** Pareto-archive size after the step. */
  readonly archiveSize?: number;
  /** Batch-mean reward vector of the step. */
  readonly meanReward?: ArrayLike<number>;
}

/** JSON form of every scheduler in this package; `schedulerFromJSON` dispatches on `type`. */
export type WeightSchedulerJSON = StaticSchedulerJSON | RampSchedulerJSON | DirichletSchedulerJSON;

/**
 * The interface every weight scheduler implements: weights for a (0-based) step, an observation
 * hook, and a JSON checkpoint from which `schedulerFromJSON` restores an identical scheduler.
 */
export interface WeightScheduler {
  /** Number of objectives. */
  readonly k: number;
  /** The weight vector for `step` (a fresh array each call; the caller may keep or mutate it). */
  weights(step: number): Float64Array;
  /** Feeds back what happened at `step`. A no-op for every scheduler in this package. */
  observe(step: number, info: SchedulerObservation): void;
  /** Plain-JSON checkpoint. */
  toJSON(): WeightSchedulerJSON;
}

function checkStep(step: number, fn: string): void {
  assertInteger(step, fn, 'step', 0);
}

// ---- static ----

/** JSON form of {@link StaticScheduler}. */
export interface StaticSchedulerJSON {
  readonly type: 'static';
  readonly version: 1;
  readonly weights: number[];
}

/**
 * The same weights at every step (METHOD.md §1: default w = (0.6, 0.4) for `grpo-ws` and ParetoPO).
 * Weights are used as given (finite, non-negative, not all zero; not renormalised).
 *
 * @example
 * new StaticScheduler([0.6, 0.4]).weights(10); // Float64Array [0.6, 0.4]
 */
export class StaticScheduler implements WeightScheduler {
  readonly k: number;
  private readonly w: Float64Array;

  /** @param weights - k finite non-negative weights, not all zero */
  constructor(weights: ArrayLike<number>) {
    assertWeights(weights, 'StaticScheduler', 'weights');
    this.w = Float64Array.from(weights);
    this.k = this.w.length;
  }

  /**
   * @param step - a non-negative integer
   * @returns a copy of the weights
   * @example
   * new StaticScheduler([1, 0]).weights(0); // Float64Array [1, 0]
   */
  weights(step: number): Float64Array {
    checkStep(step, 'StaticScheduler.weights');
    return this.w.slice();
  }

  /**
   * No-op (stateless).
   * @example
   * new StaticScheduler([1, 0]).observe(0, {}); // undefined
   */
  observe(step: number, _info: SchedulerObservation): void {
    checkStep(step, 'StaticScheduler.observe');
  }

  /**
   * @returns `{ type: 'static', version: 1, weights }`
   * @example
   * new StaticScheduler([1, 0]).toJSON(); // { type: 'static', version: 1, weights: [1, 0] }
   */
  toJSON(): StaticSchedulerJSON {
    return { type: 'static', version: 1, weights: Array.from(this.w) };
  }

  /**
   * Restores a scheduler from {@link StaticScheduler.toJSON}.
   * @example
   * StaticScheduler.fromJSON({ type: 'static', version: 1, weights: [1, 0] }).weights(3); // [1, 0]
   */
  static fromJSON(json: unknown): StaticScheduler {
    const obj = assertJsonObject(json, 'StaticScheduler.fromJSON', 'static');
    return new StaticScheduler(jsonVector(obj.weights, 'StaticScheduler.fromJSON', 'json.weights'));
  }
}

// ---- ramps ----

/** Shape of a ramp: straight line, or half a cosine (slow start and end). */
export type RampShape = 'linear' | 'cosine';

/** Options of {@link LinearRampScheduler} and {@link CosineRampScheduler}. */
export interface RampOptions {
  /** Weights up to and including `startStep`. */
  readonly from: ArrayLike<number>;
  /** Weights from `endStep` on. */
  readonly to: ArrayLike<number>;
  /** First step of the ramp. Default 0. */
  readonly startStep?: number;
  /** Step at which `to` is reached (> startStep). Required. */
  readonly endStep: number;
}

/** JSON form of the ramp schedulers. */
export interface RampSchedulerJSON {
  readonly type: 'linear-ramp' | 'cosine-ramp';
  readonly version: 1;
  readonly from: number[];
  readonly to: number[];
  readonly startStep: number;
  readonly endStep: number;
}

abstract class RampScheduler implements WeightScheduler {
  readonly k: number;
  readonly startStep: number;
  readonly endStep: number;
  private readonly from: Float64Array;
  private readonly to: Float64Array;

  protected constructor(
    private readonly shape: RampShape,
    private readonly name: string,
    options: RampOptions,
  ) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`${name}: options must be an object { from, to, endStep } (got ${describeValue(options)})`);
    }
    assertWeights(options.from, name, 'options.from');
    this.k = options.from.length;
    assertWeights(options.to, name, 'options.to', this.k);
    this.from = Float64Array.from(options.from);
    this.to = Float64Array.from(options.to);
    this.startStep = assertInteger(options.startStep ?? 0, name, 'options.startStep', 0);
    this.endStep = assertInteger(options.endStep, name, 'options.endStep', this.startStep + 1);
  }

  /**
   * The interpolated weights (1 − t)·from + t·to, t = ramp position of `step` clamped to [0, 1].
   *
   * @param step - a non-negative integer
   * @returns a fresh vector
   * @example
   * new LinearRampScheduler({ from: [1, 0], to: [0, 1], endStep: 4 }).weights(1); // Float64Array [0.75, 0.25]
   */
  weights(step: number): Float64Array {
    checkStep(step, `${this.name}.weights`);
    let t = (step - this.startStep) / (this.endStep - this.startStep);
    t = t <= 0 ? 0 : t >= 1 ? 1 : t;
    if (this.shape === 'cosine') t = 0.5 - 0.5 * Math.cos(Math.PI * t);
    const out = new Float64Array(this.k);
    // (1 − t)·a + t·b, not a + t(b − a): exact at both ends and stays on the simplex segment.
    for (let j = 0; j < this.k; j++) out[j] = (1 - t) * this.from[j] + t * this.to[j];
    return out;
  }

  /**
   * No-op (a ramp depends on the step only).
   * @example
   * new LinearRampScheduler({ from: [1, 0], to: [0, 1], endStep: 4 }).observe(0, {}); // undefined
   */
  observe(step: number, _info: SchedulerObservation): void {
    checkStep(step, `${this.name}.observe`);
  }

  /**
   * @returns `{ type: 'linear-ramp' | 'cosine-ramp', version: 1, from, to, startStep, endStep }`
   * @example
   * new LinearRampScheduler({ from: [1, 0], to: [0, 1], endStep: 4 }).toJSON().type; // 'linear-ramp'
   */
  toJSON(): RampSchedulerJSON {
    return {
      type: this.shape === 'linear' ? 'linear-ramp' : 'cosine-ramp',
      version: 1,
      from: Array.from(this.from),
      to: Array.from(this.to),
      startStep: this.startStep,
      endStep: this.endStep,
    };
  }
}

function rampOptionsFromJSON(json: unknown, fn: string, type: string): RampOptions {
  const obj = assertJsonObject(json, fn, type);
  return {
    from: jsonVector(obj.from, fn, 'json.from'),
    to: jsonVector(obj.to, fn, 'json.to'),
    startStep: obj.startStep as number,
    endStep: obj.endStep as number,
  };
}

/**
 * Weights moving linearly from `from` to `to` over steps [startStep, endStep], constant outside.
 *
 * @example
 * const s = new LinearRampScheduler({ from: [1, 0], to: [0, 1], endStep: 10 });
 * s.weights(5); // Float64Array [0.5, 0.5]
 */
export class LinearRampScheduler extends RampScheduler {
  /** @param options - `from`, `to`, `startStep` (default 0), `endStep` */
  constructor(options: RampOptions) {
    super('linear', 'LinearRampScheduler', options);
  }

  /**
   * Restores a scheduler from its `toJSON()`.
   * @example
   * LinearRampScheduler.fromJSON(new LinearRampScheduler({ from: [1, 0], to: [0, 1], endStep: 4 }).toJSON()).weights(2); // [0.5, 0.5]
   */
  static fromJSON(json: unknown): LinearRampScheduler {
    return new LinearRampScheduler(rampOptionsFromJSON(json, 'LinearRampScheduler.fromJSON', 'linear-ramp'));
  }
}

/**
 * Weights moving from `from` to `to` along half a cosine, t ↦ (1 − cos πt)/2, over
 * the steps from startStep to endStep: slow near both ends, constant outside.
 *
 * @example
 * const s = new CosineRampScheduler({ from: [1, 0], to: [0, 1], endStep: 10 });
 * s.weights(5); // Float64Array [0.5, 0.5] (the midpoint is the same as linear)
 */
export class CosineRampScheduler extends RampScheduler {
  /** @param options - `from`, `to`, `startStep` (default 0), `endStep` */
  constructor(options: RampOptions) {
    super('cosine', 'CosineRampScheduler', options);
  }

  /**
   * Restores a scheduler from its `toJSON()`.
   * @example
   * CosineRampScheduler.fromJSON(new CosineRampScheduler({ from: [1, 0], to: [0, 1], endStep: 4 }).toJSON()).weights(4); // [0, 1]
   */
  static fromJSON(json: unknown): CosineRampScheduler {
    return new CosineRampScheduler(rampOptionsFromJSON(json, 'CosineRampScheduler.fromJSON', 'cosine-ramp'));
  }
}

// ---- Dirichlet ----

/** Options of {@link DirichletScheduler}. */
export interface DirichletSchedulerOptions {
  /** Concentration: one positive number per objective, or one number for all (then `k` is required). */
  readonly alpha: number | ArrayLike<number>;
  /** Number of objectives; required when `alpha` is a number. */
  readonly k?: number;
  /** Seed. Default 0. */
  readonly seed?: number;
}

/** JSON form of {@link DirichletScheduler}. */
export interface DirichletSchedulerJSON {
  readonly type: 'dirichlet';
  readonly version: 1;
  readonly alpha: number[];
  readonly seed: number;
}

/**
 * A fresh Dirichlet(alpha) weight vector per step. The draw for step t comes from a generator
 * seeded with hash(seed, t), so it depends only on (seed, t): calling `weights` twice, out of
 * order, or after restoring from JSON always gives the same vector (resume-safe by construction,
 * no generator state to checkpoint).
 *
 * @example
 * const s = new DirichletScheduler({ alpha: 1, k: 2, seed: 7 });
 * s.weights(3); // some vector on the simplex, identical on every call with step 3
 */
export class DirichletScheduler implements WeightScheduler {
  readonly k: number;
  readonly seed: number;
  private readonly alpha: Float64Array;

  /** @param options - `alpha`, `k`, `seed` (default 0) */
  constructor(options: DirichletSchedulerOptions) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`DirichletScheduler: options must be an object { alpha, k?, seed? } (got ${describeValue(options)})`);
    }
    if (options.k !== undefined) assertInteger(options.k, 'DirichletScheduler', 'options.k', 1);
    this.alpha = resolveAlpha(options.alpha, options.k, 'DirichletScheduler', 'options.alpha');
    this.k = this.alpha.length;
    this.seed = assertSeed(options.seed ?? 0, 'DirichletScheduler');
  }

  /**
   * @param step - a non-negative integer
   * @returns a vector on the simplex, a pure function of (seed, alpha, step)
   * @example
   * new DirichletScheduler({ alpha: [1, 1], seed: 1 }).weights(0); // e.g. Float64Array [0.3…, 0.6…]
   */
  weights(step: number): Float64Array {
    checkStep(step, 'DirichletScheduler.weights');
    return sampleDirichletInto(this.alpha, stepRng(this.seed, step), new Float64Array(this.k));
  }

  /**
   * No-op (the draw depends on the step only).
   * @example
   * new DirichletScheduler({ alpha: 1, k: 2 }).observe(0, {}); // undefined
   */
  observe(step: number, _info: SchedulerObservation): void {
    checkStep(step, 'DirichletScheduler.observe');
  }

  /**
   * @returns `{ type: 'dirichlet', version: 1, alpha, seed }`
   * @example
   * new DirichletScheduler({ alpha: 2, k: 2, seed: 5 }).toJSON(); // { type: 'dirichlet', version: 1, alpha: [2, 2], seed: 5 }
   */
  toJSON(): DirichletSchedulerJSON {
    return { type: 'dirichlet', version: 1, alpha: Array.from(this.alpha), seed: this.seed };
  }

  /**
   * Restores a scheduler from {@link DirichletScheduler.toJSON}.
   * @example
   * DirichletScheduler.fromJSON({ type: 'dirichlet', version: 1, alpha: [1, 1], seed: 0 }).k; // 2
   */
  static fromJSON(json: unknown): DirichletScheduler {
    const obj = assertJsonObject(json, 'DirichletScheduler.fromJSON', 'dirichlet');
    return new DirichletScheduler({
      alpha: jsonVector(obj.alpha, 'DirichletScheduler.fromJSON', 'json.alpha'),
      seed: obj.seed as number,
    });
  }
}

/**
 * Restores any scheduler of this package from its `toJSON()` (dispatch on `type`).
 *
 * @param json - a {@link WeightSchedulerJSON} (e.g. parsed from a checkpoint)
 * @returns the scheduler
 * @example
 * schedulerFromJSON({ type: 'static', version: 1, weights: [0.6, 0.4] }).weights(0); // [0.6, 0.4]
 */
export function schedulerFromJSON(json: unknown): WeightScheduler {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new TypeError(`schedulerFromJSON: json must be an object (got ${describeValue(json)})`);
  }
  const type = (json as { type?: unknown }).type;
  switch (type) {
    case 'static':
      return StaticScheduler.fromJSON(json);
    case 'linear-ramp':
      return LinearRampScheduler.fromJSON(json);
    case 'cosine-ramp':
      return CosineRampScheduler.fromJSON(json);
    case 'dirichlet':
      return DirichletScheduler.fromJSON(json);
    default:
      throw new RangeError(
        `schedulerFromJSON: json.type must be 'static', 'linear-ramp', 'cosine-ramp' or 'dirichlet' (got ${describeValue(type)})`,
      );
  }
}
