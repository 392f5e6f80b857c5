import { Op, type Backend } from '@paretopo/kernels';
import type { ParamLayout } from './config';
import { learningRate, resolveAdamWOptions, type AdamWOptions, type ResolvedAdamWOptions } from './schedule';

/** Serialisable state of an {@link AdamW} optimiser. */
export interface AdamWState {
  /** Steps taken. */
  step: number;
  /** First moments, same layout as the parameters. */
  m: Float32Array;
  /** Second moments. */
  v: Float32Array;
}

/** What one {@link AdamW.step} did. */
export interface AdamWStepInfo {
  /** Step number (1-based). */
  step: number;
  /** Learning rate used. */
  lr: number;
  /** Global L2 norm of the gradient before clipping. */
  gradNorm: number;
  /** Whether the gradient was scaled down. */
  clipped: boolean;
}

/**
 * AdamW (Loshchilov & Hutter, 2019) over a flat parameter array, with warmup + cosine schedule and
 * global-norm gradient clipping, all through the kernels' `gradNorm`, `scale` and `adamw` ops.
 * Weight decay applies to tensors with two or more dimensions only (GPT-2 / nanoGPT practice).
 *
 * @example
 * const opt = new AdamW(backend, model.layout, { lr: 1e-3, warmupSteps: 10, totalSteps: 1000 });
 * const info = await opt.step(model.params, grads); // info.step === 1
 */
export class AdamW {
  /** Resolved options. */
  readonly options: ResolvedAdamWOptions;
  private readonly backend: Backend;
  private readonly layout: ParamLayout;
  private m: Float32Array;
  private v: Float32Array;
  private t = 0;

  /**
   * @param backend - kernels backend
   * @param layout - the parameter table (decides which tensors decay)
   * @param options - {@link AdamWOptions}
   */
  constructor(backend: Backend, layout: ParamLayout, options: AdamWOptions = {}) {
    this.options = resolveAdamWOptions(options);
    this.backend = backend;
    this.layout = layout;
    this.m = new Float32Array(layout.size);
    this.v = new Float32Array(layout.size);
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /**
   * One update in place: clip the global gradient norm, then AdamW per tensor.
   *
   * @param params - flat parameters (updated in place)
   * @param grads - flat gradient (scaled in place when clipped)
   * @returns {@link AdamWStepInfo}
   * @throws RangeError when lengths differ or the gradient norm is not finite (no update happens)
   * @example
   * (await opt.step(params, grads)).lr; // the scheduled learning rate of this step
   */
  async step(params: Float32Array, grads: Float32Array): Promise<AdamWStepInfo> {
    const n = this.layout.size;
    if (params.length !== n || grads.length !== n) {
      throw new RangeError(`AdamW.step: params and grads must have length ${n} (got ${params.length}, ${grads.length})`);
    }
    const { norm } = await this.backend.run(Op.GradNorm, { arrays: [grads] });
    if (!Number.isFinite(norm)) throw new RangeError(`AdamW.step: gradient norm is ${norm}; no update was made`);
    const o = this.options;
    let clipped = false;
    if (o.clipNorm > 0 && norm > o.clipNorm) {
      await this.backend.run(Op.Scale, { x: grads, factor: o.clipNorm / norm, n });
      clipped = true;
    }
    const step = this.t + 1;
    const lr = learningRate(step, o);
    for (const e of this.layout.entries) {
      const end = e.offset + e.size;
      await this.backend.run(Op.Adamw, {
        params: params.subarray(e.offset, end), grads: grads.subarray(e.offset, end),
        m: this.m.subarray(e.offset, end), v: this.v.subarray(e.offset, end),
        lr, beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: e.shape.length >= 2 ? o.weightDecay : 0, step,
      });
    }
    this.t = step;
    return { step, lr, gradNorm: norm, clipped };
  }

  /**
   * A copy of the state (for checkpoints).
   *
   * @returns `{ step, m, v }`
   * @example
   * opt.state().step; // steps taken
   */
  state(): AdamWState {
    return { step: this.t, m: this.m.slice(), v: this.v.slice() };
  }

  /**
   * Restores a state taken with {@link AdamW.state}.
   *
   * @param state - `{ step, m, v }` of the same layout
   * @returns nothing
   * @throws RangeError on a length mismatch or a bad step
   * @example
   * opt.loadState(saved.state());
   */
  loadState(state: AdamWState): void {
    const n = this.layout.size;
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`AdamW.loadState: step must be an integer ≥ 0 (got ${state.step})`);
    if (state.m.length !== n || state.v.length !== n) {
      throw new RangeError(`AdamW.loadState: m and v must have length ${n} (got ${state.m.length}, ${state.v.length})`);
    }
    this.m = Float32Array.from(state.m);
    this.v = Float32Array.from(state.v);
    this.t = state.step;
  }
}
