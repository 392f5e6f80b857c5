export {
  weightedSum,
  weightedSumBatch,
  tchebycheff,
  tchebycheffBatch,
  augmentedTchebycheff,
  augmentedTchebycheffBatch,
  pbi,
  pbiBatch,
} from './scalarize';
export type { BatchOptions, AugmentedTchebycheffOptions, PbiOptions } from './scalarize';
export { dasDennis, dasDennisCount, randomSimplexWeights, dirichletWeights } from './weights';
export type { RandomWeightsOptions } from './weights';
export { sampleGamma, sampleLogGamma } from './rng';
export {
  StaticScheduler,
  LinearRampScheduler,
  CosineRampScheduler,
  DirichletScheduler,
  schedulerFromJSON,
} from './schedulers';
export type {
  WeightScheduler,
  WeightSchedulerJSON,
  SchedulerObservation,
  StaticSchedulerJSON,
  RampOptions,
  RampShape,
  RampSchedulerJSON,
  DirichletSchedulerOptions,
  DirichletSchedulerJSON,
} from './schedulers';
export { HypervolumeMetaReward, paretoRewardFactor } from './meta-reward';
export type {
  HypervolumeMetaRewardOptions,
  HypervolumeMetaRewardJSON,
  MetaRewardResult,
  MetaRewardGroups,
  MetaRewardGranularity,
  ReferencePolicy,
} from './meta-reward';
export { StageSwitch } from './stage-switch';
export type { Stage, StageSwitchOptions, StageObservation, StageSwitchJSON } from './stage-switch';
export type { ResolvedOptions } from './stage-switch';
