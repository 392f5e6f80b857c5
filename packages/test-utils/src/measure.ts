import { spawnSync } from 'node:child_process';

/**
 * Runs `node [...execArgv] script ...args` and returns the JSON its last stdout line prints: for
 * benchmark scripts that measure in a fresh process, so that peak resident memory (`maxRSS`) and
 * heap figures are that measurement's own and not left over from the one before.
 *
 * @param script - The script file to run (usually the caller's own bundle, with a mode argument).
 * @param args - Its arguments.
 * @param execArgv - Node flags, e.g. `['--expose-gc']`.
 * @returns The parsed last line of its stdout.
 * @throws Error naming the script and its exit status, with the end of its stderr, when it fails
 * @example
 * const r = measureInChild(fileURLToPath(import.meta.url), ['stream', path]) as { seconds: number };
 */
export function measureInChild(script: string, args: readonly string[], execArgv: readonly string[] = []): unknown {
  const r = spawnSync(process.execPath, [...execArgv, script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`measureInChild: ${script} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr ?? '').slice(-2000)}`);
  const last = r.stdout.trim().split('\n').at(-1);
  if (last === undefined || last === '') throw new Error(`measureInChild: ${script} ${args.join(' ')} printed nothing`);
  return JSON.parse(last) as unknown;
}

/**
 * The spread of a few repeated measurements as text: `lo–hi`, or one number when both round the
 * same.
 *
 * @param xs - The measurements (not empty).
 * @param digits - Decimals to print.
 * @returns e.g. `3.0–3.1`, or `1.53`
 * @example
 * formatRange([3.04, 3.12], 1); // '3.0–3.1'
 * formatRange([1.531, 1.529], 2); // '1.53'
 */
export function formatRange(xs: readonly number[], digits: number): string {
  if (xs.length === 0) throw new RangeError('formatRange: xs must not be empty');
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
}
