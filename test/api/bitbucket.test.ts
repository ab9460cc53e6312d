/**
 * Bitbucket through the app: sign-in with OAuth (PKCE) and its two-hour tokens renewed on the way,
 * an Atlassian API token linked instead, every workspace's repositories in the listing, and
 * Bitbucket's failures as the problems the spec documents.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { appFetch, startTestApp, type TestApp } from '../support/harness.ts';
import { cookieOf } from '../support/sign-in.ts';
import type { FakeBitbucket, FakeBitbucketAccount } from '../fakes/bitbucket/index.ts';
import { populateWorld, WORLD } from '../bitbucket/helpers.ts';

let t: TestApp;
let fake: FakeBitbucket;
let bob: FakeBitbucketAccount;

interface Listing {
  total: number;
  providers: Array<{ provider: string; status: string; problem: { status: number; code: string; detail: string; reconnect?: boolean } | null }>;
  repositories: Array<{ provider: string; owner: { login: string } }>;
}

beforeAll(async () => {
  // The test app starts a fake of every host of the registry, Bitbucket's among them.
  t = await startTestApp();
  fake = t.fakes.bitbucket;
  ({ bob } = populateWorld(fake));
});
afterAll(() => t.close());
beforeEach(() => fake.state.clearFaults());

/** The OAuth round trip through the app with the fake Bitbucket's authorize page, as `login`. */
async function signInWithBitbucket(login: string): Promise<string> {
  const start = await appFetch(`${t.baseUrl}/api/v1/auth/bitbucket/login`, { redirect: 'manual' });
  await start.arrayBuffer();
  const oauthCookie = cookieOf(start, '__Host-rapi_oauth') ?? cookieOf(start, 'rapi_oauth');
  const authorize = new URL(start.headers.get('location') ?? '');
  assert.equal(authorize.pathname, '/site/oauth2/authorize');
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  authorize.searchParams.set('login', login);
  const approved = await fetch(authorize, { redirect: 'manual' });
  const done = await appFetch(approved.headers.get('location') ?? '', { headers: { cookie: oauthCookie ?? '' } });
  assert.equal(done.status, 200, await done.clone().text());
  return ((await done.json()) as { access_token: string }).access_token;
}

const list = async (token: string, query = 'provider=bitbucket&per_page=100&refresh=true') => {
  const res = await appFetch(`${t.baseUrl}/api/v1/repos?${query}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Listing & { code?: string; detail?: string; reconnect?: boolean } };
};

describe('Bitbucket through the app', () => {
  let token: string;

  test('signing in with Bitbucket lists every repository of every workspace, and me shows Bitbucket linked', async () => {
    token = await signInWithBitbucket('ada');
    const { status, body } = await list(token);
    assert.equal(status, 200);
    assert.equal(body.total, WORLD.acme + WORLD['ada-personal'] + WORLD['design-guild']);
    assert.deepEqual(body.providers.find((p) => p.provider === 'bitbucket')?.status, 'ok');
    const me = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    const linked = ((await me.json()) as { providers: Array<{ provider: string; linked: boolean; login: string | null }> }).providers.find((p) => p.provider === 'bitbucket');
    assert.equal(linked?.linked, true);
    assert.equal(linked?.login, 'ada');
  });

  test('an access token past its two hours is renewed with the refresh token, once, and the listing goes on', async () => {
    for (const [access, issued] of fake.state.accessTokens) if (issued.login === 'ada') fake.state.expire(access);
    const before = fake.state.refreshes;
    const [first, second] = await Promise.all([list(token), list(token)]);
    assert.equal(first.status, 200);
    assert.equal(second.status, 200);
    assert.equal(fake.state.refreshes, before + 1);
    assert.equal((await list(token)).status, 200);
    assert.equal(fake.state.refreshes, before + 1);
  });

  test('Bitbucket answering 410 Gone is a 502 that says the endpoint was removed', async () => {
    fake.state.injectFault({ route: '/2.0/user/workspaces', kind: 410 });
    const { status, body } = await list(token);
    const problem: { status?: number; detail?: string } | null | undefined = status === 200 ? body.providers.find((p) => p.provider === 'bitbucket')?.problem : body;
    assert.equal(problem?.status ?? status, 502);
    assert.match(problem?.detail ?? '', /410 Gone for GET \/2\.0\/user\/workspaces/);
  });

  test('a refresh token Bitbucket no longer takes is PROVIDER_AUTH with reconnect', async () => {
    for (const [access, issued] of fake.state.accessTokens) if (issued.login === 'ada') fake.state.expire(access);
    fake.state.refreshTokens.clear();
    const { status, body } = await list(token);
    const problem = status === 200 ? body.providers.find((p) => p.provider === 'bitbucket')?.problem : body;
    assert.equal(problem?.code, 'PROVIDER_AUTH');
    assert.equal(problem?.reconnect, true);
  });

  test('an Atlassian API token, given as email:token, links Bitbucket for a user signed in elsewhere', async () => {
    t.fake.state.addUser({ login: 'mona' });
    const signed = await t.signIn('mona');
    const link = (token: string) =>
      appFetch(`${t.baseUrl}/api/v1/me/providers/bitbucket`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${signed.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    const refused = await link(`${bob.user.email}:ATATTnot-the-token`);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'PROVIDER_AUTH');
    const linked = await link(`${bob.user.email}:${bob.apiToken}`);
    assert.equal(linked.status, 200, await linked.clone().text());
    const { status, body } = await list(signed.token);
    assert.equal(status, 200);
    assert.equal(body.total, WORLD.acme + 3);
    assert.deepEqual(new Set(body.repositories.map((r) => r.owner.login)), new Set(['acme', 'elsewhere']));
  });
});
