// The started-backend interface, apart from the registry: backends implement it and the registry
// imports the built-in backends, so keeping it here leaves no import cycle between the two.
import type { BackendName } from './ops/define';
import type { OpName } from './ops/names';
import type { OpArgs, OpResult } from './ops/types';

/** What a started backend reports about itself. */
export interface BackendInfo {
  name: BackendName;
  /** GPU adapter description (webgpu) when known. */
  adapter?: string;
  /** True when the adapter is a software rasteriser (llvmpipe, lavapipe, SwiftShader). */
  software?: boolean;
  /** Threads the js matmul may use. */
  threads?: number;
  precision: 'f32' | 'f64';
  /** Why other backends were skipped during selection, and which ops delegate to js (and why). */
  fallbacks: string[];
}

/** A started backend. */
export interface Backend {
  readonly info: BackendInfo;
  /** Runs one op; writes into the args' output arrays and resolves with the op's result. */
  run<N extends OpName>(op: N, args: OpArgs[N]): Promise<OpResult[N]>;
  /** Releases kernels, devices and worker threads. */
  dispose(): Promise<void>;
}

