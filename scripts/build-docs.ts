/**
 * `npm run docs`: the reference, one self-contained HTML page rendered by Redocly from the bundled
 * spec (`docs-build/index.html`, or the file given). Redocly's own notices are kept out of the output
 * unless it fails. Its footer logo, which Redoc draws from Redocly's CDN at run time and the page's
 * Content-Security-Policy blocks, becomes an empty inline image, so the page makes no request of its own.
 * The page routes by its hash (`/docs#/section/errors`), but its prerendered links are path-style
 * (`/section/errors`, which hydration keeps): they become hash links, so a link opened in a new tab or
 * copied leads to its section instead of the API's 404.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
const REMOTE_IMAGES = /https:\/\/cdn\.redoc\.ly\/redoc\/[\w.-]+\.svg/g;
/** A prerendered in-page link: `href="/section/errors"`. */
const PATH_LINKS = /href="\/([^"]*)"/g;

export function buildReference(page: string): void {
  const result = spawnSync(
    join(ROOT, 'node_modules/.bin/redocly'),
    ['build-docs', 'openapi/dist/openapi.yaml', '--inlineBundle', '--template', 'docs/template.hbs', '-o', page],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' } },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`);
    throw new Error(`redocly build-docs failed (exit ${result.status})`);
  }
  const html = readFileSync(page, 'utf8');
  writeFileSync(page, html.replace(REMOTE_IMAGES, EMPTY_IMAGE).replace(PATH_LINKS, 'href="#/$1"'));
  console.log(`✔ ${relative(ROOT, page)}: the reference, ${Math.round(statSync(page).size / 1024)} KiB, no remote request`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    buildReference(join(ROOT, process.argv[2] ?? 'docs-build/index.html'));
  } catch (error) {
    console.error(`✖ ${(error as Error).message}`);
    process.exit(1);
  }
}
