/**
 * `@paretopo/hypervolume/testing`: the slow, obviously correct hypervolume oracles this package
 * tests its fast paths with (inclusion–exclusion over every subset of points), and the point-set
 * arbitraries of `@paretopo/pareto/testing`, to property-test your own hypervolume code. Needs
 * `fast-check` (an optional peer dependency; the main entry does not).
 *
 * @example
 * import fc from 'fast-check';
 * import { pointsArb, hvInclusionExclusionOracle } from '@paretopo/hypervolume/testing';
 * fc.assert(fc.property(pointsArb({ d: 3, maxN: 10 }), (p) => {
 *   const rows = Array.from({ length: p.n }, (_, i) => Array.from(p.data.subarray(i * 3, i * 3 + 3)));
 *   return Math.abs(myHypervolume(rows, [11, 11, 11]) - hvInclusionExclusionOracle(rows, [11, 11, 11])) < 1e-9;
 * }));
 */
export { hvInclusionExclusionOracle, contributionsOracle } from './oracles';
export { pointsArb, frontArb, weightVectorArb } from '@paretopo/pareto/testing';
export type { PointsArbOptions } from '@paretopo/pareto/testing';
