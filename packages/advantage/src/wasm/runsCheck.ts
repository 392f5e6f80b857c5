import {
  ANYTRUE, BLOCK, BR, BR_IF, END, GET, I32, I32ADD, I32GE_U, I32GT_U, I32LE_S, I32LOAD, I32NE, I32SHL, I32SPLAT, I32SUB, IF, ld, LOOP,
  RETURN, SET, sleb, V128LOAD, V128ZERO, VOID, VOR, VXOR, type Emit,
} from './bytes';

/** Where the layout check finds its inputs and keeps its state (param and local indices). */
export interface RunsCheckSlots {
  /** Params: pointer to the n i32 ids, the number of runs, the run length G. */
  readonly ids: number;
  readonly nGroups: number;
  readonly G: number;
  /** i32 locals: run index, position in the run, pointer to the run's ids, its first id. */
  readonly gi: number;
  readonly a: number;
  readonly pi: number;
  readonly id: number;
  /** v128 locals: the OR of the differences, the first id splatted. */
  readonly bad: number;
  readonly idv: number;
}

/**
 * Emits the check of the usual layout: n / G runs of G equal ids, each run's id larger than the
 * previous run's (so the runs are distinct groups). Four ids per i32x4 compare. On failure the
 * function returns `fail`.
 */
export function emitRunsCheck(e: Emit, s: RunsCheckSlots, fail: number): void {
  const ret = [I32, ...sleb(fail), RETURN];
  e(GET, s.ids, SET, s.pi, I32, 0, SET, s.gi, V128ZERO, SET, s.bad);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, s.gi, GET, s.nGroups, I32GE_U, BR_IF, 1);
  e(GET, s.pi, ld(I32LOAD, 2, 0), SET, s.id);
  e(GET, s.gi, IF, VOID, GET, s.id, GET, s.pi, I32, 4, I32SUB, ld(I32LOAD, 2, 0), I32LE_S, IF, VOID, ...ret, END, END);
  e(GET, s.id, I32SPLAT, SET, s.idv, I32, 0, SET, s.a);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, s.a, I32, 4, I32ADD, GET, s.G, I32GT_U, BR_IF, 1);
  e(GET, s.bad, GET, s.pi, GET, s.a, I32, 2, I32SHL, I32ADD, V128LOAD(0), GET, s.idv, VXOR, VOR, SET, s.bad);
  e(GET, s.a, I32, 4, I32ADD, SET, s.a, BR, 0, END, END);
  e(BLOCK, VOID, LOOP, VOID);
  e(GET, s.a, GET, s.G, I32GE_U, BR_IF, 1);
  e(GET, s.pi, GET, s.a, I32, 2, I32SHL, I32ADD, ld(I32LOAD, 2, 0), GET, s.id, I32NE, IF, VOID, ...ret, END);
  e(GET, s.a, I32, 1, I32ADD, SET, s.a, BR, 0, END, END);
  e(GET, s.pi, GET, s.G, I32, 2, I32SHL, I32ADD, SET, s.pi, GET, s.gi, I32, 1, I32ADD, SET, s.gi, BR, 0, END, END);
  e(GET, s.bad, ANYTRUE, IF, VOID, ...ret, END);
}
