import type { AnyOpDefinition, BackendName } from '../ops/define';
import { getOpDefinition } from '../ops/catalog';
import type { OpName } from '../ops/names';
import type { OpArgs, OpResult } from '../ops/types';
import type { Backend, BackendInfo } from '../backend';

/** Runs a validated op on one backend (or rejects when the op is not registered). */
export type Implementation = (def: AnyOpDefinition, args: unknown) => unknown;

/**
 * Wraps an implementation function into a `Backend`: looks the op up, validates once, dispatches.
 *
 * @example
 * const b = makeBackend(info, (def, args) => def.reference(args as never));
 */
export function makeBackend(info: BackendInfo, implementation: Implementation, dispose: () => Promise<void> = async () => {}): Backend {
  return {
    info,
    async run<N extends OpName>(op: N, args: OpArgs[N]): Promise<OpResult[N]> {
      const def = getOpDefinition(op);
      if (!def) throw new RangeError(`${info.name}.run: unknown op '${String(op)}'`);
      if (args === null || typeof args !== 'object') throw new TypeError(`${op}: args must be an object (got ${args === null ? 'null' : typeof args})`);
      def.validate(args as never);
      return (await implementation(def, args)) as OpResult[N];
    },
    dispose,
  };
}

/**
 * True when `backend` runs the js implementation of `def` (listed gap).
 *
 * @example
 * hasGap(def, 'webgpu') // false for an op with a WGSL-capable kernel
 */
export function hasGap(def: AnyOpDefinition, backend: BackendName): boolean {
  return (def.gaps ?? []).some((g) => g.backends.includes(backend));
}
