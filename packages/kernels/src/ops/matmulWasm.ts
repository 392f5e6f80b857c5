/**
 * A hand-assembled WebAssembly SIMD matmul micro-kernel, emitted as bytes at run time (no toolchain,
 * no binary blob in the repository). It computes C = A·B on packed operands:
 *  - A: rows [i0, i1) of an (mPad × k) row-major f32 matrix, mPad a multiple of 4 (zero rows padded);
 *  - B: nPanels panels of 8 columns, each k × 8 row-major (zero columns padded) — "transposed-B
 *    packing" in BLIS terms, so the inner loop reads 32 contiguous bytes per k step;
 *  - C: (mPad × nPanels·8) row-major.
 * The register block is 4 rows × 8 columns = 8 f32x4 accumulators: 2 vector loads of B and 4 scalar
 * loads + splats of A feed 16 mul + 16 add per k step, and 8 + 2 + 1 live v128 values fit the 16 SIMD
 * registers of x86-64 / 32 of arm64 without spills. No FMA: relaxed-SIMD is not in Node 20.
 */

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function str(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

// Opcodes used below (WebAssembly core + SIMD proposal numbering).
const GET = 0x20, SET = 0x21, TEE = 0x22, I32CONST = 0x41, ADD = 0x6a, SUB = 0x6b, MUL = 0x6c, GE_S = 0x4e, NE = 0x47;
const BLOCK = 0x02, LOOP = 0x03, BR = 0x0c, BR_IF = 0x0d, END = 0x0b, VOID = 0x40, F32LOAD = 0x2a;
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const V128LOAD = (offset: number): number[] => [...simd(0), 4, ...uleb(offset)];
const V128STORE = (offset: number): number[] => [...simd(11), 4, ...uleb(offset)];
const V128ZERO = [...simd(12), ...new Array<number>(16).fill(0)];
const SPLAT = simd(0x13), FADD = simd(0xe4), FMUL = simd(0xe6);

// Params: aPtr bPtr cPtr i0 i1 k nPanels (byte pointers, counts).
const [A, B, C, I0, I1, K, NP] = [0, 1, 2, 3, 4, 5, 6];
// i32 locals.
const [I, JB, PA0, PA1, PA2, PA3, PB, P, KK4, NP4, CP, CR] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
// v128 locals: 8 accumulators, 2 B vectors, 1 splatted A value.
const ACC = [19, 20, 21, 22, 23, 24, 25, 26];
const [B0, B1, X] = [27, 28, 29];

function body(): number[] {
  const code: number[] = [];
  const e = (...xs: (number | number[])[]): void => {
    for (const x of xs) if (Array.isArray(x)) code.push(...x); else code.push(x);
  };
  // kk4 = k*4 (bytes per A row); np4 = nPanels*32 (bytes per C row); i = i0
  e(GET, K, I32CONST, 2, 0x74 /* i32.shl */, SET, KK4);
  e(GET, NP, I32CONST, 5, 0x74, SET, NP4);
  e(GET, I0, SET, I);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, I, GET, I1, GE_S, BR_IF, 1);
  // pb = bPtr; cp = cPtr + i*np4; jb = 0
  e(GET, B, SET, PB);
  e(GET, C, GET, I, GET, NP4, MUL, ADD, SET, CP);
  e(I32CONST, 0, SET, JB);
  e(LOOP, VOID);
  // pa0..pa3 = aPtr + (i+r)*kk4
  e(GET, A, GET, I, GET, KK4, MUL, ADD, TEE, PA0, GET, KK4, ADD, TEE, PA1, GET, KK4, ADD, TEE, PA2, GET, KK4, ADD, SET, PA3);
  for (const acc of ACC) e(V128ZERO, SET, acc);
  e(GET, K, SET, P);
  e(LOOP, VOID);
  e(GET, PB, V128LOAD(0), SET, B0, GET, PB, V128LOAD(16), SET, B1);
  const rows = [PA0, PA1, PA2, PA3];
  for (let r = 0; r < 4; r++) {
    e(GET, rows[r], F32LOAD, 2, 0, SPLAT, SET, X);
    e(GET, ACC[2 * r], GET, X, GET, B0, FMUL, FADD, SET, ACC[2 * r]);
    e(GET, ACC[2 * r + 1], GET, X, GET, B1, FMUL, FADD, SET, ACC[2 * r + 1]);
  }
  for (const pa of rows) e(GET, pa, I32CONST, 4, ADD, SET, pa);
  e(GET, PB, I32CONST, 32, ADD, SET, PB);
  e(GET, P, I32CONST, 1, SUB, TEE, P, BR_IF, 0, END);
  // store the 4×8 block: row r at cp + r*np4
  e(GET, CP, SET, CR);
  for (let r = 0; r < 4; r++) {
    if (r > 0) e(GET, CR, GET, NP4, ADD, SET, CR);
    e(GET, CR, GET, ACC[2 * r], V128STORE(0), GET, CR, GET, ACC[2 * r + 1], V128STORE(16));
  }
  e(GET, CP, I32CONST, 32, ADD, SET, CP);
  e(GET, JB, I32CONST, 1, ADD, TEE, JB, GET, NP, NE, BR_IF, 0, END);
  e(GET, I, I32CONST, 4, ADD, SET, I, BR, 0, END, END);
  e(END);
  const locals = [2, ...uleb(12), 0x7f, ...uleb(11), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module bytes; it imports its memory as `e.m` (shared when `shared`, so worker threads can run
 * other row ranges of the same product) and exports `mm(aPtr, bPtr, cPtr, i0, i1, k, nPanels)`.
 *
 * @example
 * WebAssembly.validate(matmulWasmBytes(false)) // true
 */
export function matmulWasmBytes(shared: boolean, maxPages = 16384): Uint8Array {
  const limits = shared ? [0x03, ...uleb(1), ...uleb(maxPages)] : [0x00, ...uleb(1)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, ...new Array<number>(7).fill(0x7f), 0]),
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, ...limits]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...str('mm'), 0x00, 0]),
    ...section(10, [1, ...body()]),
  ];
  return Uint8Array.from(bytes);
}
