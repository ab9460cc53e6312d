import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm run docs` writes the rendered reference. */
export const API_REFERENCE_PATH = fileURLToPath(new URL('../../docs-build/index.html', import.meta.url));

const pages = new Map<string, Buffer>();

/**
 * The rendered reference built by `npm run docs` (one self-contained HTML page), read once; undefined
 * while it has not been built, so the app still starts and a later build is picked up without a restart.
 */
export function readApiReference(path = API_REFERENCE_PATH): Buffer | undefined {
  const known = pages.get(path);
  if (known) return known;
  let html: Buffer;
  try {
    html = readFileSync(path);
  } catch (err) {
    // Only a missing file means "not built"; anything else (permissions, a directory) is a broken deployment.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  pages.set(path, html);
  return html;
}

const hashes = new WeakMap<Buffer, string[]>();
const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi;

/**
 * The Content-Security-Policy sources (`'sha256-…'`) of the page's inline scripts, worked out once per
 * page: the reference's policy allows exactly these, not inline script in general.
 */
export function inlineScriptHashes(html: Buffer): string[] {
  let known = hashes.get(html);
  if (!known) {
    known = [];
    for (const [, attributes = '', body = ''] of html.toString('utf8').matchAll(INLINE_SCRIPT)) {
      if (/\bsrc\s*=/i.test(attributes)) continue;
      known.push(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    }
    hashes.set(html, known);
  }
  return known;
}
