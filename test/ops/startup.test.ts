/**
 * What the process says about itself as it starts: which versions it runs (the start-up line, /health
 * and the build_info metric), and every failed start in one line that names the part and what to do.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, test } from 'vitest';
import { baseEnv, failedRun, freePort, killAll, rawGet, startAppProcess } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const API_VERSION = (JSON.parse(readFileSync(new URL('../../openapi/dist/openapi.json', import.meta.url), 'utf8')) as { info: { version: string } }).info.version;

afterEach(killAll);

/** Runs `src/server.ts` with `env` and expects it to exit non-zero; its output, line by line. */
function failedStart(env: Record<string, string>): Promise<string[]> {
  return failedRun(process.execPath, ['src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATA_DIR: 'memory://', METRICS_PORT: 'off', ...env },
    timeout: 60_000,
  });
}

/** A port held by this test process. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, server };
}

describe('a start that fails', () => {
  const held: Server[] = [];
  afterAll(() => {
    for (const server of held) server.close();
  });

  test('when PostgreSQL refuses the connection, then one line names DATABASE_URL and its address, without its password or a stack', async () => {
    const output = await failedStart({ DATABASE_URL: 'postgres://someone:hunter2secret@127.0.0.1:1/x' });
    assert.equal(output.length, 1, output.join('\n'));
    assert.match(output[0]!, /^Repositories API cannot start: the database at 127\.0\.0\.1:1\/x \(DATABASE_URL\) refused the connection: start PostgreSQL there, or correct DATABASE_URL$/);
    assert.doesNotMatch(output[0]!, /hunter2secret|someone/);
  });

  test('when PostgreSQL refuses the login, then one line says so in PostgreSQL words and names DATABASE_URL', async () => {
    const output = await failedStart({ DATABASE_URL: 'postgres://no_such_role_for_this_test@127.0.0.1:5432/test' });
    assert.equal(output.length, 1, output.join('\n'));
    assert.match(output[0]!, /^Repositories API cannot start: the database at 127\.0\.0\.1:5432\/test \(DATABASE_URL\) refused: .*no_such_role_for_this_test.*: correct the user, password or database name in DATABASE_URL$/);
  });

  test('when the API port is in use, then one line names PORT and the port', async () => {
    const { port, server } = await holdPort();
    held.push(server);
    const output = await failedStart({ PORT: String(port), HOST: '127.0.0.1' });
    assert.equal(output.length, 1, output.join('\n'));
    assert.equal(output[0], `Repositories API cannot start: the API cannot listen: port ${port} on 127.0.0.1 is in use by another process: stop it, or set PORT to a free port`);
  });

  test('when the metrics port is in use, then one line names METRICS_PORT', async () => {
    const { port, server } = await holdPort();
    held.push(server);
    const output = await failedStart({ PORT: '0', METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' });
    assert.equal(output.length, 1, output.join('\n'));
    assert.match(output[0]!, new RegExp(`^Repositories API cannot start: the metrics endpoint cannot listen: port ${port} on 127\\.0\\.0\\.1 is in use by another process: stop it, or set METRICS_PORT to a free port$`));
  });
});

describe('a start with Redis away, and the versions it runs', () => {
  test('when Redis refuses connections, then the process starts with one warning naming REDIS_URL, and readiness says why it is 503, logged once', async () => {
    const redisPort = await freePort();
    const app = await startAppProcess({ ...baseEnv('http://127.0.0.1:9'), DATA_DIR: 'memory://', REDIS_URL: `redis://:redispassword@127.0.0.1:${redisPort}` });
    const warning = await app.waitForLine(/REDIS_URL/);
    const parsed = JSON.parse(warning) as { level: number; msg: string };
    assert.equal(parsed.level, 40);
    assert.equal(parsed.msg, `Redis at 127.0.0.1:${redisPort} (REDIS_URL) refused the connection: listings are not cached and readiness answers 503 until it answers`);
    assert.doesNotMatch(warning, /redispassword/);

    for (let probe = 0; probe < 2; probe++) {
      const ready = await rawGet(`${app.baseUrl}/api/v1/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(JSON.parse(ready.body), {
        status: 'not_ready',
        checks: { database: 'ok', cache: 'failed', process: 'ok' },
        reasons: { cache: 'Redis refused the connection' },
      });
    }
    const logged = app.lines.filter((l) => /readiness: the cache check fails/.test(l));
    assert.equal(logged.length, 1, app.lines.join('\n'));
    assert.deepEqual(
      (({ check, reason, msg }) => ({ check, reason, msg }))(JSON.parse(logged[0]!) as Record<string, unknown>),
      { check: 'cache', reason: 'Redis refused the connection', msg: 'readiness: the cache check fails: Redis refused the connection' },
    );
  });

  test('when started, then the start-up line, /health and build_info name the service version and the API version', async () => {
    const app = await startAppProcess({ ...baseEnv('http://127.0.0.1:9'), DATA_DIR: 'memory://' });
    const line = JSON.parse(await app.waitForLine(/listening on/)) as Record<string, unknown>;
    assert.equal(line.version, PACKAGE_VERSION);
    assert.equal(line.api_version, API_VERSION);
    assert.match(String(line.msg), new RegExp(`\\(version ${PACKAGE_VERSION}, API ${API_VERSION}, Node v\\d+`));

    const health = await rawGet(`${app.baseUrl}/api/v1/health`);
    assert.deepEqual(JSON.parse(health.body), { status: 'ok', version: PACKAGE_VERSION, api_version: API_VERSION });

    const metricsLine = JSON.parse(await app.waitForLine(/Prometheus metrics on/)) as { metrics_port: number };
    const metrics = { body: await (await fetch(`http://127.0.0.1:${metricsLine.metrics_port}/metrics`)).text() };
    assert.match(metrics.body, new RegExp(`^build_info\\{version="${PACKAGE_VERSION}",api_version="${API_VERSION}",node="${process.version}"\\} 1$`, 'm'));
  });

  test("package.json's version is the newest released API version (npm run release:spec keeps them together)", () => {
    const numbers = (v: string) => v.split('.').map(Number);
    const versions = readdirOfReleases().sort((a, b) => {
      const [x, y] = [numbers(a), numbers(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
    assert.equal(PACKAGE_VERSION, versions.at(-1));
  });
});

function readdirOfReleases(): string[] {
  return readdirSync(fileURLToPath(new URL('../../openapi/releases/', import.meta.url)))
    .filter((f) => /^\d+\.\d+\.\d+\.yaml$/.test(f))
    .map((f) => f.slice(0, -'.yaml'.length));
}
