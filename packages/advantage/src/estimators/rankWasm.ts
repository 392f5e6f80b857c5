import {
  ANYTRUE, BITSELECT, BLOCK, BR, BR_IF, ELSE, emitter, END, ensureMemory, f64, F64ADD, F64CONVLO, F64DIV, F64EQ, F64FROMI32, F64LANE,
  F64LOAD, F64LT, F64MUL, F64NE, F64STORE, F64SUB, FEQ, FGE, FGT, FLT, FNE, GET, I16BITMASK, I16CONST, I16EQ, I16LT_S, I16SPLAT,
  I16SUB, I32, I32ADD, I32AND, I32BITMASK, I32EQZ, I32EXT16HI, I32EXT16LO, I32GE_U, I32GT_U, I32LE_U, I32LOAD, I32LT_U, I32MUL, I32OR,
  I32SHL, I32STORE, I32STORE16, I32WRAP, I64, I64AND, I64CTZ, I64EXTU, I64NE, I64OR, I64SHL, I64STORE, I64SUB, I64X2SUB, I64XOR,
  I8ADD, I8BITMASK, I8GT_S, IF, lazyModule, ld, LEQ, LOAD64LANE, LOAD64SPLAT, LOAD64ZERO, LOOP, LSPLAT, RETURN, section, SELECT, SET,
  SHUFFLE, SHUFFLE32EVEN, sleb, SPLAT, STORE64LANE, str, TEE, uleb, V128LOAD, V128STORE, V128ZERO, validates, VAND, VANDNOT, VFADD,
  VFDIV, VFMUL, VFPMAX, VFPMIN, VFSUB, VOID, VOR, type Emit, type WasmMemory,
} from '../wasm/bytes';
import { eachChunk, groupsPerChunk } from '../wasm/chunks';
import { emitRunsCheck } from '../wasm/runsCheck';

/**
 * A WebAssembly kernel for the ParetoPO Pareto-rank advantage on the usual layout (n / G
 * contiguous groups of G ≤ 64 rows, k ≤ 8 objectives). The module is assembled here as bytes (no
 * toolchain, no binary blob), compiled once on first use, and keeps one memory grown on demand:
 * chunk by chunk, the rewards are copied in, every group is ranked and scored inside the module,
 * and the advantages are copied out.
 *
 * Per group: one pass for the finiteness probe, "all members equal" and `w · r` (which also
 * transposes the group into columns). Groups of G ≤ 16 (the sizes RL uses) then take small
 * integer ranks per objective (f64x2 counts, narrowed to bytes), build the dominance masks with
 * one i8x16 comparison per objective and member, and peel all fronts in i16x8 lanes; larger groups
 * compare every pair in f64x2 (member a against four members b at a time) and peel front by front
 * from 64-bit masks. Both then take the per-front min and max with f64x2.pmin / pmax and write the
 * advantages. No f64 `select` is used on data: in V8 it behaved like a branch, and on
 * data-dependent fronts replacing three of them was the largest single gain (see the README).
 *
 * Same numbers as the JavaScript path (`rankAdvantages.ts`, `dominance.ts`), bit for bit. The
 * comparisons give the same dominance relation (on finite values, y ≥ x everywhere and y > x
 * somewhere is the JavaScript "le & !ge"; the byte ranks keep each objective's order and ties),
 * so the same fronts; every f64 operation is the same one in the same order: `w · r` (k = 2:
 * `w0·x0 + w1·x1`; otherwise a sum from 0), per-front min and max by compare-and-select in member
 * order, as the JavaScript path does them (its k = 2 path visits distinct vectors rather than
 * members, which can only change the sign of a zero minimum, and `(v − lo)·inv + …` comes out the
 * same for either sign), `1/(max − min)` or 0, `A = N_rank − r + β(r̂ − 0.5)`, and the group mean
 * summed in member order. WebAssembly has no fused multiply-add in this code and rounds each f64
 * operation as JavaScript does. The tests compare both paths bit for bit.
 */

// Memory layout (bytes): per-group scratch first, then the batch.
const SCALAR = 0; // 64 f64: w · r, then the advantage, per member
const DOM = 512; // 64 i64: bit b of DOM[a] set when member b dominates member a
const RANK = 1024; // 64 i32: 0-based front of each member
const LO = 1280; // 65 f64: per front, min of w · r
const INV = 1808; // 65 f64: per front, 1/(max − min), or 0
const WTS = 2336; // 8 f64: the weights
const DOM16 = 2400; // 16 i16: the G ≤ 16 path's masks (bit b of DOM16[a]: b dominates a)
const COL = 4096; // 8 × 64 f64: the group transposed, objective j's column at COL + 512·j
const DATA = 8192; // one chunk of rows: rewards (k f64 a row), then the advantages (f64), then the ids (i32)

/** Rows per chunk of a kernel call (whole groups, at least one; see `src/wasm/chunks.ts`). */
export const RANK_CHUNK_ROWS = 4096;

/** The largest group and the largest k the kernel handles (one 64-bit mask word; unrolled k). */
export const WASM_MAX_G = 64;
export const WASM_MAX_K = 8;

// Params: nGroups, G, rewPtr, outPtr (i32), beta (f64), bySize, center, idsPtr (i32).
const [NG, GG, REW, OUT, BETA, BYSIZE, CENTER, IDS] = [0, 1, 2, 3, 4, 5, 6, 7];
// i32 locals.
const [GI, A, B, PA, GB, OB, DIFF, R, STRIDE] = [8, 9, 10, 11, 12, 13, 14, 15, 16];
// i64 locals.
const [MINE, LEFT, FRONT] = [17, 18, 19];
// f64 locals: probe, v, f, sum, nRank, then x[8] (a member), y[8] (the group's first member), w[8].
const [PROBE, V, F, SUM, NRANK] = [20, 21, 24, 25, 27]; // 22, 23, 26: unused
const X = (j: number): number => 28 + j;
const Y = (j: number): number => 36 + j;
const W = (j: number): number => 44 + j;
// v128 locals: member a's values splatted, and the values of two members b.
const XS = (j: number): number => 52 + j;
const YS = (j: number): number => 60 + j;
// v128 locals of the G ≤ 16 path: eight count accumulators, then each objective's ranks as bytes.
const ACC = (i: number): number => 68 + i;
const RV = (j: number): number => 76 + j;
// v128 locals: per objective, the min and max of the values that differ from the first member's
// (+∞ and −∞ when none does), for the two-value test of the G ≤ 16 path.
const ZMIN = (j: number): number => 84 + j;
const ZMAX = (j: number): number => 92 + j;

/**
 * Whether the k-objective kernel looks for objectives with at most two distinct values in a group
 * (a 0/1 reward, say), whose ranks then need no counting. Measured on the benchmark batch (one
 * binary objective), during development: a gain at k = 2, while at k = 3 and 4 the extra
 * bookkeeping in the first pass cost more than the one skipped count saved.
 */
const twoValueTest = (k: number): boolean => k <= 2;

/**
 * Dominance masks of a group of G ≤ 16 (the usual RL group sizes), through small integer ranks:
 * per objective, each member's rank is the number of members with a smaller value (an
 * order-preserving map that keeps ties tied, so it gives the same dominance relation as the
 * values), computed with f64x2 "<" for all 16 lanes at once; the ranks are narrowed to bytes, and
 * then one i8x16 comparison per objective tests member a against all 16 members. Lanes past G hold
 * stale values: they are never counted (n < G) and `& left` drops their bits. `lanes` is 16, or 8
 * for groups of G ≤ 8 (half the work).
 */
function smallGroupMasks(e: Emit, k: number, lanes: number): void {
  for (let j = 0; j < k; j++) {
    const col = COL + 512 * j;
    for (let i = 0; i < 8; i++) e(V128ZERO, SET, ACC(i));
    // At most two distinct values (a 0/1 correctness reward, say: the values that differ from
    // the first member's have min ≥ max): rank 1 for the larger value, 0 for the smaller.
    const swap = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];
    const test = twoValueTest(k);
    if (test) {
      e(GET, ZMIN(j), GET, ZMIN(j), GET, ZMIN(j), SHUFFLE(swap), VFPMIN, TEE, XS(0));
      e(F64LANE(0), GET, ZMAX(j), GET, ZMAX(j), GET, ZMAX(j), SHUFFLE(swap), VFPMAX, F64LANE(0), F64LT, I32EQZ);
    } else e(I32, 0);
    e(IF, VOID);
    e(GET, XS(0), GET, Y(j), SPLAT, VFPMAX, SET, XS(0));
    for (let i = 0; i < lanes / 2; i++) e(V128ZERO, I32, 0, V128LOAD(col + 16 * i), GET, XS(0), FEQ, I64X2SUB, SET, ACC(i));
    e(ELSE);
    e(I32, 0, SET, B, LOOP, VOID); // n: lanes m with c_n < c_m count one more
    e(GET, B, I32, 3, I32SHL, LOAD64SPLAT(col), SET, YS(0));
    for (let i = 0; i < lanes / 2; i++) e(GET, ACC(i), GET, YS(0), I32, 0, V128LOAD(col + 16 * i), FLT, I64X2SUB, SET, ACC(i));
    e(GET, B, I32, 1, I32ADD, TEE, B, GET, GG, I32LT_U, BR_IF, 0, END);
    e(END);
    // Narrow 8 × i64x2 counts (0–16) to one i8x16: the low byte of each lane.
    const pick4 = [0, 8, 16, 24, ...new Array<number>(12).fill(0)];
    const pick8 = [0, 1, 2, 3, 16, 17, 18, 19, ...new Array<number>(8).fill(0)];
    const pick16 = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
    for (let i = 0; i < 8; i += 2) e(GET, ACC(i), GET, ACC(i + 1), SHUFFLE(pick4), SET, ACC(i));
    e(GET, ACC(0), GET, ACC(2), SHUFFLE(pick8), SET, ACC(0), GET, ACC(4), GET, ACC(6), SHUFFLE(pick8), SET, ACC(4));
    e(GET, ACC(0), GET, ACC(4), SHUFFLE(pick16), SET, RV(j));
  }
  // b dominates a: rank_j(b) ≥ rank_j(a) for every j, and the rank sums differ (given the
  // first, they differ exactly when some rank is larger). Ranks are at most 15 for members (16 for
  // stale lanes, whose bits are dropped), so sums stay below 128 and signed byte compares hold.
  // Unrolled over a so that each broadcast is a constant shuffle.
  e(GET, RV(0));
  for (let j = 1; j < k; j++) e(GET, RV(j), I8ADD);
  e(SET, XS(3));
  for (let a = 0; a < lanes; a++) {
    const splat = new Array<number>(16).fill(a);
    for (let j = 0; j < k; j++) {
      e(GET, RV(j), GET, RV(j), SHUFFLE(splat), GET, RV(j), I8GT_S); // rank_j(a) > rank_j(b)
      if (j > 0) e(VOR);
    }
    e(SET, XS(1), GET, XS(3), GET, XS(3), GET, XS(3), SHUFFLE(splat), I8GT_S, GET, XS(1), VANDNOT);
    e(SET, XS(2), I32, 2 * a, GET, XS(2), I8BITMASK, GET, LEFT, I32WRAP, I32AND, ld(I32STORE16, 1, DOM16));
  }
}

/**
 * Fronts of a group of G ≤ 16 from its 16-bit masks, peeled for all members at once in i16x8
 * lanes (no per-member branches): each round takes the members still in whose masks meet none of
 * the members still in, and every member still in after the round gets one rank more. Then the
 * per-front min and max of w · r in one pass over the members in order (as the JavaScript path
 * visits each front's members), and 1/(max − min) or 0 per front. Leaves the front count in R.
 */
function smallGroupFronts(e: Emit): void {
  const [D0, D1, IN0, IN1, RK0, RK1] = [YS(0), YS(1), YS(2), YS(3), YS(4), YS(5)];
  e(I32, 0, V128LOAD(DOM16), SET, D0, I32, 0, V128LOAD(DOM16 + 16), SET, D1);
  e(I16CONST([0, 1, 2, 3, 4, 5, 6, 7]), GET, GG, I16SPLAT, I16LT_S, SET, IN0);
  e(I16CONST([8, 9, 10, 11, 12, 13, 14, 15]), GET, GG, I16SPLAT, I16LT_S, SET, IN1);
  e(V128ZERO, SET, RK0, V128ZERO, SET, RK1, I32, 0, SET, R, GET, LEFT, I32WRAP, SET, B);
  e(LOOP, VOID); // rounds (B = the members still in, as bits; at least one member leaves per round)
  e(GET, B, I16SPLAT, SET, XS(0));
  for (const [D, IN, RK] of [[D0, IN0, RK0], [D1, IN1, RK1]]) {
    // Still in, and no dominator still in: leaves now. The others rank one further down.
    e(GET, RK, GET, IN, GET, D, GET, XS(0), VAND, V128ZERO, I16EQ, VANDNOT, TEE, IN, I16SUB, SET, RK);
  }
  e(GET, IN0, I16BITMASK, GET, IN1, I16BITMASK, I32, 8, I32SHL, I32OR, SET, B);
  e(GET, R, I32, 1, I32ADD, SET, R, GET, B, BR_IF, 0, END);
  for (const [RK, base] of [[RK0, 0], [RK1, 32]] as const) {
    e(I32, 0, GET, RK, I32EXT16LO, V128STORE(RANK + base), I32, 0, GET, RK, I32EXT16HI, V128STORE(RANK + base + 16));
  }
  // Per-front min and max (max kept in INV until it becomes 1/span), members in order, by
  // f64x2.pmin / pmax (pmin(m, v) = v < m ? v : m, the compare-and-select of the JavaScript path;
  // a scalar select would compile to a branch that mispredicts on data-dependent fronts).
  e(f64(Infinity), SPLAT, SET, XS(1), f64(-Infinity), SPLAT, SET, XS(2));
  for (let q = 0; q < 8; q++) e(I32, 0, GET, XS(1), V128STORE(LO + 16 * q), I32, 0, GET, XS(2), V128STORE(INV + 16 * q));
  e(I32, 0, SET, A, LOOP, VOID);
  e(GET, A, I32, 3, I32SHL, LOAD64SPLAT(SCALAR), SET, XS(0));
  e(GET, A, I32, 2, I32SHL, ld(I32LOAD, 2, RANK), I32, 3, I32SHL, SET, B);
  e(GET, B, GET, B, LOAD64ZERO(LO), GET, XS(0), VFPMIN, STORE64LANE(LO, 0));
  e(GET, B, GET, B, LOAD64ZERO(INV), GET, XS(0), VFPMAX, STORE64LANE(INV, 0));
  e(GET, A, I32, 1, I32ADD, TEE, A, GET, GG, I32LT_U, BR_IF, 0, END);
  // 1/(max − min), or 0 for a front without spread (1/0 = ∞), two fronts at a time.
  e(I32, 0, SET, A, LOOP, VOID);
  e(GET, A, I32, 3, I32SHL, TEE, B, f64(1), SPLAT, GET, B, V128LOAD(INV), GET, B, V128LOAD(LO), VFSUB, VFDIV, TEE, XS(0));
  e(V128ZERO, GET, XS(0), f64(Infinity), SPLAT, FLT, BITSELECT, V128STORE(INV));
  e(GET, A, I32, 2, I32ADD, TEE, A, GET, R, I32LT_U, BR_IF, 0, END);
}

/**
 * The body of `r{k}`: the whole batch, one group after another; returns −1, −2 when the ids do
 * not form the layout (checked first), or the first group holding a non-finite value.
 */
function body(k: number): number[] {
  const { code, e } = emitter();
  // The values of objective j in `v` that differ from the first member's (mask in XS(2)) update
  // its min and max (XS(3) / XS(4) hold +∞ / −∞ for the other lanes).
  const track = (j: number, v: number): void => {
    if (!twoValueTest(k)) return;
    e(GET, ZMIN(j), GET, v, GET, XS(3), GET, XS(2), BITSELECT, VFPMIN, SET, ZMIN(j));
    e(GET, ZMAX(j), GET, v, GET, XS(4), GET, XS(2), BITSELECT, VFPMAX, SET, ZMAX(j));
  };
  const stride = 8 * k;
  for (let j = 0; j < k; j++) e(I32, 0, ld(F64LOAD, 3, WTS + 8 * j), SET, W(j));
  emitRunsCheck(e, { ids: IDS, nGroups: NG, G: GG, gi: GI, a: A, pi: PA, id: B, bad: XS(0), idv: XS(1) }, -2);
  e(GET, REW, SET, GB, GET, OUT, SET, OB, I32, 0, SET, GI);
  e(GET, GG, I32, ...sleb(stride), I32MUL, SET, STRIDE);
  e(BLOCK, VOID, LOOP, VOID); // groups
  e(GET, GI, GET, NG, I32GE_U, BR_IF, 1);

  // Pass 1: finiteness probe Σ (x − x) (non-zero for a non-finite value, in any order), whether
  // any vector differs from the first, w · r, and the group's columns.
  e(f64(0), SET, PROBE, I32, 0, SET, DIFF);
  for (let j = 0; j < k; j++) e(GET, GB, ld(F64LOAD, 3, 8 * j), SET, Y(j));
  // Two members at a time (f64x2: rows a and a + 1), then a last odd member alone.
  for (let j = 0; j < k; j++) e(GET, Y(j), SPLAT, SET, YS(j), f64(Infinity), SPLAT, SET, ZMIN(j), f64(-Infinity), SPLAT, SET, ZMAX(j));
  e(f64(Infinity), SPLAT, SET, XS(3), f64(-Infinity), SPLAT, SET, XS(4));
  e(V128ZERO, SET, XS(0), V128ZERO, SET, XS(1), I32, 0, SET, A, GET, GB, SET, PA);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, A, I32, 2, I32ADD, GET, GG, I32GT_U, BR_IF, 1);
  for (let j = 0; j < k; j++) {
    e(GET, PA, GET, PA, LOAD64ZERO(8 * j), LOAD64LANE(stride + 8 * j, 1), SET, ACC(j));
    e(GET, A, I32, 3, I32SHL, GET, ACC(j), V128STORE(COL + 512 * j));
    e(GET, XS(0), GET, ACC(j), GET, ACC(j), VFSUB, VFADD, SET, XS(0));
    e(GET, XS(1), GET, ACC(j), GET, YS(j), FNE, TEE, XS(2), VOR, SET, XS(1));
    track(j, ACC(j));
  }
  e(GET, A, I32, 3, I32SHL);
  if (k === 2) e(GET, W(0), SPLAT, GET, ACC(0), VFMUL, GET, W(1), SPLAT, GET, ACC(1), VFMUL, VFADD);
  else {
    e(V128ZERO);
    for (let j = 0; j < k; j++) e(GET, W(j), SPLAT, GET, ACC(j), VFMUL, VFADD);
  }
  e(V128STORE(SCALAR));
  e(GET, PA, I32, ...sleb(2 * stride), I32ADD, SET, PA, GET, A, I32, 2, I32ADD, SET, A, BR, 0, END, END);
  e(GET, XS(0), F64LANE(0), GET, XS(0), F64LANE(1), F64ADD, SET, PROBE, GET, XS(1), ANYTRUE, SET, DIFF);
  e(GET, A, GET, GG, I32LT_U, IF, VOID);
  for (let j = 0; j < k; j++) e(GET, PA, ld(F64LOAD, 3, 8 * j), SET, X(j));
  for (let j = 0; j < k; j++) e(GET, PROBE, GET, X(j), GET, X(j), F64SUB, F64ADD, SET, PROBE);
  for (let j = 0; j < k; j++) e(GET, DIFF, GET, X(j), GET, Y(j), F64NE, I32OR, SET, DIFF);
  for (let j = 0; j < k; j++) {
    e(GET, X(j), SPLAT, SET, ACC(j), GET, ACC(j), GET, YS(j), FNE, SET, XS(2));
    track(j, ACC(j));
  }
  if (k === 2) e(GET, W(0), GET, X(0), F64MUL, GET, W(1), GET, X(1), F64MUL, F64ADD, SET, V);
  else {
    e(f64(0), SET, V);
    for (let j = 0; j < k; j++) e(GET, V, GET, W(j), GET, X(j), F64MUL, F64ADD, SET, V);
  }
  e(GET, A, I32, 3, I32SHL, GET, V, ld(F64STORE, 3, SCALAR));
  for (let j = 0; j < k; j++) e(GET, A, I32, 3, I32SHL, GET, X(j), ld(F64STORE, 3, COL + 512 * j));
  e(END);
  e(GET, PROBE, f64(0), F64NE, IF, VOID, GET, GI, RETURN, END);

  e(GET, DIFF, I32EQZ, IF, VOID);
  // All members share one vector: exactly 0.
  e(I32, 0, SET, A, LOOP, VOID);
  e(GET, OB, GET, A, I32, 3, I32SHL, I32ADD, f64(0), ld(F64STORE, 3, 0));
  e(GET, A, I32, 1, I32ADD, TEE, A, GET, GG, I32LT_U, BR_IF, 0, END);
  e(ELSE);

  e(I64, ...sleb(-1), GET, GG, I64EXTU, I64SHL, I64, ...sleb(-1), I64XOR, I64, ...sleb(-1), GET, GG, I32, ...sleb(64), I32LT_U, SELECT, SET, LEFT);
  e(GET, GG, I32, 16, I32LE_U, IF, VOID);
  e(GET, GG, I32, 8, I32LE_U, IF, VOID);
  smallGroupMasks(e, k, 8);
  e(ELSE);
  smallGroupMasks(e, k, 16);
  e(END);
  smallGroupFronts(e);
  e(ELSE);
  // Dominance masks, member a against four members b at a time (f64x2 over the transposed group):
  // b dominates a when y ≥ x in every objective and y > x in some, which for finite values is the
  // JavaScript path's "le & !ge". Lanes past G (up to the next multiple of 4, at most 63) read
  // stale values; `& left` (left = the G members' bits) drops their bits.
  e(I32, 0, SET, A, LOOP, VOID); // a
  for (let j = 0; j < k; j++) e(GET, A, I32, 3, I32SHL, ld(F64LOAD, 3, COL + 512 * j), SPLAT, SET, XS(j));
  e(I64, 0, SET, MINE, I32, 0, SET, B);
  e(LOOP, VOID); // b … b + 3: two f64x2 masks, narrowed to one i32x4 for a single bitmask
  for (let h = 0; h < 2; h++) {
    for (let j = 0; j < k; j++) e(GET, B, I32, 3, I32SHL, V128LOAD(COL + 512 * j + 16 * h), SET, YS(j));
    for (let j = 0; j < k; j++) {
      e(GET, YS(j), GET, XS(j), FGE);
      if (j > 0) e(VAND);
    }
    for (let j = 0; j < k; j++) {
      e(GET, YS(j), GET, XS(j), FGT);
      if (j > 0) e(VOR);
    }
    e(VAND);
  }
  e(SHUFFLE32EVEN, I32BITMASK, I64EXTU, GET, B, I64EXTU, I64SHL, GET, MINE, I64OR, SET, MINE);
  e(GET, B, I32, 4, I32ADD, TEE, B, GET, GG, I32LT_U, BR_IF, 0, END);
  e(GET, A, I32, 3, I32SHL, GET, MINE, GET, LEFT, I64AND, ld(I64STORE, 3, DOM));
  e(GET, A, I32, 1, I32ADD, TEE, A, GET, GG, I32LT_U, BR_IF, 0, END);

  // Peel the fronts, recording each one's min and 1/span of w · r.
  e(I32, 0, SET, R);
  e(LOOP, VOID); // fronts (left ≠ 0 here: G ≥ 2 when members differ)
  // The front: members none of whose remaining dominators are left, four masks at a time
  // (lanes past G read stale masks; `& left` drops them).
  e(GET, LEFT, LSPLAT, SET, XS(0), I64, 0, SET, FRONT, I32, 0, SET, A, LOOP, VOID);
  for (let h = 0; h < 2; h++) e(GET, A, I32, 3, I32SHL, V128LOAD(DOM + 16 * h), GET, XS(0), VAND, V128ZERO, LEQ);
  e(SHUFFLE32EVEN, I32BITMASK, I64EXTU, GET, A, I64EXTU, I64SHL, GET, FRONT, I64OR, SET, FRONT);
  e(GET, A, I32, 4, I32ADD, TEE, A, GET, GG, I32LT_U, BR_IF, 0, END);
  e(GET, FRONT, GET, LEFT, I64AND, TEE, FRONT, GET, LEFT, I64XOR, SET, LEFT);
  // Min and max by f64x2.pmin / pmax in both lanes (see smallGroupFronts: no data-dependent branch).
  e(f64(Infinity), SPLAT, SET, XS(1), f64(-Infinity), SPLAT, SET, XS(2));
  e(LOOP, VOID); // members of the front (at least one)
  e(GET, FRONT, I64CTZ, I32WRAP, TEE, A, I32, 2, I32SHL, GET, R, ld(I32STORE, 2, RANK));
  e(GET, A, I32, 3, I32SHL, LOAD64SPLAT(SCALAR), SET, XS(0));
  e(GET, XS(1), GET, XS(0), VFPMIN, SET, XS(1), GET, XS(2), GET, XS(0), VFPMAX, SET, XS(2));
  e(GET, FRONT, GET, FRONT, I64, 1, I64SUB, I64AND, TEE, FRONT, I64, 0, I64NE, BR_IF, 0, END);
  e(GET, R, I32, 3, I32SHL, GET, XS(1), STORE64LANE(LO, 0));
  e(GET, R, I32, 3, I32SHL, f64(1), SPLAT, GET, XS(2), GET, XS(1), VFSUB, VFDIV, TEE, XS(0));
  e(V128ZERO, GET, XS(0), f64(Infinity), SPLAT, FLT, BITSELECT, STORE64LANE(INV, 0));
  e(GET, R, I32, 1, I32ADD, SET, R);
  e(GET, LEFT, I64, 0, I64NE, BR_IF, 0, END);
  e(END);

  // A = N_rank − r + β(r̂ − 0.5), two members at a time: the even members' sum and the odd
  // members' sum, each in member order (as the JavaScript path), then minus the mean when centring.
  e(GET, GG, GET, R, GET, BYSIZE, SELECT, F64FROMI32, SET, NRANK);
  e(V128ZERO, SET, XS(3), I32, 0, SET, A);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, A, I32, 2, I32ADD, GET, GG, I32GT_U, BR_IF, 1);
  e(GET, A, I32, 2, I32SHL, TEE, B, ld(I32LOAD, 2, RANK + 4), I32, 3, I32SHL, SET, DIFF);
  e(GET, B, ld(I32LOAD, 2, RANK), I32, 3, I32SHL, SET, B);
  e(GET, DIFF, GET, B, LOAD64ZERO(LO), LOAD64LANE(LO, 1), SET, XS(0));
  e(GET, DIFF, GET, B, LOAD64ZERO(INV), LOAD64LANE(INV, 1), SET, XS(1));
  e(GET, A, I32, 3, I32SHL); // address for the store
  e(GET, NRANK, SPLAT, GET, A, I32, 2, I32SHL, LOAD64ZERO(RANK), F64CONVLO, VFSUB);
  e(GET, BETA, SPLAT);
  e(GET, A, I32, 3, I32SHL, V128LOAD(SCALAR), GET, XS(0), VFSUB, GET, XS(1), VFMUL);
  e(GET, XS(1), V128ZERO, FEQ, f64(0.5), SPLAT, VAND, VFADD); // + 0.5·[f = 0]
  e(f64(0.5), SPLAT, VFSUB, VFMUL, VFADD, TEE, XS(2), V128STORE(SCALAR));
  e(GET, XS(3), GET, XS(2), VFADD, SET, XS(3));
  e(GET, A, I32, 2, I32ADD, SET, A, BR, 0, END, END);
  e(GET, XS(3), F64LANE(0), SET, SUM);
  e(GET, A, GET, GG, I32LT_U, IF, VOID); // a last odd member, into the even sum
  e(GET, A, I32, 2, I32SHL, ld(I32LOAD, 2, RANK), TEE, R, I32, 3, I32SHL, ld(F64LOAD, 3, INV), SET, F);
  e(GET, A, I32, 3, I32SHL); // address for the store
  e(GET, NRANK, GET, R, F64FROMI32, F64SUB);
  e(GET, BETA);
  e(GET, A, I32, 3, I32SHL, ld(F64LOAD, 3, SCALAR), GET, R, I32, 3, I32SHL, ld(F64LOAD, 3, LO), F64SUB, GET, F, F64MUL);
  e(GET, F, f64(0), F64EQ, F64FROMI32, f64(0.5), F64MUL, F64ADD); // + 0.5·[f = 0], as 0.5 · (0 or 1): no select
  e(f64(0.5), F64SUB, F64MUL, F64ADD, TEE, V, ld(F64STORE, 3, SCALAR));
  e(GET, SUM, GET, V, F64ADD, SET, SUM);
  e(END);
  e(GET, SUM, GET, XS(3), F64LANE(1), F64ADD, SET, SUM);
  e(GET, SUM, GET, GG, F64FROMI32, F64DIV, f64(0), GET, CENTER, SELECT, SPLAT, SET, XS(3));
  e(I32, 0, SET, A);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, A, I32, 2, I32ADD, GET, GG, I32GT_U, BR_IF, 1);
  e(GET, OB, GET, A, I32, 3, I32SHL, TEE, B, I32ADD, GET, B, V128LOAD(SCALAR), GET, XS(3), VFSUB, V128STORE(0));
  e(GET, A, I32, 2, I32ADD, SET, A, BR, 0, END, END);
  e(GET, A, GET, GG, I32LT_U, IF, VOID);
  e(GET, OB, GET, A, I32, 3, I32SHL, TEE, B, I32ADD, GET, B, ld(F64LOAD, 3, SCALAR), GET, XS(3), F64LANE(0), F64SUB, ld(F64STORE, 3, 0));
  e(END);
  e(END); // if differ

  e(GET, GB, GET, STRIDE, I32ADD, SET, GB);
  e(GET, OB, GET, GG, I32, 3, I32SHL, I32ADD, SET, OB);
  e(GET, GI, I32, 1, I32ADD, SET, GI, BR, 0, END, END);
  e(I32, ...sleb(-1), END);
  const locals = [4, ...uleb(9), 0x7f, ...uleb(3), 0x7e, ...uleb(32), 0x7c, ...uleb(48), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module bytes: memory `m` (1 page, growable) and `r1` … `r8`, one function per k, each
 * `(nGroups, G, rewPtr, outPtr: i32, beta: f64, bySize, center, idsPtr: i32) → i32`.
 *
 * @example
 * WebAssembly.validate(rankWasmBytes()); // true
 */
export function rankWasmBytes(): Uint8Array {
  const fns = Array.from({ length: WASM_MAX_K }, (_, i) => i + 1);
  const exports = [...uleb(fns.length + 1), ...str('m'), 0x02, 0];
  for (const k of fns) exports.push(...str(`r${k}`), 0x00, k - 1);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7c, 0x7f, 0x7f, 0x7f, 1, 0x7f]),
    ...section(3, [...uleb(fns.length), ...fns.map(() => 0)]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, exports),
    ...section(10, [...uleb(fns.length), ...fns.flatMap(body)]),
  ];
  return Uint8Array.from(bytes);
}

/**
 * Whether this runtime accepts the module's bytes (false without WebAssembly or its SIMD).
 *
 * @example
 * rankWasmValid(); // true on Node 20
 */
export function rankWasmValid(): boolean {
  return validates(rankWasmBytes());
}

type Kernel = (nGroups: number, G: number, rewPtr: number, outPtr: number, beta: number, bySize: number, center: number, idsPtr: number) => number;

interface Instance {
  readonly memory: WasmMemory;
  readonly kernels: Kernel[];
}

const load = lazyModule(rankWasmBytes, (ex): Instance => ({
  memory: ex.m as WasmMemory,
  kernels: Array.from({ length: WASM_MAX_K + 1 }, (_, k) => ex[`r${k}`] as Kernel),
}));

/**
 * Whether the kernel can run here (WebAssembly present and the module compiled); compiles it on
 * the first call.
 *
 * @example
 * rankWasmAvailable(); // true on Node 20
 */
export function rankWasmAvailable(): boolean {
  return load() !== null;
}

/**
 * Pareto-rank advantages of the n / G runs of G rows that `groupIds` should form (1 ≤ G ≤ 64,
 * 1 ≤ k ≤ 8), written to `out[0 .. n)`. The layout (runs of G equal ids, run ids increasing) is
 * checked inside the module, chunk by chunk ({@link RANK_CHUNK_ROWS} rows of whole groups); the
 * other arguments are trusted (checked by `paretoRankAdvantages`).
 *
 * @returns `'ok'`; `'nonfinite'` when a reward is NaN or infinite (the caller throws); `'layout'`
 *   when the ids do not form such runs (the caller runs the JavaScript path, which overwrites
 *   `out`; for both, `out` may hold the chunks before); or `'unavailable'` when WebAssembly
 *   cannot be used (`out` untouched)
 * @example
 * const out = new Float64Array(3);
 * rankAdvantagesWasm(Float64Array.of(1, 0, 0, 1, 0, 0), Int32Array.of(4, 4, 4), 2, 3, Float64Array.of(0.6, 0.4), 0.5, false, false, out);
 * // 'ok'; out = [2.25, 1.75, 1]
 */
export function rankAdvantagesWasm(
  rewards: Float64Array,
  groupIds: Int32Array,
  k: number,
  G: number,
  w: Float64Array,
  beta: number,
  bySize: boolean,
  center: boolean,
  out: Float64Array,
): 'ok' | 'nonfinite' | 'layout' | 'unavailable' {
  const inst = load();
  if (inst === null) return 'unavailable';
  const n = groupIds.length;
  const nG = n / G;
  const cg = groupsPerChunk(nG, G, RANK_CHUNK_ROWS);
  const rows = cg * G;
  const outPtr = DATA + rows * k * 8;
  const idsPtr = outPtr + rows * 8;
  if (!ensureMemory(inst.memory, idsPtr + rows * 4)) return 'unavailable';
  const buf = inst.memory.buffer;
  new Float64Array(buf, WTS, k).set(w.subarray(0, k));
  const kernel = inst.kernels[k];
  const views = { rew: new Float64Array(buf, DATA, rows * k), ids: new Int32Array(buf, idsPtr, rows), adv: new Float64Array(buf, outPtr, rows) };
  const res = eachChunk(rewards, groupIds, k, G, cg, views, out, (r0, r1) => {
    const code = kernel((r1 - r0) / G, G, DATA, outPtr, beta, +bySize, +center, idsPtr);
    return code === -2 ? 'layout' : code >= 0 ? 'nonfinite' : undefined;
  });
  return res ?? 'ok';
}
