import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mergeConfig, resolveConfig } from '../config/load';
import { sftConfigSchema, trainConfigSchema } from '../config/schema';
import type { ProgressStream } from '../progress';
import { readLatestCheckpoint } from '../run/checkpoint';
import { Interrupted } from '../run/interrupted';
import { RUN_FILES, type EvalRow } from '../run/types';
import { runReport } from './report';
import { runSft } from './sft';
import { runTrain } from './train';

/** The demo's before/after table. */
export function demoTable(before: EvalRow, after: EvalRow): string {
  const row = (name: string, r: EvalRow) =>
    `| ${name.padEnd(22)} | ${r.accuracy.toFixed(3).padStart(8)} | ${r.meanCalls.toFixed(2).padStart(10)} | ${r.toolProductivity.toFixed(3).padStart(12)} | ${r.hv.toFixed(3).padStart(5)} |`;
  return [
    `| ${'policy'.padEnd(22)} | accuracy | tool calls | productivity |    HV |`,
    `|${'-'.repeat(24)}|----------|------------|--------------|-------|`,
    row('warm start (SFT)', before),
    row('after ParetoPO', after),
  ].join('\n');
}

/**
 * `paretopo demo` (what `npm run demo` runs): the SFT warm start on `arith` (reused when it is
 * already in `<out>/sft`), ParetoPO RL from it, then the before/after table (accuracy, tool
 * calls, productivity, HV on the test split) and the path of the report.
 *
 * @param overrides - `out` (default `runs/demo`), `sft` and `train` config overrides
 * @param options - progress, log, signal
 * @returns the table and the report path
 * @throws {@link Interrupted} when `options.signal` aborts (RL keeps its checkpoint, and the
 *   next `paretopo demo` with the same `out` continues from it; an interrupted SFT starts over)
 * @example
 * const { table, report } = await runDemo({});
 */
export async function runDemo(
  overrides: Record<string, unknown>,
  options: { progress?: ProgressStream | false; log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<{ table: string; report: string }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = typeof overrides.out === 'string' ? overrides.out : join('runs', 'demo');
  const sftDir = join(out, 'sft');
  const runDir = join(out, 'paretopo');
  if (existsSync(join(sftDir, 'model.safetensors'))) log(`demo: reusing the warm start in ${sftDir}`);
  else {
    log('demo: 1/2 supervised warm start on the scripted teacher (it over-uses the calculator)');
    await runSft(resolveConfig(sftConfigSchema, mergeConfig({ env: 'arith', out: sftDir }, (overrides.sft ?? {}) as Record<string, unknown>), 'demo.sft'), options);
  }
  const trainConfig = resolveConfig(
    trainConfigSchema,
    mergeConfig({ env: 'arith', method: 'paretopo', init: sftDir, out: runDir }, (overrides.train ?? {}) as Record<string, unknown>),
    'demo.train',
  );
  const resume = readLatestCheckpoint(runDir, 'demo') !== null && !existsSync(join(runDir, RUN_FILES.summary));
  if (!resume) rmSync(runDir, { recursive: true, force: true });
  log(`demo: 2/2 ParetoPO RL, ${trainConfig.steps} steps${resume ? ' (resuming)' : ''}`);
  const result = await runTrain(trainConfig, { resume, progress: options.progress, log, signal: options.signal });
  if (result.status === 'interrupted' || result.summary === null) {
    throw new Interrupted(`demo: interrupted; \`paretopo demo\` with the same --out continues from the checkpoint in ${runDir}`);
  }
  const report = await runReport([runDir], { out: join(out, 'report.html'), title: 'paretopo demo: ParetoPO on arith' });
  const table = demoTable(result.summary.initial, result.summary.final);
  process.stdout.write(`\n${table}\n\nreport: ${report}\n`);
  return { table, report };
}
