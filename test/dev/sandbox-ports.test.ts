/**
 * `npm run dev` says where it listens and refuses a clash in one line, before it opens any database;
 * `npm run token` refuses beside a running sandbox instead of printing a token that sandbox never sees.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, it } from 'vitest';
import { partsOf, sandboxPorts } from '../../dev/ports.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** Runs a dev script expecting it to refuse: its exit code and output lines. */
async function refused(script: string, env: Record<string, string>): Promise<{ code: number; lines: string[] }> {
  const failed = await run(process.execPath, [script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 60_000 }).then(
    () => assert.fail(`${script} did not refuse`),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { code: failed.code, lines: `${failed.stdout}${failed.stderr}`.trim().split('\n') };
}

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe("the sandbox's ports", () => {
  it('when only SANDBOX_PORT is set, then every part is derived from it; each part has its own variable', () => {
    const ports = sandboxPorts({ SANDBOX_PORT: '4100' });
    assert.deepEqual(
      partsOf(ports).map((p) => [p.variable, p.port]),
      [['PORT', 4100], ['SANDBOX_GITHUB_PORT', 4101], ['SANDBOX_GITVERSE_PORT', 4102], ['SANDBOX_MOCK_PORT', 4103], ['METRICS_PORT', 4104], ['SANDBOX_PICKER_PORT', 4105]],
    );
    const moved = sandboxPorts({ SANDBOX_PORT: '4100', SANDBOX_MOCK_PORT: '4011', METRICS_PORT: 'off' });
    assert.deepEqual(partsOf(moved).map((p) => p.port), [4100, 4101, 4102, 4011, 4105]);
    assert.deepEqual(partsOf(sandboxPorts({})).map((p) => p.port), [3000, 3001, 3002, 3003, 3004, 3005]);
    assert.throws(() => sandboxPorts({ SANDBOX_PORT: 'x' }), /^Error: SANDBOX_PORT="x" is not valid: expected a whole number from 1 to 65531$/);
  });

  const dirs: string[] = [];
  const held: Server[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    for (const server of held) server.close();
  });

  it('when a part\'s port is in use, then npm run dev stops with one line naming that part and its variable, and opens no database', async () => {
    const { port, server } = await holdPort();
    held.push(server);
    const dataDir = join(mkdtempSync(join(tmpdir(), 'sandbox-ports-')), 'data');
    dirs.push(dataDir);
    const base = port - 2;
    const { code, lines } = await refused('dev/sandbox.ts', { SANDBOX_PORT: String(base), PORT: '0', SANDBOX_GITHUB_PORT: '0', METRICS_PORT: 'off', DATA_DIR: dataDir });
    assert.equal(code, 1);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.equal(
      lines[0],
      `Sandbox cannot start: port ${port} for the fake GitVerse (SANDBOX_GITVERSE_PORT) on 127.0.0.1 is in use (another npm run dev?): stop what holds it, set SANDBOX_GITVERSE_PORT, or move every part with SANDBOX_PORT=${base + 100}`,
    );
    assert.ok(!existsSync(dataDir), 'the database folder was created');
  });

  it('when another sandbox has the database open, then a second npm run dev stops in one line and leaves it alone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-running-'));
    dirs.push(dataDir);
    // This test process stands for the running sandbox.
    writeFileSync(join(dataDir, 'sandbox.json'), JSON.stringify({ pid: process.pid, appUrl: 'http://localhost:3000' }));
    const { code, lines } = await refused('dev/sandbox.ts', { DATA_DIR: dataDir, PORT: '0' });
    assert.equal(code, 1);
    assert.deepEqual(lines, [`Sandbox cannot start: another sandbox (process ${process.pid}, http://localhost:3000) has ${dataDir} open: stop it, or give this one DATA_DIR=./data/sandbox-2`]);
    assert.deepEqual(readdirSync(dataDir), ['sandbox.json']);
  });

  it('when the sandbox is running, then npm run token refuses in one line instead of printing a token it would refuse', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-token-'));
    dirs.push(dataDir);
    writeFileSync(join(dataDir, 'sandbox.json'), JSON.stringify({ pid: process.pid, appUrl: 'http://localhost:3000' }));
    const { code, lines } = await refused('dev/token.ts', { DATA_DIR: dataDir });
    assert.equal(code, 1);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, new RegExp(`^npm run token: the sandbox \\(process ${process.pid}, http://localhost:3000\\) has .* open, .*use a token from its banner, or stop it`));
    assert.deepEqual(readdirSync(dataDir), ['sandbox.json']);
  });
});
