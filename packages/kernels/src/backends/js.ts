import { OP_DEFINITIONS } from '../ops/catalog';
import { matmulThreads } from '../ops/matmulFast';
import type { Backend } from '../backend';
import { makeBackend } from './dispatch';

/**
 * Starts the js backend: fast hand-written f32 TypeScript (matmul: WASM SIMD micro-kernel, split
 * over worker threads for large products).
 *
 * @example
 * (await createJsBackend()).info.name // 'js'
 */
export async function createJsBackend(): Promise<Backend> {
  return makeBackend(
    { name: 'js', precision: 'f32', threads: matmulThreads(), fallbacks: [] },
    (def, args) => def.js(args as never),
    async () => {
      for (const def of OP_DEFINITIONS) await def.dispose?.();
    },
  );
}
