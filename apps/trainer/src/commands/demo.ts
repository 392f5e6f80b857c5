import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, configDifferences, mergeConfig, resolveConfig } from '../config/load';
import { evalConfigSchema, sftConfigSchema, trainConfigSchema, type SftConfig, type TrainConfig } from '../config/schema';
import { DEMO_CHOICE } from '../demo-choice';
import type { MethodName } from '../methods';
import type { ProgressStream } from '../progress';
import { readRunFolder } from '../report/read-runs';
import { methodColor } from '../report/report-charts';
import { renderReportHtml, writeReport } from '../report/html';
import { writeJsonAtomic } from '../run/files';
import { openFolder } from '../run/folder';
import { Interrupted } from '../run/interrupted';
import { runState } from '../run/jobs';
import { RUN_FILES, type EvalRow } from '../run/types';
import { WARM_START_COLOR, pointsChart, policyOfRow, strataChart } from '../study/charts';
import { runEval } from './eval';
import { runSft } from './sft';
import { runTrain } from './train';

/** One policy of the demo's tables: a name and its test-pool evaluation. */
export interface DemoPolicy {
  name: string;
  test: EvalRow;
}

const num = (x: number | undefined, d: number, w: number): string => (x === undefined ? '–' : x.toFixed(d)).padStart(w);

/**
 * The demo's overall table: each policy's test accuracy, tool calls, excess and missing calls
 * against the oracle, and oracle HV, then the oracle's own calls.
 *
 * @param policies - warm start, grpo-acc, paretopo (any list)
 * @returns Markdown table text
 * @example
 * demoTable([{ name: 'warm start (SFT)', test: sftTest }, …]);
 */
export function demoTable(policies: readonly DemoPolicy[]): string {
  const w = Math.max(22, ...policies.map((p) => p.name.length));
  const row = (name: string, r: EvalRow) =>
    `| ${name.padEnd(w)} | ${num(r.accuracy, 3, 8)} | ${num(r.meanCalls, 2, 10)} | ${num(r.oracle?.excessCalls, 2, 6)} | ${num(r.oracle?.missingCalls, 2, 7)} | ${num(r.oracle?.hv, 3, 9)} |`;
  const oracle = policies.find((p) => p.test.oracle)?.test.oracle;
  return [
    `| ${'policy'.padEnd(w)} | accuracy | tool calls | excess | missing | oracle HV |`,
    `|${'-'.repeat(w + 2)}|---------:|-----------:|-------:|--------:|----------:|`,
    ...policies.map((p) => row(p.name, p.test)),
    ...(oracle ? [`| ${'oracle (minimum calls)'.padEnd(w)} | ${'–'.padStart(8)} | ${num(oracle.meanOracleCalls, 2, 10)} | ${num(0, 2, 6)} | ${num(0, 2, 7)} | ${'–'.padStart(9)} |`] : []),
  ].join('\n');
}

/**
 * The demo's per-stratum table: for each oracle-call count, the questions in it and each
 * policy's mean calls (accuracy in brackets) beside the oracle's calls.
 *
 * @param policies - warm start, grpo-acc, paretopo (any list)
 * @returns Markdown table text ('' when the rows carry no oracle figures)
 * @example
 * demoStrataTable(policies).split('\n')[0]; // '| oracle calls | questions | warm start (SFT) | …'
 */
export function demoStrataTable(policies: readonly DemoPolicy[]): string {
  const ks = [...new Set(policies.flatMap((p) => p.test.oracle?.strata.map((s) => s.oracleCalls) ?? []))].sort((a, b) => a - b);
  if (ks.length === 0) return '';
  const widths = policies.map((p) => Math.max(13, p.name.length));
  const lines = [
    `| oracle calls | questions | ${policies.map((p, i) => p.name.padEnd(widths[i])).join(' | ')} |`,
    `|-------------:|----------:|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`,
  ];
  for (const k of ks) {
    const n = policies.map((p) => p.test.oracle?.strata.find((s) => s.oracleCalls === k)?.n).find((x) => x !== undefined) ?? 0;
    const cells = policies.map((p, i) => {
      const s = p.test.oracle?.strata.find((x) => x.oracleCalls === k);
      return (s === undefined ? '–' : `${s.meanCalls.toFixed(2)} (${s.accuracy.toFixed(2)})`).padStart(widths[i]);
    });
    lines.push(`| ${String(k).padStart(12)} | ${String(n).padStart(9)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Why the warm start in `dir` cannot be reused for `config` (null: reusable, or none there). */
function staleWarmStart(dir: string, config: SftConfig): string | null {
  if (!existsSync(join(dir, 'model.safetensors'))) return null;
  let saved: SftConfig;
  try {
    const { command: _command, ...rest } = JSON.parse(readFileSync(join(dir, 'sft-config.json'), 'utf8')) as Record<string, unknown>;
    saved = resolveConfig(sftConfigSchema, { ...rest, out: dir }, 'demo.sft');
  } catch (err) {
    return `its sft-config.json is missing or unreadable: ${(err as Error).message}`;
  }
  const differs = configDifferences(config, saved).filter((k) => k !== 'out');
  return differs.length === 0 ? null : `${differs.join(', ')} differ`;
}

async function trainOrReuse(config: TrainConfig, label: string, log: (line: string) => void, options: { progress?: ProgressStream | false; signal?: AbortSignal }): Promise<EvalRow> {
  let state: 'done' | 'resume' | 'start';
  try {
    state = runState(config, 'demo');
  } catch (err) {
    // Another demo's settings (other --train overrides) are started over, not an error: the demo folder is scratch.
    if (!(err instanceof ConfigError)) throw err;
    rmSync(config.out, { recursive: true, force: true });
    state = 'start';
  }
  log(`${label}, ${config.steps} steps${state === 'resume' ? ' (resuming)' : state === 'done' ? ' (already trained, reused)' : ''}`);
  if (state !== 'done') {
    const result = await runTrain(config, { resume: state === 'resume', progress: options.progress, log, signal: options.signal, label: label.replace(/^demo: /, 'demo ') });
    if (result.status === 'interrupted') throw new Interrupted(`demo: interrupted; \`paretopo demo\` with the same --out continues from the checkpoint in ${config.out}`);
  }
  const test = readRunFolder(config.out).summary?.test;
  if (!test) throw new Error(`demo: ${config.out} finished without a test evaluation`);
  return test;
}

/**
 * `paretopo demo` (what `npm run demo` runs): the SFT warm start on `arith` (reused when it is
 * already in `<out>/sft`), then from it the accuracy-only baseline grpo-acc and ParetoPO in the
 * configuration {@link DEMO_CHOICE} names (the study's choice), then the three policies side by
 * side on the test pool with the oracle's calls, overall and per oracle stratum, and a report.
 *
 * @param overrides - `out` (default `runs/demo`), `sft` and `train` config overrides (train: both runs)
 * @param options - progress, log, signal
 * @returns the tables and the report path
 * @throws {@link Interrupted} when `options.signal` aborts (RL keeps its checkpoint, and the
 *   next `paretopo demo` with the same `out` continues from it; an interrupted SFT starts over)
 * @example
 * const { table, strata, report } = await runDemo({});
 */
export async function runDemo(
  overrides: Record<string, unknown>,
  options: { progress?: ProgressStream | false; log?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<{ table: string; strata: string; report: string }> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const out = typeof overrides.out === 'string' ? overrides.out : join('runs', 'demo');
  openFolder(out, 'demo', log);
  const sftDir = join(out, 'sft');
  const sftConfig = resolveConfig(sftConfigSchema, mergeConfig(mergeConfig({ env: 'arith', out: sftDir }, { ...DEMO_CHOICE.sft }), (overrides.sft ?? {}) as Record<string, unknown>), 'demo.sft');
  const stale = staleWarmStart(sftDir, sftConfig);
  if (stale !== null) {
    // An earlier demo's warm start with other settings (the study's choice changed, or other --sft overrides).
    log(`demo: the warm start in ${sftDir} was trained with other settings (${stale}); training it again`);
    rmSync(sftDir, { recursive: true, force: true });
  }
  if (existsSync(join(sftDir, 'model.safetensors'))) log(`demo: reusing the warm start in ${sftDir}`);
  else {
    log('demo: 1/3 supervised warm start on the scripted teacher (it over-uses the calculator)');
    await runSft(sftConfig, { ...options, log });
    // Runs trained from an earlier warm start would otherwise be reused as if trained from this one.
    for (const run of ['grpo-acc', 'paretopo']) rmSync(join(out, run), { recursive: true, force: true });
  }
  let warm: EvalRow;
  const warmPath = join(sftDir, RUN_FILES.test);
  if (existsSync(warmPath)) warm = JSON.parse(readFileSync(warmPath, 'utf8')) as EvalRow;
  else {
    // A warm start from before test-pool evaluations: evaluate it once and keep the row beside it.
    const evalConfig = resolveConfig(evalConfigSchema, { env: 'arith', checkpoint: sftDir, split: 'test', task: sftConfig.task, backend: sftConfig.backend }, 'demo.eval');
    warm = { pool: 'test', ...(await runEval(evalConfig, { log })) };
    writeJsonAtomic(warmPath, warm);
  }
  // The study's budget first, so a user's --train overrides still win.
  const train = mergeConfig({ ...DEMO_CHOICE.budget }, (overrides.train ?? {}) as Record<string, unknown>);
  const config = (method: MethodName, dir: string, arm: Record<string, unknown>) =>
    resolveConfig(trainConfigSchema, mergeConfig(mergeConfig(train, arm), { env: 'arith', method, init: sftDir, out: join(out, dir), eval: { test: true } }), 'demo.train');
  const baseline = await trainOrReuse(config('grpo-acc', 'grpo-acc', DEMO_CHOICE.baselineLr === null ? {} : { lr: DEMO_CHOICE.baselineLr }), 'demo: 2/3 grpo-acc (accuracy only)', log, options);
  log(`demo: ParetoPO configuration: ${DEMO_CHOICE.source}`);
  const choice = { ...DEMO_CHOICE.config, ...(DEMO_CHOICE.lr === null ? {} : { lr: DEMO_CHOICE.lr }) };
  const ours = await trainOrReuse(config(DEMO_CHOICE.method, 'paretopo', choice), 'demo: 3/3 ParetoPO', log, options);
  const policies: DemoPolicy[] = [
    { name: 'warm start (SFT)', test: warm },
    { name: 'grpo-acc', test: baseline },
    { name: 'ParetoPO', test: ours },
  ];
  const figures = [
    policyOfRow('warm start (SFT)', WARM_START_COLOR, warm),
    policyOfRow('grpo-acc', methodColor('grpo-acc'), baseline, 'grpo-acc'),
    policyOfRow('ParetoPO', methodColor('paretopo'), ours, 'paretopo'),
  ];
  const report = join(out, 'report.html');
  const runs = [readRunFolder(join(out, 'grpo-acc')), readRunFolder(join(out, 'paretopo'))];
  writeReport(report, renderReportHtml(runs, { title: 'paretopo demo: grpo-acc and ParetoPO on arith', tests: false, leadCharts: [pointsChart(figures, warm.oracle?.meanOracleCalls ?? null), strataChart(figures)] }));
  const table = demoTable(policies);
  const strata = demoStrataTable(policies);
  process.stdout.write(`\nTest pool (${warm.n} questions, greedy). ParetoPO: ${DEMO_CHOICE.source}.\n\n${table}\n\nTool calls per question by the oracle's calls (accuracy in brackets):\n\n${strata}\n\nreport: ${report}\n`);
  return { table, strata, report };
}
