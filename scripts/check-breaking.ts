/**
 * The breaking-change gate: compares the bundled spec with the one of the last release (the newest tag
 * reachable from HEAD), or, before the first release, with the one where this branch left main. A change
 * that breaks existing clients fails unless `info.version`'s major went up.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { compareSpecs } from './breaking-changes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = 'openapi/dist/openapi.yaml';

/** git's answer, or undefined when git refuses (no tags, no such branch, no commits yet). */
function git(...args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 }).trim();
  } catch {
    return undefined;
  }
}

function baseline(): { ref: string; label: string } | undefined {
  const tag = git('describe', '--tags', '--abbrev=0', '--match', 'v[0-9]*');
  if (tag) return { ref: tag, label: `the last release ${tag}` };
  for (const branch of ['origin/main', 'main']) {
    const base = git('merge-base', 'HEAD', branch);
    if (base) return { ref: base, label: `where this branch left ${branch} (${base.slice(0, 12)})` };
  }
  return undefined;
}

const base = baseline();
if (!base) {
  console.log('✔ no release tag and no main branch to compare with: nothing can break yet');
  process.exit(0);
}
const previous = git('show', `${base.ref}:${BUNDLE}`);
if (previous === undefined) {
  console.log(`✔ ${BUNDLE} did not exist at ${base.label}: nothing to compare with`);
  process.exit(0);
}

const compared = compareSpecs(parse(previous) as object, parse(readFileSync(`${ROOT}/${BUNDLE}`, 'utf8')) as object);
const versions = `${compared.beforeVersion} → ${compared.afterVersion}`;

// Reported changes that leave the running API's behaviour as it was, each listed with why.
const ACKNOWLEDGED = 'openapi/acknowledged-changes.yaml';
const acknowledged = existsSync(`${ROOT}/${ACKNOWLEDGED}`) ? (parse(readFileSync(`${ROOT}/${ACKNOWLEDGED}`, 'utf8')) as { change: string; why: string }[] | null) ?? [] : [];
const stale = acknowledged.filter((a) => !compared.breaking.includes(a.change) || !a.why?.trim());
if (stale.length) {
  console.error(`✖ ${ACKNOWLEDGED} lists changes the gate no longer reports, or without a reason; remove them:\n${stale.map((a) => `  - ${a.change}`).join('\n')}`);
  process.exit(1);
}
for (const a of acknowledged) console.log(`ℹ acknowledged, the API's behaviour is unchanged: ${a.change}`);
const result = { ...compared, breaking: compared.breaking.filter((line) => !acknowledged.some((a) => a.change === line)) };
if (result.breaking.length === 0) result.ok = true;
if (result.breaking.length === 0) {
  console.log(`✔ no breaking change since ${base.label} (${versions})`);
  process.exit(0);
}
const list = result.breaking.map((line) => `  - ${line}`).join('\n');
if (result.ok) {
  console.log(`✔ ${result.breaking.length} breaking change(s) since ${base.label}, allowed by the major version bump (${versions}):\n${list}`);
  process.exit(0);
}
console.error(`✖ ${result.breaking.length} breaking change(s) since ${base.label} without a new major version (${versions}):\n${list}`);
console.error('Keep the change compatible, or raise the major of info.version in openapi/openapi.yaml and run `npm run generate`.');
process.exit(1);
