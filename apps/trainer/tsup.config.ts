import { copyFile } from 'node:fs/promises';
import { executableConfig } from '../../tsup.shared';

export default executableConfig('src/bin.ts', {
  // The packages' own dependencies stay external: webgpu loads its native Dawn addon relative to
  // its own files, and the QuickJS WebAssembly file is found beside its module.
  external: ['gpu.js', 'webgpu', 'minisearch', 'quickjs-emscripten-core', '@jitl/quickjs-wasmfile-release-sync'],
  // The code tool's worker is loaded by URL beside the bundle, so it is copied, not bundled.
  onSuccess: async () => {
    await copyFile('../../packages/envs/src/code-worker.mjs', 'dist/code-worker.mjs');
  },
});
