import { describeValue } from '@paretopo/pareto';
import { checkOptionKeys, enumOption, numberOption } from '../options';

/** Identifier of a question (task); numbers and strings are keyed by `String(id)`. */
export type TaskId = string | number;

/**
 * How `N_opt(q)` is updated (METHOD.md §1):
 * - `'min'`: over every correct trajectory of q seen so far (the paper; never increases).
 * - `'recent'`: over the correct trajectories of q's last `window` appearances only, so a lucky
 *   low count is forgotten once q has been drawn `window` more times without repeating it.
 */
export type NOptRule = 'min' | 'recent';

/** Options of {@link NOptTracker} (defaults in brackets). */
export interface NOptTrackerOptions {
  /** Update rule [`'min'`]. */
  readonly rule?: NOptRule;
  /** Appearances of a question the `'recent'` rule looks back over, ≥ 1 [4]; unused by `'min'`. */
  readonly window?: number;
  /**
   * m ≥ 1: `N_opt(q)` is the m-th smallest call count among the correct trajectories in scope, and
   * undefined while fewer than m exist [1, the plain minimum]. m = 2 needs a count to be reached
   * twice before it becomes the target, so one lucky guess does not set it.
   */
  readonly support?: number;
}

/** Resolved {@link NOptTrackerOptions}. */
export type ResolvedNOptTrackerOptions = Required<NOptTrackerOptions>;

/** Serialised {@link NOptTracker} (JSON-safe). Version 1 (the `'min'` rule, m = 1) is still read. */
export type NOptTrackerJSON =
  | {
      readonly version: 1;
      /** Task id → fewest tool calls seen in a correct trajectory. */
      readonly nOpt: Record<string, number>;
    }
  | {
      readonly version: 2;
      readonly options: ResolvedNOptTrackerOptions;
      /**
       * Task id → rows of correct call counts, each ascending. `'min'`: one row, the m smallest
       * counts so far. `'recent'`: one row per appearance (possibly empty), oldest first, at most
       * `window` rows.
       */
      readonly history: Record<string, number[][]>;
    };

const RULES: readonly NOptRule[] = ['min', 'recent'];

/**
 * Checks {@link NOptTrackerOptions} and fills in the defaults.
 *
 * @param options - partial options
 * @returns every option
 * @throws RangeError / TypeError naming the bad option
 * @example
 * resolveNOptTrackerOptions({ rule: 'recent' }); // { rule: 'recent', window: 4, support: 1 }
 */
export function resolveNOptTrackerOptions(options?: NOptTrackerOptions): ResolvedNOptTrackerOptions {
  const fn = 'NOptTracker';
  const o = checkOptionKeys(fn, options, ['rule', 'window', 'support']);
  return {
    rule: enumOption(fn, 'rule', o.rule, 'min', RULES),
    window: numberOption(fn, 'window', o.window, 4, { min: 1, integer: true }),
    support: numberOption(fn, 'support', o.support, 1, { min: 1, integer: true }),
  };
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

/** Inserts `x` into the ascending `row` in place. */
function insertSorted(row: number[], x: number): void {
  let i = row.length;
  row.push(x);
  while (i > 0 && row[i - 1] > x) {
    row[i] = row[i - 1];
    i--;
  }
  row[i] = x;
}

/**
 * Per-question `N_opt(q)` (METHOD.md §1): the fewest tool calls of a CORRECT trajectory for q,
 * under one of two update rules ({@link NOptRule}) and a support m ({@link NOptTrackerOptions}).
 * The default (`'min'`, m = 1) is the paper's: the fewest calls seen so far, kept across the whole
 * run; it only ever decreases and is never reset. Until q has enough correct trajectories it is
 * undefined. One call of {@link NOptTracker.observe} or {@link NOptTracker.observeBatch} is one
 * appearance of each question it holds. State lives here so reward functions stay pure.
 *
 * @example
 * const t = new NOptTracker();
 * t.observe('q1', 3, false); // undefined (no correct trajectory yet)
 * t.observe('q1', 4, true);  // 4
 * t.observe('q1', 2, true);  // 2
 * t.observe('q1', 5, true);  // 2 (never increases)
 * const r = new NOptTracker({ rule: 'recent', window: 1 });
 * r.observe('q', 0, true);   // 0 (a lucky guess)
 * r.observe('q', 2, true);   // 2 (forgotten after one appearance)
 */
export class NOptTracker {
  /** Resolved options. */
  readonly options: ResolvedNOptTrackerOptions;
  readonly #history = new Map<string, number[][]>();

  /** @param options - {@link NOptTrackerOptions}; none gives the paper's monotone minimum */
  constructor(options?: NOptTrackerOptions) {
    this.options = resolveNOptTrackerOptions(options);
  }

  /**
   * Records one finished trajectory (one appearance of its question) and returns the question's
   * `N_opt` after the update.
   *
   * @param taskId - question id
   * @param calls - number of tool calls (non-negative integer)
   * @param correct - whether the final answer was correct; incorrect trajectories never count
   * @returns `N_opt(taskId)` after the update, or undefined while it is not known
   * @example
   * new NOptTracker().observe(7, 1, true); // 1
   */
  observe(taskId: TaskId, calls: number, correct: boolean): number | undefined {
    const fn = 'NOptTracker.observe';
    const key = checkTaskId(fn, taskId);
    checkCalls(fn, calls);
    if (typeof correct !== 'boolean') throw new TypeError(`${fn}: correct must be a boolean (got ${describeValue(correct)})`);
    this.#record(key, correct ? [calls] : []);
    return this.#value(key);
  }

  /**
   * Records a batch of trajectories (all arrays of the same length): one appearance of every
   * question in it (a training step). Validates everything before changing any state, so a bad
   * entry leaves the tracker untouched.
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
    const byKey = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = checkTaskId(fn, taskIds[i], `taskIds[${i}]`);
      checkCalls(fn, calls[i], `calls[${i}]`);
      const c = correct[i];
      if (c !== true && c !== false && c !== 0 && c !== 1) {
        throw new TypeError(`${fn}: correct[${i}] must be a boolean or 0/1 (got ${describeValue(c)})`);
      }
      let row = byKey.get(key);
      if (row === undefined) byKey.set(key, (row = []));
      if (c) row.push(calls[i]);
    }
    for (const [key, row] of byKey) this.#record(key, row);
  }

  /**
   * The current `N_opt` of a question.
   *
   * @param taskId - question id
   * @returns the m-th fewest calls of a correct trajectory in scope, or undefined
   * @example
   * new NOptTracker().get('q'); // undefined
   */
  get(taskId: TaskId): number | undefined {
    return this.#value(checkTaskId('NOptTracker.get', taskId));
  }

  /**
   * Number of questions that have an `N_opt`.
   *
   * @example
   * new NOptTracker().size; // 0
   */
  get size(): number {
    let count = 0;
    for (const key of this.#history.keys()) if (this.#value(key) !== undefined) count++;
    return count;
  }

  /**
   * JSON-safe snapshot for checkpoints.
   *
   * @example
   * const t = new NOptTracker(); t.observe('q', 2, true);
   * t.toJSON(); // { version: 2, options: { rule: 'min', window: 4, support: 1 }, history: { q: [[2]] } }
   */
  toJSON(): NOptTrackerJSON {
    const history: Record<string, number[][]> = {};
    for (const [k, rows] of this.#history) history[k] = rows.map((r) => r.slice());
    return { version: 2, options: { ...this.options }, history };
  }

  /**
   * Restores a tracker from {@link NOptTracker.toJSON} output (version 2, or version 1 of earlier
   * releases: the `'min'` rule with m = 1), validating every entry.
   *
   * @param json - the parsed snapshot
   * @returns the tracker; it continues exactly as the saved one would
   * @throws TypeError / RangeError for a wrong version, bad options or a count that is not a non-negative integer
   * @example
   * NOptTracker.fromJSON({ version: 1, nOpt: { q: 2 } }).get('q'); // 2
   */
  static fromJSON(json: unknown): NOptTracker {
    const fn = 'NOptTracker.fromJSON';
    const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
    if (!isObject(json)) throw new TypeError(`${fn}: json must be an object { version: 2, options, history } (got ${describeValue(json)})`);
    if (json.version === 1) {
      const { nOpt } = json;
      if (!isObject(nOpt)) throw new TypeError(`${fn}: json.nOpt must be an object of task id → calls (got ${describeValue(nOpt)})`);
      const tracker = new NOptTracker();
      for (const [key, value] of Object.entries(nOpt)) tracker.#history.set(key, [[checkCalls(fn, value, `json.nOpt[${JSON.stringify(key)}]`)]]);
      return tracker;
    }
    if (json.version !== 2) throw new RangeError(`${fn}: json.version must be 1 or 2 (got ${describeValue(json.version)})`);
    if (!isObject(json.options)) throw new TypeError(`${fn}: json.options must be an object (got ${describeValue(json.options)})`);
    const tracker = new NOptTracker(json.options as NOptTrackerOptions);
    const { rule, window, support } = tracker.options;
    if (!isObject(json.history)) throw new TypeError(`${fn}: json.history must be an object of task id → rows (got ${describeValue(json.history)})`);
    for (const [key, rows] of Object.entries(json.history)) {
      const where = `json.history[${JSON.stringify(key)}]`;
      const maxRows = rule === 'min' ? 1 : window;
      if (!Array.isArray(rows) || rows.length < 1 || rows.length > maxRows) {
        throw new RangeError(`${fn}: ${where} must be an array of 1 to ${maxRows} rows (got ${describeValue(rows)})`);
      }
      const restored = rows.map((row: unknown, r) => {
        if (!Array.isArray(row) || (rule === 'min' && (row.length < 1 || row.length > support))) {
          throw new RangeError(`${fn}: ${where}[${r}] must be an array of ${rule === 'min' ? `1 to ${support} ` : ''}counts (got ${describeValue(row)})`);
        }
        const out: number[] = [];
        for (let j = 0; j < row.length; j++) insertSorted(out, checkCalls(fn, row[j], `${where}[${r}][${j}]`));
        return out;
      });
      tracker.#history.set(key, restored);
    }
    return tracker;
  }

  /** Adds one appearance of `key` with the call counts of its correct trajectories. */
  #record(key: string, correctCalls: readonly number[]): void {
    const { rule, window, support } = this.options;
    let rows = this.#history.get(key);
    if (rule === 'min') {
      // Only the m smallest counts can ever be the m-th smallest, so that is all that is kept.
      if (correctCalls.length === 0) return;
      if (rows === undefined) this.#history.set(key, (rows = [[]]));
      const best = rows[0];
      for (const c of correctCalls) {
        if (best.length < support) insertSorted(best, c);
        else if (c < best[support - 1]) {
          best.pop();
          insertSorted(best, c);
        }
      }
      return;
    }
    const row: number[] = [];
    for (const c of correctCalls) insertSorted(row, c);
    if (rows === undefined) this.#history.set(key, (rows = []));
    rows.push(row);
    if (rows.length > window) rows.shift();
  }

  #value(key: string): number | undefined {
    const rows = this.#history.get(key);
    if (rows === undefined) return undefined;
    const m = this.options.support;
    if (this.options.rule === 'min') return rows[0].length >= m ? rows[0][m - 1] : undefined;
    if (m === 1) {
      // The common case, without the merge's cursor array (size() calls this for every question).
      let best = -1;
      for (const r of rows) if (r.length > 0 && (best < 0 || r[0] < best)) best = r[0];
      return best < 0 ? undefined : best;
    }
    // m-th smallest over at most `window` short ascending rows: a k-way merge that stops at m.
    let total = 0;
    for (const r of rows) total += r.length;
    if (total < m) return undefined;
    const at = new Int32Array(rows.length);
    let value = 0;
    for (let taken = 0; taken < m; taken++) {
      let pick = -1;
      for (let r = 0; r < rows.length; r++) if (at[r] < rows[r].length && (pick < 0 || rows[r][at[r]] < rows[pick][at[pick]])) pick = r;
      value = rows[pick][at[pick]++];
    }
    return value;
  }
}
