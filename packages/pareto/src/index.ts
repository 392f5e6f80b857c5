export type { Maximize, ObjectiveOptions, Points } from './types';
export { FrontierError, describeValue } from './errors';
export {
  assertPoints,
  assertVector,
  resolveMaximize,
  minimizedData,
  minimizedVector,
  finiteResult,
  finiteResults,
  assertFiniteSpans,
} from './validate';
export { fromRows, toRows, selectRows } from './points';
export { dominates, compareDominance, equalVectors, epsilonDominates } from './dominance';
export type { DominanceMode, DominatesOptions, EpsilonOptions } from './dominance';
export { nondominatedFilter, isNondominated, nondominatedPoints } from './filter';
export type { FilterOptions } from './filter';
export { nondominatedRanksDeb } from './sort/deb';
export { nondominatedRanks, nondominatedFronts } from './sort/ranks';
export type { RankAlgorithm, RankOptions } from './sort/ranks';
export { crowdingDistance, crowdingDistanceByFront, rankAndCrowd } from './crowding';
export type { CrowdingOptions, RankAndCrowdOptions } from './crowding';
export { ParetoArchive } from './archive';
export type { ArchiveOptions, ArchivePrune, ParetoArchiveJSON } from './archive';
export { idealPoint, nadirPoint, worstPoint, normalize } from './normalize';
export type { NormalizeOptions } from './normalize';
