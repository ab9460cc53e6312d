/**
 * The breaking-change gate: compares the bundled spec with the newest released one, kept in
 * openapi/releases/<version>.yaml (so every clone, on any branch, has it). A change that breaks
 * existing clients fails unless `info.version`'s major went up. `--spec FILE` checks another bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { compareSpecs } from './breaking-changes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RELEASES = join(ROOT, 'openapi/releases');

const { values } = parseArgs({ options: { spec: { type: 'string', default: join(ROOT, 'openapi/dist/openapi.yaml') } } });

/** Released versions, newest last, by their numbers (1.10.0 after 1.9.0). */
function releases(): string[] {
  const numbers = (v: string) => v.split('.').map(Number);
  return readdirSync(RELEASES)
    .filter((f) => /^\d+\.\d+\.\d+\.yaml$/.test(f))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort((a, b) => {
      const [x, y] = [numbers(a), numbers(b)];
      return (x[0]! - y[0]!) || (x[1]! - y[1]!) || (x[2]! - y[2]!);
    });
}

const last = releases().at(-1);
if (!last) {
  console.error(`✖ no released spec in ${RELEASES}: the gate has nothing to compare with`);
  process.exit(1);
}
const result = compareSpecs(parse(readFileSync(join(RELEASES, `${last}.yaml`), 'utf8')) as object, parse(readFileSync(values.spec, 'utf8')) as object);
const since = `the release ${last}`;
const versions = `${result.beforeVersion} → ${result.afterVersion}`;
const list = result.breaking.map((line) => `  - ${line}`).join('\n');
if (result.breaking.length === 0) {
  console.log(`✔ no breaking change since ${since} (${versions})`);
} else if (result.ok) {
  console.log(`✔ ${result.breaking.length} breaking change(s) since ${since}, allowed by the major version bump (${versions}):\n${list}`);
} else {
  console.error(`✖ ${result.breaking.length} breaking change(s) since ${since} without a new major version (${versions}):\n${list}`);
  console.error('Keep the change compatible, or raise the major of info.version in openapi/openapi.yaml and run `npm run generate`.');
  process.exit(1);
}
