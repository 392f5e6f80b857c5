import { describeValue } from '@paretopo/pareto';

/** Identifier of a question (task); numbers and strings are keyed by `String(id)`. */
export type TaskId = string | number;

/** Serialised {@link NOptTracker} (JSON-safe). */
export interface NOptTrackerJSON {
  readonly version: 1;
  /** Task id → fewest tool calls seen in a correct trajectory. */
  readonly nOpt: Record<string, number>;
}

function checkCalls(fn: string, calls: unknown, where = 'calls'): number {
  if (typeof calls !== 'number' || !Number.isInteger(calls) || calls < 0) {
    throw new RangeError(`${fn}: ${where} must be a non-negative integer (got ${describeValue(calls)})`);
  }
  return calls;
}

function checkTaskId(fn: string, id: unknown, where = 'taskId'): string {
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  throw new TypeError(`${fn}: ${where} must be a string or a finite number (got ${describeValue(id)})`);
}

/**
 * Per-question `N_opt(q)` (METHOD.md §1): the fewest tool calls seen so far in any CORRECT
 * trajectory for q, kept across the whole run. It only ever decreases and is never reset; until q
 * has a correct trajectory it is undefined. State lives here so reward functions stay pure.
 *
 * @example
 * const t = new NOptTracker();
 * t.observe('q1', 3, false); // undefined (no correct trajectory yet)
 * t.observe('q1', 4, true);  // 4
 * t.observe('q1', 2, true);  // 2
 * t.observe('q1', 5, true);  // 2 (never increases)
 */
export class NOptTracker {
  readonly #best = new Map<string, number>();

  /**
   * Records one finished trajectory and returns the (possibly lowered) `N_opt` of its question.
   *
   * @param taskId - question id
   * @param calls - number of tool calls (non-negative integer)
   * @param correct - whether the final answer was correct; incorrect trajectories never count
   * @returns `N_opt(taskId)` after the update, or undefined while no correct trajectory exists
   * @example
   * new NOptTracker().observe(7, 1, true); // 1
   */
  observe(taskId: TaskId, calls: number, correct: boolean): number | undefined {
    const fn = 'NOptTracker.observe';
    const key = checkTaskId(fn, taskId);
    checkCalls(fn, calls);
    if (typeof correct !== 'boolean') throw new TypeError(`${fn}: correct must be a boolean (got ${describeValue(correct)})`);
    const prev = this.#best.get(key);
    if (correct && (prev === undefined || calls < prev)) {
      this.#best.set(key, calls);
      return calls;
    }
    return prev;
  }

  /**
   * Records a batch of trajectories (all arrays of the same length). Validates everything before
   * changing any state, so a bad entry leaves the tracker untouched.
   *
   * @param taskIds - question id of each trajectory
   * @param calls - tool calls of each trajectory
   * @param correct - correctness of each trajectory (booleans, or 0/1 numbers)
   * @example
   * const t = new NOptTracker();
   * t.observeBatch(['a', 'a', 'b'], [3, 1, 2], [true, true, false]);
   * t.get('a'); // 1
   * t.get('b'); // undefined
   */
  observeBatch(taskIds: ArrayLike<TaskId>, calls: ArrayLike<number>, correct: ArrayLike<boolean | number>): void {
    const fn = 'NOptTracker.observeBatch';
    const n = taskIds.length;
    if (calls.length !== n) throw new RangeError(`${fn}: calls must have length ${n} like taskIds (got ${calls.length})`);
    if (correct.length !== n) throw new RangeError(`${fn}: correct must have length ${n} like taskIds (got ${correct.length})`);
    const keys: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      keys[i] = checkTaskId(fn, taskIds[i], `taskIds[${i}]`);
      checkCalls(fn, calls[i], `calls[${i}]`);
      const c = correct[i];
      if (c !== true && c !== false && c !== 0 && c !== 1) {
        throw new TypeError(`${fn}: correct[${i}] must be a boolean or 0/1 (got ${describeValue(c)})`);
      }
    }
    for (let i = 0; i < n; i++) {
      if (!correct[i]) continue;
      const prev = this.#best.get(keys[i]);
      if (prev === undefined || calls[i] < prev) this.#best.set(keys[i], calls[i]);
    }
  }

  /**
   * The current `N_opt` of a question.
   *
   * @returns the fewest calls of a correct trajectory so far, or undefined
   * @example
   * new NOptTracker().get('q'); // undefined
   */
  get(taskId: TaskId): number | undefined {
    return this.#best.get(checkTaskId('NOptTracker.get', taskId));
  }

  /**
   * Number of questions that have an `N_opt`.
   *
   * @example
   * new NOptTracker().size; // 0
   */
  get size(): number {
    return this.#best.size;
  }

  /**
   * JSON-safe snapshot for checkpoints.
   *
   * @example
   * const t = new NOptTracker(); t.observe('q', 2, true);
   * t.toJSON(); // { version: 1, nOpt: { q: 2 } }
   */
  toJSON(): NOptTrackerJSON {
    const nOpt: Record<string, number> = {};
    for (const [k, v] of this.#best) nOpt[k] = v;
    return { version: 1, nOpt };
  }

  /**
   * Restores a tracker from {@link NOptTracker.toJSON} output, validating every entry.
   *
   * @throws TypeError / RangeError for a wrong version or a value that is not a non-negative integer
   * @example
   * NOptTracker.fromJSON({ version: 1, nOpt: { q: 2 } }).get('q'); // 2
   */
  static fromJSON(json: unknown): NOptTracker {
    const fn = 'NOptTracker.fromJSON';
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new TypeError(`${fn}: json must be an object { version: 1, nOpt } (got ${describeValue(json)})`);
    }
    const { version, nOpt } = json as { version?: unknown; nOpt?: unknown };
    if (version !== 1) throw new RangeError(`${fn}: json.version must be 1 (got ${describeValue(version)})`);
    if (nOpt === null || typeof nOpt !== 'object' || Array.isArray(nOpt)) {
      throw new TypeError(`${fn}: json.nOpt must be an object of task id → calls (got ${describeValue(nOpt)})`);
    }
    const tracker = new NOptTracker();
    for (const [key, value] of Object.entries(nOpt)) {
      tracker.#best.set(key, checkCalls(fn, value, `json.nOpt[${JSON.stringify(key)}]`));
    }
    return tracker;
  }
}
