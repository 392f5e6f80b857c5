export { igd, igdPlus, gd, gdPlus } from './distance';
export type { DistanceIndicatorOptions } from './distance';
export { additiveEpsilon, multiplicativeEpsilon } from './epsilon';
export type { IndicatorOptions } from './input';
