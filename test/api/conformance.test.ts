/**
 * Conformance findings of an outside run: `Vary` merged, never replaced; a challenge on every 401;
 * preflights that browsers may keep.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';

const ORIGIN = 'https://app.example.com';

describe('HTTP conformance of answers to browsers', () => {
  let t: TestApp;
  let user: SignedIn;
  beforeAll(async () => {
    t = await startTestApp({
      fake: { users: [{ login: 'uma', repos: generateRepos(3, { owner: { login: 'uma' }, seed: 91 }) }] },
      env: { CORS_ORIGINS: ORIGIN },
    });
    user = await t.signIn('uma');
  });
  afterAll(() => t.close());

  const varyOf = (res: Response) => (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());

  test('when a listing is asked from an allowed Origin, then its 200 and its 304 vary on Origin as well as on the credentials', async () => {
    const headers = { authorization: `Bearer ${user.token}`, origin: ORIGIN };
    const first = await appFetch(`${t.baseUrl}/api/v1/repos`, { headers });
    await first.arrayBuffer();
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('access-control-allow-origin'), ORIGIN);
    for (const name of ['origin', 'authorization', 'cookie']) assert.ok(varyOf(first).includes(name), `200 Vary: ${first.headers.get('vary')}`);
    const again = await appFetch(`${t.baseUrl}/api/v1/repos`, { headers: { ...headers, 'if-none-match': first.headers.get('etag') ?? '' } });
    assert.equal(again.status, 304);
    for (const name of ['origin', 'authorization', 'cookie']) assert.ok(varyOf(again).includes(name), `304 Vary: ${again.headers.get('vary')}`);
  });

  test('when a browser sends a preflight, then its answer says how long it may be kept', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/connections`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-max-age'), '7200');
  });

  test('when credentials are missing or not valid, then the 401 carries WWW-Authenticate: Bearer, with invalid_token when a token was sent', async () => {
    const none = await appFetch(`${t.baseUrl}/api/v1/me`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="repositories-api"');
    const bad = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(bad.status, 401);
    assert.equal(bad.headers.get('www-authenticate'), 'Bearer realm="repositories-api", error="invalid_token"');
  });

  test('when the reference is served, then its policy allows each of its inline scripts by hash and no other inline script', async () => {
    const res = await fetch(`${t.baseUrl}/docs`);
    assert.equal(res.status, 200, 'the reference is built (npm run docs)');
    const html = await res.text();
    const policy = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = policy.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src ')) ?? assert.fail(policy);
    assert.ok(!scriptSrc.includes("'unsafe-inline'"), scriptSrc);
    const inline = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    assert.ok(inline.length > 0);
    for (const body of inline) assert.ok(scriptSrc.includes(`'sha256-${createHash('sha256').update(body).digest('base64')}'`), 'an inline script without its hash');
  });

  test("when GitHub's /user sends a login the spec cannot hold, then me is 502 UPSTREAM_UNAVAILABLE naming the field, never a 500", async () => {
    const other = await t.signIn('uma');
    t.fake.state.injectFault({ route: '/user', kind: 'reply', reply: { status: 200, headers: { 'x-oauth-scopes': 'repo' }, body: { id: 5, login: 'uma spaced', name: 'Uma' } }, times: 1 });
    const res = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${other.token}` } });
    assert.equal(res.status, 502);
    const problem = (await res.json()) as { code: string; detail: string; provider: string };
    assert.equal(problem.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(problem.provider, 'github');
    assert.match(problem.detail, /\blogin\b/);
    t.fake.state.clearFaults();
  });

  test('when the sign-in meets a GitHub account the spec cannot hold, then 502 naming the field, and nobody is signed in', async () => {
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual' });
    await start.arrayBuffer();
    const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.includes('rapi_oauth=')) ?? assert.fail('no state cookie');
    const authorize = new URL(start.headers.get('location') ?? '');
    authorize.searchParams.set('login', 'uma');
    const approved = await fetch(authorize, { redirect: 'manual' });
    await approved.arrayBuffer();
    t.fake.state.injectFault({ route: '/user', kind: 'reply', reply: { status: 200, body: { id: 5, login: 'uma\nspaced' } }, times: 1 });
    const res = await appFetch(approved.headers.get('location') ?? '', { headers: { cookie } });
    assert.equal(res.status, 502);
    assert.match(((await res.json()) as { detail: string }).detail, /\blogin\b/);
    assert.ok(!res.headers.getSetCookie().some((c) => /rapi_session=[^;]/.test(c)), 'no session cookie');
    t.fake.state.clearFaults();
  });
});
