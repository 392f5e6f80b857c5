export { pointsArb, frontArb, weightVectorArb, groupedRewardsArb } from './arbitraries';
export type { PointsArbOptions, GroupedRewards } from './arbitraries';
export { expectClose, expectAllClose, relativeError } from './tolerance';
