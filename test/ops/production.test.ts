/**
 * Production as an operator runs it: `npm run build`, then in the built folder `npm ci --omit=dev` and
 * `npm start` on the platform's plain Node 24 (no Node in node_modules, no development dependency),
 * stopped by SIGTERM sent to npm (what a container runtime does); an older Node refused in one line, and
 * the start refused with one clear line for a bad configuration.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { failedRun, freePort, rawGet, until, within } from './support.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** The production install's budget: the app's packages, without a Node of their own. */
const NODE_MODULES_BUDGET_MB = 80;

/**
 * A folder's size: the bytes of its files (what an image layer or an archive of it holds), and the disk
 * it takes here (whole filesystem blocks per file, so many small files count for more).
 */
async function sizeOf(path: string): Promise<{ files: number; disk: number }> {
  const [files, disk] = await Promise.all([run('du', ['-sb', path]), run('du', ['-sk', path])]);
  return { files: Number(files.stdout.split('\t')[0]), disk: Number(disk.stdout.split('\t')[0]) * 1024 };
}

/** The settings production refuses to start without, with throwaway values. */
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  SECRET_KEY: 'production-test-secret-key-0123456789abcdef',
  GITHUB_CLIENT_ID: 'Iv1.production-test',
  GITHUB_CLIENT_SECRET: 'production-test-client-secret',
};

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the production build, installed without development dependencies', () => {
  let dir: string;
  let out: string;

  /** What `npm ci --omit=dev` printed (patch-package's report among it). */
  let installOutput = '';

  /** A PATH whose `node` is a plain Node 24 binary, as on a node:24 image: the one this test runs on. */
  let platformPath: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'repositories-api-production-'));
    out = join(dir, 'app');
    const bin = join(dir, 'platform-bin');
    mkdirSync(bin);
    symlinkSync(realpathSync(process.execPath), join(bin, 'node'));
    platformPath = `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`;
    await run(process.execPath, ['scripts/build.ts', '--out', out], { cwd: ROOT });
    const install = await run('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: out, maxBuffer: 16 * 1024 * 1024 });
    installOutput = `${install.stdout}${install.stderr}`;
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test(`when installed with --omit=dev, then no build or test tool and no second Node is in node_modules, which stays within ${NODE_MODULES_BUDGET_MB} MB`, async () => {
    const installed = readdirSync(join(out, 'node_modules'));
    for (const tool of ['tsx', 'typescript', 'vitest', '@redocly', '@stoplight', 'eslint', 'openapi-typescript', 'node']) {
      assert.ok(!installed.includes(tool), `${tool} is installed`);
    }
    assert.ok(!existsSync(join(out, 'node_modules/.bin/node')), 'the install brings a Node of its own');
    assert.ok(!existsSync(join(out, 'dev')) && !existsSync(join(out, 'test')), 'the build holds no dev tool and no fake git host');
    const size = await sizeOf(join(out, 'node_modules'));
    const megabytes = size.files / 1e6;
    console.log(
      `production node_modules (npm ci --omit=dev): ${megabytes.toFixed(1)} MB of files (budget ${NODE_MODULES_BUDGET_MB} MB), ${(size.disk / 1e6).toFixed(1)} MB on this disk`,
    );
    assert.ok(megabytes <= NODE_MODULES_BUDGET_MB, `${megabytes.toFixed(1)} MB`);
  });

  test('when started with npm start on a Node older than 24, then it exits with one line naming the Node it found', async () => {
    const older = await run('node', ['--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }).then((r) => r.stdout.trim(), () => '');
    if (!/^v(1\d|2[0-3])\./.test(older)) return; // this machine's own Node is 24 or newer: nothing older to try
    const output = await failedRun('npm', ['start', '--silent'], {
      cwd: out,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir(), ...PRODUCTION_ENV, DATA_DIR: join(dir, 'data-old-node') },
    });
    assert.equal(output.length, 1, output.join('\n'));
    assert.match(output[0]!, new RegExp(`^Repositories API cannot start: Node ${older.slice(1).replace(/\./g, '\\.')} found at .*, Node 24 or newer is needed`));
    assert.ok(!existsSync(join(dir, 'data-old-node')), 'the database was opened');
  });

  test('when installed, then the patches to runtime dependencies are applied there too, and none of a development tool is shipped', () => {
    const patches = readdirSync(join(ROOT, 'patches')).filter((f) => f.endsWith('.patch') && !f.endsWith('.dev.patch'));
    assert.ok(patches.length > 0);
    assert.deepEqual(readdirSync(join(out, 'patches')).sort(), [...patches].sort());
    // patch-package names each patch it applied (`name@version ✔`), and a failed one otherwise
    // (locally it would not fail the install). What each patch changes is tested by its behaviour
    // (test/http/validator-patch.test.ts, test/spec/loading.test.ts).
    for (const patch of patches) {
      const [, name, version] = /^(.+)\+([^+]+)\.patch$/.exec(patch) ?? assert.fail(`patch file name ${patch}`);
      assert.ok(installOutput.includes(`${name!.replace(/\+/g, '/')}@${version} ✔`), `${patch} was not applied:\n${installOutput}`);
    }
  });

  test('when started with npm start, then it serves readiness and the reference, and SIGTERM to npm stops the whole process tree', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: out,
      env: { PATH: platformPath, HOME: process.env.HOME ?? tmpdir(), ...PRODUCTION_ENV, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ALLOW_HTTP_PUBLIC_URL: 'true', DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    for (const stream of [npm.stdout, npm.stderr]) createInterface({ input: stream }).on('line', (line) => lines.push(line));
    const exited = new Promise<number | null>((resolve) => npm.once('close', (code) => resolve(code)));
    try {
      await until('the server listens', () => lines.some((l) => /listening on/.test(l)), 60_000);
      const listening = JSON.parse(lines.find((l) => /listening on/.test(l)) ?? '{}') as { pid: number; node: string };
      assert.match(listening.node, /^v24\./, 'production runs on Node 24');

      const ready = await rawGet(`http://127.0.0.1:${port}/api/v1/ready`);
      assert.equal(ready.status, 200, ready.body);
      const docs = await rawGet(`http://127.0.0.1:${port}/docs`);
      assert.equal(docs.status, 200);
      assert.match(String(docs.headers['content-type']), /text\/html/);

      npm.kill('SIGTERM');
      assert.equal(await within(10_000, 'npm to exit', exited), 0, lines.join('\n'));
      await until('the server process is gone', () => !isRunning(listening.pid), 5_000);
    } finally {
      npm.kill('SIGKILL');
    }
  });
});

describe('a configuration the process must not start with', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    ['PORT=abc', { PORT: 'abc' }, 'PORT'],
    ['PORT=1.5', { PORT: '1.5' }, 'PORT'],
    ['PORT=-1', { PORT: '-1' }, 'PORT'],
    ['NODE_ENV=prod', { NODE_ENV: 'prod' }, 'NODE_ENV'],
    ['VALIDATE_RESPONSES=yes', { VALIDATE_RESPONSES: 'yes' }, 'VALIDATE_RESPONSES'],
    ['NODE_ENV=production without SECRET_KEY', { ...PRODUCTION_ENV, SECRET_KEY: '', PUBLIC_URL: 'https://api.example.com' }, 'SECRET_KEY'],
    ['NODE_ENV=production without PUBLIC_URL', { ...PRODUCTION_ENV }, 'PUBLIC_URL'],
    ['NODE_ENV=production on the development key', { ...PRODUCTION_ENV, SECRET_KEY: 'dev-only-secret-key-change-me-0123456789', PUBLIC_URL: 'https://api.example.com' }, 'SECRET_KEY'],
    ['NODE_ENV=production and SESSION_COOKIE_SECURE=false', { ...PRODUCTION_ENV, SESSION_COOKIE_SECURE: 'false', PUBLIC_URL: 'https://api.example.com' }, 'SESSION_COOKIE_SECURE'],
  ];
  for (const [name, env, variable] of cases) {
    test(`when started with ${name}, then it exits non-zero with one line that names ${variable}, and no stack`, async () => {
      const output = await failedRun(process.execPath, ['src/server.ts'], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DATA_DIR: 'memory://', ...env },
      });
      assert.equal(output.length, 1, output.join('\n'));
      assert.match(output[0] ?? '', new RegExp(`^Repositories API cannot start: .*\\b${variable}\\b`));
    });
  }
});
