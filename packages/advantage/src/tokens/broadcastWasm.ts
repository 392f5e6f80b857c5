import {
  BLOCK, BR, BR_IF, ELSE, emitter, END, GET, I32, I32ADD, I32AND, I32GE_U, I32GT_U, I32LE_U, I32LOAD, I32LOAD8U, I32LT_U, I32MUL,
  I32NE, I32SHL, I32SPLAT, I32STORE, I32SUB, I8NE, IF, lazyModule, ld, LOOP, section, SET, SHUFFLE, str, TEE, uleb, V128LOAD,
  V128STORE, V128ZERO, validates, VAND, VOID, type Emit, type WasmMemory,
} from '../wasm/bytes';

/**
 * A WebAssembly kernel for `broadcastToTokens`, chunk by chunk: a chunk's mask bytes and its
 * ranges (start, end, the advantage as float32 bits; one per sequence, clipped to the chunk) are
 * written into the module's memory, the kernel fills the chunk's float32 tokens there, sixteen
 * at a time (one i8x16 compare of the mask against 0, four byte shuffles that widen it to 32-bit
 * lanes, four `and`s with the advantage's bits, four stores), and the chunk is copied out. Chunks
 * keep the module's working set in cache, so the copy out reads from cache and the batch's mask
 * and output each cross memory once. A range's last partial block is done as a full block ending
 * at the range's end (it rewrites tokens of the same range with the same values); ranges shorter
 * than 16 tokens go token by token.
 *
 * Same bits as the JavaScript path: a token gets the float32 rounding of `adv[s]` where its mask
 * byte is non-zero (so −0 stays −0) and +0 elsewhere.
 */

/** The most tokens a chunk may hold; the memory is sized for it once (about 1.1 MB). */
export const BROADCAST_MAX_CHUNK = 65536;
/** The chunk size the estimator uses (keeps mask, tokens and ranges within a core's L2 cache). */
export const BROADCAST_CHUNK = 32768;

// Memory layout (bytes): ranges (12 bytes each, one more than tokens at most), mask, tokens.
const RANGES = 0;
const MASK = 12 * (BROADCAST_MAX_CHUNK + 1);
const OUT = MASK + BROADCAST_MAX_CHUNK + 16;
const PAGES = Math.ceil((OUT + 4 * BROADCAST_MAX_CHUNK) / 65536);

// Params: nRanges, rangesPtr, maskPtr, outPtr. i32 locals: range pointer, its end, token, range
// end, range start, the value's bits. v128 locals: the value splatted, the block's mask bytes.
const [NR, RP, MP, OP] = [0, 1, 2, 3];
const [R, REND, T, E, S, BITS] = [4, 5, 6, 7, 8, 9];
const [VAL, M] = [10, 11];
const Q = 12; // i32: the block's first output byte

/** The sixteen tokens from local T on (and, with `at` 16, the sixteen after them). */
function block16(e: Emit, at = 0): void {
  e(GET, T, GET, MP, I32ADD, V128LOAD(at), V128ZERO, I8NE, SET, M);
  if (at === 0) e(GET, T, I32, 2, I32SHL, GET, OP, I32ADD, SET, Q);
  for (let q = 0; q < 4; q++) {
    const widen = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3].map((b) => 4 * q + b);
    e(GET, Q, GET, VAL, GET, M, GET, M, SHUFFLE(widen), VAND, V128STORE(4 * at + 16 * q));
  }
}

function kernelBody(): number[] {
  const { code, e } = emitter();
  e(GET, RP, SET, R, GET, RP, GET, NR, I32, 12, I32MUL, I32ADD, SET, REND);
  e(BLOCK, VOID, LOOP, VOID); // ranges
  e(GET, R, GET, REND, I32GE_U, BR_IF, 1);
  e(GET, R, ld(I32LOAD, 2, 0), TEE, S, SET, T, GET, R, ld(I32LOAD, 2, 4), SET, E);
  e(GET, R, ld(I32LOAD, 2, 8), TEE, BITS, I32SPLAT, SET, VAL);
  e(BLOCK, VOID, LOOP, VOID); // whole pairs of blocks
  e(GET, T, I32, 32, I32ADD, GET, E, I32GT_U, BR_IF, 1);
  block16(e);
  block16(e, 16);
  e(GET, T, I32, 32, I32ADD, SET, T, BR, 0, END, END);
  e(GET, T, I32, 16, I32ADD, GET, E, I32LE_U, IF, VOID); // a last whole block
  block16(e);
  e(GET, T, I32, 16, I32ADD, SET, T, END);
  e(GET, T, GET, E, I32LT_U, IF, VOID); // a partial block is left
  e(GET, E, GET, S, I32SUB, I32, 16, I32GE_U, IF, VOID);
  e(GET, E, I32, 16, I32SUB, SET, T);
  block16(e);
  e(ELSE);
  e(BLOCK, VOID, LOOP, VOID); // a short range, token by token
  e(GET, T, GET, E, I32GE_U, BR_IF, 1);
  e(GET, T, I32, 2, I32SHL, GET, OP, I32ADD);
  e(I32, 0, GET, T, GET, MP, I32ADD, ld(I32LOAD8U, 0, 0), I32, 0, I32NE, I32SUB, GET, BITS, I32AND, ld(I32STORE, 2, 0));
  e(GET, T, I32, 1, I32ADD, SET, T, BR, 0, END, END);
  e(END, END);
  e(GET, R, I32, 12, I32ADD, SET, R, BR, 0, END, END);
  e(END);
  const locals = [3, ...uleb(6), 0x7f, ...uleb(2), 0x7b, ...uleb(1), 0x7f];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module bytes: memory `m` (its size fixed for {@link BROADCAST_MAX_CHUNK} tokens) and
 * `b(nRanges, rangesPtr, maskPtr, outPtr)`.
 *
 * @example
 * WebAssembly.validate(broadcastWasmBytes()); // true
 */
export function broadcastWasmBytes(): Uint8Array {
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, ...uleb(PAGES)]),
    ...section(7, [2, ...str('m'), 0x02, 0, ...str('b'), 0x00, 0]),
    ...section(10, [1, ...kernelBody()]),
  ];
  return Uint8Array.from(bytes);
}

interface Instance {
  readonly kernel: (nRanges: number, rangesPtr: number, maskPtr: number, outPtr: number) => void;
  readonly ranges: Int32Array;
  readonly values: Float32Array;
  readonly mask: Uint8Array;
  readonly tokens: Float32Array;
}

const load = lazyModule(broadcastWasmBytes, (ex): Instance => {
  const buf = (ex.m as WasmMemory).buffer; // sized once: the views stay valid
  const n = 3 * (BROADCAST_MAX_CHUNK + 1);
  return {
    kernel: ex.b as Instance['kernel'],
    ranges: new Int32Array(buf, RANGES, n),
    values: new Float32Array(buf, RANGES, n),
    mask: new Uint8Array(buf, MASK, BROADCAST_MAX_CHUNK),
    tokens: new Float32Array(buf, OUT, BROADCAST_MAX_CHUNK),
  };
});

/**
 * Whether this runtime accepts the module (false without WebAssembly or its SIMD).
 *
 * @example
 * broadcastWasmValid(); // true on Node 20
 */
export function broadcastWasmValid(): boolean {
  return validates(broadcastWasmBytes());
}

/**
 * `broadcastToTokens`'s work on validated arguments (`seqOffsets` checked, `adv` finite, `out` of
 * the mask's length), `chunk` tokens at a time (1 … {@link BROADCAST_MAX_CHUNK}).
 *
 * @returns false (nothing written) when WebAssembly cannot be used here
 * @throws RangeError when `chunk` is not an integer in [1, {@link BROADCAST_MAX_CHUNK}]
 * @example
 * const out = new Float32Array(5);
 * broadcastTokensWasm(Float64Array.of(2, -1), Int32Array.of(0, 3, 5), Uint8Array.of(0, 1, 1, 1, 0), out);
 * // true; out = [0, 2, 2, -1, 0]
 */
export function broadcastTokensWasm(
  adv: Float64Array,
  seqOffsets: ArrayLike<number>,
  lossMask: Uint8Array,
  out: Float32Array,
  chunk: number = BROADCAST_CHUNK,
): boolean {
  if (!Number.isInteger(chunk) || chunk < 1 || chunk > BROADCAST_MAX_CHUNK) {
    throw new RangeError(`broadcastTokensWasm: chunk must be an integer in [1, ${BROADCAST_MAX_CHUNK}] (got ${chunk})`);
  }
  const inst = load();
  if (inst === null) return false;
  const { kernel, ranges, values, mask, tokens } = inst;
  const T = lossMask.length;
  const nSeq = adv.length;
  let s = 0;
  for (let c0 = 0; c0 < T; c0 += chunk) {
    const c1 = Math.min(T, c0 + chunk);
    mask.set(lossMask.subarray(c0, c1));
    while (seqOffsets[s + 1] <= c0) s++;
    let r = 0;
    for (let q = s; q < nSeq; q++) {
      const st = seqOffsets[q];
      if (st >= c1) break;
      const en = seqOffsets[q + 1];
      if (en <= st) continue;
      ranges[r] = (st > c0 ? st : c0) - c0;
      ranges[r + 1] = (en < c1 ? en : c1) - c0;
      values[r + 2] = adv[q];
      r += 3;
    }
    kernel(r / 3, RANGES, MASK, OUT);
    out.set(tokens.subarray(0, c1 - c0), c0);
  }
  return true;
}
