import { Op, attentionProbsSize, type Backend } from '@paretopo/kernels';
import { initParams, paramLayout, validateConfig, type ParamLayout, type TinyGPTConfig } from './config';

/**
 * Layer-norm epsilon (GPT-2).
 *
 * @example
 * LN_EPS; // 1e-5
 */
export const LN_EPS = 1e-5;

/**
 * A packed ragged batch: the tokens of several sequences concatenated. Attention never crosses a
 * sequence boundary and positions restart at 0 in every sequence.
 */
export interface PackedBatch {
  /** All tokens, length T. */
  tokens: Int32Array;
  /** Sequence s spans `tokens[seqOffsets[s] .. seqOffsets[s+1])`; starts at 0, ends at T. */
  seqOffsets: Int32Array;
  /** Token whose log-prob is read at each position (usually the next token; see {@link nextTokenTargets}). */
  targets: Int32Array;
}

/** Options of {@link TinyGPT.forward}. */
export interface ForwardOptions {
  /** Also compute the entropy of the next-token distribution at every position (default false). */
  entropy?: boolean;
  /**
   * Only these positions' log-probs are wanted (strictly increasing, in [0, T)), e.g. the positions
   * of an RL batch's loss mask. The last block's attention output (its queries; every position
   * still gives keys and values), projection and MLP, the final layer norm and the head then run on
   * these rows alone: each of those rows depends on its own query alone, so the log-probs, entropies
   * and logits of these rows equal a full forward's bit for bit. Log-probs and entropies are 0 at the
   * other positions, `logits` has one row per listed position, and {@link TinyGPT.backward} requires
   * `dLogprobs` (and `dEntropy`) to be 0 off these rows. Default: every position.
   */
  rows?: Int32Array;
  /**
   * Compute the rows that repeat the previous sequence's leading tokens once (default true): a
   * causal model gives equal prefixes equal activations, so those rows of every block are copied
   * from the previous sequence instead of computed (the G samples of a prompt share the prompt).
   * The copies hold the values the earlier sequence's rows got, which can differ in the last bits
   * from computing them anew (the attention kernel's summation path depends on a sequence's length).
   */
  sharePrefixes?: boolean;
}

/** Per-layer activations the backward pass reads. */
export interface LayerActs {
  ln1: Float32Array;
  mean1: Float32Array;
  rstd1: Float32Array;
  qkv: Float32Array;
  q: Float32Array;
  k: Float32Array;
  v: Float32Array;
  att: Float32Array;
  probs: Float32Array;
  /** Residual stream after the attention block. */
  mid: Float32Array;
  ln2: Float32Array;
  mean2: Float32Array;
  rstd2: Float32Array;
  /** MLP pre-activation and its GELU. */
  h: Float32Array;
  g: Float32Array;
}

/** What {@link TinyGPT.forward} returns; pass it to {@link TinyGPT.backward}. */
export interface ForwardResult {
  /** log p(targets[t] | tokens of its sequence up to t), length T. */
  logprobs: Float32Array;
  /** Entropy of the next-token distribution per position (when asked). */
  entropy?: Float32Array;
  /** Logits [T, vocab], or [rows.length, vocab] (row r = position rows[r]) with {@link ForwardOptions.rows}. */
  logits: Float32Array;
  /** @internal Activations for the backward pass. */
  readonly tape: Tape;
}

/** @internal */
export interface Tape {
  batch: PackedBatch;
  positions: Int32Array;
  T: number;
  /**
   * The positions the last block's MLP and the head ran on ({@link ForwardOptions.rows}), or
   * undefined for all. With rows, the last block's mid … g, the final residual stream, lnf and
   * logits hold those rows only, and `rowAtt` the attention output at them.
   */
  rows?: Int32Array;
  rowAtt?: Float32Array;
  /**
   * The batch's shared prefixes when the forward copied them ({@link ForwardOptions.sharePrefixes}),
   * and per block the MLP half's activations on the unique rows (`mid` … `g`, packed [U, ·]; then
   * that block's own `mid` … `g` are empty; undefined for a block whose MLP half ran on `rows` or,
   * without shared prefixes, on every row).
   */
  sp?: SharedPrefixes;
  uniqueMlp?: (LayerActs | undefined)[];
  /** Residual stream at the input of block l (index l), and the final one (index layers). */
  resid: Float32Array[];
  layers: LayerActs[];
  lnf: Float32Array;
  meanf: Float32Array;
  rstdf: Float32Array;
  logits: Float32Array;
  /** The model's pooled buffers the tape holds; {@link TinyGPT.release} gives them back and sets `released`. */
  owned: Float32Array[];
  released: boolean;
}

/** Views of one block's parameters (or gradients) inside a flat array. */
export interface BlockViews {
  ln1w: Float32Array;
  ln1b: Float32Array;
  wqkv: Float32Array;
  bqkv: Float32Array;
  wo: Float32Array;
  bo: Float32Array;
  ln2w: Float32Array;
  ln2b: Float32Array;
  wfc: Float32Array;
  bfc: Float32Array;
  wp: Float32Array;
  bp: Float32Array;
}

/** Views of every parameter tensor inside one flat array. */
export interface ModelViews {
  wte: Float32Array;
  wpe: Float32Array;
  blocks: BlockViews[];
  lnfw: Float32Array;
  lnfb: Float32Array;
}

/**
 * Views of the tensors of `layout` inside `flat` (parameters or gradients share the layout).
 *
 * @param layout - the parameter table
 * @param layers - number of blocks
 * @param flat - the flat array
 * @returns named views (no copies)
 * @example
 * const cfg = { ...PRESETS.tiny, vocab: 111 };
 * modelViews(paramLayout(cfg), 2, initParams(cfg, 1)).wte.length; // 7104
 */
export function modelViews(layout: ParamLayout, layers: number, flat: Float32Array): ModelViews {
  const view = (name: string): Float32Array => {
    const e = layout.byName.get(name)!;
    return flat.subarray(e.offset, e.offset + e.size);
  };
  const blocks: BlockViews[] = [];
  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    blocks.push({
      ln1w: view(p + 'ln_1.weight'), ln1b: view(p + 'ln_1.bias'),
      wqkv: view(p + 'attn.c_attn.weight'), bqkv: view(p + 'attn.c_attn.bias'),
      wo: view(p + 'attn.c_proj.weight'), bo: view(p + 'attn.c_proj.bias'),
      ln2w: view(p + 'ln_2.weight'), ln2b: view(p + 'ln_2.bias'),
      wfc: view(p + 'mlp.c_fc.weight'), bfc: view(p + 'mlp.c_fc.bias'),
      wp: view(p + 'mlp.c_proj.weight'), bp: view(p + 'mlp.c_proj.bias'),
    });
  }
  return { wte: view('wte.weight'), wpe: view('wpe.weight'), blocks, lnfw: view('ln_f.weight'), lnfb: view('ln_f.bias') };
}

/**
 * Next-token targets of a packed batch: `targets[t] = tokens[t+1]` inside a sequence; the last
 * position of each sequence has no next token, so it gets `fill` and its weight must be 0.
 *
 * @param tokens - packed tokens
 * @param seqOffsets - packed offsets
 * @param fill - target of each sequence's last position (default 0, PAD)
 * @returns targets, length T
 * @example
 * Array.from(nextTokenTargets(Int32Array.of(5, 6, 7, 8), Int32Array.of(0, 3, 4))); // [6, 7, 0, 0]
 */
export function nextTokenTargets(tokens: Int32Array, seqOffsets: Int32Array, fill = 0): Int32Array {
  const out = new Int32Array(tokens.length);
  for (let s = 0; s + 1 < seqOffsets.length; s++) {
    const end = seqOffsets[s + 1];
    for (let t = seqOffsets[s]; t < end - 1; t++) out[t] = tokens[t + 1];
    if (end > seqOffsets[s]) out[end - 1] = fill;
  }
  return out;
}

/** @internal Copies the q, k, v column blocks of qkv [T, 3d] into three [T, d] arrays. */
export function splitQkv(qkv: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, T: number, d: number): void {
  // Element loops: a subarray view per row and block was a measurable share of the GC load.
  for (let t = 0, src = 0, dst = 0; t < T; t++, src += 3 * d, dst += d) {
    for (let c = 0; c < d; c++) {
      q[dst + c] = qkv[src + c];
      k[dst + c] = qkv[src + d + c];
      v[dst + c] = qkv[src + 2 * d + c];
    }
  }
}

function mergeQkv(q: Float32Array, k: Float32Array, v: Float32Array, qkv: Float32Array, T: number, d: number): void {
  for (let t = 0, dst = 0, src = 0; t < T; t++, dst += 3 * d, src += d) {
    for (let c = 0; c < d; c++) {
      qkv[dst + c] = q[src + c];
      qkv[dst + d + c] = k[src + c];
      qkv[dst + 2 * d + c] = v[src + c];
    }
  }
}

/** Checks {@link ForwardOptions.rows}: an Int32Array of strictly increasing positions in [0, T). */
function checkRows(fn: string, rows: Int32Array, T: number): Int32Array {
  if (!(rows instanceof Int32Array)) throw new TypeError(`${fn}: rows must be an Int32Array of positions`);
  for (let r = 0; r < rows.length; r++) {
    if (!(rows[r] >= 0 && rows[r] < T) || (r > 0 && rows[r] <= rows[r - 1])) {
      throw new RangeError(`${fn}: rows must be strictly increasing positions in [0, ${T}) (rows[${r}] is ${rows[r]}${r > 0 ? ` after ${rows[r - 1]}` : ''})`);
    }
  }
  return rows;
}

/** Rows `rows` of a [·, d] array, packed into `out` [rows.length, d]. */
function gatherRows(x: Float32Array, rows: Int32Array, d: number, out: Float32Array): Float32Array {
  for (let r = 0, dst = 0; r < rows.length; r++) {
    for (let c = 0, src = rows[r] * d; c < d; c++) out[dst++] = x[src + c];
  }
  return out;
}

/** Packed rows [rows.length, d] back to their places in `out`, a zeroed [T, d] array. */
function scatterRows(x: Float32Array, rows: Int32Array, d: number, out: Float32Array): Float32Array {
  for (let r = 0, src = 0; r < rows.length; r++) {
    for (let c = 0, dst = rows[r] * d; c < d; c++) out[dst + c] = x[src++];
  }
  return out;
}

const gatherInts = (x: Int32Array, rows: Int32Array): Int32Array => rows.map((t) => x[t]);
const gatherValues = (x: Float32Array, rows: Int32Array): Float32Array => Float32Array.from(rows, (t) => x[t]);
const scatterValues = (x: Float32Array, rows: Int32Array, T: number): Float32Array => scatterRows(x, rows, 1, new Float32Array(T));

// The pool keeps at most this many floats of free buffers per model (128 MB; an RL step of the demo
// configuration gives back about 13 M per step to the policy model); past it a given-back
// buffer is left to the garbage collector.
const POOL_MAX_FLOATS = 1 << 25;

/**
 * Float32 buffers one model reuses across its forwards and backwards. Every forward allocated its
 * activations and every backward its scratch (tens of megabytes per RL step: zeroing, page faults
 * and garbage collection showed as about a tenth of a profile); now they come from here, zeroed,
 * and go back when the call (scratch) or {@link TinyGPT.release} (a forward's tape) is done with
 * them. A buffer is handed out as an exact-length view of a free one at most twice as long.
 */
class BufferPool {
  private readonly free: Float32Array[] = [];
  private held = 0;

  /**
   * A Float32Array of length n, recorded in `owned` (give it back through that list only); zeroed
   * unless `zero` is false, which a caller passes only for an array some op overwrites whole before
   * anything reads it.
   */
  take(n: number, owned: Float32Array[], zero = true): Float32Array {
    const free = this.free;
    let best = -1;
    for (let i = 0; i < free.length; i++) {
      const c = free[i].length;
      if (c >= n && c <= 2 * n + 4096 && (best < 0 || c < free[best].length)) best = i;
    }
    let out: Float32Array;
    if (best < 0) {
      out = new Float32Array(n);
    } else {
      const buf = free[best];
      free[best] = free[free.length - 1];
      free.pop();
      this.held -= buf.length;
      out = buf.length === n ? buf : buf.subarray(0, n);
      if (zero) out.fill(0);
    }
    owned.push(out);
    return out;
  }

  /** Takes back every array of `owned` (each one {@link BufferPool.take} handed out) and empties the list. */
  give(owned: Float32Array[]): void {
    for (const x of owned) {
      const full = x.length * 4 === x.buffer.byteLength ? x : new Float32Array(x.buffer);
      if (full.length === 0 || this.held + full.length > POOL_MAX_FLOATS) continue;
      this.free.push(full);
      this.held += full.length;
    }
    owned.length = 0;
  }
}

/** The buffers one call takes: those its result keeps (`keep`) and those it gives back when done (`temp`). */
interface CallBuffers {
  keep: Float32Array[];
  temp: Float32Array[];
}

/**
 * @internal Rows a packed batch repeats: `shared[s]` leading tokens of sequence s equal those of
 * sequence s − 1 (0 for the first), and `unique` lists every other row, in order (`undefined` when
 * no sequence shares a leading token with the one before it).
 */
export interface SharedPrefixes {
  shared: Int32Array;
  unique: Int32Array;
}

/** @internal The {@link SharedPrefixes} of a packed batch. */
export function sharedPrefixes(tokens: Int32Array, seqOffsets: Int32Array): SharedPrefixes | undefined {
  const S = seqOffsets.length - 1;
  const shared = new Int32Array(Math.max(S, 0));
  let copies = 0;
  for (let s = 1; s < S; s++) {
    const a = seqOffsets[s - 1];
    const b = seqOffsets[s];
    const max = Math.min(b - a, seqOffsets[s + 1] - b);
    let n = 0;
    while (n < max && tokens[a + n] === tokens[b + n]) n++;
    shared[s] = n;
    copies += n;
  }
  if (copies === 0) return undefined;
  const unique = new Int32Array(tokens.length - copies);
  for (let s = 0, r = 0; s < S; s++) for (let t = seqOffsets[s] + shared[s]; t < seqOffsets[s + 1]; t++) unique[r++] = t;
  return { shared, unique };
}

/**
 * Puts packed rows [unique.length, w] at their places in `full` [T, w], then copies each
 * sequence's shared rows from the sequence before it (in order, so a chain of equal prefixes is
 * filled from its first sequence).
 */
function spreadRows(packed: Float32Array, full: Float32Array, w: number, sp: SharedPrefixes, seqOffsets: Int32Array): void {
  const { shared } = sp;
  let src = 0;
  for (let s = 0; s < shared.length; s++) {
    const start = seqOffsets[s];
    const p = shared[s];
    if (p > 0) full.copyWithin(start * w, seqOffsets[s - 1] * w, (seqOffsets[s - 1] + p) * w);
    const n = (seqOffsets[s + 1] - start - p) * w;
    // One memcpy per sequence (a view per sequence, not per row).
    if (n > 0) full.set(packed.subarray(src, src + n), (start + p) * w);
    src += n;
  }
}

/** Copies each sequence's shared rows [·, w] of `full` from the sequence before it, in order. */
function copySharedRows(full: Float32Array, w: number, sp: SharedPrefixes, seqOffsets: Int32Array): void {
  const { shared } = sp;
  for (let s = 1; s < shared.length; s++) {
    const p = shared[s];
    if (p > 0) full.copyWithin(seqOffsets[s] * w, seqOffsets[s - 1] * w, (seqOffsets[s - 1] + p) * w);
  }
}

/** Copies each sequence's shared rows' attention probabilities (per head, the leading p(p+1)/2 of its triangle) from the sequence before it. */
function copySharedProbs(probs: Float32Array, heads: number, sp: SharedPrefixes, seqOffsets: Int32Array): void {
  const { shared } = sp;
  let prev = 0;
  let prevTri = 0;
  let base = 0;
  for (let s = 0; s < shared.length; s++) {
    const len = seqOffsets[s + 1] - seqOffsets[s];
    const tri = (len * (len + 1)) / 2;
    const p = shared[s];
    if (p > 0) {
      const n = (p * (p + 1)) / 2;
      for (let h = 0; h < heads; h++) probs.copyWithin(base + h * tri, prev + h * prevTri, prev + h * prevTri + n);
    }
    prev = base;
    prevTri = tri;
    base += heads * tri;
  }
}

/**
 * The backward's fold: adds each sequence's shared rows [·, w] of `full` into the same rows of the
 * sequence before it (last sequence first, so a chain of equal prefixes sums into its first
 * sequence; `full` is modified), then packs the unique rows into `out` [U, w] and returns it.
 */
function foldRows(full: Float32Array, out: Float32Array, w: number, sp: SharedPrefixes, seqOffsets: Int32Array): Float32Array {
  const { shared, unique } = sp;
  for (let s = shared.length - 1; s >= 1; s--) {
    const n = shared[s] * w;
    for (let i = 0, dst = seqOffsets[s - 1] * w, src = seqOffsets[s] * w; i < n; i++) full[dst + i] += full[src + i];
  }
  return gatherRows(full, unique, w, out);
}

/**
 * TinyGPT: a pre-LN decoder-only transformer (GPT-2 architecture) with learned positions and an
 * output head tied to the token embedding, whose parameters live in ONE flat `Float32Array`
 * ({@link paramLayout} documents the name → (offset, shape) table). Every tensor op runs on a
 * `@paretopo/kernels` backend; the backward pass is derived by hand (no autograd).
 *
 * Block l: `x += c_proj(attn(c_attn(ln_1(x))))`, `x += mlp.c_proj(gelu(mlp.c_fc(ln_2(x))))`; then
 * `logits = ln_f(x) · wteᵀ`.
 *
 * @example
 * const backend = await createBackend('js');
 * const model = TinyGPT.create({ ...PRESETS.tiny, vocab: 111 }, backend, { seed: 1 });
 * const { logprobs } = await model.forward({ tokens, seqOffsets, targets: nextTokenTargets(tokens, seqOffsets) });
 */
export class TinyGPT {
  /** The validated config. */
  readonly config: Readonly<TinyGPTConfig>;
  /** The backend every op runs on. */
  readonly backend: Backend;
  /** Name → (offset, shape) table of {@link TinyGPT.params}. */
  readonly layout: ParamLayout;
  /** All parameters, flat (update in place; {@link TinyGPT.views} alias it). */
  readonly params: Float32Array;
  /** Named views into {@link TinyGPT.params}. */
  readonly views: ModelViews;
  private readonly pool = new BufferPool();

  private constructor(config: TinyGPTConfig, backend: Backend, params: Float32Array) {
    this.config = validateConfig(config, 'TinyGPT');
    this.backend = backend;
    this.layout = paramLayout(this.config);
    if (!(params instanceof Float32Array) || params.length !== this.layout.size) {
      throw new RangeError(`TinyGPT: params must be a Float32Array of length ${this.layout.size} (got ${params?.length})`);
    }
    this.params = params;
    this.views = modelViews(this.layout, this.config.layers, params);
  }

  /**
   * A freshly initialised model ({@link initParams}: GPT-2 init, deterministic per seed).
   *
   * @param config - the config (vocab = the tokenizer's size)
   * @param backend - a kernels backend (`createBackend(...)`)
   * @param options - `seed` (default 0)
   * @returns the model
   * @example
   * TinyGPT.create({ ...PRESETS.tiny, vocab: 111 }, backend, { seed: 1 }).params.length; // 123584
   */
  static create(config: TinyGPTConfig, backend: Backend, options: { seed?: number } = {}): TinyGPT {
    const cfg = validateConfig(config, 'TinyGPT.create');
    return new TinyGPT(cfg, backend, initParams(cfg, options.seed ?? 0));
  }

  /**
   * A model over existing parameters (e.g. loaded from a checkpoint). The array is used, not copied.
   *
   * @param config - the config
   * @param backend - a kernels backend
   * @param params - flat parameters of length `paramLayout(config).size`
   * @returns the model
   * @example
   * TinyGPT.fromParams(model.config, backend, model.params.slice()); // a copy of `model`
   */
  static fromParams(config: TinyGPTConfig, backend: Backend, params: Float32Array): TinyGPT {
    return new TinyGPT(config, backend, params);
  }

  /** @internal Checks a packed batch against the config. */
  checkBatch(fn: string, tokens: Int32Array, seqOffsets: Int32Array, targets?: Int32Array): Int32Array {
    const { vocab, context } = this.config;
    if (!(tokens instanceof Int32Array)) throw new TypeError(`${fn}: tokens must be an Int32Array`);
    if (!(seqOffsets instanceof Int32Array) || seqOffsets.length < 2) {
      throw new TypeError(`${fn}: seqOffsets must be an Int32Array of length ≥ 2`);
    }
    const T = tokens.length;
    if (seqOffsets[0] !== 0 || seqOffsets[seqOffsets.length - 1] !== T) {
      throw new RangeError(`${fn}: seqOffsets must start at 0 and end at tokens.length = ${T} (got ${seqOffsets[0]} … ${seqOffsets[seqOffsets.length - 1]})`);
    }
    const positions = new Int32Array(T);
    for (let s = 0; s + 1 < seqOffsets.length; s++) {
      const a = seqOffsets[s];
      const b = seqOffsets[s + 1];
      if (b < a) throw new RangeError(`${fn}: seqOffsets must be non-decreasing (offset ${s + 1} is ${b} < ${a})`);
      if (b - a > context) throw new RangeError(`${fn}: sequence ${s} has ${b - a} tokens, more than the context ${context}`);
      for (let t = a; t < b; t++) positions[t] = t - a;
    }
    for (let t = 0; t < T; t++) {
      const id = tokens[t];
      if (id < 0 || id >= vocab) throw new RangeError(`${fn}: tokens[${t}] is ${id}, outside [0, ${vocab})`);
    }
    if (targets !== undefined) {
      if (!(targets instanceof Int32Array) || targets.length !== T) {
        throw new RangeError(`${fn}: targets must be an Int32Array of length ${T} (got ${targets?.length})`);
      }
      for (let t = 0; t < T; t++) {
        if (targets[t] < 0 || targets[t] >= vocab) throw new RangeError(`${fn}: targets[${t}] is ${targets[t]}, outside [0, ${vocab})`);
      }
    }
    return positions;
  }

  /**
   * Forward pass over a packed batch: the log-prob of every target (and entropies if asked). Keeps
   * the activations for {@link TinyGPT.backward}.
   *
   * @param batch - tokens, seqOffsets, targets
   * @param options - {@link ForwardOptions}
   * @returns log-probs [T], optional entropies [T], logits [T, vocab] and the tape
   * @throws RangeError on ids outside the vocabulary, bad offsets, a sequence longer than the context
   * @example
   * (await model.forward(batch)).logprobs.length === batch.tokens.length; // true
   */
  async forward(batch: PackedBatch, options: ForwardOptions = {}): Promise<ForwardResult> {
    const positions = this.checkBatch('TinyGPT.forward', batch.tokens, batch.seqOffsets, batch.targets);
    const rows = options.rows === undefined ? undefined : checkRows('TinyGPT.forward', options.rows, batch.tokens.length);
    const tape = await this.forwardCore(batch, positions, rows, options.sharePrefixes !== false);
    const { vocab } = this.config;
    const T = tape.T;
    const R = rows === undefined ? T : rows.length;
    const logprobs = new Float32Array(R);
    const targets = rows === undefined ? batch.targets : gatherInts(batch.targets, rows);
    if (R > 0) await this.backend.run(Op.LogSoftmaxGather, { logits: tape.logits, targets, out: logprobs, rows: R, vocab });
    const result: ForwardResult = { logprobs: rows === undefined ? logprobs : scatterValues(logprobs, rows, T), logits: tape.logits, tape };
    if (options.entropy === true) {
      const entropy = new Float32Array(R);
      if (R > 0) await this.backend.run(Op.Entropy, { logits: tape.logits, out: entropy, rows: R, vocab });
      result.entropy = rows === undefined ? entropy : scatterValues(entropy, rows, T);
    }
    return result;
  }

  /**
   * Logits [T, vocab] of a packed batch (no targets needed).
   *
   * @param tokens - packed tokens
   * @param seqOffsets - packed offsets
   * @returns logits, row t = next-token scores after tokens up to t of its sequence
   * @example
   * (await model.logits(Int32Array.of(1, 5), Int32Array.of(0, 2))).length; // 2 · vocab
   */
  async logits(tokens: Int32Array, seqOffsets: Int32Array): Promise<Float32Array> {
    const positions = this.checkBatch('TinyGPT.logits', tokens, seqOffsets);
    const tape = await this.forwardCore({ tokens, seqOffsets, targets: new Int32Array(tokens.length) }, positions);
    this.releaseTape(tape);
    return tape.logits;
  }

  /**
   * @internal The forward pass up to the logits, keeping every activation; with `rows`, the last
   * block's projection and MLP, the final layer norm and the head run on those rows only (see
   * {@link ForwardOptions.rows}; the caller has checked them).
   */
  async forwardCore(batch: PackedBatch, positions: Int32Array, rows?: Int32Array, share = true): Promise<Tape> {
    const { layers, dModel: d, vocab } = this.config;
    const T = batch.tokens.length;
    const R = rows === undefined ? T : rows.length;
    const W = this.views;
    const sp = share ? sharedPrefixes(batch.tokens, batch.seqOffsets) : undefined;
    const bufs: CallBuffers = { keep: [], temp: [] };
    // Not zeroed: each of these is written whole (a gather, the spread, the final layer norm) first.
    const keep = (n: number): Float32Array => this.pool.take(n, bufs.keep, false);
    const temp = (n: number): Float32Array => this.pool.take(n, bufs.temp, false);
    const resid: Float32Array[] = [await this.embed(batch.tokens, positions, bufs)];
    const acts: LayerActs[] = [];
    const uniqueMlp: (LayerActs | undefined)[] = [];
    let rowAtt: Float32Array | undefined;
    for (let l = 0; l < layers; l++) {
      const last = rows !== undefined && l + 1 === layers;
      // With shared prefixes, the MLP half below the head's rows runs on the unique rows only and
      // keeps its activations packed (uniqueMlp): the backward reads them there.
      const a = await this.attentionHalf(l, resid[l], batch.seqOffsets, T, last ? R : sp !== undefined ? 0 : T, bufs, last ? rows : undefined, sp);
      if (last) {
        rowAtt = gatherRows(a.att, rows, d, keep(R * d));
        resid.push(R > 0 ? await this.mlpHalf(l, gatherRows(resid[l], rows, d, temp(R * d)), rowAtt, a, R, bufs) : new Float32Array(0));
      } else if (sp !== undefined) {
        // The MLP half on the unique rows, spread to every row.
        const U = sp.unique.length;
        const u = this.layerActs(0, 0, U, bufs);
        const nextU = await this.mlpHalf(l, gatherRows(resid[l], sp.unique, d, temp(U * d)), gatherRows(a.att, sp.unique, d, temp(U * d)), u, U, bufs);
        const next = keep(T * d);
        spreadRows(nextU, next, d, sp, batch.seqOffsets);
        resid.push(next);
        uniqueMlp[l] = u;
      } else {
        resid.push(await this.mlpHalf(l, resid[l], a.att, a, T, bufs));
      }
      acts.push(a);
    }
    const lnf = keep(R * d);
    const meanf = keep(R);
    const rstdf = keep(R);
    // Not pooled: the logits outlive the tape (ForwardResult.logits, prefill, logits()).
    const logits = new Float32Array(R * vocab);
    if (R > 0) {
      await this.backend.run(Op.LayerNorm, { x: resid[layers], gamma: W.lnfw, beta: W.lnfb, out: lnf, mean: meanf, rstd: rstdf, rows: R, dim: d, eps: LN_EPS });
      await this.backend.run(Op.Matmul, { a: lnf, b: W.wte, out: logits, m: R, k: d, n: vocab, transB: true });
    }
    this.pool.give(bufs.temp);
    return { batch, positions, T, rows, rowAtt, sp, uniqueMlp, resid, layers: acts, lnf, meanf, rstdf, logits, owned: bufs.keep, released: false };
  }

  /**
   * Hands the activations that `fwd` keeps for {@link TinyGPT.backward} back to the model, which
   * reuses their memory in its later forwards and backwards (an RL step allocated tens of megabytes
   * of them otherwise). Call it once a result's backward is done, or right away when none will run
   * (a reference model's forward). The result's log-probs, entropies and logits stay valid; a
   * backward on it afterwards throws.
   *
   * @param fwd - a result of this model's {@link TinyGPT.forward}
   * @returns nothing
   * @example
   * const fwd = await model.forward(batch);
   * await model.backward(fwd, dLogprobs, grads);
   * model.release(fwd); // fwd.logprobs still readable
   */
  release(fwd: ForwardResult): void {
    this.releaseTape(fwd.tape);
  }

  /**
   * @internal A Float32Array of n floats from the model's pool, recorded in `owned`; not zeroed
   * (every caller writes what it reads first: the sampling caches and scratch).
   */
  takeBuffer(n: number, owned: Float32Array[]): Float32Array {
    return this.pool.take(n, owned, false);
  }

  /** @internal Gives back every array of `owned` (each from {@link TinyGPT.takeBuffer}) and empties the list. */
  giveBuffers(owned: Float32Array[]): void {
    this.pool.give(owned);
  }

  private releaseTape(tape: Tape): void {
    if (tape.released) return;
    tape.released = true;
    this.pool.give(tape.owned);
  }

  /**
   * @internal The prefill of sampling: the keys and values of every layer at every position, and
   * the logits of the `lastRows` positions only (the last token of each context): the forward with
   * those rows ({@link ForwardOptions.rows}), so they equal a full forward's bit for bit.
   */
  async prefill(
    tokens: Int32Array, seqOffsets: Int32Array, positions: Int32Array, lastRows: Int32Array,
  ): Promise<{ k: Float32Array[]; v: Float32Array[]; logits: Float32Array; release: () => void }> {
    const tape = await this.forwardCore({ tokens, seqOffsets, targets: tokens }, positions, lastRows);
    // `release` once k and v are copied: they are the tape's pooled buffers.
    return { k: tape.layers.map((a) => a.k), v: tape.layers.map((a) => a.v), logits: tape.logits, release: () => this.releaseTape(tape) };
  }

  /** Token plus position embeddings [T, d]. */
  private async embed(tokens: Int32Array, positions: Int32Array, bufs: CallBuffers): Promise<Float32Array> {
    const d = this.config.dModel;
    const T = tokens.length;
    // Both written whole by the embedding gathers.
    const x = this.pool.take(T * d, bufs.keep, false);
    const pe = this.pool.take(T * d, bufs.temp, false);
    await this.backend.run(Op.Embedding, { table: this.views.wte, ids: tokens, out: x, dim: d });
    await this.backend.run(Op.Embedding, { table: this.views.wpe, ids: positions, out: pe, dim: d });
    await this.backend.run(Op.Add, { a: x, b: pe, out: x, n: T * d });
    return x;
  }

  /** Activation buffers of one block: `rows` rows up to the attention output, `mlpRows` after it. */
  private layerActs(rows: number, probsSize: number, mlpRows: number, bufs: CallBuffers): LayerActs {
    const d = this.config.dModel;
    const hid = this.config.mlpRatio * d;
    // Every array but att and probs is written whole (layer norm, matmul, split, GELU, or the
    // shared-prefix spread) before it is read, so it skips the zeroing; attention writes only the
    // rows it is asked for, the others must read 0.
    const f = (n: number): Float32Array => this.pool.take(n, bufs.keep, false);
    const zeroed = (n: number): Float32Array => this.pool.take(n, bufs.keep);
    return {
      ln1: f(rows * d), mean1: f(rows), rstd1: f(rows),
      qkv: f(rows * 3 * d), q: f(rows * d), k: f(rows * d), v: f(rows * d),
      att: zeroed(rows * d), probs: zeroed(probsSize), mid: f(mlpRows * d),
      ln2: f(mlpRows * d), mean2: f(mlpRows), rstd2: f(mlpRows),
      h: f(mlpRows * hid), g: f(mlpRows * hid),
    };
  }

  /**
   * Block l up to the attention output: ln_1, c_attn, causal attention (fills a fresh LayerActs; the
   * MLP half's buffers get `mlpRows` rows). With `queryRows`, the attention output and probabilities
   * are computed at those rows only (the others stay 0: nothing reads them, and a backward finds a
   * zero gradient there).
   */
  private async attentionHalf(
    l: number, x: Float32Array, seqOffsets: Int32Array, T: number, mlpRows: number, bufs: CallBuffers, queryRows?: Int32Array, sp?: SharedPrefixes,
  ): Promise<LayerActs> {
    const { dModel: d, heads } = this.config;
    const B = this.views.blocks[l];
    const run = this.backend.run.bind(this.backend);
    const a = this.layerActs(T, attentionProbsSize(seqOffsets, heads), mlpRows, bufs);
    // Written whole (gather, layer norm, matmul) before read.
    const temp = (n: number): Float32Array => this.pool.take(n, bufs.temp, false);
    if (sp === undefined) {
      await run(Op.LayerNorm, { x, gamma: B.ln1w, beta: B.ln1b, out: a.ln1, mean: a.mean1, rstd: a.rstd1, rows: T, dim: d, eps: LN_EPS });
      await run(Op.Matmul, { a: a.ln1, b: B.wqkv, out: a.qkv, m: T, k: d, n: 3 * d, bias: B.bqkv });
    } else {
      // ln_1 and c_attn are row-wise: run them on the unique rows and copy the shared ones.
      const U = sp.unique.length;
      const ln1 = temp(U * d);
      const mean1 = temp(U);
      const rstd1 = temp(U);
      const qkv = temp(U * 3 * d);
      await run(Op.LayerNorm, { x: gatherRows(x, sp.unique, d, temp(U * d)), gamma: B.ln1w, beta: B.ln1b, out: ln1, mean: mean1, rstd: rstd1, rows: U, dim: d, eps: LN_EPS });
      await run(Op.Matmul, { a: ln1, b: B.wqkv, out: qkv, m: U, k: d, n: 3 * d, bias: B.bqkv });
      spreadRows(ln1, a.ln1, d, sp, seqOffsets);
      spreadRows(mean1, a.mean1, 1, sp, seqOffsets);
      spreadRows(rstd1, a.rstd1, 1, sp, seqOffsets);
      spreadRows(qkv, a.qkv, 3 * d, sp, seqOffsets);
    }
    splitQkv(a.qkv, a.q, a.k, a.v, T, d);
    // A shared row attends to the shared rows before it only, so its output and probabilities are
    // the earlier sequence's: computed for the unique rows (or the wanted ones), copied for the rest.
    const wanted = queryRows ?? sp?.unique;
    await run(Op.Attention, { q: a.q, k: a.k, v: a.v, out: a.att, probs: a.probs, seqOffsets, heads, headDim: d / heads, ...(wanted !== undefined ? { queryRows: wanted } : {}) });
    if (sp !== undefined && queryRows === undefined) {
      copySharedRows(a.att, d, sp, seqOffsets);
      copySharedProbs(a.probs, heads, sp, seqOffsets);
    }
    return a;
  }

  /** The rest of block l on `rows` rows: x + c_proj(att), then + mlp(ln_2(·)); fills a.mid … a.g, returns the new stream. */
  private async mlpHalf(l: number, x: Float32Array, att: Float32Array, a: LayerActs, rows: number, bufs: CallBuffers): Promise<Float32Array> {
    const d = this.config.dModel;
    const hid = this.config.mlpRatio * d;
    const B = this.views.blocks[l];
    const run = this.backend.run.bind(this.backend);
    // Residual adds ride on the matmuls (accumulate into a copy of the stream).
    a.mid.set(x);
    await run(Op.Matmul, { a: att, b: B.wo, out: a.mid, m: rows, k: d, n: d, bias: B.bo, accumulate: true });
    await run(Op.LayerNorm, { x: a.mid, gamma: B.ln2w, beta: B.ln2b, out: a.ln2, mean: a.mean2, rstd: a.rstd2, rows, dim: d, eps: LN_EPS });
    await run(Op.Matmul, { a: a.ln2, b: B.wfc, out: a.h, m: rows, k: d, n: hid, bias: B.bfc });
    await run(Op.Gelu, { x: a.h, out: a.g, n: rows * hid });
    const next = this.pool.take(a.mid.length, bufs.keep, false);
    next.set(a.mid);
    await run(Op.Matmul, { a: a.g, b: B.wp, out: next, m: rows, k: hid, n: d, bias: B.bp, accumulate: true });
    return next;
  }

  /**
   * Backward pass: given dL/dlogprob per token (e.g. from `pgLoss`, or −mask/count for supervised
   * training), writes dL/dθ into `grads` (same layout as {@link TinyGPT.params}).
   *
   * @param fwd - the result of {@link TinyGPT.forward} on the current parameters
   * @param dLogprobs - dL/dlogprobs[t], length T (0 where a position does not count)
   * @param grads - flat gradient, length `params.length`; cleared first unless `accumulate`
   * @param options - `accumulate` (default false) adds to `grads`; `dEntropy` adds dL/dentropy[t]
   * @returns nothing; `grads` holds the gradient
   * @example
   * await model.backward(fwd, dLogprobs, grads); // grads = ∂(Σ dLogprobs·logprobs)/∂θ
   */
  async backward(
    fwd: ForwardResult,
    dLogprobs: Float32Array,
    grads: Float32Array,
    options: { accumulate?: boolean; dEntropy?: Float32Array } = {},
  ): Promise<void> {
    const tape = fwd.tape;
    const T = tape.T;
    if (tape.released) throw new Error('TinyGPT.backward: this forward result was released (TinyGPT.release); run the forward again');
    if (!(dLogprobs instanceof Float32Array) || dLogprobs.length !== T) {
      throw new RangeError(`TinyGPT.backward: dLogprobs must be a Float32Array of length ${T} (got ${dLogprobs?.length})`);
    }
    if (!(grads instanceof Float32Array) || grads.length !== this.params.length) {
      throw new RangeError(`TinyGPT.backward: grads must be a Float32Array of length ${this.params.length} (got ${grads?.length})`);
    }
    if (options.dEntropy !== undefined && options.dEntropy.length !== T) {
      throw new RangeError(`TinyGPT.backward: dEntropy must have length ${T} (got ${options.dEntropy.length})`);
    }
    for (let t = 0; t < T; t++) {
      if (!Number.isFinite(dLogprobs[t])) throw new RangeError(`TinyGPT.backward: dLogprobs[${t}] is ${dLogprobs[t]}`);
    }
    const rows = tape.rows;
    if (rows !== undefined) {
      // Off the forward's rows there are no logits to differentiate: the weights there must be 0.
      for (let t = 0, r = 0; t < T; t++) {
        if (r < rows.length && rows[r] === t) {
          r++;
          continue;
        }
        if (dLogprobs[t] !== 0 || (options.dEntropy !== undefined && options.dEntropy[t] !== 0)) {
          throw new RangeError(`TinyGPT.backward: position ${t} is not one of the forward's rows, so dLogprobs and dEntropy must be 0 there`);
        }
      }
    }
    if (options.accumulate !== true) grads.fill(0);
    const { layers, dModel: d, heads, vocab, mlpRatio } = this.config;
    const hid = mlpRatio * d;
    const headDim = d / heads;
    const { seqOffsets, targets, tokens } = tape.batch;
    const run = this.backend.run.bind(this.backend);
    const W = this.views;
    const G = modelViews(this.layout, layers, grads);
    // R rows reach the head (all T without rows); the gradient of every other row of the last
    // block's output is 0, so its MLP and projection backward run on the R rows too (terms of ±0
    // dropped from a sum leave it unchanged, so the gradients equal the full backward's).
    const R = rows === undefined ? T : rows.length;
    if (R === 0) return;
    const rowTargets = rows === undefined ? targets : gatherInts(targets, rows);
    const rowWeights = rows === undefined ? dLogprobs : gatherValues(dLogprobs, rows);
    const dEntropy = options.dEntropy === undefined || rows === undefined ? options.dEntropy : gatherValues(options.dEntropy, rows);
    // Scratch from the model's pool, given back at the end.
    const owned: Float32Array[] = [];
    const f32 = (n: number): Float32Array => this.pool.take(n, owned);
    // For arrays an op overwrites whole (the rows it is asked for) before they are read.
    const f32w = (n: number): Float32Array => this.pool.take(n, owned, false);

    const dLogits = f32w(R * vocab);
    await run(Op.CrossEntropyBackward, {
      logits: tape.logits, targets: rowTargets, rowWeights, dLogits, rows: R, vocab,
      ...(dEntropy !== undefined ? { entropyWeights: dEntropy } : {}),
    });
    // logits = lnf · wteᵀ
    const dlnf = f32w(R * d);
    await run(Op.Matmul, { a: dLogits, b: W.wte, out: dlnf, m: R, k: vocab, n: d });
    await run(Op.Matmul, { a: dLogits, b: tape.lnf, out: G.wte, m: vocab, k: R, n: d, transA: true, accumulate: true });
    // dx: ∂L/∂(residual stream) on the rows of the current block's MLP half (R in the last block
    // with rows, U once folded, else T).
    let dx: Float32Array = f32(T * d);
    const tmp = f32w(T * d);
    await run(Op.LayerNormBackward, {
      x: tape.resid[layers], gamma: W.lnfw, mean: tape.meanf, rstd: tape.rstdf, dOut: dlnf, dx, dGamma: G.lnfw, dBeta: G.lnfb, rows: R, dim: d,
    });
    // Shared prefixes (the forward copied them): below the last block's attention, every op but
    // attention is row-wise and its backward is linear in the incoming gradient, and a shared row's
    // activations equal those of the row it was copied from. So the gradient of each shared row is
    // folded (summed) into that row and the row-wise backward runs on the U unique rows only
    // ("folded" gradients, [U, ·]); attention, which mixes rows, runs on every row with the folded
    // gradient spread back (0 at shared rows), then its output is folded again. Equal in exact
    // arithmetic to the backward over every row; the sums' order differs, so the last bits can.
    const sp = tape.sp;
    const U = sp === undefined ? T : sp.unique.length;
    const pack = (x: Float32Array, w: number): Float32Array => (sp === undefined ? x : gatherRows(x, sp.unique, w, f32w(U * w)));
    const dg = f32w(T * hid);
    const dh = f32w(T * hid);
    const dq = f32w(T * d);
    const dk = f32w(T * d);
    const dv = f32w(T * d);
    const dqkv = f32w(T * 3 * d);
    const dqkvU = sp === undefined ? dqkv : f32w(U * 3 * d);
    const dln = f32w(T * d);
    // Zeroed once: each block writes every unique row of it and nothing else, so its shared rows stay 0.
    const dOutFull = sp === undefined ? tmp : f32(T * d);
    for (let l = layers - 1; l >= 0; l--) {
      const a = tape.layers[l];
      const B = W.blocks[l];
      const GB = G.blocks[l];
      const top = l + 1 === layers;
      // The block's MLP half ran on the unique rows (u, its gradient folded to [U, ·] first), on
      // the head's rows (R, the last block with rows) or on every row.
      const u = sp === undefined ? undefined : tape.uniqueMlp?.[l];
      if (sp !== undefined && u === undefined && !(top && rows !== undefined)) {
        throw new Error(`TinyGPT.backward: the tape lacks block ${l}'s unique-row activations`);
      }
      // dx is folded once, in the top block: here when its MLP half ran on the unique rows, else
      // (the head's rows) once it is spread back to every row, before the attention.
      if (top && u !== undefined) dx = foldRows(dx, f32(U * d), d, sp!, seqOffsets);
      const m = u ?? a;
      const n = u !== undefined ? U : top ? R : T;
      const att = u !== undefined ? pack(a.att, d) : top && tape.rowAtt !== undefined ? tape.rowAtt : a.att;
      // resid[l+1] = mid + c_proj(gelu(c_fc(ln_2(mid)))); dx = ∂L/∂resid[l+1]
      await run(Op.Matmul, { a: dx, b: B.wp, out: dg, m: n, k: d, n: hid, transB: true });
      await run(Op.Matmul, { a: m.g, b: dx, out: GB.wp, m: hid, k: n, n: d, transA: true, accumulate: true });
      await run(Op.SumRows, { x: dx, out: GB.bp, rows: n, cols: d, accumulate: true });
      await run(Op.GeluBackward, { x: m.h, dOut: dg, dx: dh, n: n * hid });
      await run(Op.Matmul, { a: dh, b: B.wfc, out: tmp, m: n, k: hid, n: d, transB: true });
      await run(Op.Matmul, { a: m.ln2, b: dh, out: GB.wfc, m: d, k: n, n: hid, transA: true, accumulate: true });
      await run(Op.SumRows, { x: dh, out: GB.bfc, rows: n, cols: hid, accumulate: true });
      await run(Op.LayerNormBackward, {
        x: m.mid, gamma: B.ln2w, mean: m.mean2, rstd: m.rstd2, dOut: tmp, dx: dln, dGamma: GB.ln2w, dBeta: GB.ln2b, rows: n, dim: d,
      });
      await run(Op.Add, { a: dx, b: dln, out: dx, n: n * d });
      // mid = resid[l] + c_proj(attn(q, k, v)); dx = ∂L/∂mid
      await run(Op.Matmul, { a: dx, b: B.wo, out: tmp, m: n, k: d, n: d, transB: true });
      await run(Op.Matmul, { a: att, b: dx, out: GB.wo, m: d, k: n, n: d, transA: true, accumulate: true });
      await run(Op.SumRows, { x: dx, out: GB.bo, rows: n, cols: d, accumulate: true });
      let dOut: Float32Array = tmp;
      if (u !== undefined) {
        dOut = scatterRows(tmp, sp!.unique, d, dOutFull);
      } else if (n !== T) {
        dOut = scatterRows(tmp, rows!, d, f32(T * d));
        dx = scatterRows(dx, rows!, d, f32(T * d));
      }
      if (top && sp !== undefined && u === undefined) dx = foldRows(dx, f32(U * d), d, sp, seqOffsets);
      await run(Op.AttentionBackward, { q: a.q, k: a.k, v: a.v, probs: a.probs, dOut, dq, dk, dv, seqOffsets, heads, headDim });
      mergeQkv(dq, dk, dv, dqkv, T, d);
      if (sp !== undefined) foldRows(dqkv, dqkvU, 3 * d, sp, seqOffsets);
      await run(Op.Matmul, { a: dqkvU, b: B.wqkv, out: tmp, m: U, k: 3 * d, n: d, transB: true });
      await run(Op.Matmul, { a: pack(a.ln1, d), b: dqkvU, out: GB.wqkv, m: d, k: U, n: 3 * d, transA: true, accumulate: true });
      await run(Op.SumRows, { x: dqkvU, out: GB.bqkv, rows: U, cols: 3 * d, accumulate: true });
      await run(Op.LayerNormBackward, {
        x: pack(tape.resid[l], d), gamma: B.ln1w, mean: pack(a.mean1, 1), rstd: pack(a.rstd1, 1), dOut: tmp, dx: dln, dGamma: GB.ln1w, dBeta: GB.ln1b, rows: U, dim: d,
      });
      await run(Op.Add, { a: dx, b: dln, out: dx, n: U * d });
    }
    const ids = sp === undefined ? tokens : gatherInts(tokens, sp.unique);
    const pos = sp === undefined ? tape.positions : gatherInts(tape.positions, sp.unique);
    await run(Op.EmbeddingBackward, { ids, dOut: dx, dTable: G.wte, dim: d });
    await run(Op.EmbeddingBackward, { ids: pos, dOut: dx, dTable: G.wpe, dim: d });
    this.pool.give(owned);
  }
}
