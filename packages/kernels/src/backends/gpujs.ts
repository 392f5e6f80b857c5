import type { GpuJsBackendName, GpuKernelContext, KernelOutput, KernelSettings, CompiledKernel } from '../ops/define';
import { OP_DEFINITIONS } from '../ops/catalog';
import type { Backend, BackendInfo } from '../backend';
import { hasGap, makeBackend } from './dispatch';
import { requestWebGpuAdapter } from './webgpuSetup';

interface GpuJsKernel {
  setOutput(output: number[]): GpuJsKernel;
  setConstants(constants: Record<string, number>): GpuJsKernel;
  setPrecision?(precision: string): GpuJsKernel;
  (...args: unknown[]): KernelOutput;
}
interface GpuJsInstance {
  createKernel(fn: unknown, settings?: Record<string, unknown>): GpuJsKernel;
  destroy?(): unknown;
}
type GpuJsConstructor = new (settings: { mode: string }) => GpuJsInstance;

async function loadGpuJs(): Promise<GpuJsConstructor> {
  const mod = (await import('gpu.js')) as unknown as { GPU?: GpuJsConstructor; default?: { GPU: GpuJsConstructor } };
  const GPU = mod.GPU ?? mod.default?.GPU;
  if (!GPU) throw new Error("gpu.js: the module has no 'GPU' export");
  return GPU;
}

/**
 * Copies a kernel result (flat, rows, or a promise of either) into `out`.
 *
 * @example
 * await readInto([Float32Array.of(1, 2), Float32Array.of(3, 4)], out, 4) // out = [1, 2, 3, 4]
 */
export async function readInto(result: KernelOutput, out: Float32Array, length: number): Promise<void> {
  const value = (await result) as Float32Array | Float32Array[] | number[];
  const first = (value as ArrayLike<unknown>)[0];
  if (first !== undefined && typeof first === 'object') {
    let offset = 0;
    for (const row of value as Float32Array[]) {
      const take = Math.min(row.length, length - offset);
      if (take <= 0) break;
      out.set(take === row.length ? row : row.subarray(0, take), offset);
      offset += take;
    }
    return;
  }
  if (value instanceof Float32Array) out.set(value.length === length ? value : value.subarray(0, length));
  else for (let i = 0; i < length; i++) out[i] = (value as number[])[i];
}

/**
 * Starts a gpu.js backend in `mode` ('cpu', 'webasm', 'webgpu', 'headlessgl'). Kernels are built once
 * per (op, shape key) and cached; ops listed as gaps for this mode run the js implementation.
 * Rejects with the reason when the mode cannot start (no adapter, headless-gl missing, ...).
 *
 * @example
 * const b = await createGpuJsBackend('webasm');
 * b.info.name // 'webasm'
 */
export async function createGpuJsBackend(mode: GpuJsBackendName): Promise<Backend> {
  const info: BackendInfo = { name: mode, precision: 'f32', fallbacks: [] };
  if (mode === 'webgpu') Object.assign(info, await requestWebGpuAdapter());
  const GPU = await loadGpuJs();
  let gpu: GpuJsInstance;
  try {
    gpu = new GPU({ mode });
  } catch (error) {
    const hint = mode === 'headlessgl' ? " (headless-gl, the optional 'gl' package with native bindings, is not installed)" : '';
    throw new Error(`gpu.js mode '${mode}' unavailable${hint}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const ctx: GpuKernelContext = {
    mode,
    createKernel(fn, settings: KernelSettings): CompiledKernel {
      // 'single' precision everywhere: the GL modes would otherwise pack floats into 8-bit textures.
      let kernel = gpu.createKernel(fn, { precision: 'single', tactic: 'precision', dynamicOutput: false }).setOutput(settings.output);
      if (settings.constants) kernel = kernel.setConstants(settings.constants);
      const compiled = kernel;
      let checked = false;
      // gpu.js may silently switch a kernel to another mode when its translation fails (e.g. a WGSL
      // construct it cannot emit); that must surface, or a broken WebGPU path would pass as 'webgpu'.
      return ((...args: unknown[]) => {
        const result = compiled(...args);
        if (!checked) {
          checked = true;
          const inner = (compiled as unknown as { kernel?: { constructor?: { mode?: string } }; fallbackReason?: unknown }).kernel;
          const ran = inner?.constructor?.mode;
          if (ran !== undefined && ran !== mode) {
            throw new Error(`gpu.js ran a '${mode}' kernel in mode '${ran}' (${String((compiled as { fallbackReason?: unknown }).fallbackReason ?? 'no reason given')})`);
          }
        }
        return result;
      }) as CompiledKernel;
    },
    readInto,
  };
  // Proves the mode really executes (gpu.js may throw only at the first build).
  const probe = ctx.createKernel(function (this: { thread: { x: number } }, x: Float32Array) {
    return x[this.thread.x] + 1;
  } as never, { output: [2] });
  const probed = new Float32Array(2);
  try {
    await readInto(probe(Float32Array.of(1, 2)), probed, 2);
  } catch (error) {
    throw new Error(`gpu.js mode '${mode}' failed its probe kernel: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (probed[0] !== 2 || probed[1] !== 3) throw new Error(`gpu.js mode '${mode}' probe kernel returned [${probed.join(', ')}] instead of [2, 3]`);

  const cache = new Map<string, (args: never) => unknown>();
  for (const def of OP_DEFINITIONS) {
    if (!def.gpu || hasGap(def, mode)) {
      const reason = (def.gaps ?? []).find((g) => g.backends.includes(mode))?.reason ?? 'no gpu.js kernel';
      info.fallbacks.push(`${def.name} → js: ${reason}`);
    }
  }
  return makeBackend(
    info,
    (def, args) => {
      if (!def.gpu || hasGap(def, mode)) return def.js(args as never);
      const gpuImpl = def.gpu as { key(a: unknown): string; build(c: GpuKernelContext, a: unknown): (a: never) => unknown };
      const key = `${def.name}|${gpuImpl.key(args)}`;
      let runner = cache.get(key);
      if (!runner) {
        runner = gpuImpl.build(ctx, args);
        cache.set(key, runner);
      }
      return runner(args as never);
    },
    async () => {
      cache.clear();
      await gpu.destroy?.();
    },
  );
}
