import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { ApiProblem } from '../../src/contract/problem.ts';
import { BitbucketClient } from '../../src/hosts/bitbucket/client.ts';
import { verifyBitbucketApiToken } from '../../src/hosts/bitbucket/link.ts';
import { authorizeUrl, exchangeCode, refreshTokens } from '../../src/hosts/bitbucket/oauth.ts';
import type { FakeBitbucket, FakeBitbucketAccount } from '../fakes/bitbucket/index.ts';
import { rejectsWithProblem, startWorld } from './helpers.ts';
import { ANSWERED_MS, GIVE_UP_MS } from '../support/deadlines.ts';
import { ManualClock } from '../support/clock.ts';

const CONSUMER = { clientId: 'bb-key', clientSecret: 'bb-secret' };
const REDIRECT = 'http://localhost:3000/api/v1/auth/bitbucket/callback';

let fake: FakeBitbucket;
let ada: FakeBitbucketAccount;
let client: BitbucketClient;
/** The client's clock: a token's expiry is worked out on it. */
const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));

beforeAll(async () => {
  ({ fake, ada } = await startWorld());
  fake.state.clientId = CONSUMER.clientId;
  fake.state.clientSecret = CONSUMER.clientSecret;
  client = new BitbucketClient({ apiUrl: fake.baseUrl, webUrl: fake.baseUrl, timeoutMs: ANSWERED_MS, clock });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.oauthScopes = ['account', 'repository'];
  fake.state.signInPage = false;
});

/** Runs the browser's part: the authorize page as `login`, and the code the redirect carries. */
async function authorizeAs(login: string | undefined, verifier: string): Promise<{ code: string | null; state: string | null; error: string | null }> {
  const url = new URL(authorizeUrl(client, { ...CONSUMER, redirectUri: REDIRECT, state: 'st4te', codeChallenge: createHash('sha256').update(verifier).digest('base64url') }));
  if (login !== undefined) url.searchParams.set('login', login);
  const response = await fetch(url, { redirect: 'manual' });
  assert.equal(response.status, 302);
  const back = new URL(response.headers.get('location') ?? '');
  assert.equal(back.origin + back.pathname, REDIRECT);
  return { code: back.searchParams.get('code'), state: back.searchParams.get('state'), error: back.searchParams.get('error') };
}

describe('Bitbucket OAuth 2.0', () => {
  it('the authorization code with PKCE gives a two-hour access token that lists, and a refresh token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const { code, state } = await authorizeAs('ada', verifier);
    assert.equal(state, 'st4te');
    const tokens = await exchangeCode(client, { ...CONSUMER, code: code ?? '', redirectUri: REDIRECT, codeVerifier: verifier });
    assert.deepEqual(tokens.scopes, ['account', 'repository']);
    assert.equal(tokens.expiresAt.getTime(), clock.now() + 7_200_000);
    assert.ok(tokens.refreshToken);
    assert.equal((await client.getUser(tokens.accessToken)).login, 'ada');
    // The consumer authenticates with HTTP Basic, as Bitbucket documents.
    const exchange = fake.state.requests.find((r) => r.route === '/site/oauth2/access_token');
    assert.equal(exchange?.authorization, `Basic ${Buffer.from('bb-key:bb-secret').toString('base64')}`);
  });

  it('a code with another verifier, or used twice, is refused with 401: sign in again', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const { code } = await authorizeAs('ada', verifier);
    const wrong = exchangeCode(client, { ...CONSUMER, code: code ?? '', redirectUri: REDIRECT, codeVerifier: 'another-verifier-of-enough-length-000000000' });
    await assert.rejects(wrong, (e: unknown) => e instanceof ApiProblem && e.status === 401 && e.code === 'UNAUTHORIZED');
    await exchangeCode(client, { ...CONSUMER, code: code ?? '', redirectUri: REDIRECT, codeVerifier: verifier }).catch(() => undefined);
    await assert.rejects(exchangeCode(client, { ...CONSUMER, code: code ?? '', redirectUri: REDIRECT, codeVerifier: verifier }), (e: unknown) => e instanceof ApiProblem && e.status === 401);
  });

  it('a consumer whose secret Bitbucket refuses is a 502 telling the operator, not the user', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const { code } = await authorizeAs('ada', verifier);
    const problem = await rejectsWithProblem(exchangeCode(client, { ...CONSUMER, clientSecret: 'wrong', code: code ?? '', redirectUri: REDIRECT, codeVerifier: verifier }), {
      status: 502,
      code: 'UPSTREAM_UNAVAILABLE',
    });
    assert.match(problem.detail, /OAuth consumer/);
  });

  it('a consumer without the repository permission is refused at sign-in, naming it', async () => {
    fake.state.oauthScopes = ['account'];
    const verifier = randomBytes(32).toString('base64url');
    const { code } = await authorizeAs('ada', verifier);
    const problem = await rejectsWithProblem(exchangeCode(client, { ...CONSUMER, code: code ?? '', redirectUri: REDIRECT, codeVerifier: verifier }), { status: 403, code: 'PROVIDER_AUTH' });
    assert.match(problem.detail, /"repository"/);
  });

  it('an expired access token fails with reconnect; the refresh token renews it, counted by the fake', async () => {
    const issued = fake.state.issueTokens('ada');
    fake.state.expire(issued.access_token);
    await rejectsWithProblem(client.getUser(issued.access_token), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    const refreshes = fake.state.refreshes;
    const renewed = await refreshTokens(client, { ...CONSUMER, refreshToken: issued.refresh_token });
    assert.equal(fake.state.refreshes, refreshes + 1);
    assert.notEqual(renewed.accessToken, issued.access_token);
    assert.equal(renewed.refreshToken, issued.refresh_token);
    assert.equal((await client.getUser(renewed.accessToken)).login, 'ada');
  });

  it('a refresh token Bitbucket refuses is PROVIDER_AUTH with reconnect', async () => {
    await rejectsWithProblem(refreshTokens(client, { ...CONSUMER, refreshToken: 'revoked' }), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
  });

  it('the token endpoint failing or too slow is a 502 or a 504', async () => {
    fake.state.injectFault({ route: '/site/oauth2/access_token', kind: 503, times: 1 });
    await rejectsWithProblem(refreshTokens(client, { ...CONSUMER, refreshToken: fake.state.issueTokens('ada').refresh_token }), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    fake.state.injectFault({ route: '/site/oauth2/access_token', kind: 'timeout', times: 1 });
    const quick = new BitbucketClient({ apiUrl: fake.baseUrl, webUrl: fake.baseUrl, timeoutMs: GIVE_UP_MS });
    await rejectsWithProblem(refreshTokens(quick, { ...CONSUMER, refreshToken: fake.state.issueTokens('ada').refresh_token }), { status: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('the authorize page picks the account: one entry per account with its workspaces, each continuing the same authorization', async () => {
    fake.state.signInPage = true;
    const url = authorizeUrl(client, { ...CONSUMER, redirectUri: REDIRECT, state: 's', codeChallenge: 'x'.repeat(43) });
    const page = await fetch(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /data-login="ada"[^>]*>.*acme, ada-personal, design-guild/);
    assert.match(html, /data-login="bob"[^>]*>.*acme, elsewhere/);
    const href = /data-login="bob" href="([^"]+)"/.exec(html)?.[1]?.replace(/&#38;/g, '&');
    assert.ok(href);
    const picked = await fetch(new URL(href, fake.baseUrl), { redirect: 'manual' });
    assert.equal(picked.status, 302);
    assert.ok(new URL(picked.headers.get('location') ?? '').searchParams.get('code'));
    const denied = await authorizeAs('', 'v'.repeat(43));
    assert.equal(denied.error, 'access_denied');
  });
});

describe('Atlassian API token link', () => {
  it('an API token given as email:token is checked against the user and the workspaces, and sent as HTTP Basic', async () => {
    const credential = `${ada.user.email}:${ada.apiToken}`;
    const linked = await verifyBitbucketApiToken(client, credential);
    assert.equal(linked.login, 'ada');
    assert.equal((await client.listRepos(credential)).workspaces.length, 3);
    assert.equal(fake.state.requests.at(-1)?.authorization, `Basic ${Buffer.from(credential).toString('base64')}`);
  });

  it('a wrong token, or one without the workspace scope, is PROVIDER_AUTH saying what to create', async () => {
    const wrong = await rejectsWithProblem(verifyBitbucketApiToken(client, `${ada.user.email}:ATATTwrong`), { status: 403, code: 'PROVIDER_AUTH' });
    assert.match(wrong.detail, /read:workspace/);
    ada.apiTokenScopes = ['read:user:bitbucket', 'read:repository:bitbucket'];
    try {
      const narrow = await rejectsWithProblem(verifyBitbucketApiToken(client, `${ada.user.email}:${ada.apiToken}`), { status: 403, code: 'PROVIDER_AUTH' });
      assert.match(narrow.detail, /"read:workspace:bitbucket" scope/);
    } finally {
      ada.apiTokenScopes = ['read:user:bitbucket', 'read:workspace:bitbucket', 'read:repository:bitbucket'];
    }
  });

  it('a failure that says nothing about the token passes through unchanged', async () => {
    fake.state.injectFault({ route: '/2.0/user', kind: 429, retryAfter: 30, times: 1 });
    await rejectsWithProblem(verifyBitbucketApiToken(client, `${ada.user.email}:${ada.apiToken}`), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 30 } });
  });

  it('something that is no email and token is a validation error', async () => {
    await assert.rejects(verifyBitbucketApiToken(client, 'ATATTwithout-an-email'), (e: unknown) => e instanceof ApiProblem && e.status === 400);
  });
});
