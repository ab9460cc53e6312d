/**
 * `npm run mock` on a port something else holds says what holds it, instead of Prism's bare EADDRINUSE.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startTestApp } from '../support/harness.ts';
import { spawnPrism } from '../support/prism.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** `npm run mock -- --port <port>`, as its exit code and what it printed. */
async function mockOn(port: number): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/mock.ts', '--port', String(port)], { cwd: ROOT, timeout: 30_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

const portOf = (baseUrl: string) => Number(new URL(baseUrl).port);

describe('npm run mock on a taken port', () => {
  it('when another Prism mock holds the port, then it says so and exits 1', async () => {
    const prism = await spawnPrism('mock');
    try {
      const { code, output } = await mockOn(portOf(prism.baseUrl));
      assert.equal(code, 1, output);
      assert.match(output, /taken by another Prism mock/);
      assert.match(output, /npm run mock -- --port \d+/);
    } finally {
      await prism.stop();
    }
  });

  it('when the app holds the port, then it names the Repositories API', async () => {
    const app = await startTestApp();
    try {
      const { code, output } = await mockOn(portOf(app.baseUrl));
      assert.equal(code, 1, output);
      assert.match(output, /taken by a Repositories API/);
    } finally {
      await app.close();
    }
  });

  it('when some other program holds the port, then it says another program', async () => {
    const server = createServer((_req, res) => res.writeHead(418).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { code, output } = await mockOn((server.address() as AddressInfo).port);
      assert.equal(code, 1, output);
      assert.match(output, /taken by another program \(it answers HTTP 418\)/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
