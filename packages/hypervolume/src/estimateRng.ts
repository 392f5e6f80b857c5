import { Rng } from '@paretopo/random';

/**
 * The uniform stream {@link estimateHypervolume} samples from: `@paretopo/random`'s {@link Rng}
 * with its 32-bit outputs scaled to [0, 1). One 32-bit draw per coordinate (not `Rng.next()`'s
 * two) is both the faster choice in the sampling loop and the stream the estimator has always
 * used, so seeded estimates stay bit-identical. Internal: not exported from the package.
 *
 * @param seed - any finite number (its low 32 bits are used)
 * @returns `{ next }`, each call a double in [0, 1) with 32-bit resolution
 * @example
 * createRng(42).next(); // 0.6606157226487994
 */
export function createRng(seed: number): { next(): number } {
  const rng = new Rng(seed);
  return { next: () => rng.nextUint32() * 2.3283064365386963e-10 };
}
