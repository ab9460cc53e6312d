import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { generateGitVerseRepos, startFakeGitVerse } from '../fakes/gitverse/index.ts';
import type { FakeGitVerse } from '../fakes/gitverse/index.ts';
import { GitVerseClient } from '../../src/hosts/gitverse/client.ts';
import { PUBLIC_API_WARNING, scopeWarnings, verifyGitVerseToken } from '../../src/hosts/gitverse/link.ts';
import { rejectsWithProblem } from './helpers.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

let fake: FakeGitVerse;
let client: GitVerseClient;

const tokenOf = (login: string) => fake.state.accountByLogin(login)?.token as string;

beforeAll(async () => {
  const repos = generateGitVerseRepos(3, { owner: { login: 'reader' } });
  fake = await startFakeGitVerse({
    users: [
      { login: 'reader', scopes: ['read:public_api'], repos },
      { login: 'writer', scopes: ['public_api'], repos },
      { login: 'other-scope', scopes: ['read:user'], repos },
    ],
  });
  client = new GitVerseClient({ apiUrl: fake.baseUrl, timeoutMs: ANSWERED_MS });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.reportScopes = true;
  fake.state.resetCounters();
});

describe('verifyGitVerseToken', () => {
  for (const reportScopes of [true, false]) {
    const how = reportScopes ? 'GitVerse reports scopes' : 'GitVerse reports no scopes';

    it(`${how}: a read:public_api token is accepted without warnings`, async () => {
      fake.state.reportScopes = reportScopes;
      const linked = await verifyGitVerseToken(client, tokenOf('reader'));
      assert.deepEqual(linked, { login: 'reader', scopes: reportScopes ? ['read:public_api'] : [] });
      assert.deepEqual(scopeWarnings(linked.scopes), []);
    });

    it(`${how}: a token with some other scope → 403 PROVIDER_AUTH naming read:public_api`, async () => {
      fake.state.reportScopes = reportScopes;
      const problem = await rejectsWithProblem(verifyGitVerseToken(client, tokenOf('other-scope')), {
        status: 403,
        code: 'PROVIDER_AUTH',
        extras: { reconnect: true },
      });
      assert.equal(problem.detail, 'GitVerse rejected the token: it needs the read:public_api scope.');
    });

    it(`${how}: a bad token → 403 PROVIDER_AUTH`, async () => {
      fake.state.reportScopes = reportScopes;
      const problem = await rejectsWithProblem(verifyGitVerseToken(client, 'not-a-gitverse-token'), {
        status: 403,
        code: 'PROVIDER_AUTH',
        extras: { reconnect: true },
      });
      assert.match(problem.detail, /^GitVerse rejected the token/);
    });
  }

  it('a public_api token is accepted, with the warning that it also grants write and delete', async () => {
    const linked = await verifyGitVerseToken(client, tokenOf('writer'));
    assert.deepEqual(linked, { login: 'writer', scopes: ['public_api'] });
    assert.deepEqual(scopeWarnings(linked.scopes), [PUBLIC_API_WARNING]);
    assert.equal(
      PUBLIC_API_WARNING,
      'This GitVerse token has the public_api scope, which also grants write and delete access. A token with read:public_api is enough.',
    );
  });

  it('asks only GET /user when the scopes are reported, and probes one repository when they are not', async () => {
    await verifyGitVerseToken(client, tokenOf('reader'));
    assert.deepEqual(fake.state.requests.map((r) => r.route), ['/user']);
    fake.state.resetCounters();
    fake.state.reportScopes = false;
    await verifyGitVerseToken(client, tokenOf('reader'));
    assert.deepEqual(fake.state.requests.map((r) => [r.route, r.query.per_page]), [['/user', undefined], ['/user/repos', '1']]);
  });

  it('a GitVerse outage is not a rejection: it passes through as 502', async () => {
    fake.state.injectFault({ route: '/user', kind: 503 });
    await rejectsWithProblem(verifyGitVerseToken(client, tokenOf('reader')), { status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a rate limit passes through as 429 with its retry time', async () => {
    fake.state.injectFault({ route: '/user', kind: 429, retryAfter: 30 });
    await rejectsWithProblem(verifyGitVerseToken(client, tokenOf('reader')), { status: 429, code: 'RATE_LIMITED', extras: { retry_after: 30 } });
  });
});
