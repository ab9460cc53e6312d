/**
 * One shape of linking for every host, and accounts keyed by (host, host user id): a signed-in user
 * who completes a host's OAuth flow links that account to themselves, and an account that is
 * another user's is refused from either side.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { gitverseTokenFor } from '../fakes/gitverse/index.ts';
import { loadConfig } from '../../src/config.ts';
import type { Store } from '../../src/store/types.ts';
import { freshEmbeddedStore } from '../support/embedded.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { cookieOf } from '../support/sign-in.ts';

describe('linking git hosts and host accounts', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: ['alice', 'bob', 'carol', 'dave'].map((login, i) => ({ login, repos: generateRepos(3, { owner: { login }, seed: 60 + i }) })),
      },
      gitverse: { users: [{ login: 'alice', repos: [] }] },
    });
  });
  afterAll(() => t.close());

  /** The GitHub OAuth flow through the generic paths, approved as `login`, started with `cookie` (signed in) or without. */
  async function oauthFlow(login: string, cookie?: string): Promise<Response> {
    const start = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
    await start.arrayBuffer();
    assert.equal(start.status, 302);
    const oauthCookie = cookieOf(start, '__Host-rapi_oauth') ?? cookieOf(start, 'rapi_oauth');
    const authorize = new URL(start.headers.get('location') ?? '');
    assert.ok(authorize.searchParams.get('code_challenge'));
    authorize.searchParams.set('login', login);
    const approved = await fetch(authorize, { redirect: 'manual' });
    await approved.arrayBuffer();
    return appFetch(new URL(approved.headers.get('location') ?? ''), { headers: { cookie: [oauthCookie, cookie].filter(Boolean).join('; ') } });
  }

  const userOf = async (signedIn: SignedIn) => (await signedIn.api.GET('/api/v1/me')).data?.user;

  test('when a signed-in user completes the OAuth flow of another account of the host, then it is linked to them, and signing in with it finds them', async () => {
    const alice = await t.signIn('alice');
    const linked = await oauthFlow('carol', alice.cookie);
    assert.equal(linked.status, 200);
    const body = (await linked.json()) as { user: { id: number } };
    assert.equal(body.user.id, alice.userId);
    // Carol's GitHub account is now alice's: signing in with it is signing in as alice.
    const again = await t.signIn('carol');
    assert.equal(again.userId, alice.userId);
    assert.equal((await userOf(again))?.id, alice.userId);
  });

  test('when a signed-in user completes the OAuth flow of an account linked to another user, then 409 ACCOUNT_CONFLICT and nothing changes, from either side', async () => {
    const bob = await t.signIn('bob');
    const dave = await t.signIn('dave');
    assert.notEqual(bob.userId, dave.userId);
    for (const [who, other] of [
      [bob, 'dave'],
      [dave, 'bob'],
    ] as const) {
      const res = await oauthFlow(other, who.cookie);
      assert.equal(res.status, 409);
      const problem = (await res.json()) as { code: string };
      assert.equal(problem.code, 'ACCOUNT_CONFLICT');
      assert.equal(cookieOf(res, '__Host-rapi_session') ?? cookieOf(res, 'rapi_session'), undefined);
    }
    // Each account still signs in as its own user.
    assert.equal((await t.signIn('bob')).userId, bob.userId);
    assert.equal((await t.signIn('dave')).userId, dave.userId);
  });

  test('when the flow is started without a session, then the account signs in as its own user (no link)', async () => {
    const res = await oauthFlow('bob');
    assert.equal(res.status, 200);
    const bob = await t.signIn('bob');
    assert.equal(((await res.json()) as { user: { id: number } }).user.id, bob.userId);
  });

  test('when a host that links with a token is asked for its sign-in, then 400 naming path.provider', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/auth/gitverse/login`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    const problem = (await res.json()) as { code: string; field_errors: Record<string, string> };
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.ok(problem.field_errors['path.provider']);
    const callback = await appFetch(`${t.baseUrl}/api/v1/auth/gitverse/callback?state=abc&code=def`);
    assert.equal(callback.status, 400);
  });

  test('a token link is PUT and DELETE on /me/providers/{provider}; a host that links by OAuth refuses a token with 400', async () => {
    const alice = await t.signIn('alice');
    const linked = await alice.api.PUT('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitverse' } }, body: { token: gitverseTokenFor('alice') } });
    assert.equal(linked.response.status, 200);
    assert.equal(linked.data?.token_status, 'valid');
    const refused = await alice.api.PUT('/api/v1/me/providers/{provider}', { params: { path: { provider: 'github' } }, body: { token: 'ghp_0123456789abcdef' } });
    assert.equal(refused.response.status, 400);
    assert.equal(refused.error?.code, 'VALIDATION_FAILED');
    const unlinked = await alice.api.DELETE('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitverse' } } });
    assert.equal(unlinked.response.status, 204);
    const again = await alice.api.DELETE('/api/v1/me/providers/{provider}', { params: { path: { provider: 'gitverse' } } });
    assert.equal(again.response.status, 404);
  });

  test('when GitHub is unlinked, then me says so, and signing in with it again finds the same user with the token back', async () => {
    const carolFree = await t.signIn('alice');
    const res = await carolFree.api.DELETE('/api/v1/me/providers/{provider}', { params: { path: { provider: 'github' } } });
    assert.equal(res.response.status, 204);
    const me = await carolFree.api.GET('/api/v1/me');
    assert.equal(me.data?.providers.find((p) => p.provider === 'github')?.token_status, 'not_linked');
    const back = await t.signIn('alice');
    assert.equal(back.userId, carolFree.userId);
    const after = await back.api.GET('/api/v1/me');
    assert.equal(after.data?.providers.find((p) => p.provider === 'github')?.token_status, 'valid');
  });
});

describe('starting a sign-in when the database fails', () => {
  let t: TestApp;
  let store: Store;
  beforeAll(async () => {
    store = await freshEmbeddedStore(loadConfig({ NODE_ENV: 'test' }).secretKey);
    // The session of the cookie is read to know whether the flow links or signs in: here that read fails.
    const broken: Store = { ...store, sessions: { ...store.sessions, getBySecret: () => Promise.reject(new Error('the database is gone')) } };
    t = await startTestApp({ overrides: { store: broken } });
  });
  afterAll(async () => {
    await t?.close();
    await store?.close();
  });

  test('when the session of the cookie cannot be read, then 500 INTERNAL, not a sign-in that forgets who was signed in', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/auth/github/login`, { redirect: 'manual', headers: { cookie: '__Host-rapi_session=some-session-secret-0123456789' } });
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { code: string }).code, 'INTERNAL');
  });
});
