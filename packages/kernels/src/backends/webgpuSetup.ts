/**
 * Lazy WebGPU setup for Node: the `webgpu` package (Dawn) is imported and `navigator.gpu` installed
 * only when the webgpu backend is requested, so programs that never ask for it are untouched. An
 * existing `navigator.gpu` (browser, Deno) is used as is; an existing `navigator` without `gpu`
 * (Node 21+) gets only a `gpu` property; existing globals are never overwritten.
 */

/** The parts of a WebGPU adapter we read. */
export interface AdapterSummary {
  adapter: string;
  software: boolean;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|\bcpu\b/i;

let setup: Promise<unknown> | undefined;

async function installNavigatorGpu(): Promise<unknown> {
  const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return g.navigator.gpu;
  const webgpu = (await import('webgpu')) as unknown as { create(flags: string[]): unknown; globals: Record<string, unknown> };
  for (const [key, value] of Object.entries(webgpu.globals)) if (!(key in g)) g[key] = value;
  const gpu = webgpu.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  return gpu;
}

/**
 * Installs `navigator.gpu` (once) and requests an adapter; rejects with a clear reason when none
 * exists.
 *
 * @returns the adapter's description and whether it is a software rasteriser
 * @example
 * const { adapter, software } = await requestWebGpuAdapter(); // e.g. { adapter: 'llvmpipe (LLVM 15.0.7, 256 bits)', software: true }
 */
export async function requestWebGpuAdapter(): Promise<AdapterSummary> {
  setup ??= installNavigatorGpu();
  let gpu: { requestAdapter(): Promise<unknown> };
  try {
    gpu = (await setup) as typeof gpu;
  } catch (error) {
    setup = undefined;
    // `webgpu` (Dawn, ~130 MB of native binaries) is an optional peer dependency: say which package to install.
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /'webgpu'/.test(String((error as Error).message))) {
      throw new Error("webgpu: the optional peer dependency 'webgpu' is not installed; `npm install webgpu@0.6.2` to use the webgpu backend in Node (the other backends need nothing)", { cause: error });
    }
    throw new Error(`webgpu: cannot load the 'webgpu' package (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const adapter = (await gpu.requestAdapter()) as null | {
    info?: Record<string, string | boolean | undefined>;
    isFallbackAdapter?: boolean;
  };
  if (!adapter) {
    throw new Error('webgpu: no WebGPU adapter available (install a GPU driver with Vulkan/Metal/D3D12, or Mesa lavapipe: mesa-vulkan-drivers)');
  }
  const info = adapter.info ?? {};
  const fields = ['description', 'device', 'vendor', 'architecture'].map((f) => info[f]).filter((v): v is string => typeof v === 'string' && v.length > 0);
  const name = fields.join(' / ') || 'unknown adapter';
  const software = Boolean(info.isFallbackAdapter || adapter.isFallbackAdapter) || SOFTWARE.test(name);
  return { adapter: name, software };
}
