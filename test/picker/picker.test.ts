/**
 * The reference picker (examples/picker) in headless Chromium, as a frontend developer meets it: served on a
 * port of its own, calling the sandbox (each state reached by signing in as its account through the fake
 * GitHub's OAuth, or the fake GitLab's for GitLab's state accounts) and the Prism mock (each state by its
 * `Prefer` header). For each state: drawn as it should be, no console error but the API's own error answers
 * the state is made of, axe finds no WCAG 2 A/AA violation (contrast included), and a screenshot is kept under
 * .test-out/picker/. One Chromium, one page per state; the tests run five at a time (each mostly waits on the
 * sandbox). Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Sandbox } from '../../dev/start-sandbox.ts';
import { startTestSandbox } from '../support/sandbox.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, '.test-out/picker');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const chromiumMissing = existsSync(CHROMIUM) ? undefined : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** The app's deadline for GitHub (and GitLab) in this sandbox: `host-timeout` answers 504 after it, `host-slow` after 60% of it. */
const GITHUB_TIMEOUT_MS = 8_000;

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

interface Opened {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors, less the browser's notes of the API's own error answers. */
  errors: string[];
  /** Every request the page made to an API (the sandbox or the mock), as `METHOD path`. */
  apiCalls: { method: string; url: string; authorization: string | undefined }[];
}

describe('the reference picker in a browser', { skip: !process.env.CI && chromiumMissing !== undefined, concurrent: true }, () => {
  let sandbox: Sandbox | undefined;
  let browser: Browser | undefined;
  const mockUrl = inject('prismMockUrl');
  const apis = () => [sandbox!.appUrl, mockUrl];

  beforeAll(async () => {
    if (chromiumMissing) assert.fail(`${chromiumMissing}; CI must run this test`);
    mkdirSync(SHOTS, { recursive: true });
    const built = promisify(execFile)(process.execPath, ['scripts/build-picker.ts'], { cwd: ROOT });
    [sandbox, browser] = await Promise.all([
      startTestSandbox({ port: 0, pickerPort: 0, dataDir: 'memory://', latencyMs: 0, mockUrl, env: { ...process.env, GITHUB_TIMEOUT_MS: String(GITHUB_TIMEOUT_MS), GITLAB_TIMEOUT_MS: String(GITHUB_TIMEOUT_MS), CORS_ORIGINS: '', METRICS_PORT: '0' } }),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      built,
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** A fresh browser profile (no cookie) with one page, its errors and API calls recorded. */
  async function open(viewport = DESKTOP): Promise<Opened> {
    const context = await browser!.newContext({ viewport });
    // Every text of the status line, in order: a passing one ("Still loading…") is seen even when a check comes after it.
    await context.addInitScript(() => {
      const said: string[] = [];
      (window as unknown as { statusSaid: string[] }).statusSaid = said;
      new MutationObserver(() => {
        const text = document.getElementById('status')?.textContent;
        if (text && said.at(-1) !== text) said.push(text);
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    const page = await context.newPage();
    // The tests run side by side in one browser, beside the sandbox in this process: on a busy machine a
    // state has taken over 30 s (Playwright's default wait) to draw.
    page.setDefaultTimeout(60_000);
    const opened: Opened = { page, context, errors: [], apiCalls: [] };
    page.on('pageerror', (error) => opened.errors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const where = message.location().url;
      // What the state is made of (a 401, a 429, a 502…) the browser notes as a failed load; and the fake
      // GitHub's sign-in page has no icon. Anything else (a script error, CORS or CSP refusing) counts.
      if (/^Failed to load resource: the server responded with a status of [45]\d\d/.test(message.text()) && (apis().some((api) => where.startsWith(api)) || where.endsWith('/favicon.ico'))) return;
      opened.errors.push(`${message.text()} (${where})`);
    });
    page.on('request', (request) => {
      if (apis().some((api) => request.url().startsWith(api))) opened.apiCalls.push({ method: request.method(), url: request.url(), authorization: request.headers().authorization });
    });
    return opened;
  }

  /** Signs in from the picker's own "Sign in" button through the fake GitHub's account page, back to the picker. */
  async function signIn({ page }: Opened, login: string, button = 'Sign in with GitHub'): Promise<void> {
    await page.getByRole('link', { name: button }).click();
    await page.locator(`a[data-login="${login}"]`).click();
    await page.waitForURL(`${sandbox!.pickerUrl}**`);
  }

  /** axe over the page as it is now: no WCAG 2.0/2.1 A or AA violation. */
  async function assertAccessible({ page }: Opened, state: string): Promise<void> {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      });
      return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    });
    assert.deepEqual(violations, [], `${state}: axe found violations`);
  }

  async function shot({ page }: Opened, name: string): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }

  const heading = (page: Page, text: string | RegExp) => page.getByRole('heading', { name: text });
  /** Whether the status line has said that the host is slow since the page loaded. */
  const saidSlow = async (page: Page) => {
    const said = await page.evaluate(() => (window as unknown as { statusSaid: string[] }).statusSaid);
    assert.ok(said.some((t) => t.startsWith('Still loading: the git host is slow to answer.')), `the status line said: ${said.join(' | ')}`);
  };
  const statusText = (page: Page) => page.locator('#status').innerText();

  /** Signs in with GitLab through the fake GitLab's account page (the banner's GitLab sign-in URL), back to the picker. */
  async function signInWithGitLab({ page }: Opened, login: string): Promise<void> {
    await page.goto(`${sandbox!.appUrl}/api/v1/auth/gitlab/login`);
    await page.locator(`a[data-login="${login}"]`).click();
    await page.waitForURL(`${sandbox!.pickerUrl}**`);
  }

  /** Signs in as the account (with GitHub, or with GitLab for GitLab's accounts) and checks what the picker draws for it. */
  async function sandboxState(login: string, check: (opened: Opened) => Promise<void>, viewport = DESKTOP): Promise<void> {
    const opened = await open(viewport);
    try {
      await opened.page.goto(sandbox!.pickerUrl);
      await heading(opened.page, 'You are signed out').waitFor();
      if (login.startsWith('gitlab-')) await signInWithGitLab(opened, login);
      else await signIn(opened, login);
      await check(opened);
      await shot(opened, `sandbox-${login}${viewport === PHONE ? '-phone' : ''}`);
      await assertAccessible(opened, login);
      assert.deepEqual(opened.errors, [], `${login}: console errors`);
    } finally {
      await opened.context.close();
    }
  }

  it('when a browser signs in as octocat, then the list has kind and origin badges and a connected repository on the first screen, at desktop and phone widths', async () => {
    // Every host octocat has linked in the sandbox, as the API counts them.
    const octocat = sandbox!.accounts.find((a) => a.login === 'octocat') ?? assert.fail('no octocat');
    const listed = await fetch(`${sandbox!.appUrl}/api/v1/repos?per_page=1`, { headers: { authorization: `Bearer ${octocat.token}` } });
    assert.equal(listed.status, 200);
    const { total } = (await listed.json()) as { total: number };
    assert.ok(total > 300, `octocat has ${total} repositories`);
    await Promise.all(
      [DESKTOP, PHONE].map((viewport) =>
        sandboxState(
          'octocat',
          async ({ page }) => {
            await page.locator('.repo').first().waitFor();
            assert.equal(await statusText(page), `${total} repositories.`);
            assert.equal(await page.locator('.repo').count(), 30);
            // The first listing may still be detecting kinds: the picker fills them in from a later one.
            await page.locator('.repo .badge.kind').first().waitFor({ timeout: 20_000 });
            assert.ok(await page.locator('.repo.connected').first().isVisible(), 'no connected repository on the first screen');
            await page.locator('.repo.connected').first().evaluate((el) => el.scrollIntoView({ block: 'center' }));
            assert.ok(await page.locator('.repo.connected .mark').first().isVisible());
            assert.equal(await page.getByRole('button', { name: /^Next$/ }).isEnabled(), true);
            await page.locator('body').evaluate(() => window.scrollTo(0, 0));
          },
          viewport,
        ),
      ),
    );
  });

  it('when the picker is used with the keyboard, then search, filters with origin badges, paging and connect/disconnect work and stick', async () => {
    const opened = await open();
    const { page } = opened;
    try {
      await page.goto(sandbox!.pickerUrl);
      await signIn(opened, 'hubot');
      await page.locator('.repo').first().waitFor();
      // The skip link, then the first repository's link, then its button: Enter connects it.
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to the repositories');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const name = await page.locator('.repo h2 a').first().evaluate((a) => a.firstChild?.textContent ?? '');
      assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /^(Connect|Disconnect) /);
      const wasConnected = (await page.evaluate(() => document.activeElement?.textContent ?? '')).startsWith('Disconnect');
      await page.keyboard.press('Enter');
      await page.getByText(`${name} ${wasConnected ? 'disconnected' : 'connected'}.`).waitFor();
      // The focus stays on the row's button, now the opposite action.
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), `${wasConnected ? 'Connect' : 'Disconnect'} ${name}`);
      await page.reload();
      await page.locator('.repo').first().waitFor();
      assert.equal(await page.locator('.repo').first().locator('.mark').count(), wasConnected ? 0 : 1, 'the connection did not stick');
      await page.locator('.repo').first().getByRole('button').click();
      await page.getByText(`${name} ${wasConnected ? 'connected' : 'disconnected'}.`).waitFor();

      // Search narrows the list and says so.
      await page.getByLabel('Search').fill(name.split('/')[1]!);
      await page.waitForFunction(() => /match\.$/.test(document.getElementById('status')?.textContent ?? ''));
      assert.ok((await page.locator('.repo').count()) >= 1);
      assert.ok((await page.locator('.repo h2 a').allInnerTexts()).every((t) => t.includes(name.split('/')[1]!)));
      await page.getByLabel('Search').fill('');

      // A filter: made with any AI app builder, each with its origin badge.
      await page.getByLabel('Made with').selectOption('any');
      await page.waitForFunction(() => /match\.$/.test(document.getElementById('status')?.textContent ?? ''));
      const rows = await page.locator('.repo').count();
      assert.equal(await page.locator('.repo .badge.origin').count(), rows);
      assert.deepEqual(opened.errors, []);
    } finally {
      await opened.context.close();
    }
  });

  it('when an account has thousands of repositories, then the pager walks its pages and moves the focus to each new page', async () => {
    await sandboxState('many-repos', async ({ page }) => {
      await page.locator('.repo').first().waitFor();
      assert.match(await statusText(page), /^3000 repositories\.$/);
      const first = await page.locator('.repo h2').first().innerText();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText('Page 2 of 100').waitFor();
      assert.notEqual(await page.locator('.repo h2').first().innerText(), first);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'results');
      await page.getByRole('button', { name: 'Previous' }).click();
      await page.getByText('Page 1 of 100').waitFor();
      await page.locator('#pager').scrollIntoViewIfNeeded();
    });
  });

  it('when the account is empty, then it says so', async () => {
    await sandboxState('newcomer', async ({ page }) => {
      await heading(page, 'No repositories yet').waitFor();
      assert.match(await statusText(page), /^0 repositories\.$/);
    });
  });

  it('when GitHub rejects the stored token, then it offers to reconnect GitHub, and reconnecting lists the repositories', async () => {
    await sandboxState('revoked-token', async (opened) => {
      await heading(opened.page, 'GitHub needs to be reconnected').waitFor();
      await shot(opened, 'sandbox-revoked-token-before');
      await signIn(opened, 'revoked-token', 'Reconnect GitHub');
      await opened.page.locator('.repo').first().waitFor();
      assert.match(await statusText(opened.page), /^9 repositories\.$/);
    });
  });

  /** The states of a failing or slow host, on GitHub and on GitLab: the same screens, each naming its host. */
  const HOST_STATES = [
    { host: 'GitHub', limited: 'rate-limited', down: 'host-down', timeout: 'host-timeout', slow: 'host-slow', repos: 9 },
    { host: 'GitLab', limited: 'gitlab-rate-limited', down: 'gitlab-down', timeout: 'gitlab-timeout', slow: 'gitlab-slow', repos: 8 },
  ];
  for (const { host, limited, down, timeout, slow, repos } of HOST_STATES) {
    it(`when ${host} rate-limits, then it says how long to wait and counts down`, async () => {
      await sandboxState(limited, async ({ page }) => {
        await heading(page, 'Too many requests').waitFor();
        const before = Number(await page.locator('.seconds').innerText());
        assert.ok(before > 0 && before <= 30, String(before));
        await page.waitForFunction((n) => Number(document.querySelector('.seconds')?.textContent) < n, before);
      });
    });

    it(`when ${host} is down, then it says so and offers to try again`, async () => {
      await sandboxState(down, async ({ page }) => {
        await heading(page, `${host} is not answering`).waitFor();
        assert.ok(await page.getByRole('button', { name: 'Try again' }).isVisible());
      });
    });

    it(`when ${host} never answers, then the picker says it is slow, then that ${host} took too long`, async () => {
      await sandboxState(timeout, async ({ page }) => {
        await heading(page, `${host} took too long to answer`).waitFor({ timeout: GITHUB_TIMEOUT_MS + 10_000 });
        await saidSlow(page);
      });
    });

    it(`when ${host} is slow but within the deadline, then the picker says it is slow, then draws the list`, async () => {
      await sandboxState(slow, async ({ page }) => {
        await page.locator('.repo').first().waitFor({ timeout: GITHUB_TIMEOUT_MS + 10_000 });
        await saidSlow(page);
        assert.equal(await statusText(page), `${repos} repositories.`);
      });
    });
  }

  it('when GitVerse fails while GitHub answers, then the list shows GitHub with a notice that GitVerse is missing', async () => {
    await sandboxState('second-host-down', async ({ page }) => {
      await page.locator('.repo').first().waitFor();
      assert.match(await statusText(page), /^9 repositories\. GitVerse could not be listed\.$/);
      assert.match(await page.locator('.notice').innerText(), /GitVerse: GitVerse is not answering\. Its repositories are missing below\./);
      assert.equal(await page.locator('.repo .badge.host').filter({ hasText: 'GitVerse' }).count(), 0);
    });
  });

  it('when the stored GitHub token cannot be read (session-expired), then the client renews its token, the picker says the session has expired, and signing in again lists the repositories', { timeout: 120_000 }, async () => {
    await sandboxState('session-expired', async (opened) => {
      await heading(opened.page, 'Your session has expired').waitFor();
      // The renewal was tried against the real app, and its token was refused too: only then the screen.
      const calls = opened.apiCalls.map((c) => `${c.method} ${new URL(c.url).pathname}${c.authorization ? ' with a bearer token' : ''}`);
      assert.ok(calls.includes('POST /api/v1/auth/token'), calls.join(', '));
      assert.ok(calls.includes('GET /api/v1/repos with a bearer token'), calls.join(', '));
      await shot(opened, 'sandbox-session-expired-before');
      await assertAccessible(opened, 'session expired');
      await signIn(opened, 'session-expired');
      await opened.page.locator('.repo').first().waitFor();
      assert.match(await statusText(opened.page), /^9 repositories\.$/);
    });
  });

  it('when GitLab rejects the stored token, then it offers to reconnect GitLab, and reconnecting through the fake GitLab lists the projects', { timeout: 120_000 }, async () => {
    await sandboxState('gitlab-revoked', async (opened) => {
      await heading(opened.page, 'GitLab needs to be reconnected').waitFor();
      await shot(opened, 'sandbox-gitlab-revoked-before');
      await signIn(opened, 'gitlab-revoked', 'Reconnect GitLab');
      await opened.page.locator('.repo').first().waitFor();
      assert.match(await statusText(opened.page), /^8 repositories\.$/);
      assert.equal(await opened.page.locator('.repo .badge.host').filter({ hasText: 'GitLab' }).count(), await opened.page.locator('.repo').count());
    });
  });

  it('when the bearer token has expired, then the client renews it from the session cookie and the list comes; without the session, sign in again', async () => {
    const opened = await open();
    const { page, context } = opened;
    try {
      await page.goto(sandbox!.pickerUrl);
      await signIn(opened, 'hubot');
      await page.locator('.repo').first().waitFor();
      // The next listing answers 401 once, as for an expired bearer token.
      let expired = false;
      await page.route(`${sandbox!.appUrl}/api/v1/repos?**`, async (route) => {
        if (expired) return route.continue();
        expired = true;
        await route.fulfill({ status: 401, contentType: 'application/problem+json', headers: { 'access-control-allow-origin': new URL(sandbox!.pickerUrl).origin, 'access-control-allow-credentials': 'true' }, body: JSON.stringify({ type: '/docs#section/unauthorized', title: 'Unauthorized', status: 401, code: 'UNAUTHORIZED', detail: 'The token has expired.' }) });
      });
      opened.apiCalls.length = 0;
      await page.getByLabel('Kind').selectOption('frontend');
      await page
        .waitForFunction(() => /match\.$/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 15_000 })
        .catch(async (err: unknown) => {
          throw new Error(`no list: ${await page.locator('main').innerText()}\n${JSON.stringify(opened.apiCalls)}`, { cause: err });
        });
      const calls = opened.apiCalls.map((c) => `${c.method} ${new URL(c.url).pathname}${c.authorization ? ' with a bearer token' : ''}`).filter((c) => !c.startsWith('OPTIONS'));
      assert.deepEqual(calls, ['GET /api/v1/repos', 'POST /api/v1/auth/token', 'GET /api/v1/repos with a bearer token']);

      // The session is gone: the renewal fails, and the picker asks to sign in; signing in brings the list back.
      await context.clearCookies();
      await page.reload();
      await heading(page, 'You are signed out').waitFor();
      await shot(opened, 'sandbox-signed-out');
      await assertAccessible(opened, 'signed out');
      await signIn(opened, 'hubot');
      await page.locator('.repo').first().waitFor();
      assert.deepEqual(opened.errors, []);
    } finally {
      await context.close();
    }
  });

  it('when signed out from the picker, then it asks to sign in', async () => {
    await sandboxState('hubot', async ({ page }) => {
      await page.locator('.repo').first().waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await heading(page, 'You are signed out').waitFor();
      await page.reload();
      await heading(page, 'You are signed out').waitFor();
    });
  });

  /** Each of the mock's states of the list, and what the picker draws for it. */
  const MOCK_STATES: [prefer: string, draws: (page: Page) => Promise<void>][] = [
    ['code=200, example=typical', async (page) => void (await page.locator('.repo .badge.kind').first().waitFor())],
    ['code=200, example=builders', async (page) => void (await page.locator('.repo .badge.origin').first().waitFor())],
    ['code=200, example=pending', async (page) => void (await page.locator('.repo .badge.pending').first().waitFor())],
    ['code=200, example=partial', async (page) => void (await page.locator('.notice').getByText('GitVerse: GitVerse is not answering.').waitFor())],
    ['code=200, example=long_page', async (page) => void (await page.getByRole('button', { name: 'Next' }).waitFor())],
    ['code=200, example=empty', async (page) => void (await heading(page, 'No repositories yet').waitFor())],
    ['code=401, example=unauthorized', async (page) => void (await heading(page, 'You are signed out').waitFor())],
    ['code=401, example=session_expired', async (page) => void (await heading(page, 'Your session has expired').waitFor())],
    ['code=403, example=github_auth', async (page) => void (await page.getByRole('link', { name: 'Reconnect GitHub' }).waitFor())],
    ['code=429, example=rate_limited', async (page) => void (await page.getByText(/Trying again in \d+ s\./).waitFor())],
    ['code=502, example=upstream_unavailable', async (page) => void (await heading(page, 'GitHub is not answering').waitFor())],
    ['code=504, example=upstream_timeout', async (page) => void (await heading(page, 'GitHub took too long to answer').waitFor())],
  ];

  it("when the picker runs against the mock (?api=mock), then each of the mock's states is drawn", async () => {
    const failures: string[] = [];
    await Promise.all(
      MOCK_STATES.map(async ([prefer, draws]) => {
        const opened = await open();
        try {
          await opened.page.goto(`${sandbox!.pickerUrl}?api=mock&prefer=${encodeURIComponent(prefer)}`);
          await draws(opened.page);
          const name = `mock-${/example=(\w+)/.exec(prefer)?.[1]}`;
          await shot(opened, name);
          // The screens of the error states are checked in the sandbox's tests; here what only the mock shows.
          if (/typical|builders|pending/.test(prefer)) await assertAccessible(opened, name);
          if (opened.errors.length) failures.push(`${prefer}: ${opened.errors.join('; ')}`);
          assert.ok(opened.apiCalls.every((c) => c.url.startsWith(mockUrl)), `${prefer}: the page called the sandbox`);
        } catch (err) {
          failures.push(`${prefer}: ${(err as Error).message.split('\n')[0]}`);
        } finally {
          await opened.context.close();
        }
      }),
    );
    assert.deepEqual(failures, []);
  });

  it('when the listing carries facets, then each filter shows its counts; without them, none', async () => {
    const opened = await open();
    const { page } = opened;
    try {
      // The answer of the mock, with the counts a listing that has them sends beside `total`.
      await page.route(`${mockUrl}/api/v1/repos?**`, async (route) => {
        const response = await route.fetch();
        const body = (await response.json()) as Record<string, unknown>;
        const facets = { kind: [{ value: 'frontend', count: 12 }, { value: 'backend', count: 3 }], origin: [{ value: 'lovable', count: 2 }, { value: 'none', count: 13 }], provider: [{ value: 'github', count: 15 }], visibility: [{ value: 'public', count: 9 }, { value: 'private', count: 6 }], owner: [] };
        await route.fulfill({ response, json: { ...body, facets } });
      });
      await page.goto(`${sandbox!.pickerUrl}?api=mock`);
      await page.locator('.repo').first().waitFor();
      const labels = async (id: string) => page.locator(`#${id} option`).allInnerTexts();
      assert.deepEqual(await labels('kind'), ['All kinds', 'Frontend (12)', 'Backend (3)', 'Full stack (0)', 'Monorepo (0)', 'Unknown kind (0)']);
      assert.deepEqual((await labels('origin')).slice(0, 4), ['Any', 'Any AI app builder', 'No AI app builder (13)', 'Lovable (2)']);
      assert.deepEqual(await labels('provider'), ['All hosts', 'GitHub (15)', 'GitVerse (0)']);
      assert.deepEqual(await labels('connected'), ['All', 'Connected', 'Not connected']);
      await page.unroute(`${mockUrl}/api/v1/repos?**`);
      // Every answer of the spec has facets now: one without them is that of a server from before them.
      await page.route(`${mockUrl}/api/v1/repos?**`, async (route) => {
        const response = await route.fetch();
        const { facets: _facets, ...body } = (await response.json()) as Record<string, unknown>;
        await route.fulfill({ response, json: body });
      });
      await page.getByLabel('Mock state').selectOption('code=200, example=mixed');
      await page.waitForFunction(() => document.querySelector('#kind option:nth-child(2)')?.textContent === 'Frontend');
      assert.deepEqual(opened.errors, []);
    } finally {
      await opened.context.close();
    }
  });

  it("when a page reads the mock's answer across origins with credentials, then Retry-After, X-Request-Id and RateLimit are readable, and preflights may be cached", async () => {
    const opened = await open();
    try {
      await opened.page.goto(sandbox!.pickerUrl);
      const headers = await opened.page.evaluate(async (mock) => {
        const read = async (prefer: string) => {
          const res = await fetch(`${mock}/api/v1/repos`, { credentials: 'include', headers: { Authorization: 'Bearer x', Prefer: prefer } });
          return { retryAfter: res.headers.get('Retry-After'), requestId: res.headers.get('X-Request-Id'), rateLimit: res.headers.get('RateLimit') };
        };
        return { limited: await read('code=429, example=rate_limited'), listed: await read('code=200, example=typical') };
      }, mockUrl);
      assert.match(headers.limited.retryAfter ?? '', /^\d+$/);
      assert.ok(headers.limited.requestId);
      assert.ok(headers.listed.rateLimit);
      // And a browser may keep the mock's preflight answer for ten minutes.
      const preflight = await fetch(`${mockUrl}/api/v1/repos`, { method: 'OPTIONS', headers: { origin: new URL(sandbox!.pickerUrl).origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,prefer' } });
      assert.equal(preflight.headers.get('access-control-max-age'), '600');
    } finally {
      await opened.context.close();
    }
  });
});
