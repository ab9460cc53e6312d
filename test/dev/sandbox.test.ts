/**
 * The sandbox as a frontend team meets it: a dev server's page on another localhost port signs in through
 * the fake GitHub's account picker and calls the sandbox with credentials. Started on free ports, on an
 * in-memory database. The browser part needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { chromium } from 'playwright-core';
import { curlLine, SANDBOX_ACCOUNTS, shellQuote, type Sandbox } from '../../dev/start-sandbox.ts';
import { startTestSandbox } from '../support/sandbox.ts';
import { SANDBOX_GITLAB_ACCOUNTS } from '../fakes/gitlab/sandbox.ts';

const execFileAsync = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const chromiumMissing = existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;

/** A dev server's page: lists the signed-in user's repositories from the sandbox, with the session cookie. */
const picker = (api: string) => `<!DOCTYPE html><html><head><meta charset="utf-8"><title>picker</title></head><body>
<p id="status">loading</p><ul id="repos"></ul>
<script type="module">
  const res = await fetch(${JSON.stringify(`${api}/api/v1/repos?per_page=5`)}, { credentials: 'include' });
  const body = await res.json();
  for (const repo of body.repositories ?? []) {
    const li = document.createElement('li');
    li.textContent = repo.full_name + (repo.is_connected ? ' (connected)' : '');
    document.getElementById('repos').append(li);
  }
  document.getElementById('status').textContent = res.status + ' ' + (res.headers.get('x-total-count') ?? '');
</script></body></html>`;

describe('the sandbox', () => {
  let sandbox: Sandbox | undefined;
  const token = (login: string) => sandbox?.accounts.find((a) => a.login === login)?.token ?? '';

  beforeAll(async () => {
    // The hosts keep their documented deadline (10 s): the timeout accounts wait for it, as a user of the sandbox does.
    sandbox = await startTestSandbox({ port: 0, dataDir: 'memory://', latencyMs: 0, env: { ...process.env, CORS_ORIGINS: 'https://picker.dev.test', METRICS_PORT: '0', DETECTION_BUDGET_MS: '10000' } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("when it starts, then each account has a ready token, and octocat's first page in the default order shows its connected repositories", async () => {
    assert.ok(sandbox);
    const data = sandbox.accounts.filter((a) => !a.state);
    assert.deepEqual(data.map((a) => a.login), ['octocat', 'hubot', 'newcomer', 'many-repos', 'rita', 'sam', 'limited']);
    assert.ok(data[0]!.repos >= 100 && data[1]!.repos > 0 && data[1]!.repos < 20 && data[2]!.repos === 0 && data[3]!.repos >= 1000);
    const res = await fetch(`${sandbox.appUrl}/api/v1/connections`, { headers: { authorization: `Bearer ${token('octocat')}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { connections: unknown[] }).connections.length, 3);
    const first = (await (await fetch(`${sandbox.appUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${token('octocat')}` } })).json()) as { total: number; repositories: { is_connected: boolean }[] };
    assert.equal(first.total, 320 + 60 + 80 + 152, 'GitHub, GitVerse, GitLab and Bitbucket');
    assert.equal(first.repositories.filter((r) => r.is_connected).length, 3, 'the connected repositories are not on the first page');
    const empty = await fetch(`${sandbox.appUrl}/api/v1/repos?provider=github`, { headers: { authorization: `Bearer ${token('newcomer')}` } });
    assert.equal(((await empty.json()) as { total: number }).total, 0);
  });

  it("when each state account lists its repositories, then the answer is its state's", async () => {
    assert.ok(sandbox);
    const answers = await Promise.all(
      [...sandbox.accounts, ...sandbox.hostAccounts]
        .filter((a) => a.state)
        .map(async (a) => {
          const res = await fetch(`${sandbox!.appUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${a.token}` } });
          const body = (await res.json()) as { code?: string; provider?: string; reconnect?: boolean; retry_after?: number; providers?: { provider: string; status: string }[] };
          const providers = body.providers?.map((p) => `${p.provider} ${p.status}`).join(', ');
          return `${a.login}: ${res.status} ${body.code ? `${body.code}${body.provider ? ` (${body.provider})` : ''}` : providers}${body.reconnect ? ' reconnect' : ''}${body.retry_after ? ` after ${body.retry_after} s` : ''}`;
        }),
    );
    assert.deepEqual(answers, [
      'revoked-token: 403 GITHUB_AUTH (github) reconnect',
      'rate-limited: 429 RATE_LIMITED (github) after 30 s',
      'host-down: 502 UPSTREAM_UNAVAILABLE (github)',
      'host-timeout: 504 UPSTREAM_TIMEOUT (github)',
      'host-slow: 200 github ok',
      'second-host-down: 200 github ok, gitverse failed',
      'session-expired: 401 SESSION_EXPIRED',
      'gitlab-revoked: 403 PROVIDER_AUTH (gitlab) reconnect',
      'gitlab-rate-limited: 429 RATE_LIMITED (gitlab) after 30 s',
      'gitlab-down: 502 UPSTREAM_UNAVAILABLE (gitlab)',
      'gitlab-timeout: 504 UPSTREAM_TIMEOUT (gitlab)',
      'gitlab-slow: 200 gitlab ok',
    ]);
  });

  it("when octocat's repositories on Bitbucket are listed, then they come from two workspaces with kind and origin; signing in with Bitbucket picks the account", async () => {
    assert.ok(sandbox);
    type Listing = { total: number; repositories: Array<{ owner: { login: string }; kind: string; kind_pending: boolean; origin: string | null }> };
    let listing: Listing | undefined;
    // Kind detection finishes in the background when it takes longer than a listing waits.
    for (let attempt = 0; attempt < 20; attempt++) {
      const res: Response = await fetch(`${sandbox.appUrl}/api/v1/repos?provider=bitbucket&per_page=100`, { headers: { authorization: `Bearer ${token('octocat')}` } });
      assert.equal(res.status, 200);
      listing = (await res.json()) as Listing;
      if (!listing.repositories.some((r) => r.kind_pending)) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(listing);
    assert.equal(listing.total, 152);
    assert.deepEqual(new Set(listing.repositories.map((r) => r.owner.login)), new Set(['octo-org', 'octocat']));
    assert.ok(listing.repositories.some((r) => r.kind !== 'unknown'), 'kinds');
    assert.ok(listing.repositories.some((r) => r.origin !== null), 'origins');
    const start = await fetch(`${sandbox.appUrl}/api/v1/auth/bitbucket/login`, { redirect: 'manual' });
    const page = await fetch(start.headers.get('location') ?? '');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-login="octocat"[^>]*>.*octo-org, octocat/);
  });

  it('when the accounts in a restricted and in an SSO organisation list, then each sees the hint with its URL, and looking up a restricted repository says why', async () => {
    assert.ok(sandbox);
    const get = async (login: string, path: string) => {
      const res = await fetch(`${sandbox!.appUrl}${path}`, { headers: { authorization: `Bearer ${token(login)}` } });
      return { status: res.status, body: (await res.json()) as Answer };
    };
    type Hint = { code: string; url: string; organizations: string[] };
    type Answer = { providers: Array<{ hints: Hint[] }>; hint: Hint; repositories: Array<{ html_url: string; is_connected: boolean }>; is_connected: boolean };
    const hintsOf = async (login: string) => (await get(login, '/api/v1/repos?provider=github')).body.providers[0]!.hints;
    const rita = await hintsOf('rita');
    assert.deepEqual(rita.map((h) => [h.code, h.organizations]), [['github_oauth_restricted', ['locked-corp']]]);
    assert.match(rita[0]!.url, /\/settings\/connections\/applications\/Iv1\.sandbox$/);
    const sam = await hintsOf('sam');
    assert.deepEqual(sam.map((h) => [h.code, h.organizations]), [['github_sso_required', ['sso-corp']]]);
    assert.match(sam[0]!.url, /\/orgs\/sso-corp\/sso\?authorization_request=/);
    const locked = sandbox.hosts.github.state.accountByLogin('rita')!.repos.find((r) => r.owner.login === 'locked-corp') ?? assert.fail('a locked-corp repository');
    const lookup = await get('rita', `/api/v1/repos/lookup?url=${encodeURIComponent(`${sandbox.hosts.github.baseUrl}/locked-corp/${locked.name}`)}`);
    assert.equal(lookup.status, 403);
    assert.equal(lookup.body.hint.code, 'github_oauth_restricted');
    const listed = (await get('octocat', '/api/v1/repos?per_page=1&provider=github')).body.repositories[0] ?? assert.fail('a repository');
    const found = await get('octocat', `/api/v1/repos/lookup?url=${encodeURIComponent(listed.html_url)}`);
    assert.equal(found.status, 200);
    assert.equal(found.body.is_connected, listed.is_connected);
  });

  it("when the banner's curl line of an account is pasted into bash (and zsh where installed), then it lists that account's repositories", async () => {
    assert.ok(sandbox);
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
    for (const shell of ['/bin/bash', '/bin/zsh', '/usr/bin/zsh'].filter((path) => existsSync(path))) {
      for (const account of sandbox.accounts.filter((a) => !a.state)) {
        // Not spawnSync: the sandbox answers from this very process.
        const ran: { stdout: string; stderr: string } = await execFileAsync(shell, ['-c', `${curlLine(sandbox.appUrl, account.token)} -s -w '\\n%{http_code}'`], { encoding: 'utf8' });
        const lines: string[] = ran.stdout.trim().split('\n');
        assert.equal(lines.at(-1), '200', `${shell}: ${ran.stderr}`);
        const body = lines.slice(0, -1).join('\n');
        assert.ok('repositories' in (JSON.parse(body) as object));
      }
    }
  });

  it('when a page on any localhost port, or an added origin, preflights with credentials, then CORS allows it; another site is not', async () => {
    assert.ok(sandbox);
    const preflight = (origin: string) =>
      fetch(`${sandbox!.appUrl}/api/v1/repos`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'https://picker.dev.test']) {
      const res = await preflight(origin);
      assert.equal(res.status, 204, origin);
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    }
    for (const origin of ['https://evil.example', 'http://localhost.evil.example:5173']) {
      assert.equal((await preflight(origin)).headers.get('access-control-allow-origin'), null, origin);
    }
  });

  it('when the GitLab sign-in starts, then the fake GitLab shows its accounts, asked with a PKCE challenge', async () => {
    assert.ok(sandbox);
    const start = await fetch(`${sandbox.appUrl}/api/v1/auth/gitlab/login`, { redirect: 'manual' });
    const location = new URL(start.headers.get('location') ?? assert.fail('no redirect'));
    assert.equal(location.pathname, '/oauth/authorize');
    assert.ok(location.searchParams.get('code_challenge'));
    const html = await (await fetch(location)).text();
    assert.match(html, /Sign in to the fake GitLab/);
    for (const login of ['octocat', 'gitlab-dev', 'gl-small', 'gitlab-revoked', 'gitlab-slow']) assert.match(html, new RegExp(`data-login="${login}"`));
  });

  it("when a GitLab account's banner token lists, then its GitLab projects come with kinds and origins; octocat's listing has GitLab too", async () => {
    assert.ok(sandbox);
    const list = async (bearer: string) => {
      const res = await fetch(`${sandbox!.appUrl}/api/v1/repos?per_page=100`, { headers: { authorization: `Bearer ${bearer}` } });
      assert.equal(res.status, 200);
      return (await res.json()) as { total: number; repositories: Array<{ provider: string; kind: string; kind_pending: boolean; origin: string | null; owner: { login: string } }> };
    };
    const gitlabDev = sandbox.hostAccounts.find((a) => a.login === 'gitlab-dev') ?? assert.fail('no gitlab-dev');
    const gitlab = await list(gitlabDev.token);
    assert.equal(gitlab.total, 260);
    assert.ok(gitlab.repositories.every((r) => r.provider === 'gitlab'));
    assert.ok(gitlab.repositories.some((r) => r.owner.login === 'acme/platform/tools'), 'a project of a subgroup');
    // Within the detection budget this sandbox is given, every kind is in the first listing.
    assert.ok(gitlab.repositories.every((r) => !r.kind_pending));
    assert.ok(gitlab.repositories.filter((r) => r.kind !== 'unknown').length > 30);
    assert.ok(gitlab.repositories.some((r) => r.origin !== null));
    const octocat = await list(token('octocat'));
    const spec = sandbox.accounts.find((a) => a.login === 'octocat') ?? assert.fail('no octocat');
    assert.equal(octocat.total, spec.repos + (spec.gitverse ?? 0) + sandbox.hosts.gitlab.state.accountByLogin('octocat')!.projects.length + 152, 'with Bitbucket\'s two workspaces');
  });

  it('when the sign-in reaches the fake GitHub, then it shows a page listing its accounts to pick from', async () => {
    assert.ok(sandbox);
    const start = await fetch(`${sandbox.appUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    const page = await fetch(start.headers.get('location') ?? '');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /Sign in to the fake GitHub/);
    for (const a of sandbox.accounts) assert.match(html, new RegExp(`data-login="${a.login}"[^>]*>.*${a.repos} repositor`));
  });

  it('when a page on another localhost port signs in through the account picker, then the sign-in ends on the picker and the page lists repositories with credentials', { skip: !process.env.CI && chromiumMissing !== undefined }, async () => {
    if (chromiumMissing) assert.fail(`${chromiumMissing}; CI must run this test`);
    assert.ok(sandbox);
    const devServer: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(picker(sandbox!.appUrl)));
    await new Promise<void>((resolve) => devServer.listen(0, '127.0.0.1', resolve));
    const pageUrl = `http://localhost:${(devServer.address() as AddressInfo).port}/`;
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      // The browser's own favicon requests answer 404 on the API and the fake; anything else counts.
      page.on('console', (m) => void (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico') && consoleErrors.push(`${m.text()} ${m.location().url}`)));
      // The picker itself is the picker test's; here only where the sign-in ends (POST_LOGIN_REDIRECT) counts.
      // (A redirect's target is not routed: the picker's page comes as it is, its modules and styles stubbed.)
      const stub = { '.js': 'text/javascript', '.css': 'text/css' } as Record<string, string>;
      await page.route(
        (url) => url.origin === new URL(sandbox!.pickerUrl).origin,
        (route) => route.fulfill({ contentType: stub[/\.\w+$/.exec(new URL(route.request().url()).pathname)?.[0] ?? ''] ?? 'text/plain', body: '' }),
      );
      await page.goto(`${sandbox.appUrl}/api/v1/auth/github/login`);
      await page.locator('a[data-login="octocat"]').click();
      await page.waitForURL(sandbox.pickerUrl);

      await page.goto(pageUrl);
      await page.locator('#status').filter({ hasText: /^\d{3}/ }).waitFor({ timeout: 20_000 });
      assert.match(await page.locator('#status').innerText(), /^200 \d+/);
      const items = await page.locator('#repos li').allInnerTexts();
      assert.equal(items.length, 5);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await browser.close();
      devServer.closeAllConnections();
      await new Promise((resolve) => devServer.close(resolve));
    }
  });
});

describe("mocks/README.md's table of the picker's states", () => {
  it('when the sandbox has an account, then the table names it beside the mock header of the same state', () => {
    const rows = readFileSync(fileURLToPath(new URL('../../mocks/README.md', import.meta.url)), 'utf8').split('\n').filter((line) => line.startsWith('|'));
    const stateAccounts = SANDBOX_GITLAB_ACCOUNTS.filter((a) => a.state).map((a) => ({ login: a.login, prefer: a.prefer ?? '' }));
    assert.ok(stateAccounts.length >= 5, "GitLab's state accounts");
    const missing = [...SANDBOX_ACCOUNTS, ...stateAccounts].filter((a) => !rows.some((row) => row.includes(`| \`${a.login}\` |`) && (!a.prefer.startsWith('code=') || row.includes(`| \`${a.prefer}\` |`))));
    assert.deepEqual(missing.map((a) => `${a.login} (${a.prefer})`), [], 'add these rows to the table in mocks/README.md');
  });
});

describe('npm run token', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));
  // Without DATA_DIR or DATABASE_URL, as a developer runs it.
  const { DATA_DIR: _dataDir, DATABASE_URL: _databaseUrl, ...env } = process.env;
  const token = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'dev/token.ts'), ...args], { cwd, encoding: 'utf8', env });

  it('when asked for --help, then it prints its usage and exits 0; an unknown option prints it too and exits 2', () => {
    const help = token(ROOT, '--help');
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: npm run token/);
    assert.match(help.stdout, /--login/);
    const wrong = token(ROOT, '--logn', 'x');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /Usage: npm run token/);
  });

  it("when run with no options, then it writes to the sandbox's database and the sandbox accepts its token", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'token-'));
    let sandbox: Sandbox | undefined;
    try {
      const made = token(dir, '--login', 'hubot');
      assert.equal(made.status, 0, made.stderr);
      assert.ok(existsSync(join(dir, 'data/sandbox')), 'the token went elsewhere than ./data/sandbox');
      const bearer = made.stdout.trim();
      sandbox = await startTestSandbox({ port: 0, dataDir: join(dir, 'data/sandbox'), latencyMs: 0, env: { ...process.env, CORS_ORIGINS: '', METRICS_PORT: '0' } });
      const res = await fetch(`${sandbox.appUrl}/api/v1/repos?provider=github`, { headers: { authorization: `Bearer ${bearer}` } });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { total: number }).total, 12);
    } finally {
      await sandbox?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
