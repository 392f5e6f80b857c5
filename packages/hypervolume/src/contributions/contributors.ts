import type { Points } from '@paretopo/pareto';
import { contributionsFor } from './contributions';
import type { hvContributions } from './contributions';
import type { ContributionOptions } from './contributions';

/** A point picked by its exclusive hypervolume contribution. */
export interface Contributor {
  /** Input row of the point. */
  readonly index: number;
  /** Its exclusive contribution, as {@link hvContributions} computes it. */
  readonly contribution: number;
}

/**
 * The point with the smallest exclusive contribution (the one SMS-EMOA-style selection removes).
 * Ties go to the lowest index, so a dominated or duplicated point (contribution 0) wins first.
 *
 * @param points - n ≥ 1 points
 * @param ref - reference point, length d
 * @param options - as {@link hvContributions}
 * @returns `{ index, contribution }`
 * @throws RangeError when `points` is empty; otherwise as {@link hvContributions}
 * @example
 * leastContributor(fromRows([[5, 5], [4, 6], [2, 7], [7, 4]]), [10, 10]); // { index: 1, contribution: 1 }
 */
export function leastContributor(points: Points, ref: ArrayLike<number>, options: ContributionOptions = {}): Contributor {
  return pick(points, ref, options, 'leastContributor', -1);
}

/**
 * The point with the largest exclusive contribution. Ties go to the lowest index.
 *
 * @param points - n ≥ 1 points
 * @param ref - reference point, length d
 * @param options - as {@link hvContributions}
 * @returns `{ index, contribution }`
 * @throws RangeError when `points` is empty; otherwise as {@link hvContributions}
 * @example
 * greatestContributor(fromRows([[5, 5], [4, 6], [2, 7], [7, 4]]), [10, 10]); // { index: 2, contribution: 6 }
 */
export function greatestContributor(points: Points, ref: ArrayLike<number>, options: ContributionOptions = {}): Contributor {
  return pick(points, ref, options, 'greatestContributor', 1);
}

function pick(points: Points, ref: ArrayLike<number>, options: ContributionOptions, fn: string, sign: 1 | -1): Contributor {
  const c = contributionsFor(points, ref, options, fn);
  if (c.length === 0) throw new RangeError(`${fn}: points must hold at least one point (got n = 0)`);
  let best = 0;
  for (let i = 1; i < c.length; i++) if (sign * (c[i] - c[best]) > 0) best = i;
  return { index: best, contribution: c[best] };
}
