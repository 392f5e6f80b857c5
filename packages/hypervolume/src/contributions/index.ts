export { hvContributions } from './contributions';
export type { ContributionOptions } from './contributions';
export type { ContributionAlgorithm } from './input';
export { hvImprovement } from './improvement';
export type { ImprovementOptions } from './improvement';
export { leastContributor, greatestContributor } from './contributors';
export type { Contributor } from './contributors';
