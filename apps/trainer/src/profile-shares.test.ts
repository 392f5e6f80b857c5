import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/profile-shares.mjs gives the README's CPU-profile shares of the RL step
// (bench/profile-rl-step.sh); here it reads small profiles whose shares are known.
const SCRIPT = fileURLToPath(new URL('../../../scripts/profile-shares.mjs', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'paretopo-profile-shares-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const node = (id: number, functionName: string, url = '', lineNumber = 0) => ({ id, callFrame: { functionName, url, lineNumber, scriptId: '0', columnNumber: 0 }, hitCount: 0 });
const run = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

describe('scripts/profile-shares.mjs', () => {
  it('sums self time per group over every profile, as shares of the busy samples (idle left out)', () => {
    // A sample stands for the time until the next one: matmul 100 + 100, GC 50, idle 200, the last sample 0.
    const profile = {
      nodes: [node(1, '(root)'), node(2, 'matmulFast', 'file:///w/packages/kernels/src/ops/matmulFast.ts', 189), node(3, '(idle)'), node(4, '(garbage collector)')],
      samples: [2, 4, 3, 2, 2],
      timeDeltas: [5, 100, 50, 200, 100],
      startTime: 0,
      endTime: 455,
    };
    const a = join(work, 'a.cpuprofile');
    const b = join(work, 'b.cpuprofile');
    writeFileSync(a, JSON.stringify(profile));
    writeFileSync(b, JSON.stringify({ ...profile, samples: [4, 4], timeDeltas: [0, 250] }));
    const one = run('--group', 'matmul=^matmul', '--group', 'gc=^\\(garbage', '--top', '2', a);
    expect(one.status).toBe(0);
    expect(one.stdout).toContain('matmul: 80.0 %\ngc: 20.0 %\nother: 0.0 %');
    expect(one.stdout).toContain(' 80.0 %  matmulFast packages/kernels/src/ops/matmulFast.ts:190');
    // Two files: matmul 200, GC 50 + 250.
    expect(run('--group', 'matmul=^matmul', a, b).stdout).toContain('matmul: 40.0 %\nother: 60.0 %');
  });

  it('says what it expected when the arguments or the file are wrong', () => {
    expect(run('--group', 'nothing').stderr).toMatch(/^profile-shares: --group expects NAME=REGEX \(got "nothing"\)/);
    expect(run().stderr).toMatch(/^profile-shares: give at least one \.cpuprofile file/);
    const bad = join(work, 'bad.cpuprofile');
    writeFileSync(bad, '{"nodes": []}');
    const r = run(bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not a V8 CPU profile \(nodes, samples and timeDeltas arrays expected\)/);
  });
});
