/**
 * The op definitions of the policy's layers, losses, optimiser and sampler, in one list the catalog
 * spreads into OP_DEFINITIONS.
 */
import type { AnyOpDefinition } from './define';
import { adamwOp } from './adamw';
import { addOp } from './add';
import { attentionBackwardOp, attentionOp } from './attention';
import { crossEntropyBackwardOp, entropyOp, logSoftmaxGatherOp } from './crossEntropy';
import { embeddingBackwardOp, embeddingOp } from './embedding';
import { geluBackwardOp, geluOp } from './gelu';
import { gradNormOp, scaleOp } from './gradNorm';
import { layerNormBackwardOp, layerNormOp } from './layerNorm';
import { pgLossOp } from './pgLoss';
import { sampleOp } from './sample';

/**
 * Every policy op definition (all ops except matmul and sumRows).
 *
 * @example
 * POLICY_OP_DEFINITIONS.map((d) => d.name).includes('attention') // true
 */
export const POLICY_OP_DEFINITIONS: readonly AnyOpDefinition[] = [
  embeddingOp,
  embeddingBackwardOp,
  layerNormOp,
  layerNormBackwardOp,
  geluOp,
  geluBackwardOp,
  addOp,
  attentionOp,
  attentionBackwardOp,
  logSoftmaxGatherOp,
  entropyOp,
  crossEntropyBackwardOp,
  pgLossOp,
  adamwOp,
  gradNormOp,
  scaleOp,
  sampleOp,
] as AnyOpDefinition[];
