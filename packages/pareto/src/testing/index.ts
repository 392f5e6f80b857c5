/**
 * `@paretopo/pareto/testing`: what you need to property-test your own frontier code against this
 * package: fast-check arbitraries of point sets (with the ties and duplicates that break sorting)
 * and the slow, obviously correct oracles the package tests its fast paths with. Needs `fast-check`
 * (an optional peer dependency; the main entry does not).
 *
 * @example
 * import fc from 'fast-check';
 * import { nondominatedRanks } from '@paretopo/pareto';
 * import { pointsArb, ranksOracle } from '@paretopo/pareto/testing';
 * fc.assert(fc.property(pointsArb({ d: 3 }), (p) => nondominatedRanks(p).join() === ranksOracle(p).join()));
 */
export { pointsArb, frontArb, weightVectorArb } from './arbitraries';
export type { PointsArbOptions } from './arbitraries';
export { nondominatedRanksDeb as ranksOracle } from '../sort/deb';
export { dominatesOracle } from './oracles';
