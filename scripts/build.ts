/**
 * `npm run build`: what production runs, in one folder (`dist/`, or `--out DIR`), and nothing else.
 * Node 24 runs the TypeScript sources itself (type stripping), so `src/` is copied as it is (the dev
 * tools and fake git hosts live outside it); the reference HTML is rendered once here, not at each start.
 * Deploy the folder, then `npm ci --omit=dev && npm start` in it.
 */
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildReference } from './build-docs.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COPIED = ['package.json', 'package-lock.json', '.nvmrc', '.env.example', 'patches', 'src', 'openapi/dist/openapi.yaml', 'openapi/dist/openapi.json'];

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = resolve(ROOT, values.out);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const path of COPIED) {
  cpSync(join(ROOT, path), join(out, path), {
    recursive: true,
    force: true,
    // Patches of development tools (`*.dev.patch`, patch-package's name for them) stay behind: their
    // packages are not in a production install, where patch-package would stop on them.
    filter: (source) => !source.endsWith('.dev.patch'),
  });
}
buildReference(join(out, 'docs-build/index.html'));
console.log(`built ${relative(ROOT, out) || '.'}/: run \`npm ci --omit=dev && npm start\` there (Node ${process.version})`);
