/**
 * The API reference is one HTML page that must work with no network: served by the app at /docs,
 * opened from disk, or published anywhere. These tests read the page `npm run docs` built.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { chromium } from 'playwright-core';
import { API_REFERENCE_PATH, readApiReference } from '../../src/http/docs.ts';
import { problemBody } from '../../src/http/errors.ts';
import { ApiProblem, type ProblemCode } from '../../src/contract/problem.ts';
import { loadSpecDocument, specOperations } from '../support/contract.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function builtPage(): string {
  assert.ok(existsSync(API_REFERENCE_PATH), `${API_REFERENCE_PATH} is missing: run \`npm run docs\` first`);
  return readFileSync(API_REFERENCE_PATH, 'utf8');
}

interface ExternalReference {
  /** Where in the page, e.g. `<script src>` or `<style> url()`. */
  where: string;
  url: string;
}

/** Only data: URLs, fragments and relative references stay inside the page's own origin and file. */
function isLocal(url: string): boolean {
  const value = url.trim();
  if (/^[\\/]{2}/.test(value)) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1];
  return scheme === undefined || scheme.toLowerCase() === 'data';
}

const decodeEntities = (text: string) =>
  text
    .replace(/&#x([0-9a-f]+);?/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);?/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(colon|sol|quot|apos|lt|gt|amp);/gi, (_, name: string) => ({ colon: ':', sol: '/', quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' })[name.toLowerCase()] ?? '');

/** `url(...)` and `@import` references of a style sheet or style attribute. */
function cssReferences(css: string, where: string): ExternalReference[] {
  const found: ExternalReference[] = [];
  for (const m of css.matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)/gi)) found.push({ where: `${where} url()`, url: m[1] ?? m[2] ?? m[3] ?? '' });
  for (const m of css.matchAll(/@import\s+(?:"([^"]*)"|'([^']*)')/gi)) found.push({ where: `${where} @import`, url: m[1] ?? m[2] ?? '' });
  return found;
}

/** Static `import ... from "…"` and `import("…")` of an inline script. */
function scriptImports(code: string): ExternalReference[] {
  const found: ExternalReference[] = [];
  for (const m of code.matchAll(/\bimport\s*\(\s*["'`]([^"'`]+)["'`]|\bimport\s*["']([^"']+)["']|\bfrom\s*["']([^"']+)["']/g)) {
    found.push({ where: '<script> import', url: m[1] ?? m[2] ?? m[3] ?? '' });
  }
  return found;
}

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
/** Attributes that make the browser fetch something. An `<a>`/`<area>` href only navigates when clicked. */
const FETCHING_ATTRIBUTES = ['src', 'href', 'xlink:href', 'poster', 'data', 'background', 'srcset', 'imagesrcset'];

/**
 * Every reference of the page's markup and styles that points outside the page: what a browser would
 * fetch (`src`, `srcset`, `<link href>` of any `rel`, SVG `href`, CSS `url()` and `@import`, imports of
 * inline scripts). What scripts build at run time is the browser test's job.
 */
function externalReferences(html: string): ExternalReference[] {
  const found: ExternalReference[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const name = /^<([a-zA-Z][\w:-]*)/.exec(html.slice(lt, lt + 64))?.[1]?.toLowerCase();
    if (!name) {
      i = lt + 1;
      continue;
    }
    // The end of the tag is the first `>` outside a quoted attribute value.
    let j = lt + name.length + 1;
    let quote: string | undefined;
    for (; j < html.length; j++) {
      const ch = html[j];
      if (quote) {
        if (ch === quote) quote = undefined;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '>') break;
    }
    const attributes = new Map<string, string>();
    for (const m of html.slice(lt + name.length + 1, j).matchAll(/([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
      attributes.set((m[1] ?? '').toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
    }
    for (const attribute of FETCHING_ATTRIBUTES) {
      const value = attributes.get(attribute);
      if (value === undefined || ((name === 'a' || name === 'area') && attribute === 'href')) continue;
      const urls = attribute.endsWith('srcset') ? value.split(',').map((candidate) => candidate.trim().split(/\s+/)[0] ?? '') : [value];
      for (const url of urls) found.push({ where: `<${name} ${attribute}>`, url });
    }
    const style = attributes.get('style');
    if (style) found.push(...cssReferences(style, `<${name} style>`));
    i = j + 1;
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      const text = html.slice(i, close < 0 ? html.length : close);
      if (name === 'style') found.push(...cssReferences(text, '<style>'));
      if (name === 'script') found.push(...scriptImports(text));
      i = close < 0 ? html.length : close;
    }
  }
  return found.filter((reference) => !isLocal(reference.url));
}

const describeReferences = (references: ExternalReference[]) => references.map((r) => `${r.where} ${r.url}`).join('\n');

describe('the API reference page', () => {
  it('references nothing outside itself: no remote script, style sheet, font or image', () => {
    const references = externalReferences(builtPage());
    assert.deepEqual(references, [], `the page loads from the network:\n${describeReferences(references)}`);
  });

  it('the check would catch a remote script, style sheet, font, image or import, and allows local ones', () => {
    const page = `<!DOCTYPE html><html><head>
      <link rel="preconnect" href="https://fonts.gstatic.com">
      <link rel=stylesheet href=//cdn.example.com/theme.css>
      <style>@import 'https://fonts.googleapis.com/css?family=Roboto'; @font-face { src: url("https://cdn.example.com/f.woff2") } .a { background: url(data:image/png;base64,AAAA) }</style>
      <script src="https://cdn.example.com/redoc.standalone.js"></script>
      <script type="module">import { hydrate } from "https://cdn.example.com/redoc.js"; const s = "<img src='https://x.example/y.png'>";</script>
      </head><body>
      <img srcset="logo.png 1x, https://cdn.example.com/logo@2x.png 2x" src="&#104;ttps://cdn.example.com/logo.png">
      <div style="background-image: url('https://cdn.example.com/bg.png')"></div>
      <svg><use href="#icon"></use><image href="https://cdn.example.com/i.svg"/></svg>
      <a href="https://example.com/elsewhere">a link only navigates</a>
      <!-- <script src="https://cdn.example.com/commented-out.js"></script> -->
      <img src="/docs/local.png"><img src="data:image/png;base64,AAAA"><link rel="icon" href="#">
      </body></html>`;
    assert.deepEqual(externalReferences(page), [
      { where: '<link href>', url: 'https://fonts.gstatic.com' },
      { where: '<link href>', url: '//cdn.example.com/theme.css' },
      { where: '<style> url()', url: 'https://cdn.example.com/f.woff2' },
      { where: '<style> @import', url: 'https://fonts.googleapis.com/css?family=Roboto' },
      { where: '<script src>', url: 'https://cdn.example.com/redoc.standalone.js' },
      { where: '<script> import', url: 'https://cdn.example.com/redoc.js' },
      { where: '<img src>', url: 'https://cdn.example.com/logo.png' },
      { where: '<img srcset>', url: 'https://cdn.example.com/logo@2x.png' },
      { where: '<div style> url()', url: 'https://cdn.example.com/bg.png' },
      { where: '<image href>', url: 'https://cdn.example.com/i.svg' },
    ]);
  });

  it('is what the app serves at /docs', () => {
    assert.deepEqual(readApiReference(), Buffer.from(builtPage()));
  });
});

/** The codes of the spec's ProblemCode enum. */
function problemCodes(document: Record<string, unknown>): string[] {
  const schemas = (document.components as { schemas: Record<string, { enum?: string[] }> }).schemas;
  return schemas.ProblemCode?.enum ?? [];
}

/** The `type` the app gives a problem of this code (any one answer shows it). */
const problemType = (code: string) => problemBody(new ApiProblem(400, code as ProblemCode, 'x'), '/', 'r').type;

describe('problem types in the reference', () => {
  it('when a problem has a code, then its type points at the section of that code, and the spec has one per code', () => {
    const document = loadSpecDocument();
    const description = String((document.info as { description: string }).description);
    for (const code of problemCodes(document)) {
      assert.equal(problemType(code), `/docs#section/${code.toLowerCase()}`);
      assert.match(description, new RegExp(`^### ${code}$`, 'm'), `no section for ${code}`);
    }
  });

  it('when the page is built, then it names no placeholder site', () => {
    assert.doesNotMatch(builtPage(), /https?:\/\/(www\.)?example\.com\/repositories-api/);
  });
});

const chromiumMissing = existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

describe('the API reference in a browser with no network', { skip: !process.env.CI && chromiumMissing !== undefined }, () => {
  it('renders every operation of the spec, and no request leaves the page', async () => {
    if (chromiumMissing) assert.fail(`${chromiumMissing}; CI must run this test`);
    const html = builtPage();
    const document = loadSpecDocument();
    const operations = specOperations(document).map((o) => {
      assert.equal(typeof o.operation.summary, 'string', `${o.operationId} has no summary to show`);
      return { summary: String(o.operation.summary), tag: Array.isArray(o.operation.tags) ? String(o.operation.tags[0]) : undefined };
    });
    // Served the way the app serves it; every other request is refused and remembered.
    const pageUrl = 'http://docs.test/docs';
    const requests: string[] = [];
    const pageErrors: string[] = [];
    const consoleErrors: string[] = [];
    const missingSections: string[] = [];

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ serviceWorkers: 'block' });
      await context.route('**/*', (route) => {
        const request = route.request();
        if (request.method() === 'GET' && request.url() === pageUrl) return route.fulfill({ body: html, contentType: 'text/html; charset=utf-8' });
        requests.push(`${request.method()} ${request.url()} (${request.resourceType()})`);
        return route.abort('blockedbyclient');
      });
      await context.routeWebSocket(/.*/, (ws) => {
        requests.push(`WebSocket ${ws.url()}`);
        return ws.close();
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      await page.goto(pageUrl, { waitUntil: 'load' });

      const menu = page.locator('.menu-content');
      // A deprecated operation's heading carries Redoc's "deprecated" badge after its summary.
      const heading = (text: string) =>
        page.locator('h1, h2, h3').filter({ hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*([Dd]eprecated\\s*)?$`) });
      let step = '';
      try {
        for (const tag of new Set(operations.map((o) => o.tag))) {
          // A tag's operations show in the sidebar once its group is open.
          step = `opening the sidebar group "${tag}"`;
          if (tag !== undefined) await menu.locator(`[data-text="${tag}"]`).click({ timeout: 10_000 });
          for (const { summary } of operations.filter((o) => o.tag === tag)) {
            step = `showing the operation "${summary}"`;
            await menu.locator(`[data-text="${summary}"]`).click({ timeout: 10_000 });
            await heading(summary).waitFor({ state: 'visible', timeout: 10_000 });
          }
        }
      } catch (err) {
        // A page that needs the network usually fails to render at all: say what it asked for.
        const asked = requests.length ? `\nrequests it made: ${requests.join(', ')}` : '';
        const threw = pageErrors.length ? `\nerrors it threw: ${pageErrors.join(', ')}` : '';
        throw new Error(`failed ${step}: ${(err as Error).message.split('\n')[0]}${asked}${threw}`, { cause: err });
      }
      // Every problem `type` is a link to the section of its code (`/docs#section/<code in lower case>`).
      for (const code of problemCodes(document)) {
        const target = new URL(problemType(code), pageUrl);
        if (target.pathname !== new URL(pageUrl).pathname) missingSections.push(`${code}: ${target}`);
        else if ((await page.locator(`[id="${decodeURIComponent(target.hash.slice(1))}"]`).count()) === 0) missingSections.push(`${code}: no element ${target.hash}`);
      }
      // The sidebar's links are hash links, so one opened in a new tab (or copied) leads to its section,
      // such as the mock's states, not to a path of the API.
      const pathLinks = await menu.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? '').filter((href) => !href.startsWith('#') && !/^https?:\/\//.test(href)));
      const mockStates = await menu.locator('a', { hasText: /^\s*Mock states\s*$/ }).getAttribute('href');
      const opened = await context.newPage();
      await opened.goto(new URL(mockStates ?? '#missing', pageUrl).toString(), { waitUntil: 'load' });
      const mockStatesShown = await opened.locator('h1, h2').filter({ hasText: /^\s*Mock states\s*$/ }).isVisible({ timeout: 10_000 }).catch(() => false);
      await context.close();
      assert.deepEqual(pathLinks, [], 'sidebar links that lead elsewhere when opened in a new tab');
      assert.ok(mockStatesShown, `the "Mock states" section, opened in a new page at ${mockStates}, is not shown`);
    } finally {
      await browser.close();
    }
    assert.deepEqual(missingSections, [], 'problem types without their section in the reference');
    assert.deepEqual(consoleErrors, [], 'the page logged errors');
    assert.deepEqual(pageErrors, [], 'the page threw');
    assert.deepEqual(requests, [], 'the page tried to reach the network');
  });
});
