import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ApiProblem } from '../../src/contract/problem.ts';
import { GitLabClient } from '../../src/hosts/gitlab/index.ts';
import { generateProjects, startFakeGitLab } from '../fakes/gitlab/index.ts';
import type { FakeGitLab } from '../fakes/gitlab/index.ts';
import { rejectsWithProblem } from '../support/problems.ts';

const CLIENT = { clientId: 'app-id', clientSecret: 'app-secret' };
const REDIRECT = 'http://127.0.0.1:9/api/v1/auth/gitlab/callback';
let fake: FakeGitLab;
let client: GitLabClient;

/** The browser's part of the web flow: the authorize URL, followed to the redirect with its code. */
async function authorize(verifier: string, login = 'gl-dev'): Promise<string> {
  const url = new URL('/oauth/authorize', fake.baseUrl);
  url.search = new URLSearchParams({
    client_id: CLIENT.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    state: 'st',
    scope: 'read_api read_user',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    login,
  }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  const location = new URL(response.headers.get('location') ?? assert.fail('no redirect'));
  assert.equal(location.searchParams.get('state'), 'st');
  return location.searchParams.get('code') ?? assert.fail(`no code: ${location.search}`);
}

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'gl-dev', projects: generateProjects(3, { owner: { login: 'gl-dev' } }) }, { login: 'other' }], ...CLIENT });
  client = new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: 5_000 });
});
afterAll(() => fake.close());

describe('GitLab OAuth: the code exchange with PKCE, and refresh tokens that work once', () => {
  it('when the code and verifier match, then an access token that expires in two hours, a refresh token, and the scopes', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const tokens = await client.exchangeOAuthCode({ ...CLIENT, code: await authorize(verifier), redirectUri: REDIRECT, codeVerifier: verifier });
    assert.ok(tokens.refreshToken);
    assert.deepEqual(tokens.scopes, ['read_api', 'read_user']);
    assert.ok(Math.abs(tokens.expiresAt! - (Date.now() + 7_200_000)) < 5_000);
    assert.equal((await client.getUser(tokens.accessToken)).username, 'gl-dev');
    assert.equal((await client.listProjects(tokens.accessToken)).repos.length, 3);
  });

  it('when the verifier does not match the challenge, then 401 UNAUTHORIZED: sign in again', async () => {
    const code = await authorize('the-right-verifier-0123456789-0123456789');
    await assert.rejects(client.exchangeOAuthCode({ ...CLIENT, code, redirectUri: REDIRECT, codeVerifier: 'another-verifier-0123456789-0123456789' }), (e: unknown) => e instanceof ApiProblem && e.status === 401 && e.code === 'UNAUTHORIZED');
  });

  it('when our client secret is wrong, then 502: the OAuth application settings, not the user', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await authorize(verifier);
    await rejectsWithProblem('gitlab', client.exchangeOAuthCode({ ...CLIENT, clientSecret: 'wrong', code, redirectUri: REDIRECT, codeVerifier: verifier }), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('when a refresh token is spent, then new tokens; spent again, 403 PROVIDER_AUTH with reconnect, and GitLab counted one refresh', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const first = await client.exchangeOAuthCode({ ...CLIENT, code: await authorize(verifier), redirectUri: REDIRECT, codeVerifier: verifier });
    const before = fake.state.refreshes;
    const second = await client.refreshOAuthToken({ ...CLIENT, refreshToken: first.refreshToken! });
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.equal((await client.getUser(second.accessToken)).username, 'gl-dev');
    await rejectsWithProblem('gitlab', client.getUser(first.accessToken), { status: 403, code: 'PROVIDER_AUTH' });
    await rejectsWithProblem('gitlab', client.refreshOAuthToken({ ...CLIENT, refreshToken: first.refreshToken! }), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.equal(fake.state.refreshes - before, 1);
    assert.equal(fake.state.refusedRefreshes, 1);
  });

  it('when an access token is past its two hours, then GitLab says it expired and the client maps it to PROVIDER_AUTH', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const tokens = await client.exchangeOAuthCode({ ...CLIENT, code: await authorize(verifier), redirectUri: REDIRECT, codeVerifier: verifier });
    fake.state.expire(tokens.accessToken);
    const problem = await rejectsWithProblem('gitlab', client.listProjects(tokens.accessToken), { status: 403, code: 'PROVIDER_AUTH' });
    assert.match(problem.detail, /expired/);
  });

  it('when the authorize step names no account and the picker is on, then a page lists every account, each link continuing the flow', async () => {
    fake.state.signInPage = true;
    try {
      const url = new URL('/oauth/authorize', fake.baseUrl);
      url.search = new URLSearchParams({ client_id: CLIENT.clientId, redirect_uri: REDIRECT, response_type: 'code', state: 's', scope: 'read_api read_user' }).toString();
      const page = await (await fetch(url)).text();
      assert.match(page, /data-login="gl-dev"/);
      assert.match(page, /data-login="other"/);
      assert.match(page, /3 projects/);
    } finally {
      fake.state.signInPage = false;
    }
  });
});
