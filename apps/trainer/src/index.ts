export { METHOD_NAMES, MethodState, resolveMethodName } from './methods';
export type { MethodName, MethodOptions, EpisodeFactsBatch, MethodLog, MethodStepResult, MethodStateJSON } from './methods';
export { rlStep, policyGradient, frozenReference } from './rl-step';
export type { RlParts, RlStepOptions, RlMetricsRow, PolicyGradientStats } from './rl-step';
export { sft, sftStep, packTeacherTraces } from './sft';
export type { PackedTraces, SftOptions } from './sft';
