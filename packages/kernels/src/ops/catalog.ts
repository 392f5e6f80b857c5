/**
 * Every op the registry knows. Adding an op = writing `src/ops/<op>.ts` (see `src/ops/define.ts`)
 * and adding it to this list (the policy ops are gathered in policyOps.ts); the backends and the
 * conformance suite pick it up.
 */
import type { AnyOpDefinition } from './define';
import type { OpName } from './names';
import { matmulOp } from './matmul';
import { POLICY_OP_DEFINITIONS } from './policyOps';
import { sumRowsOp } from './sumRows';

/**
 * The registered op definitions.
 *
 * @example
 * OP_DEFINITIONS.some((d) => d.name === 'matmul') // true
 */
export const OP_DEFINITIONS: readonly AnyOpDefinition[] = [
  matmulOp as AnyOpDefinition,
  sumRowsOp as AnyOpDefinition,
  ...POLICY_OP_DEFINITIONS,
];

const byName = new Map<string, AnyOpDefinition>(OP_DEFINITIONS.map((d) => [d.name, d]));

/**
 * The definition of a registered op, or undefined.
 *
 * @example
 * getOpDefinition('matmul')?.name // 'matmul'
 */
export function getOpDefinition(name: OpName): AnyOpDefinition | undefined {
  return byName.get(name);
}
