/**
 * `npm run mock [-- --port 4010 --dynamic …]`: Prism on the bundled spec at http://127.0.0.1:4010. When the
 * port is taken it says by what (another Prism mock, a Repositories API, or another program) instead of
 * Prism's bare EADDRINUSE, and how to pick another port. Other options go to Prism as they are.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const args = process.argv.slice(2);
const at = args.findIndex((a) => a === '--port' || a === '-p');
const port = Number(at >= 0 ? args[at + 1] : (args.find((a) => a.startsWith('--port='))?.slice(7) ?? 4010));
const rest = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args.filter((a) => !a.startsWith('--port='));

async function free(): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** What answers on the port, told from its answers. */
async function holder(): Promise<string> {
  try {
    const res = await fetch(`http://${HOST}:${port}/api/v1/health`, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (res.headers.has('sl-violations') || /stoplight\.io\/prism/.test(text) || /^\{"status":"ok"/.test(text) && res.headers.get('access-control-allow-origin') === '*') {
      return 'another Prism mock (an `npm run mock` still running, or a sandbox from before its mock moved to 4011)';
    }
    if (res.headers.has('x-request-id') && /"status"/.test(text)) return 'a Repositories API (the app or the sandbox)';
    return `another program (it answers HTTP ${res.status})`;
  } catch {
    return 'another program (it does not answer HTTP)';
  }
}

if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`✖ --port must be a port number, not ${String(args[at + 1])}`);
  process.exit(2);
}
if (!(await free())) {
  console.error(`✖ port ${port} on ${HOST} is taken by ${await holder()}.
  Stop it, or start the mock on another port: npm run mock -- --port ${port + 2}`);
  process.exit(1);
}
const prism = fileURLToPath(new URL('../node_modules/.bin/prism', import.meta.url));
const child = spawn(prism, ['mock', 'openapi/dist/openapi.yaml', '--host', HOST, '--port', String(port), ...rest], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
