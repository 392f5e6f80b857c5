import type { BackendName } from '../ops/define';
import type { Backend } from '../backend';
import { createGpuJsBackend } from './gpujs';
import { createJsBackend } from './js';
import { createReferenceBackend } from './reference';

/** A built-in backend: name, factory, and the priority 'auto' uses. */
export interface BuiltinBackend {
  name: BackendName;
  factory: () => Promise<Backend>;
  priority: number;
}

/**
 * The built-in backends in 'auto' order: hardware WebGPU, headless WebGL, then the fast js path
 * (faster than gpu.js' own CPU modes, measured in bench/matmul.bench.ts), gpu.js webasm and cpu,
 * and the float64 reference last.
 *
 * @example
 * BUILTIN_BACKENDS[0].name // 'webgpu'
 */
export const BUILTIN_BACKENDS: readonly BuiltinBackend[] = [
  { name: 'webgpu', factory: () => createGpuJsBackend('webgpu'), priority: 100 },
  { name: 'headlessgl', factory: () => createGpuJsBackend('headlessgl'), priority: 90 },
  { name: 'js', factory: createJsBackend, priority: 50 },
  { name: 'webasm', factory: () => createGpuJsBackend('webasm'), priority: 30 },
  { name: 'cpu', factory: () => createGpuJsBackend('cpu'), priority: 20 },
  { name: 'reference', factory: createReferenceBackend, priority: 0 },
];
