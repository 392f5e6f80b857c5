/**
 * The conformance harness: runs an op's seeded cases on a backend and on the float64 reference,
 * from identical copies of the arguments, and lists every output entry outside tolerance.
 */
import type { AnyOpDefinition, Tolerance } from '../ops/define';
import type { Backend } from '../backend';
import { caseRng } from './rng';

/**
 * Tolerances per backend class: |got − ref| ≤ abs + rel·|ref|. f32 accumulation over k ≤ 128 terms
 * of magnitude ≤ 1 stays within ~k·2⁻²⁴ ≈ 1e-5; gpu.js kernels may also use approximate exp/tanh.
 *
 * @example
 * DEFAULT_TOLERANCE.js // { abs: 1e-4, rel: 1e-4 }
 */
export const DEFAULT_TOLERANCE: { js: Tolerance; gpu: Tolerance } = {
  js: { abs: 1e-4, rel: 1e-4 },
  gpu: { abs: 1e-3, rel: 1e-3 },
};

/**
 * Deep-copies op arguments: typed arrays and arrays of them are cloned, everything else shared.
 *
 * @example
 * cloneArgs({ x: Float32Array.of(1), n: 1 }).x !== x // true
 */
export function cloneArgs<T>(args: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args as Record<string, unknown>)) {
    if (ArrayBuffer.isView(value)) out[key] = (value as Float32Array).slice();
    else if (Array.isArray(value)) out[key] = value.map((v) => (ArrayBuffer.isView(v) ? (v as Float32Array).slice() : v));
    else out[key] = value;
  }
  return out as T;
}

function compareValue(path: string, ref: number, got: number, tol: Tolerance | null, errors: string[]): void {
  const ok = tol === null ? ref === got : Number.isNaN(ref) ? Number.isNaN(got) : Math.abs(got - ref) <= tol.abs + tol.rel * Math.abs(ref);
  if (!ok && errors.length < 8) errors.push(`${path}: got ${got}, reference ${ref}`);
}

function compareAny(path: string, ref: unknown, got: unknown, tol: Tolerance, errors: string[]): void {
  if (typeof ref === 'number') {
    compareValue(path, ref, got as number, tol, errors);
  } else if (ref instanceof Float32Array || ref instanceof Float64Array) {
    const g = got as Float32Array;
    for (let i = 0; i < ref.length; i++) compareValue(`${path}[${i}]`, ref[i], g[i], tol, errors);
  } else if (ArrayBuffer.isView(ref)) {
    const r = ref as Int32Array;
    const g = got as Int32Array;
    for (let i = 0; i < r.length; i++) compareValue(`${path}[${i}]`, r[i], g[i], null, errors);
  } else if (Array.isArray(ref)) {
    ref.forEach((r, i) => compareAny(`${path}[${i}]`, r, (got as unknown[])[i], tol, errors));
  } else if (ref !== null && typeof ref === 'object') {
    for (const [key, value] of Object.entries(ref)) compareAny(`${path}.${key}`, value, (got as Record<string, unknown>)[key], tol, errors);
  }
}

/** The outcome of one case. */
export interface CaseOutcome {
  label: string;
  errors: string[];
}

/**
 * Runs every conformance case of `def` on `backend` and compares with the reference.
 *
 * @param options - `small` shapes (slow backends), `seed`, tolerance class ('js' | 'gpu')
 * @returns one outcome per case; `errors` is empty when the case conforms
 * @example
 * const outcomes = await checkOp(backend, matmulOp, { small: false, seed: 1, tolerance: 'js' });
 * outcomes.every((o) => o.errors.length === 0) // true
 */
export async function checkOp(
  backend: Backend,
  def: AnyOpDefinition,
  options: { small: boolean; seed: number; tolerance: 'js' | 'gpu' },
): Promise<CaseOutcome[]> {
  const tol = def.conformance.tolerance?.[options.tolerance] ?? DEFAULT_TOLERANCE[options.tolerance];
  const cases = def.conformance.cases(caseRng(options.seed), { small: options.small }) as { label: string; args: object }[];
  const outcomes: CaseOutcome[] = [];
  for (const c of cases) {
    const refArgs = cloneArgs(c.args) as Record<string, unknown>;
    const gotArgs = cloneArgs(c.args) as Record<string, unknown>;
    const refResult = def.reference(refArgs as never);
    const gotResult = await backend.run(def.name, gotArgs as never);
    const errors: string[] = [];
    for (const field of def.conformance.outputs as readonly string[]) compareAny(field, refArgs[field], gotArgs[field], tol, errors);
    compareAny('result', refResult, gotResult, tol, errors);
    outcomes.push({ label: c.label, errors });
  }
  return outcomes;
}
