import { hv1d } from './hv1d';
import { hv2d } from './hv2d';
import { hv3d } from './hv3d';
import { hv4d } from './hv4d';
import { hvSweep } from './sweep';

/**
 * Exact hypervolume of any dimension with the fastest core for `d` (unchecked, contract as
 * {@link hv1d}): 1-D min, 2-D sweep, 3-D HV3D+, 4-D HV4D+, d ≥ 5 dimension sweep down to 4-D.
 * This is the entry point for other modules of this package (contributions, ΔHV).
 *
 * @example
 * hvExact(Float64Array.of(1, 0, 1, 0, 1, 0), 2, 3, Float64Array.of(2, 2, 2)); // 5
 */
export function hvExact(data: Float64Array, n: number, d: number, ref: Float64Array): number {
  if (n === 0) return 0;
  switch (d) {
    case 1:
      return hv1d(data, n, ref);
    case 2:
      return hv2d(data, n, ref);
    case 3:
      return hv3d(data, n, ref);
    case 4:
      return hv4d(data, n, ref);
    default:
      return hvSweep(data, n, d, ref, hvExact);
  }
}

/**
 * Same as {@link hvExact} but the d ≥ 3 cases use the dimension sweep down to the 2-D base case,
 * never HV3D+/HV4D+: an independent exact path (used as a cross-check in tests).
 *
 * @example
 * hvSweepTo2d(Float64Array.of(1, 0, 1, 0, 1, 0), 2, 3, Float64Array.of(2, 2, 2)); // 5
 */
export function hvSweepTo2d(data: Float64Array, n: number, d: number, ref: Float64Array): number {
  if (n === 0) return 0;
  if (d === 1) return hv1d(data, n, ref);
  if (d === 2) return hv2d(data, n, ref);
  return hvSweep(data, n, d, ref, hvSweepTo2d);
}
