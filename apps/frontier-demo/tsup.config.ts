import { packageConfig } from '../../tsup.shared';

// An executable, not a library: no declarations, and the packages are bundled in from their
// sources so `npm run demo` needs no build of the libraries first.
export default packageConfig({
  entry: ['src/main.ts'],
  dts: false,
  esbuildOptions(options) {
    options.conditions = ['@paretopo/source'];
  },
  noExternal: [/^@paretopo\//],
  banner: { js: '#!/usr/bin/env node' },
});
