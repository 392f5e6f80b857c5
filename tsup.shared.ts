import { defineConfig, type Options } from 'tsup';

/**
 * The one build configuration every package uses, so that a later switch of bundler
 * (tsup is unmaintained; tsdown is its successor) touches this file only.
 */
export function packageConfig(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    // Published tarballs ship no sources, so a source map would point at nothing.
    sourcemap: false,
    clean: true,
    treeshake: true,
    splitting: false,
    ...overrides,
  });
}

/**
 * Build configuration of an executable app: one entry, no declarations, the workspace packages
 * bundled in from their sources (so the app needs no library build first), a shebang.
 */
export function executableConfig(entry: string, overrides: Options = {}) {
  return packageConfig({
    entry: [entry],
    dts: false,
    esbuildOptions(options) {
      options.conditions = ['@paretopo/source'];
    },
    noExternal: [/^@paretopo\//],
    banner: { js: '#!/usr/bin/env node' },
    ...overrides,
  });
}
