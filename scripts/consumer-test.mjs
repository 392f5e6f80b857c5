#!/usr/bin/env node
// The consumer test: what a user outside this repository gets from npm. Packs every publishable
// workspace (prepack builds it), checks each tarball's contents, lints it (publint, attw), installs the tarballs into a fresh
// project in a temporary folder, type-checks every package README's first example and the
// custom-trainer example under nodenext and bundler resolution, then runs them with node.
// Exits non-zero on the first broken example or missing file. Usage: node scripts/consumer-test.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const keep = process.argv.includes('--keep');
const started = Date.now();
const log = (line) => process.stdout.write(`consumer-test: ${line}\n`);

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20, ...options });
}

/** Publishable workspaces: every packages/* or apps/* package.json without `private: true`. */
function publishable() {
  const out = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8'));
      if (pkg.private !== true) out.push({ dir: join(root, group, name), pkg });
    }
  }
  return out;
}

/** The first ```ts block of a README: the example every package promises works. */
function firstExample(readme) {
  const m = /```ts\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'));
  if (m === null) throw new Error(`consumer-test: ${readme} has no \`\`\`ts example`);
  return m[1];
}

const work = mkdtempSync(join(tmpdir(), 'paretopo-consumer-'));
const failures = [];
try {
  const packages = publishable();
  log(`${packages.length} publishable packages: ${packages.map((p) => p.pkg.name).join(', ')}`);
  const tarDir = join(work, 'tarballs');
  mkdirSync(tarDir);
  const tarballs = [];
  for (const { dir, pkg } of packages) {
    // prepack builds the package, and the build's own output comes first on stdout: the JSON is last.
    const out = run('npm', ['pack', '--json', '--pack-destination', tarDir], { cwd: dir });
    const [info] = JSON.parse(out.slice(out.search(/^\[$/m)));
    const files = info.files.map((f) => f.path);
    const need = ['package.json', 'README.md', 'LICENSE', ...(pkg.bin ? Object.values(pkg.bin).map((p) => p.replace(/^\.\//, '')) : [])];
    for (const entry of Object.values(pkg.exports ?? {})) {
      if (typeof entry === 'object') for (const [cond, target] of Object.entries(entry)) if (cond !== '@paretopo/source') need.push(target.replace(/^\.\//, ''));
    }
    for (const f of need) if (!files.includes(f)) failures.push(`${pkg.name}: tarball misses ${f}`);
    const stray = files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || /\.test\.[mc]?[jt]s$/.test(f));
    if (stray.length > 0) failures.push(`${pkg.name}: tarball ships sources, tests or source maps: ${stray.slice(0, 5).join(', ')}`);
    log(`${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} kB packed, ${(info.unpackedSize / 1024).toFixed(0)} kB unpacked`);
    tarballs.push(join(tarDir, info.filename));
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));

  // The packaging linters on the very tarballs users would get: publint (strict: warnings fail) and
  // Are the Types Wrong (ESM-only profile: every resolution mode that can load ESM must find types).
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  for (const tarball of tarballs) {
    const name = tarball.slice(tarDir.length + 1);
    try {
      run(bin('publint'), ['run', tarball, '--strict'], { stdio: ['ignore', 'pipe', 'pipe'] });
      run(bin('attw'), [tarball, '--profile', 'esm-only', '--format', 'table-flipped'], { stdio: ['ignore', 'pipe', 'pipe'] });
      log(`${name}: publint --strict and attw --profile esm-only clean`);
    } catch (err) {
      failures.push(`${name}: packaging lint failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));

  const app = join(work, 'app');
  mkdirSync(join(app, 'src'), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  const dev = ['typescript', '@types/node'].map((d) => `${d}@${rootPkg.devDependencies[d]}`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs, ...dev], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });
  // What installing every package costs a user (the README states it), without the type checker.
  const size = (dir) => Number(run('du', ['-sk', dir]).split('\t')[0]) * 1024;
  const modules = join(app, 'node_modules');
  const devBytes = dev.map((d) => join(modules, ...d.replace(/@[^@/]+$/, '').split('/'))).reduce((sum, d) => sum + size(d), 0);
  log(`installed size of every package with its dependencies: ${((size(modules) - devBytes) / 1048576).toFixed(1)} MiB (typescript and @types/node excluded)`);

  const examples = [];
  for (const { dir, pkg } of packages) {
    const readme = join(dir, 'README.md');
    const file = `readme-${pkg.name.split('/').pop()}.mts`;
    const code = firstExample(readme);
    writeFileSync(join(app, 'src', file), `${code}\nexport {};\n`);
    // An example that needs a server (the Tinker client's) says so on its first line: it is
    // type-checked here, and its flow runs against the real server in that package's engine suite.
    if (/^\/\/ consumer-test: type-check only/.test(code)) log(`${file}: type-check only ${code.split('\n')[0].replace(/^\/\/ consumer-test: type-check only ?/, '')}`);
    else examples.push(file);
  }
  const custom = join(root, 'examples', 'custom-trainer.ts');
  writeFileSync(join(app, 'src', 'custom-trainer.mts'), readFileSync(custom, 'utf8'));
  // The example exports its trainer; run it once with a micro model so the check stays short.
  writeFileSync(
    join(app, 'src', 'run-custom-trainer.mts'),
    "import { customTrainer } from './custom-trainer.mjs';\n" +
      "const result = await customTrainer({ steps: 1, sftSteps: 2, model: { layers: 1, dModel: 16, heads: 2, context: 256 } });\n" +
      "console.log(JSON.stringify(result, (_k, v) => (typeof v === 'number' ? Number(v.toFixed(4)) : v)));\n",
  );
  examples.push('run-custom-trainer.mts');

  const base = { strict: true, target: 'ES2022', lib: ['ES2022'], types: ['node'], skipLibCheck: false, noEmit: true };
  for (const [name, opts] of [
    ['nodenext', { module: 'NodeNext', moduleResolution: 'NodeNext' }],
    ['bundler', { module: 'ESNext', moduleResolution: 'Bundler' }],
  ]) {
    writeFileSync(join(app, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions: { ...base, ...opts }, include: ['src'] }, null, 2));
    try {
      run('npx', ['tsc', '-p', `tsconfig.${name}.json`], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });
      log(`type check (${name} resolution): ok`);
    } catch {
      failures.push(`type check with ${name} resolution failed (output above)`);
    }
  }
  writeFileSync(
    join(app, 'tsconfig.emit.json'),
    JSON.stringify({ compilerOptions: { ...base, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: false, outDir: 'build', rootDir: 'src' }, include: ['src'] }, null, 2),
  );
  run('npx', ['tsc', '-p', 'tsconfig.emit.json'], { cwd: app, stdio: ['ignore', 'inherit', 'inherit'] });
  for (const file of examples) {
    const js = join('build', file.replace(/\.mts$/, '.mjs'));
    try {
      run(process.execPath, [js], { cwd: app, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
      log(`ran ${file}: ok`);
    } catch (err) {
      failures.push(`${file} failed when run: ${err.message.split('\n')[0]}`);
    }
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
  log(`all ${examples.length} examples type-check and run (${Math.round((Date.now() - started) / 1000)} s)`);
} catch (err) {
  process.stderr.write(`consumer-test: FAILED\n${err.message}\n`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else log(`kept ${work}`);
}
