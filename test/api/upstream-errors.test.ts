/**
 * A git host's failures as the API answers them: rate limits with their retry times held to the
 * bound, and a refused connection told in words without the host's address, which is logged.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { issueDevToken } from '../../dev/dev-token.ts';
import { generateRepos, idFor, tokenFor } from '../fakes/github/index.ts';
import { createLogger } from '../../src/logger.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { freePort } from '../support/ports.ts';
import { problemOf } from '../support/problems.ts';

describe("GitHub's failures as answers", () => {
  let t: TestApp;
  let me: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos: generateRepos(30, { owner: { login: 'octocat' }, seed: 12 }) }] } });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when GitHub answers Retry-After: 90000, then 429 problem+json with retry_after and Retry-After held to 86400, never HTML', async () => {
    t.fake.state.injectFault({ route: '/user/repos', kind: 'secondaryRateLimit', retryAfter: 90_000, times: 1 });
    const res = await appFetch(`${t.baseUrl}/api/v1/repos?refresh=true`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '86400');
    const problem = await problemOf(res);
    assert.equal(problem.code, 'RATE_LIMITED');
    assert.equal(problem.retry_after, 86_400);
  });

  test('when GitHub sends its rate-limit reset in milliseconds, then 429 problem+json with a retry time within the bound, never HTML', async () => {
    t.fake.state.injectFault({ route: '/user/repos', kind: 'primaryRateLimit', resetInSeconds: 120, resetInMilliseconds: true, times: 1 });
    const res = await appFetch(`${t.baseUrl}/api/v1/repos?refresh=true`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 429);
    const problem = await problemOf(res);
    assert.ok(problem.retry_after !== undefined && problem.retry_after >= 100 && problem.retry_after <= 121, `read as milliseconds: ${problem.retry_after}`);
    assert.equal(res.headers.get('retry-after'), String(problem.retry_after));
  });

  test('when GitHub refuses the connection, then the 502 says which host failed and how in words, without its address; the address is logged with the request id', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const closed = await freePort();
    const down = await startTestApp({
      fake: { users: [{ login: 'octocat' }] },
      env: { GITHUB_API_URL: `http://127.0.0.1:${closed}` },
      overrides: { logger: createLogger('info', sink) },
    });
    try {
      const { token } = await issueDevToken(down.app.services.store, down.app.services.config, {
        login: 'octocat',
        githubId: idFor('octocat'),
        githubToken: tokenFor('octocat'),
        scopes: ['repos:read'],
      });
      const res = await appFetch(`${down.baseUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 502);
      const problem = await problemOf(res);
      assert.equal(problem.detail, 'GitHub refused the connection while listing repositories (page 1).');
      assert.doesNotMatch(JSON.stringify(problem), /127\.0\.0\.1|ECONNREFUSED|:\d{4,5}/);
      const logged = lines.find((l) => l.includes(problem.request_id) && l.includes('ECONNREFUSED'));
      assert.ok(logged, 'the socket error is in the log under the request id');
    } finally {
      await down.close();
    }
  });
});
