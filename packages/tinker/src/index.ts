export { TinkerError } from './errors';
export type { TinkerErrorCode } from './errors';
export { jsonCodec, protobufCodec } from './codec';
export type { BodyCodec, ResultKind } from './codec';
export { PROTOBUF_CONTENT_TYPE, decodeForwardBackwardOutput, decodeSampleResponse, encodeForwardBackwardRequest } from './protobuf';
export type { DecodedForwardOutput, DecodedSampleResponse, DecodedSequence, DecodedTensor } from './protobuf';
export { HOSTED_SDK_VERSION, TinkerClient } from './client';
export { combineForwardResults, datumBytes, splitDatums } from './chunks';
export type { TinkerClientOptions, TrainingModel } from './client';
export { episodeDatum, packedDatums, tokenAligned } from './datum';
export type { EpisodeTokens, PackedEpisodes } from './datum';
export { clippedLossWeights, clippedLossStep } from './custom-loss';
export type { ClippedLossOptions, ClippedLossResult } from './custom-loss';
export type {
  AdamParams,
  Datum,
  ForwardResult,
  LossFn,
  LossFnOutput,
  SampleResult,
  SampledSequence,
  SamplerRef,
  SamplingParams,
  TensorData,
} from './types';
export { ChatTemplate, hfTokenizer, readTokenizerFiles } from './chat';
export type { TemplateMessage, TokenizerFiles } from './chat';
export { TinkerPolicy } from './policy';
export type { TinkerPolicyOptions } from './policy';
