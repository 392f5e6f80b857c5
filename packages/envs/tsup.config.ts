import { copyFile } from 'node:fs/promises';
import { packageConfig } from '../../tsup.shared';

// The code tool's worker thread is plain JavaScript loaded by URL beside the bundle
// (`new URL('./code-worker.mjs', import.meta.url)`), so it is copied, not bundled.
export default packageConfig({
  onSuccess: async () => {
    await copyFile('src/code-worker.mjs', 'dist/code-worker.mjs');
  },
});
