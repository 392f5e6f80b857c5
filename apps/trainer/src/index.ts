export { METHOD_NAMES, MethodState, resolveMethodName } from './methods';
export type { MethodName, MethodOptions, EpisodeFactsBatch, MethodLog, MethodStepResult, MethodStateJSON } from './methods';
export { rlStep, policyGradient, frozenReference } from './rl-step';
export type { RlParts, RlStepOptions, RlMetricsRow, PolicyGradientStats } from './rl-step';
export { sft, sftStep, packTeacherTraces } from './sft';
export type { PackedTraces, SftOptions } from './sft';
export { createEnvironment } from './environment';
export { arithFacts } from '@paretopo/envs';
export type { Environment, EnvironmentOptions } from './environment';
export { evaluatePolicy, evalRowOf, oracleFiguresOf, oracleMapOf } from './evaluation';
export type { EvalLimits } from './evaluation';
export { BACKEND_NAMES, ENV_NAMES, BENCHMARK_NAMES, TRAIN_BUDGET_BY_ENV, sftConfigSchema, trainConfigSchema, evalConfigSchema, compareConfigSchema } from './config/schema';
export type { SftConfig, TrainConfig, EvalConfig, CompareConfig, EnvName, BenchmarkName, BackendName } from './config/schema';
export { ConfigError, loadConfig, parseFlags, mergeConfig, readConfigFile, resolveConfig } from './config/load';
export { runSft } from './commands/sft';
export type { SftRunOptions, SftRunResult } from './commands/sft';
export { runTrain, stepTasks, readRunConfig } from './commands/train';
export type { TrainRunOptions, TrainRunResult } from './commands/train';
export { runEval, resolveCheckpointDir } from './commands/eval';
export { runCompare, childRunner } from './commands/compare';
export type { CompareJob, CompareRunOptions, CompareRunResult } from './commands/compare';
export { runReport } from './commands/report';
export { runDemo, demoTable } from './commands/demo';
export { main, EXIT } from './cli';
export { Progress, formatDuration } from './progress';
export type { ProgressOptions, ProgressStream } from './progress';
export { saveTrainState, loadTrainState, paramsHash, TrainCheckpointError } from './run/checkpoint';
export type { LoadedTrainState, TrainStateExtra } from './run/checkpoint';
export { writeFileAtomic, writeJsonAtomic, appendJsonl, readJsonlRows, writeJsonlAtomic, JsonlError } from './run/files';
export { Interrupted } from './run/interrupted';
export { RUN_FILES } from './run/types';
export type { RunConfigRecord, StepRow, EvalRow, OracleFigures, StratumFigures, RunSummary, RunRecord } from './run/types';
export {
  aggregateResults,
  renderResultsMarkdown,
  renderReportHtml,
  writeReport,
  welchTTest,
  readRunFolder,
  readCompareFolder,
  readRuns,
  resultsJson,
} from './report';
export type { Results, MethodResults, Comparison, ClaimCheck } from './report';
