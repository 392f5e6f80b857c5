/**
 * Kernel names as constants (tfjs-style), so callers never type an op name as a bare string.
 *
 * @example
 * Op.Matmul // 'matmul'
 */
export const Op = {
  Matmul: 'matmul',
  SumRows: 'sumRows',
  Embedding: 'embedding',
  EmbeddingBackward: 'embeddingBackward',
  LayerNorm: 'layerNorm',
  LayerNormBackward: 'layerNormBackward',
  Gelu: 'gelu',
  GeluBackward: 'geluBackward',
  Add: 'add',
  Attention: 'attention',
  AttentionBackward: 'attentionBackward',
  LogSoftmaxGather: 'logSoftmaxGather',
  Entropy: 'entropy',
  CrossEntropyBackward: 'crossEntropyBackward',
  PgLoss: 'pgLoss',
  Adamw: 'adamw',
  GradNorm: 'gradNorm',
  Scale: 'scale',
  Sample: 'sample',
} as const;

/**
 * The name of one op, e.g. `'matmul'`.
 *
 * @example
 * const name: OpName = Op.Gelu; // 'gelu'
 */
export type OpName = (typeof Op)[keyof typeof Op];

/**
 * Every op name, in declaration order.
 *
 * @example
 * OP_NAMES.includes('matmul') // true
 */
export const OP_NAMES: readonly OpName[] = Object.values(Op);
