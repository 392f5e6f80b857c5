export { Op, OP_NAMES } from './ops/names';
export type { OpName } from './ops/names';
export type {
  AddArgs,
  AdamwArgs,
  AttentionArgs,
  AttentionBackwardArgs,
  CrossEntropyBackwardArgs,
  EmbeddingArgs,
  EmbeddingBackwardArgs,
  EntropyArgs,
  GeluArgs,
  GeluBackwardArgs,
  GradNormArgs,
  LayerNormArgs,
  LayerNormBackwardArgs,
  LogSoftmaxGatherArgs,
  MatmulArgs,
  OpArgs,
  OpResult,
  PgAggregation,
  PgLossArgs,
  PgLossSettings,
  PgLossResult,
  SampleArgs,
  ScaleArgs,
  SumRowsArgs,
} from './ops/types';
export { createBackend, KNOWN_GAPS, knownGaps, listBackends, registerBackend } from './registry';
export type { Backend, BackendInfo, BackendName, CreateBackendOptions, KnownGap } from './registry';
export { defineOp } from './ops/define';
export type {
  AnyOpDefinition,
  CompiledKernel,
  ConformanceCase,
  ConformanceSpec,
  GpuImplementation,
  GpuJsBackendName,
  GpuKernelContext,
  KernelOutput,
  KernelSettings,
  OpDefinition,
  OpGap,
  Tolerance,
} from './ops/define';
export { getOpDefinition, OP_DEFINITIONS } from './ops/catalog';
export { matmulOp, matmulReference } from './ops/matmul';
export { matmulFast, matmulThreads, matmulWorkerCount, MATMUL_THREAD_MIN_MACS, disposeMatmulPool } from './ops/matmulFast';
export { sumRowsOp, sumRowsReference, sumRowsJs } from './ops/sumRows';
export { attentionProbsSize, attentionOp, attentionBackwardOp } from './ops/attention';
export { embeddingOp, embeddingBackwardOp } from './ops/embedding';
export { layerNormOp, layerNormBackwardOp } from './ops/layerNorm';
export { geluOp, geluBackwardOp } from './ops/gelu';
export { addOp } from './ops/add';
export { logSoftmaxGatherOp, entropyOp, crossEntropyBackwardOp } from './ops/crossEntropy';
export { PG_LOSS_DEFAULTS, pgLossOp } from './ops/pgLoss';
export { adamwOp } from './ops/adamw';
export { gradNormOp, scaleOp } from './ops/gradNorm';
export { sampleOp } from './ops/sample';
export { POLICY_OP_DEFINITIONS } from './ops/policyOps';
export { requestWebGpuAdapter } from './backends/webgpuSetup';
export type { AdapterSummary } from './backends/webgpuSetup';
export { checkOp, cloneArgs, DEFAULT_TOLERANCE } from './conformance/harness';
export type { CaseOutcome } from './conformance/harness';
export { caseRng } from './conformance/rng';
export type { CaseRng } from './conformance/rng';
export type { Factory } from './registry';
