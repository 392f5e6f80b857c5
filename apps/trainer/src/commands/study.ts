import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, mergeConfig, resolveConfig } from '../config/load';
import { sftConfigSchema, type EnvName, type TrainConfig } from '../config/schema';
import { Progress, formatDuration, type ProgressStream } from '../progress';
import { readRunFolder } from '../report/read-runs';
import { writeFileAtomic, writeJsonAtomic } from '../run/files';
import { folderKindError, openFolder } from '../run/folder';
import { Interrupted } from '../run/interrupted';
import { childRunner, runJobPool, runState, stepsLogged, type JobRunner, type TrainJob } from '../run/jobs';
import { gitCommit, machineDescription } from '../run/provenance';
import { readLatestCheckpoint } from '../run/checkpoint';
import { RUN_FILES } from '../run/types';
import { selectLearningRates, type StudyRun } from '../study/analysis';
import { STUDY_FILES, exportRunLog, exportSftLog, studyResultsOf, type StudyProvenance } from '../study/folder';
import { renderStudyHtml } from '../study/html';
import { renderStudyMarkdown, studyResultsJson } from '../study/render';
import { finalRuns, loadStudySpec, runNameOf, studyTrainConfig, tuningRuns, type PlannedRun, type StudySpec } from '../study/spec';
import { runSft } from './sft';

/** Options of {@link runStudy}. */
export interface StudyRunOptions {
  /** Work folder for the warm start, the full run folders (checkpoints) and logs [`runs/study-<results folder name>`]. */
  out?: string;
  /** Training processes at once [2]. */
  jobs?: number;
  /** Print the runs and an estimated time, run nothing. */
  plan?: boolean;
  /** Runs one job; default: a child process `node <cli> train --config …`. */
  runJob?: JobRunner;
  /** The CLI script children run (default: the bundled `bin.js` beside this module). */
  cliPath?: string;
  progress?: ProgressStream | false;
  log?: (line: string) => void;
  /** Where `--plan` prints (default stdout). */
  print?: (text: string) => void;
  /** Written into results.md: the command line. */
  command?: string;
  signal?: AbortSignal;
}

/** What {@link runStudy} returns. */
export interface StudyRunResult {
  /** The results folder (the spec's folder). */
  dir: string;
  /** The plan's text (`plan`), else null. */
  plan: string | null;
  /** Paths written (empty for `plan`). */
  written: string[];
}

/**
 * Seconds per RL episode of one training process on the 2-core reference machine, from the wall
 * times in docs/results/README.md (arith: 21 runs × 200 steps × 64 episodes in 22 min, 2 at a
 * time; kb: 21 × 100 × 32 in 29 min), evaluations included; and seconds per SFT example (1,500
 * steps × 32 in 2.5 and 11 min). For `--plan` before any run of the study has finished (after
 * that the study's own runs give the rate), and to weigh SFT steps against RL steps in the
 * study's one progress bar.
 */
const REFERENCE_SECONDS = Object.freeze({
  episode: Object.freeze({ arith: 0.0098, kb: 0.052 }) as Readonly<Record<EnvName, number>>,
  sftExample: Object.freeze({ arith: 0.0031, kb: 0.0138 }) as Readonly<Record<EnvName, number>>,
});

const episodesOf = (c: TrainConfig): number => c.steps * c.promptsPerStep * c.groupSize;

interface PlannedJob {
  run: PlannedRun;
  config: TrainConfig;
  state: 'done' | 'resume' | 'start';
  logFile: string;
}

function planJobs(spec: StudySpec, runs: readonly PlannedRun[], init: string, work: string): PlannedJob[] {
  return runs.map((run) => {
    const config = studyTrainConfig(spec, run, init, join(work, run.phase, run.name));
    return { run, config, state: runState(config, 'study'), logFile: join(work, 'logs', `${run.phase}-${run.name}.log`) };
  });
}

function exportDone(jobs: readonly PlannedJob[], resultsDir: string): void {
  for (const j of jobs) {
    if (existsSync(join(j.config.out, RUN_FILES.summary))) exportRunLog(j.config.out, join(resultsDir, STUDY_FILES.runs, j.run.phase, j.run.name), j.run.phase === 'final');
  }
}

function logsOf(jobs: readonly PlannedJob[], resultsDir: string): StudyRun[] {
  return jobs.map((j) => {
    const dir = join(resultsDir, STUDY_FILES.runs, j.run.phase, j.run.name);
    return { ...j.run, record: existsSync(join(dir, RUN_FILES.summary)) ? readRunFolder(dir) : null };
  });
}

/** Seconds per episode measured on this study's finished runs, or null before any finished. */
function measuredRate(jobs: readonly PlannedJob[]): number | null {
  let seconds = 0;
  let episodes = 0;
  for (const j of jobs) {
    if (j.state !== 'done') continue;
    const s = readRunFolder(j.config.out).summary;
    if (s === null) continue;
    seconds += s.seconds;
    episodes += episodesOf(j.config);
  }
  return episodes > 0 ? seconds / episodes : null;
}

function planText(spec: StudySpec, tune: readonly PlannedJob[], final: readonly PlannedJob[] | null, sftPending: number, parallel: number, work: string): string {
  const line = (j: PlannedJob) => `${j.run.phase.padEnd(5)}  ${j.run.arm.padEnd(22)} ${j.config.method.padEnd(12)} lr ${String(j.run.lr).padEnd(8)} seed ${String(j.run.seed).padEnd(4)} ${j.config.steps} steps  ${j.state}`;
  const out = [`study ${spec.env}: ${Object.keys(spec.arms).length} arms, ${tune.length} tuning runs, ${Object.keys(spec.arms).length * spec.finalSeeds.length} final runs; work folder ${work}`, ''];
  out.push(...tune.map(line));
  if (final) out.push(...final.map(line));
  else out.push(`final  ${Object.keys(spec.arms).length} arms × seeds ${spec.finalSeeds.join(', ')}: learning rates chosen after tuning (${spec.selection})`);
  const measured = measuredRate([...tune, ...(final ?? [])]);
  const rate = measured ?? REFERENCE_SECONDS.episode[spec.env];
  // Final runs not yet planned have the budget of the arm's tuning runs.
  const pendingFinal = final
    ? final.filter((j) => j.state !== 'done').map((j) => j.config)
    : Object.keys(spec.arms).flatMap((arm) => spec.finalSeeds.map(() => tune.find((j) => j.run.arm === arm)!.config));
  const pendingEpisodes = [...tune.filter((j) => j.state !== 'done').map((j) => j.config), ...pendingFinal].reduce((s, c) => s + episodesOf(c), 0);
  const seconds = sftPending * REFERENCE_SECONDS.sftExample[spec.env] + (pendingEpisodes * rate) / parallel;
  out.push(
    '',
    `estimated time: ${formatDuration(seconds)} (${pendingEpisodes} RL episodes left at ${rate.toPrecision(2)} s each per process, ${parallel} at a time; ${measured === null ? 'rate of the 2-core reference machine, docs/results' : "rate measured on this study's finished runs"}${sftPending > 0 ? `; SFT ${sftPending} examples` : ''})`,
  );
  return out.join('\n');
}

/**
 * Writes results.md, results.json and report.html of a study's results folder from its compact
 * logs and provenance alone (what `paretopo report <dir>` runs too), each atomically.
 *
 * @param dir - the results folder (holds study.json)
 * @returns the paths written
 * @example
 * writeStudyOutputs('docs/results/arith');
 */
export function writeStudyOutputs(dir: string): string[] {
  const { folder, results } = studyResultsOf(dir);
  const md = join(dir, STUDY_FILES.resultsMd);
  const json = join(dir, STUDY_FILES.resultsJson);
  const html = join(dir, STUDY_FILES.report);
  writeFileAtomic(md, renderStudyMarkdown(results, folder.provenance));
  writeFileAtomic(json, studyResultsJson(results, folder.provenance));
  writeFileAtomic(html, renderStudyHtml(results, { title: `paretopo study: ${results.env}`, finalRuns: folder.final }));
  return [md, json, html];
}

/**
 * `paretopo study <spec>`: runs a pre-registered study. One shared SFT warm start; tuning runs
 * (every arm × lr × tuning seed, the test pool never evaluated); per arm the lr the spec's
 * selection rule picks from the validation logs; final runs (every arm × final seed at its lr,
 * paired by seed, each evaluated once on the test pool); then the analysis, written with the
 * compact per-run logs into the spec's folder. Finished runs are kept and interrupted ones
 * resumed, so running the command again continues; a folder run with other settings is an error.
 *
 * @param specPath - the spec file (its folder receives the results)
 * @param options - work folder, jobs, plan, runner, progress, log, signal
 * @returns the results folder, the plan text (`plan`) and the files written
 * @throws Interrupted when `options.signal` aborts; ConfigError on a bad spec
 * @example
 * await runStudy('docs/results/arith/study.json', { jobs: 2 });
 */
export async function runStudy(specPath: string, options: StudyRunOptions = {}): Promise<StudyRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const spec = loadStudySpec(specPath);
  const resultsDir = dirname(specPath);
  const work = options.out ?? join('runs', `study-${basename(resultsDir)}`);
  const parallel = options.jobs ?? 2;
  if (!Number.isInteger(parallel) || parallel < 1) throw new RangeError(`runStudy: options.jobs must be an integer ≥ 1 (got ${String(parallel)})`);
  const init = join(work, 'sft');
  const sftConfig = resolveConfig(sftConfigSchema, mergeConfig({ env: spec.env, out: init }, spec.sft), 'study.sft');
  const sftDone = existsSync(join(init, 'model.safetensors'));
  const tune = planJobs(spec, tuningRuns(spec), init, work);
  const chosenFrom = (runs: StudyRun[]) => {
    const sweep = selectLearningRates(spec, runs);
    return sweep.every((s) => s.chosenLr !== null) ? new Map(sweep.map((s) => [s.arm, s.chosenLr!])) : null;
  };

  if (options.plan) {
    const refused = folderKindError(work, 'study');
    if (refused !== null) throw refused;
    // The plan writes nothing: the choice is read from the work folder's finished runs.
    const chosen = chosenFrom(tune.map((j) => ({ ...j.run, record: j.state === 'done' ? readRunFolder(j.config.out) : null })));
    const final = chosen ? planJobs(spec, finalRuns(spec, chosen), init, work) : null;
    const text = planText(spec, tune, final, sftDone ? 0 : sftConfig.steps * sftConfig.batchSize, parallel, work);
    (options.print ?? ((t: string) => process.stdout.write(`${t}\n`)))(text);
    return { dir: resultsDir, plan: text, written: [] };
  }

  const t0 = performance.now();
  openFolder(work, 'study', log);
  mkdirSync(join(work, 'logs'), { recursive: true });
  // One bar over the whole study in RL-step units: SFT steps count as the RL steps they cost at
  // the reference rates, so the ETA spans SFT, tuning and final runs. Final folders are named
  // without the lr, so their logged steps count before selection.
  const finalNames = Object.keys(spec.arms).flatMap((arm) => spec.finalSeeds.map((seed) => ({ dir: join(work, 'final', runNameOf('final', arm, 0, seed)), steps: tune.find((j) => j.run.arm === arm)!.config.steps })));
  const logged = () =>
    tune.reduce((s, j) => s + Math.min(j.config.steps, stepsLogged(j.config.out)), 0) + finalNames.reduce((s, f) => s + Math.min(f.steps, stepsLogged(f.dir)), 0);
  const totalSteps = tune.reduce((s, j) => s + j.config.steps, 0) + finalNames.reduce((s, f) => s + f.steps, 0);
  // A resumed run starts again from its last checkpoint and drops the metrics rows logged after
  // it, so the bar's starting point counts only the steps that will be kept (else it went negative).
  const kept = (dir: string, steps: number) => {
    if (existsSync(join(dir, RUN_FILES.summary))) return Math.min(steps, stepsLogged(dir));
    const latest = readLatestCheckpoint(dir, 'study');
    return latest === null ? 0 : Math.min(steps, latest.step);
  };
  const atStart = tune.reduce((s, j) => s + kept(j.config.out, j.config.steps), 0) + finalNames.reduce((s, f) => s + kept(f.dir, f.steps), 0);
  const perSftStep = (sftConfig.batchSize * REFERENCE_SECONDS.sftExample[spec.env]) / ((episodesOf(tune[0].config) / tune[0].config.steps) * REFERENCE_SECONDS.episode[spec.env]);
  const sftUnits = sftDone ? 0 : Math.round(sftConfig.steps * perSftStep);
  const totalRuns = tune.length + finalNames.length;
  let doneRuns = tune.filter((j) => j.state === 'done').length + finalNames.filter((f) => existsSync(join(f.dir, RUN_FILES.summary))).length;
  let phase = 'sft';
  const progress = options.progress === false ? null : new Progress(`study ${spec.env}`, sftUnits + totalSteps - atStart, { stream: options.progress });
  // Rows a resumed run logged after its checkpoint still count until the run truncates them.
  const tick = () => progress?.update(sftUnits + Math.max(0, logged() - atStart), { phase, runs: `${doneRuns}/${totalRuns}` });

  if (sftDone) log(`study: reusing the warm start in ${init}`);
  else {
    // Runs of an earlier warm start must not be mixed with a new one (finished ones would be reused as they are).
    const earlier = ['tune', 'final'].filter((p) => existsSync(join(work, p)) && readdirSync(join(work, p)).length > 0);
    if (earlier.length > 0) throw new ConfigError(`study: ${work} holds ${earlier.join(' and ')} runs but no warm start (${init}); remove them, or restore the warm start they were trained from`);
    try {
      await runSft(sftConfig, { progress: false, log, signal: options.signal, onStep: (done) => progress?.update(Math.round(done * perSftStep), { phase, runs: `${doneRuns}/${totalRuns}` }) });
    } catch (err) {
      progress?.finish();
      throw err;
    }
  }
  exportSftLog(init, resultsDir);
  phase = 'tuning';
  const timer = setInterval(tick, 1000);
  const runJob = options.runJob ?? childRunner(options.cliPath ?? fileURLToPath(new URL('./bin.js', import.meta.url)), options.signal);
  const runPhase = async (jobs: PlannedJob[]) => {
    const pending: TrainJob[] = jobs.filter((j) => j.state !== 'done').map((j) => ({ config: j.config, resume: j.state === 'resume', logFile: j.logFile }));
    log(`study: ${phase}: ${jobs.length} runs (${jobs.length - pending.length} already done), ${Math.min(parallel, Math.max(1, pending.length))} at a time; logs in ${join(work, 'logs')}`);
    const failures = await runJobPool(pending, { parallel, runJob, signal: options.signal, log, onDone: () => doneRuns++ });
    exportDone(jobs, resultsDir);
    if (options.signal?.aborted) throw new Interrupted(`study: interrupted in ${phase}; run the same command again to continue (${doneRuns}/${totalRuns} runs done)`);
    if (failures.length > 0) throw new Error(`study: ${failures.length} of ${pending.length} ${phase} runs failed: ${failures.map((f) => f.message).join('; ')}`);
  };
  let final: PlannedJob[];
  try {
    await runPhase(tune);
    const chosen = chosenFrom(logsOf(tune, resultsDir));
    if (chosen === null) throw new Error('study: every tuning run finished but no learning rate could be chosen (a tuning log is missing from the results folder)');
    log(`study: chosen learning rates (${spec.selection}): ${[...chosen].map(([a, lr]) => `${a} ${lr}`).join(', ')}`);
    final = planJobs(spec, finalRuns(spec, chosen), init, work);
    phase = 'final';
    await runPhase(final);
  } finally {
    clearInterval(timer);
    tick();
    progress?.finish();
  }
  const seconds = (performance.now() - t0) / 1000;
  const trained = [...tune, ...final].filter((j) => j.state !== 'done').length;
  const provenance: StudyProvenance = {
    command: options.command ?? `paretopo study ${specPath}`,
    commit: gitCommit(),
    machine: machineDescription(String(tune[0]?.config.backend ?? 'auto')),
    date: new Date().toISOString().slice(0, 10),
    wallTime: `${formatDuration(seconds)} for the last invocation (${trained} runs trained in it, ${parallel} at a time${sftDone ? '' : ', SFT included'})`,
  };
  writeJsonAtomic(join(resultsDir, STUDY_FILES.provenance), provenance);
  const written = writeStudyOutputs(resultsDir);
  log(`study: wrote ${written.join(', ')}`);
  return { dir: resultsDir, plan: null, written };
}
