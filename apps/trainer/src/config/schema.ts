import { z } from 'zod';
import { METHOD_NAMES } from '../methods';

/** Kernel backends the CLI accepts (`auto` picks the fastest available; see @paretopo/kernels). */
export const BACKEND_NAMES = ['auto', 'webgpu', 'headlessgl', 'webasm', 'cpu', 'js', 'reference'] as const;

/** Where the model work of `train` runs: the local TinyGPT (default) or a Tinker-API engine. */
export const ENGINE_NAMES = ['local', 'tinker'] as const;

/** Built-in environments. */
export const ENV_NAMES = ['arith', 'kb'] as const;

/**
 * Whether `env` is a built-in task (arith, kb) rather than a real benchmark.
 *
 * @param env - an environment or benchmark name
 * @returns true for arith and kb
 * @example
 * isBuiltIn('gsm8k'); // false
 */
export function isBuiltIn(env: string): env is EnvName {
  return (ENV_NAMES as readonly string[]).includes(env);
}

/** Real benchmarks `paretopo eval` also runs on (data from `--data`, `$PARETOPO_DATA_DIR` or ../shared/data). */
export const BENCHMARK_NAMES = ['gsm8k', 'math500', 'hotpotqa'] as const;

// Every size that reaches an allocation has an upper bound, so a mistyped `--group-size 1e9` is a
// config error naming the cap instead of an out-of-memory abort.
const int = (min: number, max: number = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);
/** Caps of the config's sizes (also the values named in their errors). */
export const CONFIG_CAPS = Object.freeze({
  seed: 2 ** 32 - 1,
  taskCount: 1_000_000,
  steps: 10_000_000,
  batch: 4096,
  groupSize: 1024,
  layers: 64,
  dModel: 4096,
  heads: 64,
  context: 16_384,
  maxTurns: 64,
  maxToolCalls: 256,
  maxTokens: 32_768,
  seeds: 1000,
  jobs: 256,
  keep: 1000,
  /** Request timeouts of `eval` against an endpoint, in ms (one hour). */
  timeoutMs: 3_600_000,
  maxAttempts: 100,
  /** LoRA rank of a Tinker engine's model. */
  loraRank: 1024,
});
const C = CONFIG_CAPS;
const prob = z.number().min(0).max(1);

// Every nested object is strict, so a misspelt key is an error that names it, never ignored.
const taskSchema = z.strictObject({
  /** Seed of the pools' draw (and of the kb world); pool membership depends only on the question. */
  seed: int(0, C.seed).default(1),
  /** Questions the SFT teacher demonstrates (repeats once a stratum's questions are used up). */
  sftCount: int(1, C.taskCount).default(4096),
  /** Questions RL draws its prompts from (same rule). */
  rlCount: int(1, C.taskCount).default(4096),
  /** Held-out questions for choosing hyper-parameters, all distinct. */
  validationCount: int(1, C.taskCount).default(300),
  /** Held-out questions evaluated once per final run, all distinct. */
  testCount: int(1, C.taskCount).default(500),
});

const modelSchema = z.strictObject({
  preset: z.enum(['tiny', 'small']).default('tiny'),
  layers: int(1, C.layers).optional(),
  dModel: int(1, C.dModel).optional(),
  heads: int(1, C.heads).optional(),
  context: int(16, C.context).optional(),
});

const teacherSchema = z.strictObject({
  /** Probability of a tool call the teacher does not need. */
  overuse: prob.default(0.6),
  /** Probability of repeating a call. */
  repeat: prob.default(0.2),
});

const common = {
  env: z.enum(ENV_NAMES),
  seed: int(0, C.seed).default(1),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  task: taskSchema.default(() => taskSchema.parse({})),
  /** Episode limits shared by rollouts and evaluation. */
  maxTurns: int(1, C.maxTurns).default(4),
  maxToolCalls: int(0, C.maxToolCalls).default(4),
  /** Generated tokens per episode; `null` = the environment's default (arith 72, kb 128). */
  maxTokens: int(1, C.maxTokens).nullable().default(null),
};

/**
 * The engine of `sft`, `train` and `eval` (`--engine tinker --engine.url U --engine.baseModel M`).
 * A bare `--engine NAME` sets `engine.name`. `local` runs the TinyGPT with the kernels `backend`;
 * `tinker` drives a Tinker-API server (hosted Tinker or SkyRL's) that samples, runs
 * forward/backward and steps Adam on a LoRA of `baseModel`.
 */
const engineSchema = z
  .strictObject({
    name: z.enum(ENGINE_NAMES).default('local'),
    /** The Tinker server's base URL (the API key comes from $TINKER_API_KEY, never from a config). */
    url: z.string().url().optional(),
    /** The engine's base model (its name on the server). */
    baseModel: z.string().min(1).optional(),
    /** A folder with the base model's tokenizer.json and tokenizer_config.json [baseModel, when it is a folder]. */
    tokenizer: z.string().min(1).optional(),
    loraRank: int(1, C.loraRank).default(32),
    /**
     * Speak hosted Tinker's protocol (the official SDK 0.38.0's requests: request numbering,
     * sampling sessions, protobuf bodies) instead of SkyRL's plain JSON [false].
     */
    hosted: z.boolean().optional(),
  })
  .refine((e) => e.name !== 'tinker' || (e.url !== undefined && e.baseModel !== undefined), {
    message: 'engine tinker needs engine.url and engine.baseModel',
    path: ['url'],
  });

/** `paretopo sft`: supervised warm start on the scripted teacher. */
export const sftConfigSchema = z.strictObject({
  ...common,
  out: z.string().min(1),
  model: modelSchema.default(() => modelSchema.parse({})),
  teacher: teacherSchema.default(() => teacherSchema.parse({})),
  steps: int(1, C.steps).default(1500),
  batchSize: int(1, C.batch).default(32),
  lr: z.number().positive().default(3e-3),
  warmupSteps: int(0, C.steps).default(20),
  /** Evaluate on the validation pool every this many steps (0: only at the end). */
  evalEvery: int(0, C.steps).default(0),
  /** Also evaluate the final policy once on the test pool (`test.json`); false while choosing settings. */
  evalTest: z.boolean().default(true),
  /** Where the model is trained: the local TinyGPT (`model`, `backend`) or a LoRA on a Tinker engine. */
  engine: engineSchema.default(() => engineSchema.parse({})),
});

const lossSchema = z.strictObject({
  epsLow: z.number().min(0).default(0.2),
  epsHigh: z.number().min(0).default(0.2),
  betaKl: z.number().min(0).default(0.001),
  aggregation: z.enum(['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm']).default('token-mean'),
  /** Dual-clip constant c > 1: a token's loss is capped at c·|A| where A < 0 (verl's 3); null = off. */
  dualClip: z.number().gt(1).finite().nullable().default(3),
  /** Upper clamp of each token's k3 KL term (verl's 10); null = off. */
  klClamp: z.number().positive().finite().nullable().default(10),
});

const rewardSchema = z.strictObject({
  weights: z.tuple([z.number().min(0), z.number().min(0)]).default([0.6, 0.4]),
  alpha: z.number().positive().default(0.5),
  /** r_tool ← r_task · r_tool (`correct`) or as is (`none`, the literal reading) for every method that uses r_tool. */
  toolGate: z.enum(['none', 'correct']).default('none'),
  /** r_tool while N_opt(q) is unknown: from `fallbackNOpt` (`value`) or 0 (`zero-reward`). */
  nOptFallback: z.enum(['value', 'zero-reward']).default('value'),
  fallbackNOpt: z.number().min(0).default(0),
  /** N_opt update: the paper's monotone minimum (`min`), or the minimum over a question's last `nOptWindow` appearances (`recent`). */
  nOptRule: z.enum(['min', 'recent']).default('min'),
  nOptWindow: int(1).default(4),
  /** N_opt is the m-th smallest call count among correct trajectories in scope. */
  nOptSupport: int(1).default(1),
  gamma: z.number().min(0).max(1).default(0.9),
  beta: z.number().min(0).lt(1).default(0.5),
  switchFraction: z.number().min(0).max(1).default(0.5),
  std: z.enum(['sample', 'population']).default('sample'),
  otcC: z.number().positive().default(1),
  granularity: z.enum(['step', 'group']).default('step'),
  reference: z.enum(['first-minus-margin', 'fixed']).default('first-minus-margin'),
  referencePoint: z.tuple([z.number(), z.number()]).default([0, 0]),
  switchPolicy: z.enum(['fixed', 'plateau', 'stall']).default('fixed'),
  switchEpsilon: z.number().positive().default(1e-4),
  switchPatience: int(1, C.steps).default(10),
  nRank: z.enum(['fronts', 'group-size']).default('fronts'),
  center: z.boolean().default(true),
});

const evalSchema = z.strictObject({
  /** Evaluate on the validation pool every this many RL steps (and always before the first and after the last). */
  every: int(1, C.steps).default(25),
  /**
   * After the last step, evaluate once on the test pool (`test.json`, `summary.test`). Tuning runs
   * set it false, so the test pool is never looked at while choosing.
   */
  test: z.boolean().default(true),
});

const checkpointSchema = z.strictObject({
  every: int(1, C.steps).default(50),
  /** Checkpoints kept (oldest removed first). */
  keep: int(1, C.keep).default(2),
});

/**
 * RL budget per environment when `steps` / `promptsPerStep` are not given: kb episodes are about
 * three times longer than arith's, so kb gets half the episodes and a 7 × 3 comparison of either
 * fits an hour on 2 cores.
 */
export const TRAIN_BUDGET_BY_ENV = Object.freeze({
  arith: Object.freeze({ steps: 200, promptsPerStep: 8 }),
  kb: Object.freeze({ steps: 100, promptsPerStep: 4 }),
  // The real benchmarks (engine only): a starting point, not a tuned budget.
  gsm8k: Object.freeze({ steps: 100, promptsPerStep: 8 }),
  math500: Object.freeze({ steps: 100, promptsPerStep: 8 }),
  hotpotqa: Object.freeze({ steps: 100, promptsPerStep: 8 }),
});

/**
 * A real benchmark's data files for `train --env gsm8k|math500|hotpotqa`: `eval` is the file the
 * validation and test pools come from (default the loader's: GSM8K test, MATH-500, HotpotQA
 * distractor dev, under $PARETOPO_DATA_DIR or ../shared/data); `train` is the benchmark's train
 * split in a format its loader reads (for HotpotQA also the official JSON array file,
 * `hotpot_train_v1.1.json`, read streamed), the RL prompts. Without `train`, RL draws from a part of the `eval`
 * file that the validation and test pools never hold (split by a hash of each question's id).
 */
const dataSchema = z.strictObject({
  eval: z.string().min(1).optional(),
  train: z.string().min(1).optional(),
});

/** Why the local engine refuses the real benchmarks. */
export const LOCAL_BENCHMARK_REFUSED =
  "the local engine's TinyGPT is a character-level model trained from scratch on arith and kb; it cannot read GSM8K, MATH-500 or HotpotQA: train these with --engine tinker (a real model on a Tinker engine)";

const trainObjectSchema = z.strictObject({
  ...common,
  /** A built-in task, or a real benchmark (engine `tinker` only; data from `data`). */
  env: z.enum([...ENV_NAMES, ...BENCHMARK_NAMES]),
  /** A real benchmark's data files (see `dataSchema`); only with a benchmark `env`. */
  data: dataSchema.optional(),
  method: z.enum(METHOD_NAMES).default('paretopo'),
  /**
   * Warm start (from `paretopo sft`): the local engine's policy (required there), or for `tinker`
   * an engine SFT folder whose LoRA weights the run (and its KL reference) start from [base model].
   */
  init: z.string().min(1).optional(),
  out: z.string().min(1),
  engine: engineSchema.default(() => engineSchema.parse({})),
  /** RL steps; `null`: the environment's budget ({@link TRAIN_BUDGET_BY_ENV}). */
  steps: int(1, C.steps).nullable().default(null),
  /** Prompts per step; `null`: the environment's budget. */
  promptsPerStep: int(1, C.batch).nullable().default(null),
  groupSize: int(1, C.groupSize).default(8),
  temperature: z.number().min(0).default(1),
  lr: z.number().positive().default(5e-4),
  /** Linear warmup of the learning rate from 0 (every method loses greedy accuracy without one). */
  warmupSteps: int(0, C.steps).default(10),
  /** After warmup: `constant` (both ParetoPO stages get a fair share) or `cosine` down to lr/10 at the last step. */
  lrSchedule: z.enum(['constant', 'cosine']).default('constant'),
  clipNorm: z.number().min(0).default(1),
  weightDecay: z.number().min(0).default(0),
  loss: lossSchema.default(() => lossSchema.parse({})),
  reward: rewardSchema.default(() => rewardSchema.parse({})),
  eval: evalSchema.default(() => evalSchema.parse({})),
  checkpoint: checkpointSchema.default(() => checkpointSchema.parse({})),
});

/** `paretopo train`: RL from a warm start with one method (the budget resolved per environment). */
export const trainConfigSchema = trainObjectSchema
  .refine((c) => c.engine.name !== 'local' || isBuiltIn(c.env), { message: `engine local: ${LOCAL_BENCHMARK_REFUSED}`, path: ['env'] })
  .refine((c) => c.engine.name !== 'local' || !isBuiltIn(c.env) || c.init !== undefined, { message: 'engine local needs init (a warm-start checkpoint from paretopo sft)', path: ['init'] })
  .refine((c) => c.data === undefined || !isBuiltIn(c.env), { message: 'data applies to the real benchmarks (gsm8k, math500, hotpotqa) only', path: ['data'] })
  .transform((c) => ({
  ...c,
  steps: c.steps ?? TRAIN_BUDGET_BY_ENV[c.env].steps,
  promptsPerStep: c.promptsPerStep ?? TRAIN_BUDGET_BY_ENV[c.env].promptsPerStep,
}));

/** Why `apiKey` is not a config key, and what to use instead. */
export const API_KEY_REFUSED =
  'refused: a key given on the command line or in a config file is visible to other users (ps, shell history) and would be saved; set OPENAI_API_KEY in the environment or pass --api-key-file FILE';

/** `paretopo eval`: a checkpoint or an OpenAI-compatible endpoint on a split. */
export const evalConfigSchema = z
  .strictObject({
    ...common,
    env: z.enum([...ENV_NAMES, ...BENCHMARK_NAMES]),
    /** A benchmark's data file (default: the loader's, under $PARETOPO_DATA_DIR or ../shared/data). */
    data: z.string().min(1).optional(),
    /** Evaluate only the first `limit` questions (0: all). */
    limit: int(0, C.taskCount).default(0),
    split: z.enum(['sft', 'rl', 'validation', 'test']).default('test'),
    checkpoint: z.string().min(1).optional(),
    endpoint: z.string().url().optional(),
    model: z.string().min(1).optional(),
    /**
     * Refused: a key on the command line shows in `ps` and shell history, and would be saved in
     * eval.json. The key comes from $OPENAI_API_KEY or `apiKeyFile`, and is never written anywhere.
     */
    apiKey: z.custom<never>(() => false, { message: API_KEY_REFUSED }).optional(),
    /** A file holding the endpoint's API key (read at start; the key itself is never saved or logged). */
    apiKeyFile: z.string().min(1).optional(),
    /** Per-attempt time limit of a request to the endpoint, in ms (reading the reply included). */
    timeoutMs: int(1, C.timeoutMs).default(60_000),
    /** Time limit of one request to the endpoint, all attempts included, in ms. */
    deadlineMs: int(1, C.timeoutMs).default(120_000),
    /** Attempts per request to the endpoint (429, 5xx, network errors and timeouts are retried). */
    maxAttempts: int(1, C.maxAttempts).default(4),
    protocol: z.enum(['text', 'native']).default('text'),
    out: z.string().min(1).optional(),
    /**
     * Where the model runs: `local` (a TinyGPT `checkpoint`, or an `endpoint`) or `tinker` (the
     * engine's base model, or with `checkpoint` an engine SFT folder or a run's engine checkpoint).
     */
    engine: engineSchema.default(() => engineSchema.parse({})),
  })
  .refine((c) => c.engine.name === 'tinker' || (c.checkpoint === undefined) !== (c.endpoint === undefined), {
    message: 'give exactly one of checkpoint (a run checkpoint directory) and endpoint (an OpenAI-compatible base URL)',
    path: ['checkpoint'],
  })
  .refine((c) => c.engine.name !== 'tinker' || c.endpoint === undefined, {
    message: 'engine tinker evaluates the engine\'s model (its base model, or with checkpoint an engine checkpoint); an OpenAI-compatible endpoint is engine local',
    path: ['endpoint'],
  })
  .refine((c) => c.endpoint === undefined || c.model !== undefined, { message: 'endpoint needs model', path: ['model'] });

/** `paretopo compare`: methods × seeds from one shared warm start. */
export const compareConfigSchema = z.strictObject({
  env: z.enum(ENV_NAMES),
  methods: z.array(z.enum(METHOD_NAMES)).min(1).default(['grpo-acc', 'grpo-ws', 'otc-grpo', 'mo-grpo', 'paretopo-s1', 'paretopo-s2', 'paretopo']),
  seeds: int(1, C.seeds).default(3),
  /** Parallel training processes; 0 = the core count. */
  jobs: int(0, C.jobs).default(0),
  out: z.string().min(1),
  /** Warm-start checkpoint; when absent, `paretopo sft` runs once into `<out>/sft` and every run starts from it. */
  init: z.string().min(1).optional(),
  /** Overrides for the SFT run (same keys as `paretopo sft`). */
  sft: z.record(z.string(), z.unknown()).default({}),
  /** Overrides for every training run (same keys as `paretopo train`). */
  train: z.record(z.string(), z.unknown()).default({}),
});

export type SftConfig = z.infer<typeof sftConfigSchema>;
export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type EvalConfig = z.infer<typeof evalConfigSchema>;
export type CompareConfig = z.infer<typeof compareConfigSchema>;
export type DemoConfig = z.infer<typeof demoConfigSchema>;
export type EnvName = (typeof ENV_NAMES)[number];
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];
export type BackendName = (typeof BACKEND_NAMES)[number];

/** `paretopo demo`: where it writes, and overrides for its SFT and training runs (same keys as `sft` / `train`). */
export const demoConfigSchema = z.strictObject({
  out: z.string().min(1).default('runs/demo'),
  sft: z.record(z.string(), z.unknown()).default({}),
  train: z.record(z.string(), z.unknown()).default({}),
});

/** `paretopo report`: the output file and the page title (the folders are positional). */
export const reportFlagsSchema = z.strictObject({
  out: z.string().min(1).optional(),
  title: z.string().min(1).optional(),
});

/** `paretopo study`: the work folder and the parallel runs (the spec file is positional; `--plan` is a bare flag). */
export const studyFlagsSchema = z.strictObject({
  /** Work folder for the warm start, the full run folders and the logs [`runs/study-<results folder name>`]. */
  out: z.string().min(1).optional(),
  /** Training processes at once. */
  jobs: int(1).default(2),
});
