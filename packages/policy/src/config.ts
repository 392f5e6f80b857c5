import { Rng } from '@paretopo/random';

/** Shape of a {@link TinyGPT}-style decoder-only transformer. */
export interface TinyGPTConfig {
  /** Transformer blocks. */
  layers: number;
  /** Width of the residual stream (a multiple of `heads`). */
  dModel: number;
  /** Attention heads (headDim = dModel / heads). */
  heads: number;
  /** Most positions (learned position table rows). */
  context: number;
  /** Vocabulary size (the tokenizer's `size`). */
  vocab: number;
  /** MLP hidden width = mlpRatio · dModel (GPT-2: 4). */
  mlpRatio: number;
}

/**
 * Presets without `vocab` (it comes from the tokenizer): `tiny` for CPUs (2 layers, d 64, 4 heads,
 * context 256: a whole episode of a built-in task), `small` for GPUs (4 layers, d 256, 8 heads,
 * context 512).
 *
 * @example
 * PRESETS.tiny.dModel; // 64
 */
export const PRESETS: Readonly<Record<'tiny' | 'small', Omit<TinyGPTConfig, 'vocab'>>> = Object.freeze({
  tiny: Object.freeze({ layers: 2, dModel: 64, heads: 4, context: 256, mlpRatio: 4 }),
  small: Object.freeze({ layers: 4, dModel: 256, heads: 8, context: 512, mlpRatio: 4 }),
});

/** One parameter tensor inside the flat parameter array. */
export interface ParamEntry {
  /** PyTorch / Hugging Face GPT-2 style name, e.g. `h.0.attn.c_attn.weight`. */
  name: string;
  /** First element in the flat array. */
  offset: number;
  /** Shape, row-major. Linear weights are `[in, out]` (GPT-2's `Conv1D` convention). */
  shape: number[];
  /** Element count. */
  size: number;
  /** How the tensor is initialised. */
  init: 'normal' | 'residual' | 'ones' | 'zeros';
}

/** The name → (offset, shape) table of a config's flat parameter array. */
export interface ParamLayout {
  entries: ParamEntry[];
  /** Entries by name. */
  byName: Map<string, ParamEntry>;
  /** Total element count. */
  size: number;
}

/**
 * Checks a config and returns a frozen copy.
 *
 * @param config - the config
 * @param fn - name of the calling function for error messages
 * @returns the config
 * @throws RangeError/TypeError naming the field
 * @example
 * validateConfig({ ...PRESETS.tiny, vocab: 111 }).heads; // 4
 */
export function validateConfig(config: TinyGPTConfig, fn = 'validateConfig'): Readonly<TinyGPTConfig> {
  if (config === null || typeof config !== 'object') throw new TypeError(`${fn}: config must be an object`);
  for (const key of ['layers', 'dModel', 'heads', 'context', 'vocab', 'mlpRatio'] as const) {
    const v = config[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: config.${key} must be a positive integer (got ${String(v)})`);
    }
  }
  if (config.dModel % config.heads !== 0) {
    throw new RangeError(`${fn}: config.dModel (${config.dModel}) must be a multiple of config.heads (${config.heads})`);
  }
  const { layers, dModel, heads, context, vocab, mlpRatio } = config;
  return Object.freeze({ layers, dModel, heads, context, vocab, mlpRatio });
}

/**
 * The parameter table of a config, in storage order: `wte.weight` [vocab, d], `wpe.weight`
 * [context, d], per block `h.{i}.ln_1.{weight,bias}` [d], `h.{i}.attn.c_attn.{weight [d, 3d], bias
 * [3d]}` (q, k, v column blocks), `h.{i}.attn.c_proj.{weight [d, d], bias [d]}`,
 * `h.{i}.ln_2.{weight,bias}`, `h.{i}.mlp.c_fc.{weight [d, r·d], bias}`, `h.{i}.mlp.c_proj.{weight
 * [r·d, d], bias}`, then `ln_f.{weight,bias}`. The output head is tied to `wte.weight`.
 *
 * @param config - the model config
 * @returns the layout
 * @example
 * paramLayout({ ...PRESETS.tiny, vocab: 111 }).byName.get('h.0.attn.c_attn.weight')!.shape; // [64, 192]
 */
export function paramLayout(config: TinyGPTConfig): ParamLayout {
  const { layers, dModel: d, context, vocab, mlpRatio } = validateConfig(config, 'paramLayout');
  const hidden = mlpRatio * d;
  const entries: ParamEntry[] = [];
  let offset = 0;
  const add = (name: string, shape: number[], init: ParamEntry['init']): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, offset, shape, size, init });
    offset += size;
  };
  add('wte.weight', [vocab, d], 'normal');
  add('wpe.weight', [context, d], 'normal');
  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    add(p + 'ln_1.weight', [d], 'ones');
    add(p + 'ln_1.bias', [d], 'zeros');
    add(p + 'attn.c_attn.weight', [d, 3 * d], 'normal');
    add(p + 'attn.c_attn.bias', [3 * d], 'zeros');
    add(p + 'attn.c_proj.weight', [d, d], 'residual');
    add(p + 'attn.c_proj.bias', [d], 'zeros');
    add(p + 'ln_2.weight', [d], 'ones');
    add(p + 'ln_2.bias', [d], 'zeros');
    add(p + 'mlp.c_fc.weight', [d, hidden], 'normal');
    add(p + 'mlp.c_fc.bias', [hidden], 'zeros');
    add(p + 'mlp.c_proj.weight', [hidden, d], 'residual');
    add(p + 'mlp.c_proj.bias', [d], 'zeros');
  }
  add('ln_f.weight', [d], 'ones');
  add('ln_f.bias', [d], 'zeros');
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), size: offset };
}

/**
 * Seeded GPT-2 initialisation into one flat array: weights N(0, 0.02²), residual output
 * projections (`*.c_proj.weight`) N(0, (0.02/√(2·layers))²) so the residual stream's variance does
 * not grow with depth (GPT-2 paper, §2.3), layer-norm gains 1, biases 0. Deterministic per seed.
 *
 * @param config - the model config
 * @param seed - the seed
 * @returns the flat parameters (length `paramLayout(config).size`)
 * @example
 * initParams({ ...PRESETS.tiny, vocab: 111 }, 1)[0] === initParams({ ...PRESETS.tiny, vocab: 111 }, 1)[0]; // true
 */
export function initParams(config: TinyGPTConfig, seed: number): Float32Array {
  if (!Number.isFinite(seed)) throw new RangeError(`initParams: seed must be a finite number (got ${seed})`);
  const layout = paramLayout(config);
  const params = new Float32Array(layout.size);
  const rng = new Rng(seed);
  const residualStd = 0.02 / Math.sqrt(2 * config.layers);
  for (const e of layout.entries) {
    const view = params.subarray(e.offset, e.offset + e.size);
    if (e.init === 'ones') view.fill(1);
    else if (e.init === 'normal' || e.init === 'residual') {
      const std = e.init === 'normal' ? 0.02 : residualStd;
      for (let i = 0; i < view.length; i++) view[i] = std * rng.normal();
    }
  }
  return params;
}
