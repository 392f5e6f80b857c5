import { duplicateGroups, denseRanks, iota, lexOrder } from '../internal/order';

/** Below this many points a HelperA call compares all pairs (lexicographic order is topological). */
const BRUTE_A = 32;
/** HelperB compares all pairs when |L|·|H| is at most this. */
const BRUTE_B = 4096;

/**
 * Non-dominated sorting in d ≥ 2 objectives (minimised data, unchecked):
 * O(n log^(d−1) n) time, O(n·d) memory.
 *
 * Why this algorithm: the generalised Jensen divide and conquer as corrected by Buzdalov and
 * Shalyto ("A provably asymptotically fast version of the generalized Jensen algorithm for
 * non-dominated sorting", PPSN 2014). It is the only one of the candidates with a sub-quadratic
 * worst case that also handles ties and equal vectors exactly, so front-heavy inputs (every point
 * on one front, where ENS and Best-Order-Sort degrade to O(n²·d)) stay fast.
 *
 * The rank of a point is 1 + the largest rank among the points dominating it, so ranks are
 * computed as maxima propagated along lexicographic order: HelperA(S, k) settles all pairs inside
 * S, whose members agree on the objectives above k; HelperB(L, H, k) pushes ranks from L to H when
 * every member of L is already known to be ≤ every member of H on the objectives above k. Both
 * split on the median of objective k and fall to a Fenwick-tree sweep in objectives (0, 1).
 * Objectives are replaced by dense integer ranks first, and equal vectors are merged into one
 * before the recursion, so inside it "≤ everywhere" means "dominates".
 *
 * `cap` clips ranks (1 = non-dominated or not, for filtering), which lets rank pruning skip more.
 */
export function ranksDivideConquer(data: Float64Array, n: number, d: number, cap = 0x7fffffff): Int32Array {
  const out = new Int32Array(n);
  if (n === 0) return out;
  const order = lexOrder(data, n, d);
  const { groupStart, unique: m } = duplicateGroups(data, d, order);
  const rep = new Int32Array(m);
  const uniqueOf = new Int32Array(n);
  for (let p = 0, u = -1; p < n; p++) {
    if (groupStart[p] === p) rep[++u] = order[p];
    uniqueOf[p] = u;
  }
  // V[u*d + j]: dense rank of objective j of the u-th distinct vector (distinct vectors in lex order).
  const V = new Int32Array(m * d);
  const key = new Float64Array(m);
  for (let j = 0; j < d; j++) {
    for (let u = 0; u < m; u++) key[u] = data[rep[u] * d + j];
    const { ranks } = denseRanks(key);
    for (let u = 0; u < m; u++) V[u * d + j] = ranks[u];
  }
  const rank = new Int32Array(m);
  const tree = new Int32Array(m + 1);
  // idx holds every index list of the recursion as a range; every helper returns its ranges in
  // ascending order (= lexicographic order), as it found them. No allocation during the recursion.
  const idx = iota(m);
  const scratch = new Int32Array(m);
  const values = new Int32Array(m);
  const lRank = new Int32Array(m);
  const lOff = new Int32Array(m);

  // Fenwick tree of prefix maxima over the dense ranks of objective 1; stores rank + 1 (0 = empty).
  const fenQuery = (r: number): number => {
    let res = 0;
    for (let i = r + 1; i > 0; i -= i & -i) if (tree[i] > res) res = tree[i];
    return res;
  };
  const fenUpdate = (r: number, v: number): void => {
    // A node's parent covers a superset, so its maximum is already ≥ v once a node's is.
    for (let i = r + 1; i <= m; i += i & -i) {
      if (tree[i] >= v) break;
      tree[i] = v;
    }
  };
  const fenClear = (r: number): void => {
    for (let i = r + 1; i <= m; i += i & -i) tree[i] = 0;
  };

  /** Lower median of objective k over idx[a0..a1) ∪ idx[b0..b1) (Hoare quickselect). */
  const median = (a0: number, a1: number, b0: number, b1: number, k: number): number => {
    let len = 0;
    for (let i = a0; i < a1; i++) values[len++] = V[idx[i] * d + k];
    for (let i = b0; i < b1; i++) values[len++] = V[idx[i] * d + k];
    const target = (len - 1) >> 1;
    let lo = 0;
    let hi = len - 1;
    while (lo < hi) {
      const pivot = values[(lo + hi) >>> 1];
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (values[i] < pivot) i++;
        while (values[j] > pivot) j--;
        if (i <= j) {
          const t = values[i];
          values[i] = values[j];
          values[j] = t;
          i++;
          j--;
        }
      }
      if (target <= j) hi = j;
      else if (target >= i) lo = i;
      else break;
    }
    return values[target];
  };

  /**
   * Stable three-way partition of idx[from..until) by objective k against med: afterwards
   * [from, a) < med, [a, b) = med, [b, until) > med, each still ascending; a and b go to `cut`.
   */
  const cut = new Int32Array(2);
  const split = (from: number, until: number, k: number, med: number): void => {
    let nl = 0;
    let nm = 0;
    for (let i = from; i < until; i++) {
      const v = V[idx[i] * d + k];
      scratch[i - from] = idx[i];
      if (v < med) nl++;
      else if (v === med) nm++;
    }
    let l = from;
    let e = from + nl;
    let g = from + nl + nm;
    for (let i = 0, len = until - from; i < len; i++) {
      const s = scratch[i];
      const v = V[s * d + k];
      if (v < med) idx[l++] = s;
      else if (v === med) idx[e++] = s;
      else idx[g++] = s;
    }
    cut[0] = from + nl;
    cut[1] = from + nl + nm;
  };

  /** Merges the ascending runs idx[from..mid) and idx[mid..until). */
  const merge = (from: number, mid: number, until: number): void => {
    if (from === mid || mid === until || idx[mid - 1] < idx[mid]) return;
    const nl = mid - from;
    for (let i = 0; i < nl; i++) scratch[i] = idx[from + i];
    let a = 0;
    let b = mid;
    let o = from;
    while (a < nl && b < until) idx[o++] = scratch[a] < idx[b] ? scratch[a++] : idx[b++];
    while (a < nl) idx[o++] = scratch[a++];
  };

  const sweepA = (from: number, until: number): void => {
    for (let i = from; i < until; i++) {
      const s = idx[i];
      const y = V[s * d + 1];
      const q = Math.min(fenQuery(y), cap);
      if (q > rank[s]) rank[s] = q;
      fenUpdate(y, rank[s] + 1);
    }
    for (let i = from; i < until; i++) fenClear(V[idx[i] * d + 1]);
  };

  const sweepB = (lf: number, lu: number, hf: number, hu: number): void => {
    let i = lf;
    for (let t = hf; t < hu; t++) {
      const h = idx[t];
      const hx = V[h * d];
      while (i < lu && V[idx[i] * d] <= hx) {
        const l = idx[i++];
        fenUpdate(V[l * d + 1], rank[l] + 1);
      }
      const q = Math.min(fenQuery(V[h * d + 1]), cap);
      if (q > rank[h]) rank[h] = q;
    }
    for (let t = lf; t < i; t++) fenClear(V[idx[t] * d + 1]);
  };

  const minMax = (from: number, until: number, k: number): void => {
    let mn = V[idx[from] * d + k];
    let mx = mn;
    for (let i = from + 1; i < until; i++) {
      const v = V[idx[i] * d + k];
      if (v < mn) mn = v;
      else if (v > mx) mx = v;
    }
    cut[0] = mn;
    cut[1] = mx;
  };

  const helperA = (from: number, until: number, k: number): void => {
    const len = until - from;
    if (len < 2) return;
    if (len <= BRUTE_A) {
      for (let j = from + 1; j < until; j++) {
        const b = idx[j];
        const ob = b * d;
        for (let i = from; i < j; i++) {
          const a = idx[i];
          if (rank[a] < rank[b]) continue;
          const oa = a * d;
          let t = 0;
          while (t <= k && V[oa + t] <= V[ob + t]) t++;
          if (t > k) rank[b] = rank[a] < cap ? rank[a] + 1 : cap;
        }
      }
      return;
    }
    if (k === 1) {
      sweepA(from, until);
      return;
    }
    minMax(from, until, k);
    if (cut[0] === cut[1]) {
      helperA(from, until, k - 1);
      return;
    }
    split(from, until, k, median(from, until, 0, 0, k));
    const a = cut[0];
    const b = cut[1];
    helperA(from, a, k);
    helperB(from, a, a, b, k - 1);
    helperA(a, b, k - 1);
    merge(from, a, b);
    helperB(from, b, b, until, k - 1);
    helperA(b, until, k);
    merge(from, b, until);
  };

  const helperB = (lf: number, lu: number, hf: number, hu: number, k: number): void => {
    const nl = lu - lf;
    const nh = hu - hf;
    if (nl === 0 || nh === 0) return;
    // Rank pruning: L can only raise a rank in H when some rank in L is ≥ some rank in H.
    let maxRankL = 0;
    for (let i = lf; i < lu; i++) if (rank[idx[i]] > maxRankL) maxRankL = rank[idx[i]];
    let minRankH = rank[idx[hf]];
    for (let i = hf + 1; i < hu; i++) if (rank[idx[i]] < minRankH) minRankH = rank[idx[i]];
    if (maxRankL < minRankH || minRankH >= cap) return;
    if (nl * nh <= BRUTE_B || nl === 1 || nh === 1) {
      // Gather the members of L that can raise some rank in H (rank ≥ minRankH), with their
      // row offsets, so the inner loop reads them sequentially.
      let na = 0;
      for (let i = lf; i < lu; i++) {
        const l = idx[i];
        if (rank[l] < minRankH) continue;
        lRank[na] = rank[l];
        lOff[na++] = l * d;
      }
      for (let t = hf; t < hu; t++) {
        const h = idx[t];
        let r = rank[h];
        if (r > maxRankL) continue;
        const oh = h * d;
        for (let i = 0; i < na; i++) {
          if (lRank[i] < r) continue;
          const ol = lOff[i];
          let j = 0;
          while (j <= k && V[ol + j] <= V[oh + j]) j++;
          if (j > k) r = lRank[i] < cap ? lRank[i] + 1 : cap;
        }
        rank[h] = r;
      }
      return;
    }
    if (k === 1) {
      sweepB(lf, lu, hf, hu);
      return;
    }
    minMax(lf, lu, k);
    const minL = cut[0];
    const maxL = cut[1];
    minMax(hf, hu, k);
    const minH = cut[0];
    const maxH = cut[1];
    if (maxL <= minH) {
      helperB(lf, lu, hf, hu, k - 1);
      return;
    }
    if (minL > maxH) return;
    const med = median(lf, lu, hf, hu, k);
    split(lf, lu, k, med);
    const la = cut[0];
    const lb = cut[1];
    split(hf, hu, k, med);
    const ha = cut[0];
    const hb = cut[1];
    helperB(lf, la, hf, ha, k);
    helperB(lb, lu, hb, hu, k);
    merge(lf, la, lb);
    merge(ha, hb, hu);
    helperB(lf, lb, ha, hu, k - 1);
    merge(lf, lb, lu);
    merge(hf, ha, hu);
  };

  helperA(0, m, d - 1);
  for (let p = 0; p < n; p++) out[order[p]] = rank[uniqueOf[p]];
  return out;
}
