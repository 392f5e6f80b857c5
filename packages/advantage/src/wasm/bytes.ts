/**
 * A tiny WebAssembly assembler: LEB128 numbers, sections, constants and the opcodes the package's
 * kernels use, so each kernel is written as a readable list of instructions and assembled to
 * bytes at first use (no toolchain, no binary blob in the repository).
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 range). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** `f64.const x` (WebAssembly constants are little-endian). */
export function f64(x: number): number[] {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, x, true);
  return [0x44, ...bytes];
}

export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
export const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

/** Appends instructions (numbers, or lists of numbers) to a code buffer. */
export type Emit = (...xs: (number | number[])[]) => void;

/** A code buffer with a variadic emitter that flattens opcode lists. */
export function emitter(): { code: number[]; e: Emit } {
  const code: number[] = [];
  const e = (...xs: (number | number[])[]): void => {
    for (const x of xs) if (Array.isArray(x)) code.push(...x);
    else code.push(x);
  };
  return { code, e };
}

// Core opcodes.
export const BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05, END = 0x0b, BR = 0x0c, BR_IF = 0x0d, RETURN = 0x0f, VOID = 0x40;
export const SELECT = 0x1b, GET = 0x20, SET = 0x21, TEE = 0x22;
export const I32 = 0x41, I64 = 0x42;
export const I32LOAD = 0x28, F64LOAD = 0x2b, I32LOAD8U = 0x2d, I32STORE = 0x36, I64STORE = 0x37, F64STORE = 0x39, I32STORE16 = 0x3b;
export const I32EQZ = 0x45, I32NE = 0x47, I32LT_U = 0x49, I32GT_U = 0x4b, I32LE_S = 0x4c, I32LE_U = 0x4d, I32GE_S = 0x4e, I32GE_U = 0x4f;
export const I64NE = 0x52;
export const F64EQ = 0x61, F64NE = 0x62, F64LT = 0x63, F64GT = 0x64;
export const I32ADD = 0x6a, I32SUB = 0x6b, I32MUL = 0x6c, I32AND = 0x71, I32OR = 0x72, I32SHL = 0x74, I32SHR_U = 0x76;
export const I64CTZ = 0x7a, I64SUB = 0x7d, I64AND = 0x83, I64OR = 0x84, I64XOR = 0x85, I64SHL = 0x86;
export const F64SQRT = 0x9f, F64ADD = 0xa0, F64SUB = 0xa1, F64MUL = 0xa2, F64DIV = 0xa3;
export const I32WRAP = 0xa7, I64EXTU = 0xad, F64FROMI32 = 0xb7;
/** A load or store with its alignment exponent and constant offset. */
export const ld = (op: number, align: number, offset: number): number[] => [op, align, ...uleb(offset)];

// SIMD (0xfd prefix).
export const simd = (op: number): number[] => [0xfd, ...uleb(op)];
export const V128LOAD = (offset: number): number[] => [...simd(0x00), 3, ...uleb(offset)];
export const V128STORE = (offset: number): number[] => [...simd(0x0b), 3, ...uleb(offset)];
/** `v128.load64_zero`: one f64 into lane 0, lane 1 zeroed. */
export const LOAD64ZERO = (offset: number): number[] => [...simd(0x5d), 3, ...uleb(offset)];
/** `v128.store64_lane`: the given lane's f64 to memory. */
export const STORE64LANE = (offset: number, lane: number): number[] => [...simd(0x5b), 3, ...uleb(offset), lane];
/** `v128.load64_lane`: one f64 into the given lane, the other kept. */
export const LOAD64LANE = (offset: number, lane: number): number[] => [...simd(0x57), 3, ...uleb(offset), lane];
export const V128ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)];
export const SHUFFLE32EVEN = [...simd(0x0d), 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27];
export const I32SPLAT = simd(0x11), LSPLAT = simd(0x12), SPLAT = simd(0x14);
/** `v128.load64_splat`: one f64 into both lanes. */
export const LOAD64SPLAT = (offset: number): number[] => [...simd(0x0a), 3, ...uleb(offset)];
/** `i8x16.shuffle` with the given 16 byte indices (0–15 the first operand, 16–31 the second). */
export const SHUFFLE = (lanes: number[]): number[] => [...simd(0x0d), ...lanes];
export const I16SPLAT = simd(0x10), I16EQ = simd(0x2d), I16LT_S = simd(0x2f), I16BITMASK = simd(0x84), I16SUB = simd(0x91);
export const I32EXT16LO = simd(0xa9), I32EXT16HI = simd(0xaa);
/** `v128.const` of eight i16 lanes. */
export const I16CONST = (lanes: number[]): number[] => [...simd(0x0c), ...lanes.flatMap((x) => [x & 0xff, (x >> 8) & 0xff])];
export const I8GT_S = simd(0x27), I8ADD = simd(0x6e);
export const I8NE = simd(0x24), I8BITMASK = simd(0x64), FLT = simd(0x49), VANDNOT = simd(0x4f), I64X2SUB = simd(0xd1);
export const F64LANE = (lane: number): number[] => [...simd(0x21), lane];
export const FGT = simd(0x4a), FGE = simd(0x4c);
export const VAND = simd(0x4e), VOR = simd(0x50), VXOR = simd(0x51), ANYTRUE = simd(0x53);
export const I32BITMASK = simd(0xa4), LEQ = simd(0xd6);
export const VFPMIN = simd(0xf6), VFPMAX = simd(0xf7), FEQ = simd(0x47), FNE = simd(0x48), F64CONVLO = simd(0xfe);
export const VFSQRT = simd(0xef), VFADD = simd(0xf0), VFSUB = simd(0xf1), VFMUL = simd(0xf2), VFDIV = simd(0xf3);
export const BITSELECT = simd(0x52);
/** `select` typed for v128 operands. */
export const SELECTV = [0x1c, 1, 0x7b];

/** The few WebAssembly JS-API members used here: the package compiles against lib ES2022 without DOM. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * Compiles and instantiates `bytes` (no imports); null without WebAssembly or when the runtime
 * rejects the module (e.g. no SIMD).
 */
export function instantiate(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const api = wasmApi();
    if (typeof api !== 'object' || api === null) return null;
    return new api.Instance(new api.Module(bytes), {}).exports;
  } catch {
    return null;
  }
}

/** Grows `memory` to at least `bytes`; false when it cannot. */
export function ensureMemory(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether this runtime accepts a module's bytes (false without WebAssembly or its SIMD).
 *
 * @example
 * validates(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)); // true: an empty module
 */
export function validates(bytes: Uint8Array): boolean {
  const api = wasmApi();
  return api !== undefined && api.validate(bytes);
}

/**
 * A module compiled on first use and kept: `get()` returns `build(exports)` of the one instance,
 * or null when WebAssembly is unavailable or refuses the bytes (then the callers take their
 * JavaScript paths), trying once.
 *
 * @example
 * const kernels = lazyModule(myBytes, (ex) => ({ f: ex.f as () => number }));
 * kernels()?.f();
 */
export function lazyModule<T>(bytes: () => Uint8Array, build: (exports: Record<string, unknown>) => T): () => T | null {
  // undefined: not tried yet; null: tried and unavailable.
  let instance: T | null | undefined;
  return () => {
    if (instance === undefined) {
      const ex = instantiate(bytes());
      instance = ex === null ? null : build(ex);
    }
    return instance;
  };
}
