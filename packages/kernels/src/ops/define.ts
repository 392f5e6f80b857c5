/**
 * How an op module plugs into the registry. Each op lives in `src/ops/<op>.ts` and exports ONE
 * definition built with `defineOp`, then gets one line in `src/ops/catalog.ts`:
 *
 * ```ts
 * export const geluOp = defineOp({
 *   name: Op.Gelu,
 *   validate: (a) => { assertLength('gelu', 'x', a.x, a.n); assertLength('gelu', 'out', a.out, a.n); },
 *   reference: (a) => { ... float64 maths, obviously correct ... },
 *   js: (a) => { ... fast f32 TypeScript ... },
 *   gpu: {                                   // optional: one gpu.js kernel source for cpu/webasm/webgpu/headlessgl
 *     key: (a) => `${a.n}`,                  // shape key: the kernel is built once per (backend, op, key)
 *     build: (ctx, a) => {
 *       const kernel = ctx.createKernel(function (x: Float32Array) { ... this.thread.x ... }, { output: [a.n] });
 *       return async (b) => { await ctx.readInto(kernel(b.x), b.out, b.n); };
 *     },
 *   },
 *   gaps: [{ backends: ['webgpu'], reason: 'why this backend runs the js implementation instead' }],
 *   conformance: {                           // random cases the conformance suite checks against `reference`
 *     outputs: ['out'],                      // typed-array fields to compare (int arrays: exactly)
 *     cases: (rng, { small }) => [{ label: 'n=1', args: { x: rng.f32(1), out: new Float32Array(1), n: 1 } }, ...],
 *     tolerance: { js: { abs: 1e-5, rel: 1e-4 } },   // optional, defaults in DEFAULT_TOLERANCE
 *   },
 * });
 * ```
 *
 * Validation runs once per `Backend.run` call, before any backend, so implementations never check
 * their arguments. Without `gpu`, the gpu.js backends delegate to `js`; that MUST be listed in `gaps`
 * for 'cpu', 'webasm', 'webgpu' and 'headlessgl' (src/registry.test.ts fails otherwise) so the
 * fallback is data with a reason, reported in `BackendInfo.fallbacks` and skipped by conformance.
 */
import type { OpName } from './names';
import type { OpArgs, OpResult } from './types';
import type { CaseRng } from '../conformance/rng';

/** Names of every backend. */
export type BackendName = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu' | 'js' | 'reference';

/** The backends that run gpu.js kernels. */
export type GpuJsBackendName = 'webgpu' | 'headlessgl' | 'webasm' | 'cpu';

/** What a gpu.js kernel returns: a flat array, rows of one (2-D output), or a promise (WebGPU). */
export type KernelOutput = Float32Array | Float32Array[] | number[] | PromiseLike<unknown>;

/** Settings of one gpu.js kernel. */
export interface KernelSettings {
  /** gpu.js output size: [x] or [x, y] (x = columns = `this.thread.x`). */
  output: number[];
  /** Values the kernel reads as `this.constants.<name>`; baked into the kernel. */
  constants?: Record<string, number>;
}

/** A compiled gpu.js kernel (call it with the kernel function's arguments). */
export type CompiledKernel = (...args: unknown[]) => KernelOutput;

/** What `gpu.build` gets: kernel construction and result read-back for one gpu.js mode. */
export interface GpuKernelContext {
  /** The gpu.js mode: 'cpu' | 'webasm' | 'webgpu' | 'headlessgl'. */
  readonly mode: GpuJsBackendName;
  /** Compiles `fn` (a gpu.js kernel function: `this.thread.x`, `this.constants.*`) with settings. */
  createKernel(fn: (...args: never[]) => number, settings: KernelSettings): CompiledKernel;
  /** Awaits a kernel result and copies its first `length` values (rows concatenated) into `out`. */
  readInto(result: KernelOutput, out: Float32Array, length: number): Promise<void>;
}

/** A gpu.js implementation of one op. */
export interface GpuImplementation<N extends OpName> {
  /** Shape key: kernels are built once per (backend, op, key) and cached. */
  key(args: OpArgs[N]): string;
  /** Builds the kernels for the shape of `args` and returns the runner for that shape. */
  build(ctx: GpuKernelContext, args: OpArgs[N]): (args: OpArgs[N]) => Promise<OpResult[N]> | OpResult[N];
}

/** Absolute and relative tolerance: |got − ref| ≤ abs + rel·|ref|. */
export interface Tolerance {
  abs: number;
  rel: number;
}

/** One conformance case: a label and fresh arguments (outputs zeroed or pre-filled for accumulate). */
export interface ConformanceCase<N extends OpName> {
  label: string;
  args: OpArgs[N];
}

/** How the conformance suite exercises an op. */
export interface ConformanceSpec<N extends OpName> {
  /** Typed-array fields of the args written by the op; Float32Array fields use tolerances, int ones exact. */
  outputs: readonly (keyof OpArgs[N] & string)[];
  /** Seeded random cases; `small` asks for tiny shapes (WebGPU on a software adapter is slow). */
  cases(rng: CaseRng, options: { small: boolean }): ConformanceCase<N>[];
  /** Per backend class; defaults in DEFAULT_TOLERANCE. */
  tolerance?: { js?: Tolerance; gpu?: Tolerance };
}

/** A backend that runs `js` instead of its own implementation of an op, and why. */
export interface OpGap {
  backends: readonly BackendName[];
  reason: string;
}

/** Everything the registry knows about one op. */
export interface OpDefinition<N extends OpName> {
  name: N;
  /** Throws TypeError/RangeError (prefixed with the op name) on bad arguments. */
  validate(args: OpArgs[N]): void;
  /** Obviously-correct float64 implementation: the oracle. */
  reference(args: OpArgs[N]): OpResult[N];
  /** Fast f32 TypeScript implementation. */
  js(args: OpArgs[N]): OpResult[N] | Promise<OpResult[N]>;
  gpu?: GpuImplementation<N>;
  gaps?: readonly OpGap[];
  conformance: ConformanceSpec<N>;
  /** Releases resources held by the js implementation (e.g. worker threads). */
  dispose?(): Promise<void> | void;
}

/** Any op definition (the catalog's element type). */
export type AnyOpDefinition = { [N in OpName]: OpDefinition<N> }[OpName];

/**
 * Declares an op (identity at run time; it exists so TypeScript checks the definition against the
 * op's argument and result types).
 *
 * @param definition - the op's implementations, gaps and conformance cases
 * @returns the same definition
 * @example
 * const op = defineOp({ name: Op.Scale, validate, reference, js, conformance });
 * op.name // 'scale'
 */
export function defineOp<N extends OpName>(definition: OpDefinition<N>): OpDefinition<N> {
  return definition;
}
