export type { Maximize, ObjectiveOptions, Points } from './types';
export { FrontierError, describeValue } from './errors';
export { assertPoints, assertVector, resolveMaximize, minimizedData, minimizedVector } from './validate';
export { fromRows, toRows, selectRows } from './points';
export { dominates, compareDominance, equalVectors, epsilonDominates } from './dominance';
export type { DominanceMode, DominatesOptions, EpsilonOptions } from './dominance';
export { nondominatedRanksDeb } from './sort/deb';
export { nondominatedRanks } from './sort/ranks';
export type { RankOptions } from './sort/ranks';
