import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MethodName } from '../methods';
import { RUN_FILES, type EvalRow, type RunRecord, type StepRow } from '../run/types';

/** Options of {@link syntheticRun}. */
export interface SyntheticRunOptions {
  method: MethodName;
  seed: number;
  /** Final accuracy before seed noise. */
  accuracy: number;
  /** Final mean tool calls before seed noise. */
  calls: number;
  env?: 'arith' | 'kb';
  /** RL steps [40]. */
  steps?: number;
  /** Steps between evaluations [10]. */
  evalEvery?: number;
  /** First stage-2 step, or null [null]. */
  switchStep?: number | null;
  /** Whether summary.json exists [true]. */
  finished?: boolean;
}

const TIME = '2026-01-01T00:00:00.000Z';

function evalRow(step: number, accuracy: number, meanCalls: number): EvalRow {
  const toolEfficiency = Math.exp(-0.5 * meanCalls);
  return { step, accuracy, meanCalls, toolProductivity: accuracy / Math.max(1, meanCalls), toolEfficiency, hv: accuracy * toolEfficiency, n: 64, time: TIME };
}

/**
 * A deterministic synthetic run record for report tests: accuracy and calls move linearly from a
 * shared warm start (0.3, 2.5) to the given final point, with a small seed-dependent offset
 * (accuracy +δ, calls +3δ).
 *
 * @param o - the run's method, seed and final point
 * @returns a RunRecord whose dir is `runs/<method>-s<seed>`
 * @example
 * syntheticRun({ method: 'paretopo', seed: 0, accuracy: 0.8, calls: 0.9 }).evals.length; // 5
 */
export function syntheticRun(o: SyntheticRunOptions): RunRecord {
  const steps = o.steps ?? 40;
  const every = o.evalEvery ?? 10;
  const switchStep = o.switchStep ?? null;
  const noise = ((o.seed * 7919) % 5) / 100 - 0.02;
  const acc = (f: number) => Math.min(1, 0.3 + (o.accuracy + noise - 0.3) * f);
  // More accuracy costs more calls across seeds, so each method's seeds trade off (a front of several points).
  const calls = (f: number) => Math.max(0, 2.5 + (o.calls + 3 * noise - 2.5) * f);
  const evals: EvalRow[] = [];
  for (let s = 0; s <= steps; s += every) evals.push(evalRow(s, acc(s / steps), calls(s / steps)));
  const rows: StepRow[] = [];
  for (let s = 0; s < steps; s++) {
    const f = s / steps;
    const wobble = 0.03 * Math.sin(s + o.seed);
    const a = Math.min(1, Math.max(0, acc(f) + wobble));
    const tool = Math.exp(-0.5 * calls(f));
    const stage = switchStep !== null && s >= switchStep ? 2 : 1;
    rows.push({
      step: s,
      stage,
      weights: [0.6, 0.4],
      rPareto: o.method.startsWith('paretopo') ? 0.5 : null,
      deltaHvSmoothed: o.method.startsWith('paretopo') ? 0.01 : null,
      archiveSize: o.method.startsWith('paretopo') ? 3 : null,
      switchStep: stage === 2 ? switchStep : null,
      accuracy: a,
      meanCalls: calls(f),
      meanToolReward: tool,
      hv: a * tool,
      meanAbsAdvantage: 0.5,
      callsVaryingGroups: 0.5,
      correctCallsVaryingGroups: 0.25,
      loss: 0.1,
      kl: 0.001,
      entropy: 1,
      clipFraction: 0,
      dualClipFraction: 0,
      gradNorm: 1,
      lr: 1e-4,
      episodes: 64,
      generatedTokens: 1000,
      tokens: 2000,
      tokensPerSecond: 5000,
      seconds: 0.4,
      time: TIME,
    });
  }
  const env = o.env ?? 'arith';
  const config = { command: 'train' as const, env, method: o.method, seed: o.seed, steps };
  const summary =
    o.finished === false ? null : { env, method: o.method, seed: o.seed, steps, switchStep, initial: evals[0], final: evals[evals.length - 1], seconds: 12.5 };
  return { dir: `runs/${o.method}-s${o.seed}`, config, steps: rows, evals, summary };
}

/**
 * Final points of the synthetic methods: ParetoPO ahead on accuracy and calls.
 *
 * @example
 * SYNTHETIC_FINALS.find((f) => f.method === 'paretopo'); // { method: 'paretopo', accuracy: 0.78, calls: 0.9 }
 */
export const SYNTHETIC_FINALS: ReadonlyArray<{ method: MethodName; accuracy: number; calls: number }> = [
  { method: 'grpo-acc', accuracy: 0.7, calls: 2.1 },
  { method: 'grpo-ws', accuracy: 0.66, calls: 1.5 },
  { method: 'otc-grpo', accuracy: 0.64, calls: 1.2 },
  { method: 'mo-grpo', accuracy: 0.62, calls: 1.9 },
  { method: 'paretopo', accuracy: 0.78, calls: 0.9 },
];

/**
 * Synthetic runs of a compare: each named method × seeds 0..seeds−1 (paretopo switches at step 20).
 *
 * @param methods - which of {@link SYNTHETIC_FINALS} to include [all]
 * @param seeds - seeds per method [2]
 * @returns the runs in method, seed order
 * @example
 * syntheticCompare(['grpo-ws', 'paretopo'], 3).length; // 6
 */
export function syntheticCompare(methods: readonly MethodName[] = SYNTHETIC_FINALS.map((f) => f.method), seeds = 2): RunRecord[] {
  const runs: RunRecord[] = [];
  for (const f of SYNTHETIC_FINALS) {
    if (!methods.includes(f.method)) continue;
    for (let seed = 0; seed < seeds; seed++) {
      runs.push(syntheticRun({ ...f, seed, switchStep: f.method === 'paretopo' ? 20 : null }));
    }
  }
  return runs;
}

/**
 * Writes a run record as a run folder (the files of RUN_FILES) under `dir`.
 *
 * @param dir - the folder to create
 * @param run - the record to write (its `dir` is ignored)
 * @returns when the files are written
 * @example
 * await writeRunFolder('/tmp/c/runs/paretopo-s0', syntheticRun({ method: 'paretopo', seed: 0, accuracy: 0.8, calls: 1 }));
 */
export async function writeRunFolder(dir: string, run: RunRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  const jsonl = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  await writeFile(join(dir, RUN_FILES.config), JSON.stringify(run.config, null, 2));
  await writeFile(join(dir, RUN_FILES.metrics), jsonl(run.steps));
  await writeFile(join(dir, RUN_FILES.evals), jsonl(run.evals));
  if (run.summary) await writeFile(join(dir, RUN_FILES.summary), JSON.stringify(run.summary, null, 2));
}
