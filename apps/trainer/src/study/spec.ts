import { z } from 'zod';
import { ConfigError, mergeConfig, readConfigFile, resolveConfig } from '../config/load';
import { ENV_NAMES, trainConfigSchema, type TrainConfig } from '../config/schema';
import { METHOD_NAMES } from '../methods';

/**
 * The test-pool metrics a study compares arms on (fields of the final runs' test evaluation;
 * the oracle ones from `EvalRow.oracle`).
 *
 * @example
 * STUDY_METRICS[0]; // 'accuracy'
 */
export const STUDY_METRICS = ['accuracy', 'meanCalls', 'excessCalls', 'missingCalls', 'oracleHv', 'toolProductivity'] as const;

/** One of {@link STUDY_METRICS}. */
export type StudyMetric = (typeof STUDY_METRICS)[number];

/**
 * The learning-rate selection rules a study can name. `max-mean-validation-oracle-hv`: per arm,
 * the lr whose mean over tuning seeds of the validation `oracle.hv` at the last step is largest;
 * a tie goes to the smaller lr.
 *
 * @example
 * SELECTION_RULES; // ['max-mean-validation-oracle-hv']
 */
export const SELECTION_RULES = ['max-mean-validation-oracle-hv'] as const;

const int = (min: number) => z.number().int().min(min);
const overrides = z.record(z.string(), z.unknown());

const armSchema = z.strictObject({
  /** The trainer method (METHOD.md §6). */
  method: z.enum(METHOD_NAMES),
  /** Train-config overrides of this arm on top of the shared `train` (e.g. `{ reward: { granularity: 'group' } }`). */
  config: overrides.default({}),
  /** One line saying what the arm is, for the tables. */
  description: z.string().optional(),
});

const claimSchema = z.strictObject({
  /** Metrics on which the primary arm must beat every claim baseline, and which way is better. */
  metrics: z
    .array(z.strictObject({ metric: z.enum(STUDY_METRICS), better: z.enum(['higher', 'lower']) }))
    .min(1)
    .default([
      { metric: 'accuracy', better: 'higher' },
      { metric: 'meanCalls', better: 'lower' },
    ]),
  /** Family-wise error rate of the claim's one-sided tests, Holm-corrected across all of them. */
  alpha: z.number().gt(0).lt(1).default(0.05),
});

const statisticsSchema = z.strictObject({
  /** Bootstrap resamples of each confidence interval. */
  resamples: int(1).default(10_000),
  /** Seed of every bootstrap and sampled permutation stream. */
  seed: int(0).default(1),
  /** Confidence level of the intervals. */
  level: z.number().gt(0).lt(1).default(0.95),
  /** Seeds up to which the sign-flip test enumerates every pattern. */
  exactMax: int(0).max(24).default(16),
});

const ARM_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Keys the study sets for every run itself; the spec's `train` and arms must not. */
const STUDY_OWNED = ['env', 'method', 'lr', 'seed', 'init', 'out'] as const;

/**
 * A pre-registered study (`paretopo study <file>`): which arms run, how each arm's learning rate
 * is chosen on the validation pool, the final seeds evaluated once on the test pool, and the claim
 * the statistics check. Every nested object is strict, so a misspelt key is an error.
 */
export const studySpecSchema = z
  .strictObject({
    /** One sentence on what the study asks (printed at the top of results.md). */
    title: z.string().min(1).optional(),
    env: z.enum(ENV_NAMES),
    /** Arm name → method and config overrides. */
    arms: z.record(z.string().regex(ARM_NAME, 'arm names are lower-case letters, digits and dashes'), armSchema),
    /** The arm the claim is about. */
    primary: z.string(),
    /** Arms the primary must beat (the claim's family of tests). */
    claimBaselines: z.array(z.string()).min(1),
    /** Learning rates tried per arm in tuning. */
    lrGrid: z.array(z.number().positive()).min(1),
    tuningSeeds: z.array(int(0)).min(1),
    finalSeeds: z.array(int(0)).min(1),
    selection: z.enum(SELECTION_RULES).default('max-mean-validation-oracle-hv'),
    claim: claimSchema.default(() => claimSchema.parse({})),
    statistics: statisticsSchema.default(() => statisticsSchema.parse({})),
    /** Train-config overrides shared by every run (budget: steps, promptsPerStep, groupSize, …). */
    train: overrides.default({}),
    /** SFT-config overrides of the one shared warm start. */
    sft: overrides.default({}),
  })
  .superRefine((s, ctx) => {
    const arms = Object.keys(s.arms);
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (arms.length === 0) issue(['arms'], 'must name at least one arm');
    if (!arms.includes(s.primary)) issue(['primary'], `must be one of the arms (${arms.join(', ')}; got ${JSON.stringify(s.primary)})`);
    s.claimBaselines.forEach((b, i) => {
      if (!arms.includes(b)) issue(['claimBaselines', i], `must be one of the arms (got ${JSON.stringify(b)})`);
      if (b === s.primary) issue(['claimBaselines', i], 'must not be the primary arm');
    });
    const distinct = (key: 'lrGrid' | 'tuningSeeds' | 'finalSeeds') => {
      if (new Set(s[key]).size !== s[key].length) issue([key], `must not repeat a value (got ${JSON.stringify(s[key])})`);
    };
    distinct('lrGrid');
    distinct('tuningSeeds');
    distinct('finalSeeds');
    if (new Set(s.claimBaselines).size !== s.claimBaselines.length) issue(['claimBaselines'], 'must not repeat an arm');
    const shared = s.finalSeeds.filter((x) => s.tuningSeeds.includes(x));
    if (shared.length > 0) issue(['finalSeeds'], `must be disjoint from tuningSeeds (both hold ${shared.join(', ')})`);
    const owned = (path: string[], o: Record<string, unknown>) => {
      for (const k of STUDY_OWNED) if (k in o) issue([...path, k], 'is set by the study for every run; remove it here');
      const ev = o.eval as Record<string, unknown> | undefined;
      if (ev !== null && typeof ev === 'object' && 'test' in ev) issue([...path, 'eval', 'test'], 'is set by the study (false in tuning, true in final runs); remove it here');
    };
    owned(['train'], s.train);
    for (const a of arms) owned(['arms', a, 'config'], s.arms[a].config);
  });

/** A validated study specification. */
export type StudySpec = z.infer<typeof studySpecSchema>;

/** The study's two training phases. */
export type StudyPhase = 'tune' | 'final';

/** One planned training run of a study. */
export interface PlannedRun {
  phase: StudyPhase;
  arm: string;
  lr: number;
  seed: number;
  /** Folder name under `<phase>/`: `<arm>-lr<lr>-s<seed>` in tuning, `<arm>-s<seed>` in final runs. */
  name: string;
}

/**
 * Reads and validates a study spec file, and checks that every arm's config resolves as a train
 * config (so a typo fails before anything runs).
 *
 * @param path - the spec (JSON or YAML)
 * @returns the spec, defaults filled in
 * @throws ConfigError naming each bad key
 * @example
 * loadStudySpec('docs/results/arith/study.json').primary; // 'paretopo'
 */
export function loadStudySpec(path: string): StudySpec {
  const spec = resolveConfig(studySpecSchema, readConfigFile(path), `study ${path}`);
  for (const arm of Object.keys(spec.arms)) studyTrainConfig(spec, { phase: 'final', arm, lr: spec.lrGrid[0], seed: spec.finalSeeds[0], name: '' }, 'init', 'out');
  return spec;
}

/**
 * Folder name of a planned run: `<arm>-lr<lr>-s<seed>` in tuning, `<arm>-s<seed>` in the final phase.
 *
 * @param phase - tune or final
 * @param arm - the arm
 * @param lr - its learning rate
 * @param seed - the seed
 * @returns the name
 * @example
 * runNameOf('tune', 'grpo-acc', 0.0005, 1); // 'grpo-acc-lr0.0005-s1'
 */
export function runNameOf(phase: StudyPhase, arm: string, lr: number, seed: number): string {
  return phase === 'tune' ? `${arm}-lr${lr}-s${seed}` : `${arm}-s${seed}`;
}

/**
 * The tuning runs: every arm × lr × tuning seed, in arm, lr, seed order.
 *
 * @param spec - the study
 * @returns the planned runs
 * @example
 * tuningRuns(spec).length; // arms × lrGrid × tuningSeeds
 */
export function tuningRuns(spec: StudySpec): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const arm of Object.keys(spec.arms)) {
    for (const lr of spec.lrGrid) for (const seed of spec.tuningSeeds) out.push({ phase: 'tune', arm, lr, seed, name: runNameOf('tune', arm, lr, seed) });
  }
  return out;
}

/**
 * The final runs: every arm × final seed at the arm's chosen lr. Seed s draws the same RL prompts
 * and sampling seeds in every arm (both derive from the run seed), so the runs pair by seed.
 *
 * @param spec - the study
 * @param chosen - arm → chosen lr
 * @returns the planned runs
 * @throws RangeError when an arm has no chosen lr
 * @example
 * finalRuns(spec, new Map([['paretopo', 5e-4]]));
 */
export function finalRuns(spec: StudySpec, chosen: ReadonlyMap<string, number>): PlannedRun[] {
  const out: PlannedRun[] = [];
  for (const arm of Object.keys(spec.arms)) {
    const lr = chosen.get(arm);
    if (lr === undefined) throw new RangeError(`finalRuns: chosen has no learning rate for arm ${JSON.stringify(arm)}`);
    for (const seed of spec.finalSeeds) out.push({ phase: 'final', arm, lr, seed, name: runNameOf('final', arm, lr, seed) });
  }
  return out;
}

/**
 * The resolved train config of a planned run: the shared `train` overrides, then the arm's, then
 * what the study sets itself (env, method, lr, seed, init, out, and `eval.test` true only in the
 * final phase).
 *
 * @param spec - the study
 * @param run - the planned run
 * @param init - the warm start
 * @param out - the run folder
 * @returns the config
 * @throws ConfigError naming the arm and the bad key
 * @example
 * studyTrainConfig(spec, tuningRuns(spec)[0], 'runs/s/sft', 'runs/s/tune/a').eval.test; // false
 */
export function studyTrainConfig(spec: StudySpec, run: PlannedRun, init: string, out: string): TrainConfig {
  const arm = spec.arms[run.arm];
  if (arm === undefined) throw new ConfigError(`study: no arm ${JSON.stringify(run.arm)} (arms: ${Object.keys(spec.arms).join(', ')})`);
  const raw = mergeConfig(mergeConfig(spec.train, arm.config), {
    env: spec.env,
    method: arm.method,
    lr: run.lr,
    seed: run.seed,
    init,
    out,
    eval: { test: run.phase === 'final' },
  });
  return resolveConfig(trainConfigSchema, raw, `study arm ${run.arm}`);
}
