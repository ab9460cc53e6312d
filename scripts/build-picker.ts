/**
 * `npm run build:picker`: the reference picker's modules (examples/picker/dist), compiled by TypeScript
 * alone, with the client package's sources it imports (their types generated from the spec first). No
 * bundler: the page's import map resolves the two packages it imports by name, and the sandbox serves
 * their compiled files.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeClientSchema } from './build-client.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

await writeClientSchema();
rmSync(join(ROOT, 'examples/picker/dist'), { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'examples/picker/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
console.log('✔ examples/picker/dist: the reference picker');
