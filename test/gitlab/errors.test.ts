/**
 * GitLab's failures, one test each, from the statuses, headers and bodies GitLab documents
 * (REST API troubleshooting, OAuth 2.0 provider, rate limits), served by the fake GitLab.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { GitLabClient, rejectedToken, retryAfterSeconds } from '../../src/hosts/gitlab/index.ts';
import { generateProjects, startFakeGitLab } from '../fakes/gitlab/index.ts';
import type { FakeAccount, FakeGitLab, Fault } from '../fakes/gitlab/index.ts';
import { rejectsWithProblem as rejects } from '../support/problems.ts';
import { ANSWERED_MS, GIVE_UP_MS } from '../support/deadlines.ts';

let fake: FakeGitLab;
let account: FakeAccount;
let client: GitLabClient;
/** For the tests that wait for the deadline to pass. */
let impatient: GitLabClient;

const rejectsWithProblem = (promise: Promise<unknown>, expected: Parameters<typeof rejects>[2]) => rejects('gitlab', promise, expected);
const fail = (fault: Omit<Fault, 'route'>) => fake.state.injectFault({ route: '/api/v4/projects', ...fault });
const list = (using = client) => using.listProjects(account.token);

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'gl-dev' }], clientId: 'app', clientSecret: 'secret' });
  account = fake.state.accountByLogin('gl-dev')!;
  account.projects = generateProjects(3, { owner: { login: 'gl-dev' } });
  client = new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
  impatient = new GitLabClient({ apiUrl: `${fake.baseUrl}/api/v4`, webUrl: fake.baseUrl, timeoutMs: GIVE_UP_MS });
});
afterAll(() => fake.close());
beforeEach(() => fake.state.clearFaults());

describe('401 and 403: the token or the account → 403 PROVIDER_AUTH with reconnect', () => {
  it('when GitLab answers 401 Unauthorized, then 403 PROVIDER_AUTH with reconnect, marked as a rejected token', async () => {
    fail({ kind: 'unauthorized' });
    const problem = await rejectsWithProblem(list(), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.equal(rejectedToken(problem), true);
  });

  it('when an OAuth token has expired (401 invalid_token, "Token is expired"), then 403 PROVIDER_AUTH that says it expired, marked for a refresh', async () => {
    fail({ kind: 'expiredToken' });
    const problem = await rejectsWithProblem(list(), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.match(problem.detail, /expired/);
    assert.equal(rejectedToken(problem), true);
  });

  it('when the token lacks read_api (403 insufficient_scope), then 403 PROVIDER_AUTH naming the scope, not marked for a refresh', async () => {
    fail({ kind: 'insufficientScope' });
    const problem = await rejectsWithProblem(list(), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.match(problem.detail, /read_api/);
    assert.equal(rejectedToken(problem), false);
  });

  it('when the account is blocked, then 403 PROVIDER_AUTH that says so', async () => {
    fail({ kind: 'blocked' });
    const problem = await rejectsWithProblem(list(), { status: 403, code: 'PROVIDER_AUTH', extras: { reconnect: true } });
    assert.match(problem.detail, /blocked/);
  });

  it('when a real blocked user calls, then the fake answers as GitLab and the client maps it the same', async () => {
    const blocked = fake.state.addUser({ login: 'blocked-user', blocked: true });
    const problem = await rejectsWithProblem(client.listProjects(blocked.token), { status: 403, code: 'PROVIDER_AUTH' });
    assert.match(problem.detail, /blocked/);
  });

  it('when a token is unknown to GitLab, then 403 PROVIDER_AUTH', async () => {
    await rejectsWithProblem(client.listProjects('glpat-not-a-real-token'), { status: 403, code: 'PROVIDER_AUTH' });
  });
});

describe('429: a bounded retry_after from whatever GitLab says', () => {
  it('when the 429 has Retry-After, then 429 RATE_LIMITED waiting that long', async () => {
    fail({ kind: 'rateLimited', retryAfter: 42 });
    await rejectsWithProblem(list(), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 42 } });
  });

  it('when the 429 has only RateLimit-Reset, then the wait runs until that moment', async () => {
    fail({ kind: 'rateLimited', retryAfter: 90, resetOnly: true });
    const problem = await rejectsWithProblem(list(), { status: 429, code: 'RATE_LIMITED' });
    assert.ok(problem.extras.retry_after! >= 88 && problem.extras.retry_after! <= 91, String(problem.extras.retry_after));
  });

  it('when the 429 has no header at all, then the wait is 60 seconds', async () => {
    fail({ kind: 'rateLimited', bare: true });
    await rejectsWithProblem(list(), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 } });
  });

  it('when the 429 is a plain-text "Retry later" without headers, then it is still 429 RATE_LIMITED, not a 502', async () => {
    fail({ kind: 'rateLimited', bare: true, plainText: true });
    await rejectsWithProblem(list(), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 60 } });
  });

  it('when the 429 asks for a week, then the wait is held to a day', async () => {
    fail({ kind: 'rateLimited', retryAfter: 7 * 86_400 });
    await rejectsWithProblem(list(), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 86_400 } });
  });

  it('when Retry-After is an HTTP date or RateLimit-ResetTime is the only time, then the wait runs until it', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:30 GMT' }), now), 30);
    assert.equal(retryAfterSeconds(new Headers({ 'ratelimit-resettime': 'Thu, 01 Jan 2026 00:02:00 GMT' }), now), 120);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'soon' }), now), 60);
  });
});

describe('5xx, HTML pages, bad bodies and timeouts → 502 / 504', () => {
  for (const status of [500, 502, 503] as const) {
    it(`when GitLab answers ${status}, then 502 UPSTREAM_UNAVAILABLE naming the status`, async () => {
      fail({ kind: status });
      const problem = await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
      assert.match(problem.detail, new RegExp(`answered ${status}`));
    });
  }

  it('when GitLab answers its HTML "Whoops" page, then 502 that says an HTML page came, without the HTML', async () => {
    fail({ kind: 'htmlError' });
    const problem = await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.match(problem.detail, /HTML error page/);
    assert.doesNotMatch(problem.detail, /</);
  });

  it('when a 200 is an HTML page (a sign-in redirect target, a proxy), then 502: the body is not JSON', async () => {
    fail({ kind: 'reply', reply: { status: 200, headers: { 'content-type': 'text/html' }, body: '<!DOCTYPE html><title>Sign in</title>' } });
    await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('when GitLab redirects, then 502: a token never follows a redirect', async () => {
    fail({ kind: 'reply', reply: { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' }, body: '' } });
    await rejectsWithProblem(list(), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('when GitLab does not answer within the deadline, then 504 UPSTREAM_TIMEOUT', async () => {
    fail({ kind: 'timeout' });
    await rejectsWithProblem(list(impatient), { status: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('when GitLab answers headers then stalls the body past the deadline, then 504', async () => {
    fail({ kind: 'slowBody', bodyDelayMs: 1_000 });
    await rejectsWithProblem(list(impatient), { status: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('when GitLab cannot be reached, then 502 that says how, without the address', async () => {
    const nowhere = new GitLabClient({ apiUrl: 'http://127.0.0.1:9/api/v4', webUrl: 'http://127.0.0.1:9', timeoutMs: ANSWERED_MS });
    const problem = await rejectsWithProblem(nowhere.listProjects('t'), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    assert.doesNotMatch(problem.detail, /127\.0\.0\.1/);
  });
});
