/**
 * `npm run release:spec`: records the bundled spec as released under its `info.version`, in
 * openapi/releases/, where the breaking-change gate compares every later change with it, and sets
 * package.json's (and package-lock.json's) version to it: the service's version is the API's at each
 * release. Refuses a version that was already released with different content.
 */
import { execFileSync } from 'node:child_process';
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
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
if (pkg.version !== version) {
  execFileSync('npm', ['version', version, '--no-git-tag-version', '--allow-same-version'], { cwd: ROOT, stdio: 'ignore' });
}
console.log(`released the spec as ${version} (openapi/releases/${version}.yaml), package.json's version ${version}; add its entry to CHANGELOG.md`);
