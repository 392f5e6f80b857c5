import { copyFile } from 'node:fs/promises';
import { executableConfig, packageConfig } from '../../tsup.shared';

export default [
  // The library (`@paretopo/trainer`): its sibling packages stay dependencies, not bundled.
  packageConfig({ entry: { index: 'src/index.ts', methods: 'src/methods.ts', progress: 'src/progress.ts' }, outDir: 'dist/lib' }),
  // The `paretopo` binary: self-contained, the workspace packages bundled from their sources.
  executableConfig('src/bin.ts', {
    // The library owns dist/lib; the binary cleans only its own files beside it.
    clean: ['*.js', '*.map', '*.mjs'],
    // gpu.js is bundled as @paretopo/kernels bundles it (see its tsup.config.ts), CommonJS with a
    // `require` made for it; the other packages' dependencies stay external: webgpu loads its native
    // Dawn addon relative to its own files, and the QuickJS WebAssembly file is found beside its module.
    noExternal: [/^@paretopo\//, 'gpu.js', 'acorn', 'gpu-mock.js'],
    external: ['webgpu', 'gl', 'minisearch', 'quickjs-emscripten-core', '@jitl/quickjs-wasmfile-release-sync'],
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __paretopoCreateRequire } from 'node:module';\nconst require = __paretopoCreateRequire(import.meta.url);",
    },
    // The code tool's worker is loaded by URL beside the bundle, so it is copied, not bundled.
    onSuccess: async () => {
      await copyFile('../../packages/envs/src/code-worker.mjs', 'dist/code-worker.mjs');
    },
  }),
];
