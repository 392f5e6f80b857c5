/**
 * Backend registry (tfjs-style). Backends register a factory with a priority; `createBackend('auto')`
 * tries them from the highest priority down and falls back, with a logged reason, when one cannot
 * start. A software WebGPU adapter (llvmpipe / lavapipe / SwiftShader) is never chosen by 'auto'
 * unless `allowSoftwareGpu`, because the js backend is faster than a CPU rasteriser.
 *
 * Ops plug in through `defineOp` (src/ops/define.ts, documented there) and one line in
 * src/ops/catalog.ts. Every backend runs `validate` once per call, then its own implementation, or
 * the `js` one for the (backend, op) pairs listed as gaps; those are reported in `info.fallbacks`.
 */
import type { BackendName, OpGap } from './ops/define';
import { OP_DEFINITIONS } from './ops/catalog';
import { BUILTIN_BACKENDS } from './backends/builtins';
import type { Backend, BackendInfo } from './backend';
import type { OpName } from './ops/names';

export type { BackendName } from './ops/define';
export type { Backend, BackendInfo } from './backend';

/** Options of `createBackend`. */
export interface CreateBackendOptions {
  /** Receives one line per selection decision. Default: no logging. */
  log?: (message: string) => void;
  /** Let 'auto' pick a software WebGPU adapter. Default false. */
  allowSoftwareGpu?: boolean;
}

/** A known gap: `backend` runs the js implementation of `op`. */
export interface KnownGap {
  backend: BackendName;
  op: OpName;
  reason: string;
}

export type Factory = () => Promise<Backend>;
const factories = new Map<BackendName, { factory: Factory; priority: number }>(
  BUILTIN_BACKENDS.map((b) => [b.name, { factory: b.factory, priority: b.priority }]),
);

/**
 * Registers (or replaces) a backend factory.
 *
 * @param name - backend name
 * @param factory - starts the backend; rejects with the reason when it cannot
 * @param priority - 'auto' tries higher priorities first
 * @example
 * registerBackend('js', myJsFactory, 50);
 */
export function registerBackend(name: BackendName, factory: Factory, priority: number): void {
  if (typeof factory !== 'function') throw new TypeError(`registerBackend: factory must be a function (got ${typeof factory})`);
  if (!Number.isFinite(priority)) throw new RangeError(`registerBackend: priority must be a finite number (got ${priority})`);
  factories.set(name, { factory, priority });
}

/**
 * Registered backend names, highest priority first (the order 'auto' tries).
 *
 * @example
 * listBackends() // ['webgpu', 'headlessgl', 'js', 'webasm', 'cpu', 'reference']
 */
export function listBackends(): BackendName[] {
  return [...factories.entries()].sort((x, y) => y[1].priority - x[1].priority).map(([n]) => n);
}

/**
 * Every (backend, op) pair that runs the js implementation, with the reason (data, from the op
 * definitions).
 *
 * @example
 * knownGaps().every((g) => g.reason.length > 0) // true
 */
export function knownGaps(): KnownGap[] {
  const out: KnownGap[] = [];
  for (const def of OP_DEFINITIONS) {
    for (const gap of (def.gaps ?? []) as readonly OpGap[]) {
      for (const backend of gap.backends) out.push({ backend, op: def.name, reason: gap.reason });
    }
  }
  return out;
}

/**
 * Known gaps at module load (see `knownGaps`).
 *
 * @example
 * KNOWN_GAPS.filter((g) => g.backend === 'js') // [] (js implements every op)
 */
export const KNOWN_GAPS: readonly KnownGap[] = knownGaps();

const NAMES: readonly string[] = ['webgpu', 'headlessgl', 'webasm', 'cpu', 'js', 'reference'];

/**
 * Starts a backend. An explicit name starts that backend or rejects with its reason; 'auto' tries
 * registered backends by priority, logs why each skipped one was skipped, and reports those reasons
 * in `info.fallbacks`.
 *
 * @param selection - a backend name or 'auto' (default)
 * @param options - logging and the software-GPU rule
 * @returns the started backend
 * @example
 * const backend = await createBackend('auto', { log: console.log });
 * backend.info.name // 'js' on a machine without a hardware GPU
 */
export async function createBackend(selection: BackendName | 'auto' = 'auto', options: CreateBackendOptions = {}): Promise<Backend> {
  if (selection !== 'auto' && !NAMES.includes(selection) && !factories.has(selection)) {
    throw new RangeError(`createBackend: selection must be 'auto' or one of ${NAMES.join(', ')} (got ${String(selection)})`);
  }
  const log = options.log ?? (() => {});
  if (selection !== 'auto') {
    const entry = factories.get(selection);
    if (!entry) throw new RangeError(`createBackend: backend '${selection}' is not registered`);
    const backend = await entry.factory();
    log(`kernels: using ${describeInfo(backend.info)}`);
    return backend;
  }
  const skipped: string[] = [];
  for (const name of listBackends()) {
    let backend: Backend;
    try {
      backend = await factories.get(name)!.factory();
    } catch (error) {
      const reason = `${name}: cannot start (${error instanceof Error ? error.message : String(error)})`;
      log(`kernels: ${reason}; falling back`);
      skipped.push(reason);
      continue;
    }
    if (backend.info.software && !options.allowSoftwareGpu) {
      const reason = `${name}: adapter '${backend.info.adapter ?? 'unknown'}' is a software rasteriser, slower than the CPU path (pass allowSoftwareGpu to use it)`;
      log(`kernels: ${reason}; falling back`);
      skipped.push(reason);
      await backend.dispose();
      continue;
    }
    backend.info.fallbacks.unshift(...skipped);
    log(`kernels: using ${describeInfo(backend.info)}`);
    return backend;
  }
  throw new Error(`createBackend: no backend could start (${skipped.join('; ')})`);
}

function describeInfo(info: BackendInfo): string {
  const parts: string[] = [info.name];
  if (info.adapter) parts.push(`adapter '${info.adapter}'${info.software ? ' (software)' : ''}`);
  if (info.threads) parts.push(`${info.threads} thread(s)`);
  parts.push(info.precision);
  return parts.join(', ');
}
