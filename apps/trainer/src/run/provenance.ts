import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * The commit the code runs at (packed refs and worktrees included), or 'unknown' outside a git checkout.
 *
 * @returns a 12-digit short hash or 'unknown'
 * @example
 * gitCommit(); // '4154e57a1b2c'
 */
export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * The machine in one line: cores, CPU model, Node version and the kernels backend.
 *
 * @param backend - the backend name of the runs
 * @returns e.g. `2 × AMD EPYC 7B13, Node v20.20.0, backend js`
 * @example
 * machineDescription('auto');
 */
export function machineDescription(backend: string): string {
  return `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, backend ${backend}`;
}
