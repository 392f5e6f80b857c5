import { packageConfig } from '../../tsup.shared';

// `order` is the low-level sorting entry (`@paretopo/pareto/order`) shared with @paretopo/hypervolume.
export default packageConfig({ entry: ['src/index.ts', 'src/order.ts'] });
