export { Rng } from './rng';
export type { RngState } from './rng';
