#!/usr/bin/env node
// Self-time shares of V8 CPU profiles (the .cpuprofile files `node --cpu-prof` writes), summed over
// every file given, as shares of the busy samples (all but "(idle)"): per group of functions named
// by a regular expression over "functionName url", then the functions that took the most.
//
// Usage: node scripts/profile-shares.mjs [--group NAME=REGEX ...] [--top N] FILE.cpuprofile ...
// A function counts in the first group whose expression matches it; the rest is "other".
// The trainer README's RL-step profile gives its command and groups.
import { readFileSync } from 'node:fs';

const MAX_PROFILE_BYTES = 1 << 30;

function parseArgs(argv) {
  const groups = [];
  const files = [];
  let top = 15;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--group') {
      const spec = argv[++i] ?? '';
      const eq = spec.indexOf('=');
      if (eq <= 0 || eq === spec.length - 1) throw new Error(`profile-shares: --group expects NAME=REGEX (got ${JSON.stringify(spec)})`);
      groups.push({ name: spec.slice(0, eq), re: new RegExp(spec.slice(eq + 1)) });
    } else if (a === '--top') {
      top = Number(argv[++i]);
      if (!Number.isInteger(top) || top < 0) throw new Error(`profile-shares: --top expects a whole number ≥ 0 (got ${JSON.stringify(argv[i])})`);
    } else files.push(a);
  }
  if (files.length === 0) throw new Error('profile-shares: give at least one .cpuprofile file');
  return { groups, files, top };
}

/** Self time in µs per "functionName url:line" over one profile, into `self`. */
function addProfile(path, self) {
  const text = readFileSync(path, 'utf8');
  if (text.length > MAX_PROFILE_BYTES) throw new Error(`profile-shares: ${path} is over ${MAX_PROFILE_BYTES} bytes`);
  const p = JSON.parse(text);
  if (!Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) {
    throw new Error(`profile-shares: ${path} is not a V8 CPU profile (nodes, samples and timeDeltas arrays expected)`);
  }
  const key = new Map();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const name = f.functionName === '' ? '(anonymous)' : f.functionName;
    key.set(n.id, f.url === '' ? name : `${name} ${f.url.replace(/^.*\/(packages|apps|node_modules)\//, '$1/')}:${f.lineNumber + 1}`);
  }
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the next delta.
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    const k = key.get(p.samples[i]) ?? '(unknown)';
    self.set(k, (self.get(k) ?? 0) + dt);
  }
}

function main() {
  const { groups, files, top } = parseArgs(process.argv.slice(2));
  const self = new Map();
  for (const f of files) addProfile(f, self);
  self.delete('(idle)');
  const busy = [...self.values()].reduce((s, x) => s + x, 0);
  if (busy === 0) throw new Error('profile-shares: the profiles hold no busy samples');
  const byGroup = new Map(groups.map((g) => [g.name, 0]));
  let other = 0;
  for (const [k, us] of self) {
    const g = groups.find((g) => g.re.test(k));
    if (g === undefined) other += us;
    else byGroup.set(g.name, byGroup.get(g.name) + us);
  }
  const pct = (us) => `${((100 * us) / busy).toFixed(1)} %`;
  console.log(`${files.length} profile(s), ${(busy / 1e6).toFixed(1)} s of busy samples`);
  for (const [name, us] of byGroup) console.log(`${name}: ${pct(us)}`);
  if (groups.length > 0) console.log(`other: ${pct(other)}`);
  if (top > 0) {
    console.log(`\nthe ${top} functions with the most self time:`);
    for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us).padStart(7)}  ${k}`);
  }
}

try {
  main();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
