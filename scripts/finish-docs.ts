/**
 * The last step of `npm run docs`: the page must make no request of its own. Redoc's bundle draws its
 * footer logo from Redocly's CDN at run time, which the page's Content-Security-Policy blocks (a console
 * error each time); the attribution it belongs to is hidden by the template anyway. The logo's URLs are
 * replaced with an empty inline image, so the page asks for nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const PAGE = process.argv[2] ?? 'docs-build/index.html';
const EMPTY_IMAGE = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
const REMOTE_IMAGES = /https:\/\/cdn\.redoc\.ly\/redoc\/[\w.-]+\.svg/g;

const html = readFileSync(PAGE, 'utf8');
const replaced = html.match(REMOTE_IMAGES)?.length ?? 0;
writeFileSync(PAGE, html.replace(REMOTE_IMAGES, EMPTY_IMAGE));
console.log(`✔ ${PAGE}: ${replaced} remote image URL(s) replaced by an inline one`);
