import { packageConfig } from '../../tsup.shared';

// `testing` holds the slow oracles and the point arbitraries (`@paretopo/hypervolume/testing`).
export default packageConfig({ entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } });
