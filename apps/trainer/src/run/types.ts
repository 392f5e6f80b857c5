import type { BenchmarkName, EnvName } from '../config/schema';
import type { MethodName } from '../methods';
import type { RlMetricsRow } from '../rl-step';

/**
 * The files of one run folder (`paretopo train` writes them; `compare` and `report` read them).
 *
 * @example
 * join(runDir, RUN_FILES.metrics); // '<run>/metrics.jsonl'
 */
export const RUN_FILES = Object.freeze({
  /** The resolved configuration (JSON, {@link RunConfigRecord}). */
  config: 'config.json',
  /** One {@link StepRow} per RL step, in step order. */
  metrics: 'metrics.jsonl',
  /** One {@link EvalRow} per periodic evaluation on the validation pool (step 0 = before RL). */
  evals: 'eval.jsonl',
  /** The one {@link EvalRow} on the test pool after the last step (`eval.test`, default true). */
  test: 'test.json',
  /** The {@link RunSummary}, written when the run finishes. */
  summary: 'summary.json',
  /** Checkpoint directories `step-000040/` and the pointer `latest.json`. */
  checkpoints: 'checkpoints',
});


/** What every run folder's `config.json` holds at least (the trainer's resolved config has more keys). */
export interface RunConfigRecord {
  command: 'train';
  env: EnvName;
  method: MethodName;
  seed: number;
  /** RL steps of the run. */
  steps: number;
  [key: string]: unknown;
}

/** One line of `metrics.jsonl`: the RL step's metrics plus the wall-clock time it was written. */
export interface StepRow extends RlMetricsRow {
  /** ISO time the row was written. */
  time: string;
}

/** The held-out pool an evaluation ran on: `validation` for choosing, `test` once per final run. */
export type EvalPool = 'validation' | 'test';

/**
 * One line of `eval.jsonl` (or `test.json`): greedy evaluation of the policy on a held-out pool after `step` RL steps.
 * Tool efficiency is a fixed yardstick for every method: the mean over episodes of
 * exp(−α·N_call) (METHOD.md's r_tool with N_opt = 0, α of the config), so runs compare on one scale.
 */
export interface EvalRow {
  /** The pool evaluated (absent in runs written before pools were tagged, which evaluated on test). */
  pool?: EvalPool;
  step: number;
  /** Correct / episodes. */
  accuracy: number;
  /** Tool calls (valid + invalid) per episode. */
  meanCalls: number;
  /** Correct / calls (calls floored at 1). */
  toolProductivity: number;
  /** Mean exp(−α·N_call) over episodes. */
  toolEfficiency: number;
  /** Hypervolume of the point (accuracy, toolEfficiency) against (0, 0), both maximised: their product. */
  hv: number;
  /** Episodes evaluated. */
  n: number;
  /** Figures against each question's oracle calls (built-in tasks; absent where questions carry none). */
  oracle?: OracleFigures;
  /** ISO time. */
  time: string;
}

/** Evaluation figures of the questions whose oracle needs `oracleCalls` calls (one stratum). */
export interface StratumFigures {
  oracleCalls: number;
  /** Episodes in the stratum. */
  n: number;
  accuracy: number;
  /** Tool calls (valid + invalid) per episode. */
  meanCalls: number;
  /** Mean max(0, calls − oracle): calls the oracle would not make. */
  excessCalls: number;
  /** Mean max(0, oracle − calls): calls the oracle needs that the policy skipped. */
  missingCalls: number;
}

/**
 * Figures against the oracle's minimum calls: excess and missing calls (overall and per stratum),
 * and an efficiency that charges only excess calls, exp(−α·max(0, calls − oracle)), so skipping a
 * needed call earns nothing here (it shows in accuracy and in `missingCalls` instead).
 */
export interface OracleFigures {
  /** Mean oracle calls over the episodes. */
  meanOracleCalls: number;
  excessCalls: number;
  missingCalls: number;
  /** Mean exp(−α·excess) over episodes. */
  efficiency: number;
  /** Hypervolume of (accuracy, efficiency) against (0, 0): their product. The headline figure. */
  hv: number;
  /** One entry per oracle-call count present, ascending. */
  strata: StratumFigures[];
}

/** `summary.json`: the run's first and last validation evaluation, its test evaluation and its timing. */
export interface RunSummary {
  env: EnvName | BenchmarkName;
  method: MethodName;
  seed: number;
  steps: number;
  /** First stage-2 step (`paretopo`, `paretopo-s2`), else null. */
  switchStep: number | null;
  /** Validation evaluation before RL (the warm start). */
  initial: EvalRow;
  /** Validation evaluation after the last step. */
  final: EvalRow;
  /** Test evaluation after the last step; null when `eval.test` is false (absent in older runs). */
  test?: EvalRow | null;
  /** Wall-clock seconds of the RL part. */
  seconds: number;
}

/** Everything `compare` and `report` read back from one run folder. */
export interface RunRecord {
  dir: string;
  config: RunConfigRecord;
  steps: StepRow[];
  evals: EvalRow[];
  summary: RunSummary | null;
}
