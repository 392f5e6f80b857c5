import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageConfig } from '../../tsup.shared';

// gpu.js is bundled with its two runtime modules so that installing @paretopo/kernels does not
// pull gpu.js's own `webgpu` 0.2.9 dependency (Dawn for five platforms, ~130 MB) that gpu.js never
// loads: it reads `navigator.gpu`, which src/backends/webgpuSetup.ts installs from the optional
// peer `webgpu`. `gl` (headless-gl) stays an optional require that fails cleanly when absent.
const BUNDLED = ['gpu.js', 'acorn', 'gpu-mock.js'];
const require = createRequire(import.meta.url);

export default packageConfig({
  noExternal: BUNDLED,
  external: ['webgpu', 'gl'],
  // gpu.js is CommonJS and requires Node built-ins (os, worker_threads) and `gl`: an ESM bundle has
  // no `require`, so one is made for it.
  banner: { js: "import { createRequire as __paretopoCreateRequire } from 'node:module';\nconst require = __paretopoCreateRequire(import.meta.url);" },
  // Bundled code keeps its licences: their texts go beside the bundle, read from the installed packages.
  onSuccess: async () => {
    const parts: string[] = ['Third-party code bundled into dist/index.js, with its licences.\n'];
    for (const name of BUNDLED) {
      const dir = dirname(require.resolve(`${name}/package.json`));
      const { version, license } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string; license: string };
      parts.push(`\n## ${name} ${version} (${license})\n\n${await readFile(join(dir, 'LICENSE'), 'utf8')}`);
    }
    await writeFile('dist/THIRD_PARTY_LICENSES.md', parts.join(''));
  },
});
