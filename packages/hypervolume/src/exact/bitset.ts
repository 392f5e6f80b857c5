/**
 * A set of integers in [0, size) as a 32-ary tree of bit words (a "fast set"): insert, erase,
 * successor and predecessor in O(log₃₂ size) with `Math.clz32`. It replaces the balanced tree of
 * HV3D+ because the x-ranks of all points are known before the sweep starts.
 */
export class RankSet {
  private readonly levels: Uint32Array[] = [];

  /**
   * @param size - the universe size (ranks 0..size−1)
   * @example
   * const s = new RankSet(100); s.insert(7); s.next(3); // 7
   */
  constructor(size: number) {
    let len = size;
    do {
      len = (len + 31) >>> 5;
      this.levels.push(new Uint32Array(Math.max(len, 1)));
    } while (len > 1);
  }

  /** Removes every member. */
  clear(): void {
    for (const lv of this.levels) lv.fill(0);
  }

  /** Adds `i`. */
  insert(i: number): void {
    const levels = this.levels;
    for (let h = 0; h < levels.length; h++) {
      levels[h][i >>> 5] |= 1 << (i & 31);
      i >>>= 5;
    }
  }

  /** Removes `i` (no-op when absent). */
  erase(i: number): void {
    const levels = this.levels;
    for (let h = 0; h < levels.length; h++) {
      const w = (levels[h][i >>> 5] &= ~(1 << (i & 31)));
      if (w !== 0) break;
      i >>>= 5;
    }
  }

  /** Smallest member ≥ `i`, or −1. */
  next(i: number): number {
    const levels = this.levels;
    for (let h = 0; h < levels.length; h++) {
      const lv = levels[h];
      if (i >>> 5 >= lv.length) return -1;
      const w = lv[i >>> 5] >>> (i & 31);
      if (w === 0) {
        i = (i >>> 5) + 1;
        continue;
      }
      i += 31 - Math.clz32(w & -w);
      for (let g = h - 1; g >= 0; g--) {
        i <<= 5;
        const x = levels[g][i >>> 5];
        i += 31 - Math.clz32(x & -x);
      }
      return i;
    }
    return -1;
  }

  /** Largest member ≤ `i`, or −1. */
  prev(i: number): number {
    const levels = this.levels;
    for (let h = 0; h < levels.length; h++) {
      if (i < 0) return -1;
      const w = levels[h][i >>> 5] << (31 - (i & 31));
      if (w === 0) {
        i = (i >> 5) - 1;
        continue;
      }
      i -= Math.clz32(w);
      for (let g = h - 1; g >= 0; g--) {
        i <<= 5;
        i += 31 - Math.clz32(levels[g][i >>> 5]);
      }
      return i;
    }
    return -1;
  }
}
