import {
  BITSELECT, BLOCK, BR, BR_IF, emitter, END, ensureMemory, f64, F64ADD, F64DIV, F64FROMI32, F64GT, F64LANE, F64LOAD, F64MUL, F64SQRT,
  F64STORE, F64SUB, FGT, GET, I32, I32ADD, I32AND, I32EQZ, I32GE_S, I32GE_U, I32LT_U, I32MUL, I32SHL, I32SHR_U, I32SUB, IF,
  lazyModule, ld, LOAD64LANE, LOAD64ZERO, LOOP, section, SELECT, SELECTV, SET, SHUFFLE, sleb, SPLAT, STORE64LANE, str, TEE, uleb,
  V128LOAD, V128STORE, V128ZERO, VFADD, VFDIV, VFMUL, VFSQRT, VFSUB, VOID, type Emit, type WasmMemory,
} from '../wasm/bytes';
import { eachChunk, groupsPerChunk } from '../wasm/chunks';
import { emitRunsCheck } from '../wasm/runsCheck';

/**
 * WebAssembly kernels for the group estimators other than Pareto-rank, on the usual layout: n / G
 * contiguous runs of G rows whose ids are equal within a run and increase from run to run. `s{k}`
 * is the GRPO family's group pass (GRPO, Dr. GRPO, RLOO, REINFORCE++'s group stage), `o{k}` the
 * same centred on OPO's length-weighted mean, `m{k}` MO-GRPO's per-objective pass (GDPO's group
 * stage), and `w` the batch whitening of REINFORCE++ and GDPO, run on the advantages before they
 * are copied out. The rewards, ids (and OPO's lengths) are copied into the module's memory and the
 * layout is checked there (i32x4 compares). Two groups are done at once, one per f64x2 lane, so
 * the per-group chain (mean, variance, square root, division) is paid once per two groups; within
 * a group, the even and the odd members go to separate sums. The GRPO family and OPO take two
 * passes over the batch: the first writes each member's `d` to its row of advantages and each
 * group's `(m, f)` to a scratch, the second turns `d` into `(d − m) · f` group by group. Nothing
 * in the first pass waits for the chain of divisions and the square root, so the next pair of
 * groups overlaps it (during development, on the benchmark batch, this was faster than both passes
 * per pair of groups, most at k = 2 and 3).
 *
 * Same numbers as the JavaScript path (`scalarGathered` in `scalarGroups.ts`), bit for bit, because
 * that path does the same operations in the same order: `d = w · r − v₀` (`w · r` summed left to
 * right), `S₀, Q₀` summed over the even members and `S₁, Q₁` over the odd ones in member order,
 * `S = S₀ + S₁`, `Q = Q₀ + Q₁`, `m = S / G` (OPO: `Σ l·d / Σ l`, even and odd apart likewise),
 * `f` as in `groupScale`, `A = (d − m) · f`, and the finiteness probe `Σ S` (and OPO's m) in group
 * order; MO-GRPO as `moGrpoGroup` (`multiGroups.ts`) and the whitening as `whitenInPlace`
 * (`moments.ts`) likewise. f64x2 arithmetic rounds each lane exactly as scalar f64 arithmetic
 * does, and nothing here is fused.
 */

// Memory layout (bytes).
const WTS = 0; // 8 f64: the weights
const PROBE = 64; // f64: the finiteness probe (Σ S over groups and objectives, plus OPO's means)
// Then one chunk of rows (see `runKernel`): rewards (k f64 a row), ids (i32), OPO's lengths (f64),
// advantages (f64; the whole batch's when they are whitened), and a scratch of f64 pairs: G of
// them (MO-GRPO's accumulators), or one per group and one more (m and f, `s{k}` / `o{k}`).
const DATA = 128;

/** Rows per chunk of a kernel call (k = 2: 64 KB of rewards); whole groups, at least one. */
export const SCALAR_CHUNK_ROWS = 4096;

/** The largest k the kernel handles (one function per k, the objective loop unrolled). */
export const SCALAR_WASM_MAX_K = 8;

// Params: nGroups, G, rewPtr, idsPtr, outPtr, scratchPtr, std (i32); denom = G − ddof, eps,
// fixed (f64); lensPtr (i32, OPO's lengths, read by the `o{k}` functions only).
const [NG, GG, REW, IDS, OUT, SCR, STD, DENOM, EPS, FIXED, LENS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
// i32 locals: group index, member counter, rewards / advantages / ids pointers, scratch pointer,
// the distance from a group's rows (and advantages) to the next group's, 0 for a last unpaired
// group; the id; G rows in bytes; the second group's rows and advantages; lengths pointer.
const [GI, A, PA, PO, PI, PS, NEXT, ID, GBYTES, ONEXT, PB, PJ, PL] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
// f64 locals.
const PRB = 24;
const WS = (j: number): number => 25 + j;
// v128 locals: even / odd sums and sums of squares, first values, d, mean, factor, S, Q, ids,
// weights, then OPO's even / odd Σ l·d and Σ l and one pair of lengths.
const [SE, SO, QE, QO, FV, DV, MV, FFV, SV, QV, BAD, IDV] = [33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44];
const WV = (j: number): number => 45 + j;
const [NE, NO, LE, LO, LV] = [53, 54, 55, 56, 57];

// v128 locals of `pairValue`: objectives j and j + 1 of the member, in the first and the second group.
const [RA, RB] = [58, 59];
const LOW = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH = [8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31];

/**
 * `w · r` of one member of both groups (rows at PA + off and PB + off) as an f64x2, summed left
 * to right. Objectives are read two at a time, one v128 load per row, and regrouped by two
 * shuffles (unpack low / high), which costs fewer operations than two lane loads per objective.
 */
function pairValue(e: Emit, k: number, off: number): void {
  for (let j = 0; j < k; j += 2) {
    if (j + 1 < k) {
      e(GET, PA, V128LOAD(off + 8 * j), SET, RA, GET, PB, V128LOAD(off + 8 * j), SET, RB);
      e(GET, RA, GET, RB, SHUFFLE(LOW), GET, WV(j), VFMUL);
      if (j > 0) e(VFADD);
      e(GET, RA, GET, RB, SHUFFLE(HIGH), GET, WV(j + 1), VFMUL, VFADD);
    } else {
      e(GET, PB, GET, PA, LOAD64ZERO(off + 8 * j), LOAD64LANE(off + 8 * j, 1), GET, WV(j), VFMUL);
      if (j > 0) e(VFADD);
    }
  }
}

/**
 * Member `i` (0 or 1) of the current pair of members: d = w · r − v₀ to each group's row of
 * advantages (PI, PJ), into the even (`odd` false) or odd sums; for OPO also l·d and l.
 */
function member(e: Emit, k: number, i: number, odd: boolean, opo: boolean): void {
  const [S, Q, N, L] = odd ? [SO, QO, NO, LO] : [SE, QE, NE, LE];
  pairValue(e, k, 8 * k * i);
  e(GET, FV, VFSUB, SET, DV, GET, PJ, GET, DV, STORE64LANE(8 * i, 1), GET, PI, GET, DV, STORE64LANE(8 * i, 0));
  e(GET, S, GET, DV, VFADD, SET, S, GET, Q, GET, DV, GET, DV, VFMUL, VFADD, SET, Q);
  if (opo) {
    e(GET, PL, GET, ONEXT, I32ADD, GET, PL, LOAD64ZERO(8 * i), LOAD64LANE(8 * i, 1), SET, LV);
    e(GET, N, GET, LV, GET, DV, VFMUL, VFADD, SET, N, GET, L, GET, LV, VFADD, SET, L);
  }
}

/** Both bodies' start: the weights into locals, and the layout check (returns 1 when it fails). */
function prologue(e: Emit, k: number): void {
  const rowBytes = 8 * k;
  for (let j = 0; j < k; j++) e(I32, 0, ld(F64LOAD, 3, WTS + 8 * j), TEE, WS(j), SPLAT, SET, WV(j));
  e(GET, GG, I32, ...sleb(rowBytes), I32MUL, SET, GBYTES);

  // Layout, checked first.
  emitRunsCheck(e, { ids: IDS, nGroups: NG, G: GG, gi: GI, a: A, pi: PI, id: ID, bad: BAD, idv: IDV }, 1);
}

/**
 * The body of `s{k}` (or of `o{k}`, OPO: centred on the length-weighted mean): returns 0, or 1
 * when the ids do not form the layout (nothing written then).
 */
function body(k: number, opo: boolean): number[] {
  const { code, e } = emitter();
  prologue(e, k);

  // Two groups at a time, one per f64x2 lane (a last odd group fills both lanes: NEXT = 0).
  e(GET, REW, SET, PA, GET, OUT, SET, PO, GET, LENS, SET, PL, I32, 0, SET, GI, I32, 0, ld(F64LOAD, 3, PROBE), SET, PRB);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, GI, GET, NG, I32GE_U, BR_IF, 1);
  e(GET, GBYTES, I32, 0, GET, GI, I32, 1, I32ADD, GET, NG, I32LT_U, SELECT, SET, NEXT);
  e(GET, GG, I32, 3, I32SHL, I32, 0, GET, NEXT, SELECT, SET, ONEXT);
  // v₀ of each group, then pass 1 over the members: even ones into SE / QE, odd ones into SO / QO.
  e(GET, PA, GET, NEXT, I32ADD, SET, PB);
  pairValue(e, k, 0);
  e(SET, FV);
  for (const x of [SE, SO, QE, QO, NE, NO, LE, LO]) e(V128ZERO, SET, x);
  e(GET, PO, SET, PI, GET, PO, GET, ONEXT, I32ADD, SET, PJ);
  e(GET, GG, I32, 1, I32SHR_U, SET, A);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, A, I32EQZ, BR_IF, 1);
  member(e, k, 0, false, opo);
  member(e, k, 1, true, opo);
  e(GET, PA, I32, ...sleb(16 * k), I32ADD, SET, PA, GET, PB, I32, ...sleb(16 * k), I32ADD, SET, PB);
  e(GET, PI, I32, 16, I32ADD, SET, PI, GET, PJ, I32, 16, I32ADD, SET, PJ);
  if (opo) e(GET, PL, I32, 16, I32ADD, SET, PL);
  e(GET, A, I32, 1, I32SUB, SET, A, BR, 0, END, END);
  e(GET, GG, I32, 1, I32AND, IF, VOID);
  member(e, k, 0, false, opo);
  e(GET, PA, I32, ...sleb(8 * k), I32ADD, SET, PA, GET, PI, I32, 8, I32ADD, SET, PI);
  if (opo) e(GET, PL, I32, 8, I32ADD, SET, PL);
  e(END);
  e(GET, SE, GET, SO, VFADD, SET, SV, GET, QE, GET, QO, VFADD, SET, QV);
  // m = S / G (OPO: Σ l·d / Σ l). The probe adds S, and OPO's m, group by group, as the
  // JavaScript path does; an unpaired group once.
  e(GET, SV, GET, GG, F64FROMI32, SPLAT, VFDIV, SET, MV);
  const probe = (lane: number): void => {
    e(GET, PRB, GET, SV, F64LANE(lane), F64ADD, SET, PRB);
    if (opo) e(GET, PRB, GET, MV, F64LANE(lane), F64ADD, SET, PRB);
  };
  if (opo) e(GET, NE, GET, NO, VFADD, GET, LE, GET, LO, VFADD, VFDIV, SET, MV);
  probe(0);
  e(GET, NEXT, IF, VOID);
  probe(1);
  e(END);
  // f = 1/(√(ssd / (G − ddof)) + eps), or 0 without spread; or the fixed factor. (ssd uses S / G.)
  e(GET, QV, GET, SV);
  if (opo) e(GET, SV, GET, GG, F64FROMI32, SPLAT, VFDIV);
  else e(GET, MV); // S / G already
  e(VFMUL, VFSUB, SET, DV);
  e(f64(1), SPLAT, GET, DV, GET, DENOM, SPLAT, VFDIV, VFSQRT, GET, EPS, SPLAT, VFADD, VFDIV);
  e(V128ZERO, GET, DV, V128ZERO, FGT, BITSELECT);
  e(GET, FIXED, SPLAT, GET, STD, SELECTV, SET, FFV);

  // Each group's (m, f) to the scratch: the second pass needs them, and not waiting here for
  // this chain of divisions and a square root lets the next pair's first pass overlap it.
  e(GET, SCR, GET, GI, I32, 4, I32SHL, I32ADD, TEE, PS, GET, MV, GET, FFV, SHUFFLE(LOW), V128STORE(0));
  e(GET, PS, GET, MV, GET, FFV, SHUFFLE(HIGH), V128STORE(16));

  // Next pair of groups (pass 1 left PA at the second group's rows, PI at its advantages).
  e(GET, PA, GET, NEXT, I32ADD, SET, PA, GET, PI, GET, ONEXT, I32ADD, SET, PO);
  if (opo) e(GET, PL, GET, ONEXT, I32ADD, SET, PL);
  e(GET, GI, I32, 2, I32ADD, SET, GI, BR, 0, END, END);

  // Pass 2, group by group: A = (d − m) · f over the group's row of d, two members at a time.
  e(GET, OUT, SET, PI, GET, SCR, SET, PS, I32, 0, SET, GI);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, GI, GET, NG, I32GE_U, BR_IF, 1);
  e(GET, PS, V128LOAD(0), TEE, DV, GET, DV, SHUFFLE(LOW), SET, MV, GET, DV, GET, DV, SHUFFLE(HIGH), SET, FFV);
  e(GET, GG, I32, 1, I32SHR_U, SET, A);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, A, I32EQZ, BR_IF, 1);
  e(GET, PI, GET, PI, V128LOAD(0), GET, MV, VFSUB, GET, FFV, VFMUL, V128STORE(0));
  e(GET, PI, I32, 16, I32ADD, SET, PI, GET, A, I32, 1, I32SUB, SET, A, BR, 0, END, END);
  e(GET, GG, I32, 1, I32AND, IF, VOID);
  e(GET, PI, GET, PI, LOAD64ZERO(0), GET, MV, VFSUB, GET, FFV, VFMUL, STORE64LANE(0, 0));
  e(GET, PI, I32, 8, I32ADD, SET, PI);
  e(END);
  e(GET, PS, I32, 16, I32ADD, SET, PS, GET, GI, I32, 1, I32ADD, SET, GI, BR, 0, END, END);
  e(I32, 0, GET, PRB, ld(F64STORE, 3, PROBE), I32, 0, END);
  const locals = [3, ...uleb(13), 0x7f, ...uleb(9), 0x7c, ...uleb(27), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

// Locals of the MO-GRPO body beyond the shared ones: a row pointer, and per objective the pair of
// group sums S (for the probe), then the pair of scale factors w_j / (std + eps).
const RR = 23; // reuses PL's slot (MO-GRPO has no lengths)
const SJ = (j: number): number => 45 + 8 + j; // after WV(0 … 7): slots of NE … LV and beyond
const SC = 61;

/**
 * The body of `m{k}`: MO-GRPO's group pass (`multiGroups.ts`), two groups per f64x2 lane.
 * Objective by objective: the shifted sums of `d = r_j − r_j(first)` over the even and the odd
 * members, the group's `w_j / (std + eps)` (or w_j · 1 without std, w_j · 0 without spread), then
 * `acc += (d − m) · scale` per member in a scratch of G pairs, the first objective starting from
 * `0 + …` as the JavaScript path does; finally each lane's accumulator to its group's rows. The
 * probe adds every objective's S, group by group.
 */
function multiBody(k: number): number[] {
  const { code, e } = emitter();
  const rowBytes = 8 * k;
  prologue(e, k);
  e(GET, REW, SET, PA, GET, OUT, SET, PO, I32, 0, SET, GI, I32, 0, ld(F64LOAD, 3, PROBE), SET, PRB);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, GI, GET, NG, I32GE_U, BR_IF, 1);
  e(GET, GBYTES, I32, 0, GET, GI, I32, 1, I32ADD, GET, NG, I32LT_U, SELECT, SET, NEXT);
  e(GET, GG, I32, 3, I32SHL, I32, 0, GET, NEXT, SELECT, SET, ONEXT);
  const load = (off: number): void => {
    e(GET, RR, GET, NEXT, I32ADD, GET, RR, LOAD64ZERO(off), LOAD64LANE(off, 1));
  };
  for (let j = 0; j < k; j++) {
    // Pass 1: S and Q of d over the even and the odd members.
    e(GET, PA, SET, RR);
    load(8 * j);
    e(SET, FV);
    for (const x of [SE, SO, QE, QO]) e(V128ZERO, SET, x);
    const stat = (off: number, S: number, Q: number): void => {
      load(off + 8 * j);
      e(GET, FV, VFSUB, SET, DV, GET, S, GET, DV, VFADD, SET, S, GET, Q, GET, DV, GET, DV, VFMUL, VFADD, SET, Q);
    };
    e(GET, GG, I32, 1, I32SHR_U, SET, A, BLOCK, VOID, LOOP, VOID, GET, A, I32EQZ, BR_IF, 1);
    stat(0, SE, QE);
    stat(rowBytes, SO, QO);
    e(GET, RR, I32, ...sleb(2 * rowBytes), I32ADD, SET, RR, GET, A, I32, 1, I32SUB, SET, A, BR, 0, END, END);
    e(GET, GG, I32, 1, I32AND, IF, VOID);
    stat(0, SE, QE);
    e(END);
    e(GET, SE, GET, SO, VFADD, TEE, SJ(j), GET, GG, F64FROMI32, SPLAT, VFDIV, SET, MV);
    e(GET, QE, GET, QO, VFADD, GET, SJ(j), GET, MV, VFMUL, VFSUB, SET, DV); // ssd = Q − S·m
    e(f64(1), SPLAT, GET, DV, GET, DENOM, SPLAT, VFDIV, VFSQRT, GET, EPS, SPLAT, VFADD, VFDIV);
    e(V128ZERO, GET, DV, V128ZERO, FGT, BITSELECT);
    e(GET, FIXED, SPLAT, GET, STD, SELECTV, SET, FFV);
    e(GET, WV(j), GET, FFV, VFMUL, SET, SC); // scale = w_j · inv
    // Pass 2: acc (+)= (d − m) · scale.
    e(GET, PA, SET, RR, GET, SCR, SET, PS, GET, GG, SET, A, BLOCK, VOID, LOOP, VOID, GET, A, I32EQZ, BR_IF, 1);
    e(GET, PS);
    if (j === 0) e(V128ZERO);
    else e(GET, PS, V128LOAD(0));
    load(8 * j);
    e(GET, FV, VFSUB, GET, MV, VFSUB, GET, SC, VFMUL, VFADD, V128STORE(0));
    e(GET, RR, I32, ...sleb(rowBytes), I32ADD, SET, RR, GET, PS, I32, 16, I32ADD, SET, PS);
    e(GET, A, I32, 1, I32SUB, SET, A, BR, 0, END, END);
  }
  // The probe, group by group: every objective's S of the first group, then of the second.
  for (let j = 0; j < k; j++) e(GET, PRB, GET, SJ(j), F64LANE(0), F64ADD, SET, PRB);
  e(GET, NEXT, IF, VOID);
  for (let j = 0; j < k; j++) e(GET, PRB, GET, SJ(j), F64LANE(1), F64ADD, SET, PRB);
  e(END);
  // Each lane's accumulator to its group's rows.
  e(GET, SCR, SET, PS, GET, PO, SET, PI, GET, PO, GET, ONEXT, I32ADD, SET, PJ, GET, GG, SET, A);
  e(BLOCK, VOID, LOOP, VOID, GET, A, I32EQZ, BR_IF, 1);
  e(GET, PI, GET, PS, V128LOAD(0), STORE64LANE(0, 0), GET, PJ, GET, PS, V128LOAD(0), STORE64LANE(0, 1));
  e(GET, PS, I32, 16, I32ADD, SET, PS, GET, PI, I32, 8, I32ADD, SET, PI, GET, PJ, I32, 8, I32ADD, SET, PJ);
  e(GET, A, I32, 1, I32SUB, SET, A, BR, 0, END, END);
  e(GET, PA, GET, GBYTES, I32ADD, GET, NEXT, I32ADD, SET, PA, GET, PI, GET, ONEXT, I32ADD, SET, PO);
  e(GET, GI, I32, 2, I32ADD, SET, GI, BR, 0, END, END);
  e(I32, 0, GET, PRB, ld(F64STORE, 3, PROBE), I32, 0, END);
  const locals = [3, ...uleb(13), 0x7f, ...uleb(9), 0x7c, ...uleb(29), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The body of `w`: batch whitening of the n advantages at `ptr`, in place, as `whitenInPlace`
 * (`moments.ts`) does it: four partial sums (rows i mod 4, here two f64x2), added as
 * (s₀ + s₁) + (s₂ + s₃), a tail into s₀; the same for the squared deviations; then
 * `(a − mean) · inv`. Params: n, ptr, ddof (i32), eps (f64).
 */
function whitenBody(): number[] {
  const { code, e } = emitter();
  const [N, P, DD, EP] = [0, 1, 2, 3];
  const [I, N4, Q] = [4, 5, 6]; // i32 locals
  const [FIRST, MEAN, SUMS, INV, X] = [7, 8, 9, 10, 11]; // f64 locals
  const [VA, VB, VF, VM, VI] = [12, 13, 14, 15, 16]; // v128 locals
  e(GET, N, I32, ...sleb(-4), I32AND, I32, 3, I32SHL, SET, N4); // bytes of the rows in whole fours
  e(GET, P, ld(F64LOAD, 3, 0), TEE, FIRST, SPLAT, SET, VF, V128ZERO, SET, VA, V128ZERO, SET, VB);
  const fours = (body: () => void): void => {
    e(I32, 0, SET, I, BLOCK, VOID, LOOP, VOID, GET, I, GET, N4, I32GE_U, BR_IF, 1, GET, P, GET, I, I32ADD, SET, Q);
    body();
    e(GET, I, I32, 32, I32ADD, SET, I, BR, 0, END, END);
  };
  const tail = (body: () => void): void => {
    e(BLOCK, VOID, LOOP, VOID, GET, I, GET, N, I32, 3, I32SHL, I32GE_U, BR_IF, 1, GET, P, GET, I, I32ADD, ld(F64LOAD, 3, 0), SET, X);
    body();
    e(GET, I, I32, 8, I32ADD, SET, I, BR, 0, END, END);
  };
  fours(() => {
    e(GET, VA, GET, Q, V128LOAD(0), GET, VF, VFSUB, VFADD, SET, VA);
    e(GET, VB, GET, Q, V128LOAD(16), GET, VF, VFSUB, VFADD, SET, VB);
  });
  e(GET, VA, F64LANE(0), SET, SUMS);
  tail(() => e(GET, SUMS, GET, X, GET, FIRST, F64SUB, F64ADD, SET, SUMS));
  e(GET, FIRST, GET, SUMS, GET, VA, F64LANE(1), F64ADD, GET, VB, F64LANE(0), GET, VB, F64LANE(1), F64ADD, F64ADD);
  e(GET, N, F64FROMI32, F64DIV, F64ADD, TEE, MEAN, SPLAT, SET, VM, f64(0), SET, INV);
  e(GET, N, GET, DD, I32SUB, I32, 1, I32GE_S, IF, VOID);
  e(V128ZERO, SET, VA, V128ZERO, SET, VB);
  fours(() => {
    e(GET, VA, GET, Q, V128LOAD(0), GET, VM, VFSUB, TEE, VI, GET, VI, VFMUL, VFADD, SET, VA);
    e(GET, VB, GET, Q, V128LOAD(16), GET, VM, VFSUB, TEE, VI, GET, VI, VFMUL, VFADD, SET, VB);
  });
  e(GET, VA, F64LANE(0), SET, SUMS);
  tail(() => e(GET, SUMS, GET, X, GET, MEAN, F64SUB, TEE, X, GET, X, F64MUL, F64ADD, SET, SUMS));
  e(GET, SUMS, GET, VA, F64LANE(1), F64ADD, GET, VB, F64LANE(0), GET, VB, F64LANE(1), F64ADD, F64ADD, SET, SUMS);
  e(f64(1), GET, SUMS, GET, N, GET, DD, I32SUB, F64FROMI32, F64DIV, F64SQRT, GET, EP, F64ADD, F64DIV);
  e(f64(0), GET, SUMS, f64(0), F64GT, SELECT, SET, INV);
  e(END);
  e(GET, INV, SPLAT, SET, VI);
  fours(() => {
    for (const off of [0, 16]) e(GET, Q, GET, Q, V128LOAD(off), GET, VM, VFSUB, GET, VI, VFMUL, V128STORE(off));
  });
  tail(() => e(GET, P, GET, I, I32ADD, GET, X, GET, MEAN, F64SUB, GET, INV, F64MUL, ld(F64STORE, 3, 0)));
  e(END);
  const locals = [3, ...uleb(3), 0x7f, ...uleb(5), 0x7c, ...uleb(5), 0x7b];
  const fn = [...locals, ...code];
  return [...uleb(fn.length), ...fn];
}

/**
 * The module bytes: memory `m` (1 page, growable), `s1` … `s8` (one function per k), `o1` … `o8`
 * (the same for OPO) and `m1` … `m8` (MO-GRPO), each `(nGroups, G, rewPtr, idsPtr, outPtr,
 * scratchPtr, std: i32, denom, eps, fixed: f64, lensPtr: i32) → i32`, and `w` (batch whitening,
 * `(n, ptr, ddof: i32, eps: f64)`).
 *
 * @example
 * WebAssembly.validate(scalarWasmBytes()); // true
 */
export function scalarWasmBytes(): Uint8Array {
  const ks = Array.from({ length: SCALAR_WASM_MAX_K }, (_, i) => i + 1);
  const fns = (['s', 'o', 'm'] as const).flatMap((kind) => ks.map((k) => ({ k, kind })));
  const exports = [...uleb(fns.length + 2), ...str('m'), 0x02, 0];
  fns.forEach(({ k, kind }, i) => exports.push(...str(`${kind}${k}`), 0x00, i));
  exports.push(...str('w'), 0x00, fns.length);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 11, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7c, 0x7c, 0x7c, 0x7f, 1, 0x7f, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7c, 0]),
    ...section(3, [...uleb(fns.length + 1), ...fns.map(() => 0), 1]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, exports),
    ...section(10, [...uleb(fns.length + 1), ...fns.flatMap(({ k, kind }) => (kind === 'm' ? multiBody(k) : body(k, kind === 'o'))), ...whitenBody()]),
  ];
  return Uint8Array.from(bytes);
}

type Kernel = (
  nGroups: number,
  G: number,
  rew: number,
  ids: number,
  out: number,
  scratch: number,
  std: number,
  denom: number,
  eps: number,
  fixed: number,
  lens: number,
) => number;

interface Instance {
  readonly memory: WasmMemory;
  readonly kernels: Kernel[];
  readonly opoKernels: Kernel[];
  readonly multiKernels: Kernel[];
  readonly whiten: (n: number, ptr: number, ddof: number, eps: number) => void;
}

const load = lazyModule(scalarWasmBytes, (ex): Instance => {
  const pick = (prefix: string) => Array.from({ length: SCALAR_WASM_MAX_K + 1 }, (_, k) => ex[`${prefix}${k}`] as Kernel);
  return { memory: ex.m as WasmMemory, kernels: pick('s'), opoKernels: pick('o'), multiKernels: pick('m'), whiten: ex.w as Instance['whiten'] };
});

/**
 * Whether the kernel can run here (WebAssembly with SIMD present and the module compiled);
 * compiles it on the first call.
 *
 * @example
 * scalarWasmAvailable(); // true on Node 20
 */
export function scalarWasmAvailable(): boolean {
  return load() !== null;
}

/** How every group of a batch is scaled: see {@link scalarRunsWasm}. */
export interface GroupPass {
  /** Objectives per row (1–8) and their weights. */
  readonly k: number;
  readonly w: Float64Array;
  /** Rows per group. */
  readonly G: number;
  /** Scale by `1/(std + eps)` with `std = √(ssd / denom)` (0 without spread); else by `fixed`. */
  readonly std: boolean;
  readonly denom: number;
  readonly eps: number;
  readonly fixed: number;
}

/** A batch whitening of the advantages after the group stage (REINFORCE++, GDPO): in the kernel, or `whitenInPlace`. */
export interface BatchWhitening {
  readonly std: 'sample' | 'population';
  readonly eps: number;
}

/** What the kernels return: the finiteness probe, or why the JavaScript path must run instead. */
export type KernelResult = number | 'layout' | 'unavailable';

/**
 * The GRPO-family group pass over `n / G` equal runs, written to `out[0 .. n)`. Arguments are
 * trusted (checked by the estimators). With `lengths` (OPO) each group is centred on
 * `Σ l·d / Σ l` instead of its mean; with `whiten`, the advantages are then whitened over the
 * batch (as `whitenInPlace`) before they are copied out. The batch goes through in chunks of
 * whole groups ({@link SCALAR_CHUNK_ROWS} rows).
 *
 * @returns the finiteness probe Σ S (plus Σ m for OPO; for `throwIfNotFinite`); `'layout'` when
 *   the ids are not equal increasing runs of G (then `out` may hold the chunks before the one that
 *   broke the layout, and the caller's general path overwrites it); `'unavailable'` without
 *   WebAssembly or for k > 8
 * @example
 * const out = new Float64Array(4);
 * const pass = { k: 1, w: Float64Array.of(1), G: 2, std: true, denom: 1, eps: 0, fixed: 0 };
 * scalarRunsWasm(Float64Array.of(1, 0, 3, 5), Int32Array.of(7, 7, 9, 9), pass, null, out);
 * // 1 (the probe, Σ S = −1 + 2); out = [0.7071…, −0.7071…, −0.7071…, 0.7071…]
 */
export function scalarRunsWasm(
  rewards: Float64Array,
  groupIds: Int32Array,
  pass: GroupPass,
  lengths: ArrayLike<number> | null,
  out: Float64Array,
  whiten: BatchWhitening | null = null,
): KernelResult {
  return runKernel(lengths === null ? 's' : 'o', rewards, groupIds, pass, lengths, out, whiten);
}

/**
 * MO-GRPO's group pass over `n / G` equal runs (see `multiBody`), written to `out[0 .. n)`.
 * Arguments are trusted; without a std, `fixed` is 1.
 *
 * @returns the finiteness probe (Σ S over groups and objectives), `'layout'` or `'unavailable'`
 * @example
 * const out = new Float64Array(2);
 * const pass = { k: 2, w: Float64Array.of(0.6, 0.4), G: 2, std: true, denom: 2, eps: 0, fixed: 0 };
 * moGrpoRunsWasm(Float64Array.of(1, 0, 0, 1), Int32Array.of(0, 0), pass, out);
 * // 0; out = [0.2, −0.2]
 */
export function moGrpoRunsWasm(rewards: Float64Array, groupIds: Int32Array, pass: GroupPass, out: Float64Array, whiten: BatchWhitening | null = null): KernelResult {
  return runKernel('m', rewards, groupIds, pass, null, out, whiten);
}

/** Copies the batch in, runs the `kind` kernel for k, copies the advantages out. */
function runKernel(
  kind: 's' | 'o' | 'm',
  rewards: Float64Array,
  groupIds: Int32Array,
  pass: GroupPass,
  lengths: ArrayLike<number> | null,
  out: Float64Array,
  whiten: BatchWhitening | null,
): KernelResult {
  const { k, w, G } = pass;
  const inst = k <= SCALAR_WASM_MAX_K ? load() : null;
  if (inst === null) return 'unavailable';
  const n = groupIds.length;
  const nG = n / G;
  const kernel = (kind === 's' ? inst.kernels : kind === 'o' ? inst.opoKernels : inst.multiKernels)[k];
  // Chunks of groups (`src/wasm/chunks.ts`; faster than one chunk during development, the GRPO
  // family most). A batch whitening needs every advantage: they then collect in memory and go out
  // at the end.
  const cg = groupsPerChunk(nG, G, SCALAR_CHUNK_ROWS);
  const rows = cg * G;
  const idsPtr = DATA + rows * k * 8;
  const lensPtr = idsPtr + ((rows * 4 + 7) & ~7);
  const outPtr = lensPtr + (lengths === null ? 0 : rows * 8);
  const scratchPtr = outPtr + (whiten === null ? rows : n) * 8;
  if (!ensureMemory(inst.memory, scratchPtr + Math.max(G, cg + 1) * 16)) return 'unavailable';
  const buf = inst.memory.buffer;
  new Float64Array(buf, WTS, k).set(w.subarray(0, k));
  const probeView = new Float64Array(buf, PROBE, 1);
  probeView[0] = 0; // each chunk's kernel call goes on summing from here, in group order
  const lens = lengths === null ? null : new Float64Array(buf, lensPtr, rows);
  const views = { rew: new Float64Array(buf, DATA, rows * k), ids: new Int32Array(buf, idsPtr, rows), adv: whiten === null ? new Float64Array(buf, outPtr, rows) : null };
  const res = eachChunk(rewards, groupIds, k, G, cg, views, out, (r0, r1) => {
    if (lens !== null && lengths !== null) copyRows(lengths, r0, r1, lens);
    const at = whiten === null ? outPtr : outPtr + 8 * r0;
    return kernel((r1 - r0) / G, G, DATA, idsPtr, at, scratchPtr, +pass.std, pass.denom, pass.eps, pass.fixed, lensPtr) === 0 ? undefined : 'layout';
  });
  if (res === 'layout') return res;
  const probe = probeView[0];
  if (whiten !== null) {
    // Whitening non-finite values would only spread NaN; the caller throws on the probe first.
    if (probe - probe === 0) inst.whiten(n, outPtr, whiten.std === 'sample' ? 1 : 0, whiten.eps);
    out.set(new Float64Array(buf, outPtr, n));
  }
  return probe;
}

/** `to[0 .. r1 − r0) = from[r0 .. r1)`, by a typed-array copy where `from` is one. */
function copyRows(from: ArrayLike<number>, r0: number, r1: number, to: Float64Array): void {
  const sub = (from as { subarray?: (a: number, b: number) => ArrayLike<number> }).subarray;
  if (ArrayBuffer.isView(from) && typeof sub === 'function') to.set(sub.call(from, r0, r1));
  else for (let i = r0; i < r1; i++) to[i - r0] = from[i];
}
