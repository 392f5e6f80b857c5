import { packageConfig } from '../../tsup.shared';

// `order` is the low-level sorting entry (`@paretopo/pareto/order`) shared with @paretopo/hypervolume;
// `testing` holds the fast-check arbitraries and slow oracles (`@paretopo/pareto/testing`).
export default packageConfig({ entry: { index: 'src/index.ts', order: 'src/order.ts', testing: 'src/testing/index.ts' } });
