import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainConfigSchema, type TrainConfig } from '../config/schema';
import { ConfigError, configDifferences, resolveConfig } from '../config/load';
import { readLatestCheckpoint } from './checkpoint';
import { writeJsonAtomic } from './files';
import { RUN_FILES } from './types';

/** One training run handed to a runner: its resolved config (`out` is the run folder). */
export interface TrainJob {
  config: TrainConfig;
  /** Continue an interrupted run instead of starting it. */
  resume: boolean;
  /** Where the run's own output goes. */
  logFile: string;
}

/** Runs one {@link TrainJob} to the end; rejects when it fails. */
export type JobRunner = (job: TrainJob) => Promise<void>;

/**
 * Starts `node <cli> train --config …` for a job, its stdout and stderr in the job's log file.
 *
 * @param cliPath - the CLI script
 * @param signal - on abort the child gets SIGINT (it checkpoints and exits)
 * @returns a job runner that rejects when the child fails (the message points at the log)
 * @example
 * await childRunner('apps/trainer/dist/bin.js')(job);
 */
export function childRunner(cliPath: string, signal?: AbortSignal): JobRunner {
  return (job) =>
    new Promise((resolve, reject) => {
      const cfgFile = `${job.logFile.replace(/\.log$/, '')}.json`;
      writeJsonAtomic(cfgFile, job.config);
      const args = [cliPath, 'train', '--config', cfgFile, '--quiet', ...(job.resume ? ['--resume'] : [])];
      const out = createWriteStream(job.logFile, { flags: 'a' });
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
      // A SIGINT to the parent reaches children of the same terminal anyway; this covers signals sent to the parent alone.
      const onAbort = () => child.kill('SIGINT');
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', reject);
      child.on('close', (code, sig) => {
        signal?.removeEventListener('abort', onAbort);
        out.end();
        if (code === 0) resolve();
        else reject(new Error(`run ${job.config.out} failed (${sig ?? `exit ${code}`}); see ${job.logFile}`));
      });
    });
}

/**
 * The keys of two resolved train configs that differ, except where a run folder may legitimately
 * differ from its start: `out` (the folder may have moved) and `init` (the warm start may have
 * moved; its weights hash, saved in every checkpoint, decides whether it is the same one).
 *
 * @param a - one config
 * @param b - the other
 * @returns the differing keys
 * @example
 * runConfigDifferences({ ...c, out: 'moved' }, c); // []
 */
export function runConfigDifferences(a: TrainConfig, b: TrainConfig): string[] {
  return configDifferences(a, b).filter((k) => k !== 'out' && k !== 'init');
}

/**
 * Reads a run folder's saved config (`config.json` without its `command`), resolved with the
 * folder as `out`: the folder is where it is, so a moved run keeps its settings.
 *
 * @param dir - the run folder
 * @param fn - the command, for the message
 * @returns the saved config, or null when the folder has none
 * @throws ConfigError when it is unreadable or invalid (saying what to do)
 * @example
 * savedRunConfig('runs/a', 'resume')?.method; // 'paretopo'
 */
export function savedRunConfig(dir: string, fn: string): TrainConfig | null {
  const savedPath = join(dir, RUN_FILES.config);
  if (!existsSync(savedPath)) return null;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(readFileSync(savedPath, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`${fn}: ${savedPath} is not readable JSON (${(err as Error).message}); remove the run folder to start it again`, { cause: err });
  }
  const { command: _command, ...raw } = parsed;
  return resolveConfig(trainConfigSchema, { ...raw, out: dir }, `${fn}: ${savedPath}`);
}

/**
 * What to do with a run folder: `done` when it holds a finished run of exactly this config,
 * `resume` when it holds a checkpoint, `start` otherwise (absent, or a run of this config that
 * stopped before its first checkpoint: nothing in it can be resumed, and `runTrain` clears it and
 * starts over). A folder that holds a run of another config is an error, never silently reused or
 * overwritten. Only reads, so `--plan` can ask while a study runs.
 *
 * @param config - the planned run's resolved config
 * @param fn - the command, for the message
 * @returns the run's state
 * @throws ConfigError when the folder's saved config is unreadable or differs from `config` (naming the keys)
 * @example
 * runState(trainConfig, 'study'); // 'start'
 */
export function runState(config: TrainConfig, fn: string): 'done' | 'resume' | 'start' {
  const saved = savedRunConfig(config.out, fn);
  if (saved === null) return 'start';
  const differs = runConfigDifferences(config, saved);
  if (differs.length > 0) {
    throw new ConfigError(`${fn}: ${config.out} holds a run with other settings (${differs.join(', ')} differ); remove the folder or restore the settings it was run with`);
  }
  if (existsSync(join(config.out, RUN_FILES.summary))) return 'done';
  return readLatestCheckpoint(config.out, fn) !== null ? 'resume' : 'start';
}

/**
 * RL steps a run folder has logged so far (lines of `metrics.jsonl`), for progress bars.
 *
 * @param dir - a run folder
 * @returns the count (0 when the file is absent)
 * @example
 * stepsLogged('runs/a'); // 40
 */
export function stepsLogged(dir: string): number {
  let text: string;
  try {
    text = readFileSync(join(dir, RUN_FILES.metrics), 'utf8');
  } catch {
    return 0;
  }
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Options of {@link runJobPool}. */
export interface JobPoolOptions {
  /** Jobs running at once (at least 1). */
  parallel: number;
  runJob: JobRunner;
  /** Stops handing out jobs once aborted (running ones get the signal through their runner). */
  signal?: AbortSignal;
  log: (line: string) => void;
  /** Called after each job that finished without error. */
  onDone?: (job: TrainJob) => void;
}

/**
 * Runs jobs `parallel` at a time, in order. A failing job is logged and collected, and the
 * others go on, so one bad run does not cost the rest of a long study.
 *
 * @param jobs - the jobs
 * @param options - parallelism, runner, signal, log
 * @returns the errors of the jobs that failed
 * @example
 * const failures = await runJobPool(jobs, { parallel: 2, runJob: childRunner(cli), log: console.error });
 */
export async function runJobPool(jobs: readonly TrainJob[], options: JobPoolOptions): Promise<Error[]> {
  const failures: Error[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length && !options.signal?.aborted) {
      const job = jobs[next++];
      try {
        await options.runJob(job);
        options.onDone?.(job);
      } catch (err) {
        failures.push(err as Error);
        options.log((err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, jobs.length)) }, worker));
  return failures;
}
