/**
 * `npm run release:spec`: records the bundled spec as released under its `info.version`, in
 * openapi/releases/, where the breaking-change gate compares every later change with it. Refuses a
 * version that was already released with different content.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bundle = readFileSync(join(ROOT, 'openapi/dist/openapi.yaml'), 'utf8');
const version = String((parse(bundle) as { info: { version: string } }).info.version);
const target = join(ROOT, 'openapi/releases', `${version}.yaml`);
if (existsSync(target) && readFileSync(target, 'utf8') !== bundle) {
  console.error(`✖ ${version} was released with another spec: raise info.version in openapi/openapi.yaml first`);
  process.exit(1);
}
writeFileSync(target, bundle);
console.log(`released the spec as ${version} (openapi/releases/${version}.yaml); add its entry to CHANGELOG.md`);
