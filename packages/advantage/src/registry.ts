import { gdpoAdvantages, moGrpoAdvantages } from './estimators/multi';
import { paretoRankAdvantages } from './estimators/paretoRank';
import {
  drGrpoAdvantages,
  grpoAdvantages,
  opoAdvantages,
  reinforcePlusPlusAdvantages,
  rlooAdvantages,
} from './estimators/scalar';

/** Names accepted by {@link getEstimator}. */
export type EstimatorName = 'grpo' | 'drgrpo' | 'rloo' | 'opo' | 'reinforce++' | 'mo-grpo' | 'gdpo' | 'paretopo-rank';

/** One accepted option of an estimator, as data a trainer can validate configs against or print. */
export interface OptionSpec {
  readonly name: string;
  readonly type: 'number' | 'integer' | 'boolean' | 'string' | 'number[]' | 'Float64Array';
  /** The default, or undefined when the option is required or inferred from the inputs. */
  readonly default?: unknown;
  /** Allowed values of a string option. */
  readonly allowed?: readonly string[];
  readonly required?: boolean;
  readonly description: string;
}

/** A group advantage estimator picked by name. */
export interface Estimator {
  readonly name: EstimatorName;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Same as calling the estimator function: n × k rewards, n group ids → n advantages. */
  compute(rewards: Float64Array, groupIds: Int32Array, options?: Record<string, unknown>): Float64Array;
}

const K: OptionSpec = { name: 'k', type: 'integer', description: 'objectives per row; default rewards.length / groupIds.length' };
const OUT: OptionSpec = { name: 'out', type: 'Float64Array', description: 'output array of length n; default a fresh one' };
const WEIGHTS: OptionSpec = {
  name: 'weights',
  type: 'number[]',
  default: '(0.6, 0.4) for k = 2, uniform 1/k otherwise',
  description: 'objective weights w',
};
const EPS: OptionSpec = { name: 'eps', type: 'number', default: 1e-6, description: 'added to the std before dividing' };
const STD: OptionSpec = {
  name: 'std',
  type: 'string',
  default: 'sample',
  allowed: ['sample', 'population', 'none'],
  description: "group std: n−1, n, or none ('none' = Dr. GRPO)",
};

type Compute = Estimator['compute'];

const ESTIMATORS: readonly Estimator[] = [
  {
    name: 'grpo',
    description: 'GRPO: (r − mean_g)/(std_g + eps) of the scalar reward w · r',
    options: [K, OUT, WEIGHTS, STD, EPS],
    compute: grpoAdvantages as Compute,
  },
  {
    name: 'drgrpo',
    description: 'Dr. GRPO: r − mean_g (no std division)',
    options: [K, OUT, WEIGHTS],
    compute: drGrpoAdvantages as Compute,
  },
  {
    name: 'rloo',
    description: 'RLOO: r − mean of the other members of the group',
    options: [K, OUT, WEIGHTS],
    compute: rlooAdvantages as Compute,
  },
  {
    name: 'opo',
    description: 'OPO: r − Σ l·r / Σ l (length-weighted group baseline)',
    options: [K, OUT, WEIGHTS, { name: 'lengths', type: 'number[]', required: true, description: 'positive length of each response' }],
    compute: opoAdvantages as unknown as Compute,
  },
  {
    name: 'reinforce++',
    description: 'REINFORCE++-baseline: r − mean_g, then whitened over the batch',
    options: [K, OUT, WEIGHTS, { ...STD, allowed: ['sample', 'population'], description: 'batch std: n−1 or n' }, EPS],
    compute: reinforcePlusPlusAdvantages as Compute,
  },
  {
    name: 'mo-grpo',
    description: 'MO-GRPO: per-objective group z-scores combined as Σ_k w_k ẑ_k',
    options: [K, OUT, WEIGHTS, STD, EPS],
    compute: moGrpoAdvantages as Compute,
  },
  {
    name: 'gdpo',
    description: 'GDPO: MO-GRPO, then a z-score over the whole batch',
    options: [K, OUT, WEIGHTS, STD, EPS],
    compute: gdpoAdvantages as Compute,
  },
  {
    name: 'paretopo-rank',
    description: 'ParetoPO stage 2: in-group Pareto rank N_rank − ρ + 1 plus β-weighted within-rank scalar reward',
    options: [
      K,
      OUT,
      { ...WEIGHTS, description: 'weights of the within-rank scalar reward w · r' },
      { name: 'beta', type: 'number', default: 0.5, description: 'within-rank weight, 0 ≤ β < 1' },
      { name: 'nRank', type: 'string', default: 'fronts', allowed: ['fronts', 'group-size'], description: 'N_rank: number of fronts or group size' },
      { name: 'center', type: 'boolean', default: true, description: 'subtract the group mean' },
    ],
    compute: paretoRankAdvantages as Compute,
  },
];

/**
 * Every registered estimator, in a stable order.
 *
 * @example
 * listEstimators().map((e) => e.name);
 * // ['grpo', 'drgrpo', 'rloo', 'opo', 'reinforce++', 'mo-grpo', 'gdpo', 'paretopo-rank']
 */
export function listEstimators(): readonly Estimator[] {
  return ESTIMATORS;
}

/**
 * Looks an estimator up by name, so a trainer swaps GRPO for ParetoPO by changing one string.
 *
 * @param name - one of {@link EstimatorName}
 * @returns the {@link Estimator}
 * @throws RangeError for an unknown name, listing the known ones
 * @example
 * getEstimator('rloo').compute(Float64Array.of(1, 2, 3), Int32Array.of(0, 0, 0)); // Float64Array [-1.5, 0, 1.5]
 */
export function getEstimator(name: string): Estimator {
  const found = ESTIMATORS.find((e) => e.name === name);
  if (found === undefined) {
    throw new RangeError(`getEstimator: unknown estimator ${JSON.stringify(name)} (known: ${ESTIMATORS.map((e) => e.name).join(', ')})`);
  }
  return found;
}
