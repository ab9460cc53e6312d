import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { generateRepos, startFakeGitHub, tokenFor } from '../fakes/github/index.ts';
import type { FakeAccount, FakeGitHub, FakeGraphqlHandler } from '../fakes/github/index.ts';
import { assertEvery } from '../support/assertions.ts';

type RepoJson = { id: number; full_name: string; private: boolean; owner: { login: string; type: string }; pushed_at: string | null; created_at: string; updated_at: string };

let fake: FakeGitHub;
let mona: FakeAccount;
const graphqlCalls: unknown[] = [];
const graphql: FakeGraphqlHandler = async (req) => {
  graphqlCalls.push(req.body);
  return { status: 200, body: { data: { viewer: { login: req.account.user.login, files: Object.keys(req.account.repos[0]?.files ?? {}) } } } };
};

async function repos(query: string, token = mona.token): Promise<RepoJson[]> {
  const res = await fetch(`${fake.baseUrl}/user/repos?${query}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return (await res.json()) as RepoJson[];
}

beforeAll(async () => {
  fake = await startFakeGitHub({
    clientId: 'client-1',
    clientSecret: 'secret-1',
    users: [
      {
        login: 'mona',
        repos: generateRepos(120, { seed: 11, owner: { login: 'mona' }, files: (_repo, i) => (i === 0 ? { 'package.json': '{"dependencies":{"vite":"5"}}' } : undefined) }),
      },
      { login: 'hubot', scopes: ['read:user'], repos: generateRepos(40, { seed: 12, owner: { login: 'hubot' } }) },
    ],
  });
  mona = fake.state.accountByLogin('mona') as FakeAccount;
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.state.clearFaults();
  fake.state.resetCounters();
  fake.state.graphql = undefined;
});

describe('generateRepos', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(generateRepos(50, { seed: 5 }), generateRepos(50, { seed: 5 }));
    assert.notDeepEqual(generateRepos(50, { seed: 5 }).map((r) => r.name), generateRepos(50, { seed: 6 }).map((r) => r.name));
  });

  it('makes a realistic mix: several owners and orgs, public and private, forks, archived, many languages, years of dates', () => {
    const all = generateRepos(1000, { seed: 1, owner: { login: 'mona' } });
    assert.equal(new Set(all.map((r) => r.id)).size, 1000);
    assert.equal(new Set(all.map((r) => `${r.owner.login}/${r.name}`)).size, 1000);
    assert.ok(new Set(all.map((r) => r.owner.login)).size >= 4);
    assert.ok(all.some((r) => r.owner.type === 'Organization'));
    for (const flag of ['private', 'fork', 'archived'] as const) {
      const share = all.filter((r) => r[flag]).length / all.length;
      assert.ok(share > 0.02 && share < 0.6, `${flag}: ${share}`);
    }
    assert.ok(new Set(all.map((r) => r.language)).size >= 10);
    assert.ok(all.some((r) => r.language === null));
    const years = new Set(all.map((r) => r.created_at.slice(0, 4)));
    assert.ok(years.size >= 8, `years ${[...years]}`);
    for (const r of all) assert.ok(r.updated_at >= r.created_at);
  });
});

describe('fake GitHub GET /user/repos', () => {
  it('sorts by full_name ascending by default, and by pushed/created/updated descending when asked', async () => {
    const byName = await repos('per_page=100');
    const names = byName.map((r) => r.full_name.toLowerCase());
    assert.deepEqual(names, [...names].sort());
    for (const sort of ['pushed', 'created', 'updated'] as const) {
      const key = (r: RepoJson) => (sort === 'pushed' ? r.pushed_at : sort === 'created' ? r.created_at : r.updated_at) ?? '';
      const desc = (await repos(`per_page=100&sort=${sort}`)).map(key);
      assert.deepEqual(desc, [...desc].sort().reverse(), `${sort} desc`);
      const asc = (await repos(`per_page=100&sort=${sort}&direction=asc`)).map(key);
      assert.deepEqual(asc, [...asc].sort(), `${sort} asc`);
    }
  });

  it('filters by affiliation and visibility', async () => {
    const owned = await repos('affiliation=owner&per_page=100');
    assertEvery(owned, (r) => r.owner.login === 'mona');
    const orgs = await repos('affiliation=organization_member&per_page=100');
    assertEvery(orgs, (r) => r.owner.type === 'Organization');
    const privateOnes = await repos('visibility=private&per_page=100');
    assertEvery(privateOnes, (r) => r.private);
  });

  it('caps per_page at 100 and defaults to 30', async () => {
    assert.equal((await repos('per_page=500')).length, 100);
    assert.equal((await repos('')).length, 30);
  });

  it('rejects type together with affiliation with 422, as GitHub does', async () => {
    const res = await fetch(`${fake.baseUrl}/user/repos?type=owner&affiliation=owner`, { headers: { authorization: `token ${mona.token}` } });
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { message: string }).message, 'Validation Failed');
  });

  it('hides private repositories from a token without the repo scope', async () => {
    const hubot = fake.state.accountByLogin('hubot') as FakeAccount;
    const visible = await repos('per_page=100', hubot.token);
    assert.equal(visible.length, hubot.repos.filter((r) => !r.private).length);
    assertEvery(visible, (r) => !r.private);
  });

  it('counts a 304 but does not charge it to the rate limit; a strong ETag also matches', async () => {
    const first = await fetch(`${fake.baseUrl}/user/repos`, { headers: { authorization: `token ${mona.token}` } });
    await first.arrayBuffer();
    const remaining = Number(first.headers.get('x-ratelimit-remaining'));
    const strong = (first.headers.get('etag') ?? '').replace(/^W\//, '');
    const again = await fetch(`${fake.baseUrl}/user/repos`, { headers: { authorization: `token ${mona.token}`, 'if-none-match': strong } });
    assert.equal(again.status, 304);
    assert.equal(Number(again.headers.get('x-ratelimit-remaining')), remaining);
    assert.deepEqual({ total: fake.state.counters.total, notModified: fake.state.counters.notModified }, { total: 2, notModified: 1 });
    assert.equal(fake.state.counters.byRoute['/user/repos'], 2);
  });

  it('answers 401 Requires authentication without a token', async () => {
    const res = await fetch(`${fake.baseUrl}/user/repos`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { message: string }).message, 'Requires authentication');
  });
});

describe('fake GitHub faults', () => {
  it('a fault for one page leaves the other pages alone, and `times` makes it clear itself', async () => {
    fake.state.injectFault({ route: '/user/repos', page: 2, kind: 503, times: 1 });
    const page1 = await fetch(`${fake.baseUrl}/user/repos?page=1`, { headers: { authorization: `token ${mona.token}` } });
    const page2 = await fetch(`${fake.baseUrl}/user/repos?page=2`, { headers: { authorization: `token ${mona.token}` } });
    const page2again = await fetch(`${fake.baseUrl}/user/repos?page=2`, { headers: { authorization: `token ${mona.token}` } });
    assert.deepEqual([page1.status, page2.status, page2again.status], [200, 503, 200]);
    assert.equal(fake.state.faults.length, 0);
  });

  it('primary rate limit: 403 with remaining 0 and a reset time; secondary: 429 with retry-after', async () => {
    fake.state.injectFault({ route: '/user', kind: 'primaryRateLimit', resetInSeconds: 300, times: 1 });
    fake.state.injectFault({ route: '/user', kind: 'secondaryRateLimit', retryAfter: 17, times: 1 });
    const primary = await fetch(`${fake.baseUrl}/user`, { headers: { authorization: `token ${mona.token}` } });
    assert.equal(primary.status, 403);
    assert.equal(primary.headers.get('x-ratelimit-remaining'), '0');
    const reset = Number(primary.headers.get('x-ratelimit-reset'));
    assert.ok(Math.abs(reset - (Date.now() / 1000 + 300)) < 5);
    const secondary = await fetch(`${fake.baseUrl}/user`, { headers: { authorization: `token ${mona.token}` } });
    assert.equal(secondary.status, 429);
    assert.equal(secondary.headers.get('retry-after'), '17');
  });

  it('a token that used up its hourly limit gets 403 with remaining 0 until the window resets', async () => {
    const limited = await startFakeGitHub({ rateLimit: 2, users: [{ login: 'busy' }] });
    try {
      const token = tokenFor('busy');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${limited.baseUrl}/user`, { headers: { authorization: `token ${token}` } });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
      assert.deepEqual(statuses, [200, 200, 403]);
    } finally {
      await limited.close();
    }
  });

  it('missing scope: 403 with x-accepted-oauth-scopes naming it', async () => {
    fake.state.injectFault({ route: '/user/repos', kind: 'missingScope' });
    const res = await fetch(`${fake.baseUrl}/user/repos`, { headers: { authorization: `token ${mona.token}` } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('x-accepted-oauth-scopes'), 'repo');
  });

  it('close() returns even while a request is held by a timeout fault', async () => {
    const other = await startFakeGitHub({ users: [{ login: 'x' }] });
    other.state.injectFault({ route: '*', kind: 'timeout' });
    const pending = fetch(`${other.baseUrl}/user`).catch((error: unknown) => error);
    while (other.state.counters.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    await other.close();
    assert.ok((await pending) instanceof Error);
  });
});

describe('fake GitHub OAuth web flow', () => {
  const redirectUri = 'http://localhost:5173/callback';
  async function code(extra: Record<string, string> = {}): Promise<URL> {
    const url = new URL('/login/oauth/authorize', fake.baseUrl);
    for (const [k, v] of Object.entries({ client_id: 'client-1', redirect_uri: redirectUri, state: 's1', scope: 'repo', ...extra })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location') ?? '');
  }

  it('signs in the default user, or the one named by ?login=, and answers a form body in form encoding', async () => {
    const verifier = 'v'.repeat(50);
    const back = await code({ login: 'hubot', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' });
    assert.equal(back.origin + back.pathname, redirectUri);
    assert.equal(back.searchParams.get('state'), 's1');
    const res = await fetch(`${fake.baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'client-1', client_secret: 'secret-1', code: back.searchParams.get('code') ?? '', redirect_uri: redirectUri, code_verifier: verifier }),
    });
    assert.match(res.headers.get('content-type') ?? '', /x-www-form-urlencoded/);
    const fields = new URLSearchParams(await res.text());
    assert.equal(fields.get('access_token'), tokenFor('hubot'));
    assert.equal(fields.get('token_type'), 'bearer');
    assert.equal(fields.get('scope'), 'read:user');
  });

  it('answers a bad code with GitHub’s error JSON and status 200', async () => {
    const res = await fetch(`${fake.baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: 'client-1', client_secret: 'secret-1', code: 'nope' }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.error, 'bad_verification_code');
    assert.ok(body.error_description && body.error_uri);
  });

  it('refuses wrong client credentials with incorrect_client_credentials', async () => {
    const back = await code();
    const res = await fetch(`${fake.baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ client_id: 'client-1', client_secret: 'wrong', code: back.searchParams.get('code') }),
    });
    assert.equal(((await res.json()) as { error: string }).error, 'incorrect_client_credentials');
  });

  it('redirects with error=access_denied for a login it does not know', async () => {
    const back = await code({ login: 'nobody' });
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), 's1');
  });
});

describe('fake GitHub POST /graphql', () => {
  const post = (token: string) =>
    fetch(`${fake.baseUrl}/graphql`, { method: 'POST', headers: { authorization: `bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ viewer { login } }' }) });

  it('is 404 without a handler', async () => {
    assert.equal((await post(mona.token)).status, 404);
  });

  it('delegates to the handler with the token, the parsed body and the account', async () => {
    fake.state.graphql = graphql;
    const res = await post(mona.token);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: { viewer: { login: 'mona', files: ['package.json'] } } });
    assert.deepEqual(graphqlCalls.at(-1), { query: '{ viewer { login } }' });
  });

  it('answers 401 Bad credentials for an unknown token without calling the handler', async () => {
    fake.state.graphql = graphql;
    const before = graphqlCalls.length;
    assert.equal((await post('gho_unknown')).status, 401);
    assert.equal(graphqlCalls.length, before);
  });
});
