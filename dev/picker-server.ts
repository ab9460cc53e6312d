/**
 * Serves the reference picker (examples/picker) the way a frontend's dev server would: on a port of its own,
 * so the page calls the API across origins with credentials, as a team's app on `http://localhost:5173` does.
 * The page's modules are what `npm run build:picker` compiled; the two packages it imports by name
 * (`repositories-api-client`, compiled beside it, and `openapi-fetch`) are mapped to their files by the
 * page's import map.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PICKER = join(ROOT, 'examples/picker');

/** URL prefix → folder whose `*.js` files it serves (flat folders: a name is never a path). */
const MODULES: Record<string, string> = {
  '/app/': join(PICKER, 'dist/examples/picker/src'),
  '/lib/repositories-api-client/': join(PICKER, 'dist/clients/typescript/src'),
  '/lib/openapi-fetch/': join(ROOT, 'node_modules/openapi-fetch/dist'),
};

export interface PickerServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The API the page calls by default. */
  apiUrl: string;
  /** The Prism mock the page calls with `?api=mock`, when one runs. */
  mockUrl?: string | undefined;
}

export interface PickerServer {
  url: string;
  close(): Promise<void>;
}

/** Whether the picker's modules are built (`npm run build:picker`). */
export function pickerBuilt(): boolean {
  return existsSync(join(PICKER, 'dist/examples/picker/src/main.js'));
}

export async function startPickerServer(options: PickerServerOptions): Promise<PickerServer> {
  const html = readFileSync(join(PICKER, 'index.html'), 'utf8');
  // The import map is inline (browsers take no other): the policy allows it by its hash, and nothing else inline.
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${createHash('sha256').update(importMap).digest('base64')}'`,
    // The API, the mock or any other local API the page is pointed at with `?api=`.
    'connect-src http://localhost:* http://127.0.0.1:*',
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const config = JSON.stringify({ api: options.apiUrl, mock: options.mockUrl ?? null });

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) =>
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': policy }).end(body);

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://picker').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method Not Allowed');
    if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', html);
    if (path === '/picker.css') return send(res, 200, 'text/css; charset=utf-8', readFileSync(join(PICKER, 'picker.css')));
    if (path === '/config.json') return send(res, 200, 'application/json', config);
    for (const [prefix, dir] of Object.entries(MODULES)) {
      const name = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
      if (name === undefined || !/^[\w-]+\.m?js$/.test(name) || !existsSync(join(dir, name))) continue;
      return send(res, 200, 'text/javascript; charset=utf-8', readFileSync(join(dir, name)));
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'Not Found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
