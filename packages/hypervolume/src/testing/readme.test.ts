import { runReadmeExample } from '@paretopo/test-utils';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

it('the README example of the testing entry runs and passes', async () => {
  await runReadmeExample(new URL('../../README.md', import.meta.url), '## Property-test your own code', {
    'fast-check': fileURLToPath(import.meta.resolve('fast-check')),
    '@paretopo/hypervolume/testing': fileURLToPath(new URL('./index.ts', import.meta.url)),
  });
});
