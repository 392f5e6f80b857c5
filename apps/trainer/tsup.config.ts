import { copyFile } from 'node:fs/promises';
import { packageConfig } from '../../tsup.shared';

// An executable: the packages are bundled in from their sources (no library build needed first).
// The code tool's worker is loaded by URL beside the bundle, so it is copied, not bundled.
export default packageConfig({
  entry: ['src/bin.ts'],
  dts: false,
  esbuildOptions(options) {
    options.conditions = ['@paretopo/source'];
  },
  noExternal: [/^@paretopo\//],
  // The packages' own dependencies stay external: webgpu loads its native Dawn addon relative to
  // its own files, and the QuickJS WebAssembly file is found beside its module.
  external: ['gpu.js', 'webgpu', 'minisearch', 'quickjs-emscripten-core', '@jitl/quickjs-wasmfile-release-sync'],
  banner: { js: '#!/usr/bin/env node' },
  onSuccess: async () => {
    await copyFile('../../packages/envs/src/code-worker.mjs', 'dist/code-worker.mjs');
  },
});
