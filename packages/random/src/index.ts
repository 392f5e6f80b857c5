export { Rng } from './rng';
export type { RngState } from './rng';
export { fmix32 } from './mix';
