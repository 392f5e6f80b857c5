import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs the first ```ts block under a README heading, as written: copied to a temporary module
 * whose import specifiers are replaced by the given absolute paths (so it runs against this
 * checkout), then imported. An example that throws (e.g. a failing `fc.assert`) fails the caller.
 *
 * @param readme - the README file
 * @param heading - text the section's heading starts with
 * @param imports - specifier → absolute file path
 * @example
 * await runReadmeExample(new URL('../../README.md', import.meta.url), '## Property-test', { 'fast-check': '/abs/fast-check.mjs' });
 */
export async function runReadmeExample(readme: URL, heading: string, imports: Record<string, string>): Promise<void> {
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`runReadmeExample: ${readme.pathname} has no heading ${JSON.stringify(heading)}`);
  let code = /```ts\n([\s\S]*?)```/.exec(text.slice(at))?.[1];
  if (code === undefined) throw new Error(`runReadmeExample: no \`\`\`ts block under ${JSON.stringify(heading)}`);
  for (const [from, to] of Object.entries(imports)) code = code.replaceAll(`from '${from}'`, `from '${to}'`);
  const file = join(mkdtempSync(join(tmpdir(), 'paretopo-readme-')), 'example.ts');
  writeFileSync(file, code);
  await import(file);
}
