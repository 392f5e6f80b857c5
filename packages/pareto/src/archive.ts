import { crowdingCore, crowdingWorkspace } from './crowding';
import { describeValue } from './errors';
import { assertPoints, assertVector, resolveMaximize } from './validate';
import type { Maximize, ObjectiveOptions, Points } from './types';

/**
 * What a full archive drops when an addition takes it over `capacity`:
 * - `'crowding'` (default): the member with the smallest crowding distance (NSGA-II's rule,
 *   computed over all members with range normalisation). Boundary members have infinite distance
 *   and so are kept unless every member is a boundary member; ties go to the oldest member.
 * - `'oldest'`: the member that has been in the archive longest.
 */
export type ArchivePrune = 'crowding' | 'oldest';

/** Options of the {@link ParetoArchive} constructor. */
export interface ArchiveOptions extends ObjectiveOptions {
  /** Maximum number of members (integer ≥ 1). Default `Infinity` (unbounded). */
  readonly capacity?: number;
  /** Pruning rule when over capacity. Default `'crowding'`. */
  readonly prune?: ArchivePrune;
}

/** The JSON form of a {@link ParetoArchive} (see {@link ParetoArchive.toJSON}). */
export interface ParetoArchiveJSON {
  readonly version: 1;
  readonly d: number;
  readonly maximize: boolean[];
  /** `null` for an unbounded archive. */
  readonly capacity: number | null;
  readonly prune: ArchivePrune;
  /** Members in insertion order. */
  readonly points: number[][];
}

const JSON_VERSION = 1;

/**
 * A set of mutually non-dominated objective vectors, updated one vector at a time (the Pareto
 * archive B of ParetoPO's stage 1, or an external archive of an MOEA).
 *
 * Rules: a vector that is dominated by a member, or equal to one, is rejected (`add` returns
 * false, so the archive never holds duplicates); an accepted vector evicts every member it
 * dominates. Members keep their insertion order. With a `capacity`, an addition that overflows it
 * drops one member by the `prune` rule, possibly the new vector itself (then `add` returns false).
 * A bounded archive can later accept a vector that a pruned member would have dominated.
 *
 * Storage is one growable row-major `Float64Array`; `add` costs O(size · d).
 *
 * @example
 * const archive = new ParetoArchive(2, { maximize: true });
 * archive.add([0.5, 0.5]); // true
 * archive.add([0.4, 0.4]); // false (dominated)
 * archive.add([1, 0.5]);   // true, evicts [0.5, 0.5]
 * archive.size;            // 1
 */
export class ParetoArchive {
  /** Number of objectives. */
  readonly d: number;
  /** Maximum number of members (`Infinity` when unbounded). */
  readonly capacity: number;
  /** The pruning rule used when over capacity. */
  readonly prune: ArchivePrune;
  private readonly flags: boolean[];
  private readonly sign: Float64Array;
  private buf: Float64Array;
  private count = 0;

  /**
   * @param d - number of objectives (integer ≥ 1)
   * @param options - `maximize` (default all minimised), `capacity` (default unbounded), `prune` (default 'crowding')
   * @example
   * new ParetoArchive(3, { capacity: 100 });
   */
  constructor(d: number, options: ArchiveOptions = {}) {
    const fn = 'ParetoArchive';
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`${fn}: d must be a positive integer (got ${describeValue(d)})`);
    const flags = resolveMaximize(options.maximize, d, fn);
    const capacity = options.capacity ?? Infinity;
    if (capacity !== Infinity && (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1)) {
      throw new RangeError(`${fn}: options.capacity must be a positive integer or Infinity (got ${describeValue(capacity)})`);
    }
    const prune = options.prune ?? 'crowding';
    if (prune !== 'crowding' && prune !== 'oldest') {
      throw new RangeError(`${fn}: options.prune must be 'crowding' or 'oldest' (got ${describeValue(prune)})`);
    }
    this.d = d;
    this.capacity = capacity;
    this.prune = prune;
    this.flags = Array.from({ length: d }, (_, j) => flags !== null && flags[j] === 1);
    this.sign = Float64Array.from(this.flags, (m) => (m ? -1 : 1));
    this.buf = new Float64Array(16 * d);
  }

  /**
   * Number of members.
   *
   * @example
   * const a = new ParetoArchive(2); a.add([1, 2]); a.add([2, 1]);
   * a.size; // 2
   */
  get size(): number {
    return this.count;
  }

  /**
   * Offers one vector. Returns whether it is a member afterwards.
   *
   * @param vector - d finite numbers
   * @returns true when kept; false when dominated by or equal to a member, or pruned at once
   * @throws RangeError / TypeError for a wrong length, NaN or ±Infinity
   * @example
   * const a = new ParetoArchive(2);
   * a.add([1, 2]); // true
   * a.add([1, 2]); // false (equal to a member)
   * a.add([0, 3]); // true
   */
  add(vector: ArrayLike<number>): boolean {
    assertVector(vector, 'ParetoArchive.add', 'vector', this.d);
    return this.addUnchecked(vector, 0);
  }

  /**
   * Offers every row of `points`, in order.
   *
   * @param points - rows of length d
   * @returns how many of the `add` calls returned true (a row may still be evicted by a later row)
   * @example
   * new ParetoArchive(2).addMany(fromRows([[1, 2], [2, 1], [3, 3]])); // 2
   */
  addMany(points: Points): number {
    const fn = 'ParetoArchive.addMany';
    assertPoints(points, fn);
    if (points.d !== this.d) throw new RangeError(`${fn}: points.d must be ${this.d} (got ${points.d})`);
    let kept = 0;
    for (let i = 0; i < points.n; i++) if (this.addUnchecked(points.data, i * this.d)) kept++;
    return kept;
  }

  /**
   * Whether a member equals `vector` exactly.
   *
   * @example
   * const a = new ParetoArchive(2); a.add([1, 2]);
   * a.has([1, 2]); // true
   */
  has(vector: ArrayLike<number>): boolean {
    assertVector(vector, 'ParetoArchive.has', 'vector', this.d);
    const { d, buf } = this;
    for (let m = 0; m < this.count; m++) {
      let j = 0;
      while (j < d && buf[m * d + j] === vector[j]) j++;
      if (j === d) return true;
    }
    return false;
  }

  /**
   * A copy of the members, in insertion order.
   *
   * @example
   * const a = new ParetoArchive(2); a.add([1, 2]);
   * toRows(a.points()); // [[1, 2]]
   */
  points(): Points {
    return { data: this.buf.slice(0, this.count * this.d), n: this.count, d: this.d };
  }

  /**
   * Removes every member.
   *
   * @example
   * archive.clear(); archive.size; // 0
   */
  clear(): void {
    this.count = 0;
  }

  /**
   * A plain JSON-able snapshot: `{ version: 1, d, maximize, capacity, prune, points }`
   * (`capacity` is `null` when unbounded; `points` in insertion order).
   *
   * @example
   * const a = new ParetoArchive(2); a.add([1, 2]);
   * a.toJSON(); // { version: 1, d: 2, maximize: [false, false], capacity: null, prune: 'crowding', points: [[1, 2]] }
   */
  toJSON(): ParetoArchiveJSON {
    const points: number[][] = [];
    for (let m = 0; m < this.count; m++) points.push(Array.from(this.buf.subarray(m * this.d, (m + 1) * this.d)));
    return {
      version: JSON_VERSION,
      d: this.d,
      maximize: this.flags.slice(),
      capacity: this.capacity === Infinity ? null : this.capacity,
      prune: this.prune,
      points,
    };
  }

  /**
   * Rebuilds an archive from {@link ParetoArchive.toJSON}'s output (or its `JSON.parse`d text),
   * checking every field; the members must be mutually non-dominated, distinct and within capacity.
   *
   * @throws TypeError / RangeError naming the offending field, e.g. `json.points[2][1]`
   * @example
   * ParetoArchive.fromJSON({ version: 1, d: 2, maximize: [false, false], capacity: null, prune: 'crowding', points: [[1, 2]] }).size; // 1
   */
  static fromJSON(json: unknown): ParetoArchive {
    const fn = 'ParetoArchive.fromJSON';
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new TypeError(`${fn}: json must be an object (got ${describeValue(json)})`);
    }
    const o = json as Record<string, unknown>;
    if (o.version !== JSON_VERSION) throw new RangeError(`${fn}: json.version must be ${JSON_VERSION} (got ${describeValue(o.version)})`);
    const d = o.d;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1) {
      throw new RangeError(`${fn}: json.d must be a positive integer (got ${describeValue(d)})`);
    }
    const { maximize, capacity, prune, points } = o;
    if (!Array.isArray(maximize) || maximize.length !== d) {
      throw new TypeError(`${fn}: json.maximize must be an array of ${d} booleans (got ${describeValue(maximize)})`);
    }
    maximize.forEach((m, j) => {
      if (typeof m !== 'boolean') throw new TypeError(`${fn}: json.maximize[${j}] must be a boolean (got ${describeValue(m)})`);
    });
    if (capacity !== null && (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1)) {
      throw new RangeError(`${fn}: json.capacity must be null or a positive integer (got ${describeValue(capacity)})`);
    }
    if (prune !== 'crowding' && prune !== 'oldest') {
      throw new RangeError(`${fn}: json.prune must be 'crowding' or 'oldest' (got ${describeValue(prune)})`);
    }
    if (!Array.isArray(points)) throw new TypeError(`${fn}: json.points must be an array of rows (got ${describeValue(points)})`);
    if (capacity !== null && points.length > capacity) {
      throw new RangeError(`${fn}: json.points must hold at most json.capacity = ${capacity} rows (got ${points.length})`);
    }
    const archive = new ParetoArchive(d, { maximize: maximize as Maximize, capacity: capacity ?? Infinity, prune });
    points.forEach((row: unknown, i) => {
      if (!Array.isArray(row)) throw new TypeError(`${fn}: json.points[${i}] must be an array of numbers (got ${describeValue(row)})`);
      assertVector(row, fn, `json.points[${i}]`, d);
      if (!archive.addUnchecked(row, 0) || archive.size !== i + 1) {
        throw new RangeError(`${fn}: json.points[${i}] is dominated by, equal to, or dominates another member; an archive's members must be mutually non-dominated`);
      }
    });
    return archive;
  }

  /** Adds `v[off..off+d)` (validated by the caller). */
  private addUnchecked(v: ArrayLike<number>, off: number): boolean {
    const { d, sign } = this;
    let buf = this.buf;
    // One pass: reject when a member weakly dominates v; otherwise compact away the members v dominates.
    let write = 0;
    for (let m = 0; m < this.count; m++) {
      const o = m * d;
      let memberLE = true;
      let memberGE = true;
      for (let j = 0; j < d; j++) {
        const diff = (buf[o + j] - v[off + j]) * sign[j];
        if (diff > 0) memberLE = false;
        else if (diff < 0) memberGE = false;
      }
      if (memberLE) {
        // Nothing was removed before m: had v dominated an earlier member, m would dominate it
        // too, which the archive's invariant rules out. So the buffer is intact.
        return false;
      }
      if (memberGE) continue;
      if (write !== m) buf.copyWithin(write * d, o, o + d);
      write++;
    }
    this.count = write;
    if ((write + 1) * d > buf.length) {
      const grown = new Float64Array(Math.max(buf.length * 2, (write + 1) * d));
      grown.set(buf.subarray(0, write * d));
      this.buf = buf = grown;
    }
    // `+ 0` stores −0 as 0, so JSON (which writes −0 as 0) round-trips exactly.
    for (let j = 0; j < d; j++) buf[write * d + j] = v[off + j] + 0;
    this.count = write + 1;
    if (this.count > this.capacity) return this.pruneOne() !== write;
    return true;
  }

  /** Drops one member by the pruning rule and returns its former position. */
  private pruneOne(): number {
    const { d, count } = this;
    let victim = 0;
    if (this.prune === 'crowding') {
      const cols: Float64Array[] = [];
      for (let j = 0; j < d; j++) {
        const col = new Float64Array(count);
        for (let m = 0; m < count; m++) col[m] = this.buf[m * d + j] * this.sign[j];
        cols.push(col);
      }
      const dist = new Float64Array(count);
      const members = new Int32Array(count);
      for (let m = 0; m < count; m++) members[m] = m;
      crowdingCore(cols, members, 0, count, { normalize: true, finiteBoundary: false, average: false }, dist, crowdingWorkspace(count));
      for (let m = 1; m < count; m++) if (dist[m] < dist[victim]) victim = m;
    }
    this.buf.copyWithin(victim * d, (victim + 1) * d, count * d);
    this.count = count - 1;
    return victim;
  }
}
