export { groupedRewardsArb } from './arbitraries';
export type { GroupedRewards } from './arbitraries';
export { expectClose, expectAllClose, relativeError } from './tolerance';
export { seededRandom, benchPoints } from './random';
export type { BenchPointsKind } from './random';
export { collect, values } from './async';
export { runReadmeExample } from './readme';
export { toHotpotOfficial } from './hotpot';
export type { HotpotHfRecord } from './hotpot';
