import { ParetoArchive, type Points } from '@paretopo/pareto';
import { hvImprovement, hypervolume } from '@paretopo/hypervolume';

/**
 * The meta reward's view of the frontier packages: a maximising Pareto archive of reward vectors
 * and its hypervolume against a reference point. Internal (not exported).
 *
 * Why a wrapper: the common stage-1 step offers a vector that the archive already covers. Such a
 * vector is weakly dominated, so its ΔHV is exactly 0; `ParetoArchive.add` detects that in
 * O(|B|·k) and rejects it, and only accepted vectors pay for the exact hypervolume improvement.
 * HV(B) is cached until the archive changes.
 */
export class RewardFrontier {
  private readonly archive: ParetoArchive;
  private hvValue = 0;
  private hvRef: Float64Array | null = null;

  constructor(readonly k: number) {
    this.archive = new ParetoArchive(k, { maximize: true });
  }

  get size(): number {
    return this.archive.size;
  }

  /** Adds v when nothing in the archive dominates or equals it; returns whether it was kept. */
  add(v: ArrayLike<number>): boolean {
    const kept = this.archive.add(v);
    if (kept) this.hvRef = null;
    return kept;
  }

  /**
   * ΔHV = HV(B ∪ {v}) − HV(B) ≥ 0 against `ref`, then offers v to the archive. Vectors that do not
   * strictly dominate `ref` contribute 0 (and may still join B).
   */
  measureAndAdd(v: ArrayLike<number>, ref: ArrayLike<number>): number {
    const before = this.archive.points();
    if (!this.add(v)) return 0; // weakly dominated by a member: no volume outside B
    return hvImprovement(before, v, ref, { maximize: true });
  }

  points(): Points {
    return this.archive.points();
  }

  /** HV(B) against `ref`, cached until the archive or `ref` changes. */
  hypervolume(ref: ArrayLike<number>): number {
    const cached = this.hvRef;
    let same = cached !== null;
    for (let j = 0; same && j < this.k; j++) same = (cached as Float64Array)[j] === ref[j];
    if (!same) {
      this.hvValue = hypervolume(this.archive.points(), ref, { maximize: true });
      this.hvRef = Float64Array.from(ref);
    }
    return this.hvValue;
  }
}
