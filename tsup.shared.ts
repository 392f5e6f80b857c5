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
    sourcemap: true,
    clean: true,
    treeshake: true,
    splitting: false,
    ...overrides,
  });
}
