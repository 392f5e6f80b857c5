export { METHOD_NAMES, MethodState, resolveMethodName } from './methods';
export type { MethodName, MethodOptions, EpisodeFactsBatch, MethodLog, MethodStepResult, MethodStateJSON } from './methods';
export { rlStep, policyGradient, frozenReference, metricsRowOf, callSpread, stepSeed } from './rl-step';
export type { RlParts, RlStepOptions, RlMetricsRow, PolicyGradientStats } from './rl-step';
export { sft, sftStep, packTeacherTraces } from './sft';
export type { PackedTraces, SftOptions } from './sft';
export { createEnvironment } from './environment';
export { arithFacts } from '@paretopo/envs';
export type { Environment, EnvironmentOptions } from './environment';
export { evaluatePolicy, evalRowOf, oracleFiguresOf, oracleMapOf } from './evaluation';
export type { EvalLimits } from './evaluation';
export { BACKEND_NAMES, ENV_NAMES, BENCHMARK_NAMES, ENGINE_NAMES, LOCAL_BENCHMARK_REFUSED, isBuiltIn, TRAIN_BUDGET_BY_ENV, sftConfigSchema, trainConfigSchema, evalConfigSchema, compareConfigSchema } from './config/schema';
export type { SftConfig, TrainConfig, EvalConfig, CompareConfig, EnvName, BenchmarkName, BackendName } from './config/schema';
export { ConfigError, loadConfig, parseFlags, mergeConfig, readConfigFile, resolveConfig } from './config/load';
export { runSft } from './commands/sft';
export type { SftRunOptions, SftRunResult } from './commands/sft';
export { runTrain, stepTasks, resumeConfig } from './commands/train';
export type { TrainRunOptions, TrainRunResult } from './commands/train';
export {
  chatTasks,
  closeTinker,
  connectEngine,
  connectTinker,
  engineCheckpointOf,
  evaluateTinker,
  readEngineSft,
  readEngineState,
  saveEngineState,
  tinkerRlStep,
  writeEngineSft,
  ENGINE_SFT_FILE,
  ENGINE_STATE_FILE,
} from './commands/train-tinker';
export type { EngineSession, EngineSettings, EngineSftState, EngineTrainState, TinkerTrainer } from './commands/train-tinker';
export { runSftTinker, engineSftDatums } from './commands/sft-tinker';
export type { SftTinkerResult } from './commands/sft-tinker';
export { benchmarkPools, benchmarkSuite } from './benchmarks';
export type { BenchmarkPoolOptions, BenchmarkPools, BenchmarkQuestion, BenchmarkSuite } from './benchmarks';
export type { TrainPools } from './commands/train';
export { runEval, resolveCheckpointDir } from './commands/eval';
export { runCompare } from './commands/compare';
export { childRunner, runJobPool, runState, runConfigDifferences, savedRunConfig } from './run/jobs';
export { openFolder, folderKind, removeStaleTemps, FOLDER_KINDS, FOLDER_MARKER } from './run/folder';
export type { FolderKind } from './run/folder';
export type { TrainJob, JobRunner, JobPoolOptions } from './run/jobs';
export type { CompareJob, CompareRunOptions, CompareRunResult } from './commands/compare';
export { runReport } from './commands/report';
export { runStudy, writeStudyOutputs } from './commands/study';
export type { StudyRunOptions, StudyRunResult } from './commands/study';
export { studySpecSchema, loadStudySpec, tuningRuns, finalRuns, studyTrainConfig, STUDY_METRICS, SELECTION_RULES } from './study/spec';
export type { StudySpec, StudyMetric, PlannedRun } from './study/spec';
export { analyseStudy, selectLearningRates, studyMetricOf, trainingFigures } from './study/analysis';
export type { StudyResults, StudyRun, ArmResults, ArmSweep, BaselineComparison, ClaimResult, TrainingFigures, FirstLast } from './study/analysis';
export { STUDY_FILES, readStudyFolder, studyResultsOf } from './study/folder';
export { DEMO_CHOICE } from './demo-choice';
export { runDemo, demoTable, demoStrataTable } from './commands/demo';
export { main, EXIT } from './cli';
export { Progress, formatDuration } from './progress';
export type { ProgressOptions, ProgressStream } from './progress';
export { saveTrainState, loadTrainState, paramsHash, TrainCheckpointError, writeJsonWithChecksums, readVerifiedJson } from './run/checkpoint';
export type { LoadedTrainState, TrainStateExtra } from './run/checkpoint';
export { writeFileAtomic, writeJsonAtomic, appendJsonl, writeJsonlAtomic } from './run/files';
export { Interrupted } from './run/interrupted';
export { RUN_FILES } from './run/types';
export type { RunConfigRecord, StepRow, EvalRow, EvalPool, OracleFigures, StratumFigures, RunSummary, RunRecord } from './run/types';
export {
  aggregateResults,
  renderResultsMarkdown,
  renderReportHtml,
  writeReport,
  welchTTest,
  pairedBootstrapCi,
  signFlipTest,
  holmAdjust,
  readRunFolder,
  readCompareFolder,
  readRuns,
  resultsJson,
} from './report';
export type { Results, MethodResults, Comparison, ClaimCheck } from './report';
export type { ResultMetric } from './report/results';
export type { MeanStd } from './report/results';
export type { MeanCi } from './report/stats';
export type { SweepPoint } from './study/analysis';
export type { PairedDifference } from './study/analysis';
export type { ClaimVsBaseline } from './report/results';
export type { ClaimTest } from './study/analysis';
export type { MetricTest } from './report/results';
export type { ToolGate } from './methods';
export type { StudyPhase } from './study/spec';
export type { Json } from './config/load';
export type { StudyFolder } from './study/folder';
export type { SignFlipTest } from './report/stats';
export type { WelchTTest } from './report/stats';
export type { Demonstration } from './environment';
export type { AggregateOptions } from './report/results';
export type { DemoPolicy } from './commands/demo';
export type { BootstrapOptions } from './report/stats';
export type { ReportHtmlOptions } from './report/html';
export type { ResultsProvenance } from './report/results-markdown';
export type { SignFlipOptions } from './report/stats';
export type { ChartSpec } from './report/report-charts';
export type { Alternative } from './report/stats';
export type { StudyProvenance } from './study/folder';
export { RESULT_METRICS } from './report/results';
export type { DatasetSpec } from './report/report-charts';
export type { ChartPoint } from './report/report-charts';
export type { DatasetRole } from './report/report-charts';
export { strongestBaseline, CLAIM_BASELINES } from './report/results';
export { readApiKey } from './commands/eval';
