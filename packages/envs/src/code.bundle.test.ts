import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { assertCodeWorker } from './code-pool';

// An application that bundles @paretopo/envs: without the worker file beside the bundle the code
// tool is refused when it is created (a clear error), and with it the tool runs.
const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package, so the bundle's external imports (QuickJS, MiniSearch) resolve from node_modules.
const dir = mkdtempSync(join(pkg, '.bundle-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the code tool in a bundle', () => {
  it('is refused at creation when the worker is missing, and runs once it is copied beside the bundle', async () => {
    const entry = join(dir, 'app.mjs');
    writeFileSync(
      entry,
      `import { createCodeTool, closeCodeSandbox } from ${JSON.stringify(join(pkg, 'src', 'index.ts'))};\n` +
        `const tool = createCodeTool({ timeLimitMs: 10000 });\n` +
        `console.log((await tool.run(tool.argsFromText('6*7'))).output);\n` +
        `closeCodeSandbox();\n`,
    );
    const out = join(dir, 'dist', 'app.mjs');
    await build({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
    const missing = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 60_000 });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain("createCodeTool: the code tool's worker");
    expect(missing.stderr).toContain('copy node_modules/@paretopo/envs/dist/code-worker.mjs next to the bundle');
    copyFileSync(join(pkg, 'src', 'code-worker.mjs'), join(dir, 'dist', 'code-worker.mjs'));
    const ok = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 60_000 });
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('42');
  }, 120_000);

  it('assertCodeWorker names the missing file', () => {
    expect(() => assertCodeWorker('f', new URL('file:///nonexistent/code-worker.mjs'))).toThrow(/f: the code tool's worker \/nonexistent\/code-worker\.mjs is missing/);
    expect(() => assertCodeWorker('f')).not.toThrow();
  });
});
