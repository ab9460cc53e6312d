/**
 * Builds the client package in clients/typescript: its types generated from the bundled spec, then
 * ESM JavaScript and declarations in clients/typescript/dist. The package's version is the spec's
 * `info.version`: a spec release is a client release.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE = join(ROOT, 'clients/typescript');

/**
 * The package's types, generated from the bundled spec with the same generator and options as
 * src/api/schema.d.ts (redocly.yaml), written where the package builds from. Written only when they
 * changed, so a build running beside another (the picker's, in tests) never reads a half-written file.
 */
export async function writeClientSchema(): Promise<void> {
  const ast = await openapiTS(new URL('../openapi/dist/openapi.yaml', import.meta.url));
  const text = `// Generated from openapi/dist/openapi.yaml by \`npm run build:client\`; do not edit.\n${astToString(ast)}`;
  const file = join(PACKAGE, 'src/schema.ts');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== text) writeFileSync(file, text);
}

function run(command: string, args: string[]): void {
  const result = spawnSync(join(ROOT, 'node_modules/.bin', command), args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, REDOCLY_TELEMETRY: 'off' } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = parse(readFileSync(join(ROOT, 'openapi/dist/openapi.yaml'), 'utf8')) as { info: { version: string } };
  const pkg = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string };
  if (pkg.version !== spec.info.version) {
    console.error(`✖ clients/typescript/package.json has version ${pkg.version}, the spec ${spec.info.version}: set the package's version to the spec's`);
    process.exit(1);
  }
  rmSync(join(PACKAGE, 'dist'), { recursive: true, force: true });
  await writeClientSchema();
  run('tsc', ['-p', 'clients/typescript/tsconfig.json']);
  console.log(`✔ clients/typescript/dist: repositories-api-client ${pkg.version}`);
}
