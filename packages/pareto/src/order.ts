/**
 * Low-level entry `@paretopo/pareto/order`: the stable index sorts over flat typed arrays that the
 * non-dominated sorting cores use, exported for the sibling frontier packages (the hypervolume
 * sweeps) so that the project has one radix sort. Unchecked: callers validate (finite keys).
 */
export { LITTLE_ENDIAN, sortByKey, radixSortByKey, stableSortByKey, argsortColumn, column, iota } from './internal/order';
