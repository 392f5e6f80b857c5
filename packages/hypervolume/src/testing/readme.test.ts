import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

// The README's property-test example, run as written (fc.assert throws if it fails): copied to a
// temporary module whose two imports point at this checkout's fast-check and testing entry.
it('the README example of the testing entry runs and passes', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Property-test your own code'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)![1]
    .replace("from 'fast-check'", `from '${fileURLToPath(import.meta.resolve('fast-check'))}'`)
    .replace("from '@paretopo/hypervolume/testing'", `from '${fileURLToPath(new URL('./index.ts', import.meta.url))}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'paretopo-readme-')), 'example.ts');
  writeFileSync(file, code);
  await import(file);
});
