import type { Backend } from '../backend';
import { makeBackend } from './dispatch';

/**
 * Starts the reference backend: plain float64 TypeScript, the oracle (slow, obviously correct).
 *
 * @example
 * (await createReferenceBackend()).info.precision // 'f64'
 */
export async function createReferenceBackend(): Promise<Backend> {
  return makeBackend({ name: 'reference', precision: 'f64', fallbacks: [] }, (def, args) => def.reference(args as never));
}
