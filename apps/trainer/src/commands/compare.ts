import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CompareConfig } from '../config/schema';
import { sftConfigSchema, trainConfigSchema } from '../config/schema';
import { mergeConfig, resolveConfig } from '../config/load';
import { Progress, formatDuration, type ProgressStream } from '../progress';
import { aggregateResults, readCompareFolder, renderReportHtml, renderResultsMarkdown, resultsJson, writeReport } from '../report';
import { writeFileAtomic, writeJsonAtomic } from '../run/files';
import { openFolder } from '../run/folder';
import { Interrupted } from '../run/interrupted';
import { childRunner, runJobPool, runState, stepsLogged, type JobRunner, type TrainJob } from '../run/jobs';
import { gitCommit, machineDescription } from '../run/provenance';
import { runSft } from './sft';

/** One training run of a comparison (its method and seed are in `config`). */
export type CompareJob = TrainJob;

/** Options of {@link runCompare}. */
export interface CompareRunOptions {
  /** Runs one job; default: a child process `node <cli> train --config …` with its output in the job's log file. */
  runJob?: JobRunner;
  /** The CLI script children run (default: the bundled `bin.js` beside this module). */
  cliPath?: string;
  progress?: ProgressStream | false;
  log?: (line: string) => void;
  /** Written into results.md: the command that produced it. */
  command?: string;
  signal?: AbortSignal;
}

/** What {@link runCompare} returns. */
export interface CompareRunResult {
  dir: string;
  resultsMd: string;
  reportHtml: string;
  resultsJson: string;
}

const runName = (method: string, seed: number): string => `${method}-s${seed}`;

/**
 * `paretopo compare`: every method × seed from one shared warm start (SFT runs once into
 * `<out>/sft` unless `init` is given), in parallel processes up to the core count, then
 * `results.json`, `results.md` (the paper-style table with a Welch t-test) and `report.html`.
 * Runs already finished are kept, interrupted ones resumed, so re-running the command continues.
 *
 * @param config - the resolved compare config
 * @param options - runner, progress, log
 * @returns paths of the outputs
 * @example
 * await runCompare(compareConfigSchema.parse({ env: 'arith', out: 'runs/compare-arith' }));
 */
export async function runCompare(config: CompareConfig, options: CompareRunOptions = {}): Promise<CompareRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = config.out;
  openFolder(dir, 'compare', log);
  mkdirSync(join(dir, 'runs'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeJsonAtomic(join(dir, 'compare-config.json'), { command: 'compare', ...config });
  const t0 = performance.now();
  let sftSeconds: number | null = null;

  let init = config.init;
  if (init === undefined) {
    init = join(dir, 'sft');
    if (existsSync(join(init, 'model.safetensors'))) log(`compare: reusing the warm start in ${init}`);
    else {
      const sftConfig = resolveConfig(sftConfigSchema, mergeConfig({ env: config.env, out: init }, config.sft as Record<string, unknown>), 'compare.sft');
      await runSft(sftConfig, { progress: options.progress, log, signal: options.signal });
      sftSeconds = (performance.now() - t0) / 1000;
    }
  }
  const jobs: CompareJob[] = [];
  let finished = 0;
  for (const method of config.methods) {
    for (let seed = 1; seed <= config.seeds; seed++) {
      const out = join(dir, 'runs', runName(method, seed));
      const raw = mergeConfig(config.train as Record<string, unknown>, { env: config.env, method, seed, init, out });
      const trainConfig = resolveConfig(trainConfigSchema, raw, 'compare.train');
      const state = runState(trainConfig, 'compare');
      if (state === 'done') finished++;
      else {
        jobs.push({ config: trainConfig, resume: state === 'resume', logFile: join(dir, 'logs', `${runName(method, seed)}.log`) });
      }
    }
  }
  const total = config.methods.length * config.seeds;
  const parallel = Math.max(1, Math.min(jobs.length, config.jobs > 0 ? config.jobs : availableParallelism()));
  log(`compare: ${total} runs (${finished} already done), ${parallel} at a time on ${cpus().length} cores; logs in ${join(dir, 'logs')}`);
  const runJob = options.runJob ?? childRunner(options.cliPath ?? fileURLToPath(new URL('./bin.js', import.meta.url)), options.signal);

  const stepsTotal = jobs.reduce((s, j) => s + j.config.steps, 0);
  const progress = options.progress === false ? null : new Progress(`compare ${config.env}`, stepsTotal, { stream: options.progress });
  const stepsDone = () => jobs.reduce((s, j) => s + Math.min(j.config.steps, stepsLogged(j.config.out)), 0);
  let doneRuns = finished;
  const timer = setInterval(() => progress?.update(stepsDone(), { runs: `${doneRuns}/${total}` }), 1000);
  let failures: Error[];
  try {
    failures = await runJobPool(jobs, { parallel, runJob, signal: options.signal, log, onDone: () => doneRuns++ });
  } finally {
    clearInterval(timer);
    progress?.update(stepsDone(), { runs: `${doneRuns}/${total}` });
    progress?.finish();
  }
  if (options.signal?.aborted) throw new Interrupted(`compare: interrupted; run the same command again to continue (${doneRuns}/${total} runs done)`);
  if (failures.length > 0) throw new Error(`compare: ${failures.length} of ${jobs.length} runs failed: ${failures.map((f) => f.message).join('; ')}`);

  const seconds = (performance.now() - t0) / 1000;
  // Wall time of this invocation: what was already done by an earlier one is not in it.
  const wallTime = `${formatDuration(seconds)}${sftSeconds === null ? '' : ` (SFT ${formatDuration(sftSeconds)})`}, ${jobs.length} runs trained here, ${parallel} at a time`;
  const runs = readCompareFolder(dir);
  const results = aggregateResults(runs);
  const resultsJsonPath = join(dir, 'results.json');
  const resultsMd = join(dir, 'results.md');
  const reportHtml = join(dir, 'report.html');
  writeFileAtomic(resultsJsonPath, resultsJson(results));
  const machine = machineDescription(String(runs[0]?.config.backend ?? 'auto'));
  writeFileAtomic(
    resultsMd,
    renderResultsMarkdown(results, {
      command: options.command ?? `paretopo compare --env ${config.env} --seeds ${config.seeds}`,
      commit: gitCommit(),
      machine,
      date: new Date().toISOString().slice(0, 10),
      env: config.env,
      wallTime,
    }),
  );
  writeReport(reportHtml, renderReportHtml(runs, { title: `paretopo compare: ${config.env}`, results }));
  log(`compare: ${wallTime}; wrote ${resultsMd}, ${resultsJsonPath} and ${reportHtml}`);
  return { dir, resultsMd, reportHtml, resultsJson: resultsJsonPath };
}
