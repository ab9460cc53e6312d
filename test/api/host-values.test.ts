/**
 * What GitHub sends that the spec cannot hold as it is: values outside the schema normalised by the
 * documented rules, unrepresentable ones a 502 naming the field, null dates and leap seconds; with
 * response validation on (tests) and off (production).
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos, idFor } from '../fakes/github/index.ts';
import type { FakeRepo } from '../fakes/github/index.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

/** A repository of `login` with fields written over GitHub's rendering as they are. */
function oddRepo(login: string, id: number, name: string, raw: Record<string, unknown>): FakeRepo {
  const [base] = generateRepos(1, { owner: { login }, seed: id, firstId: id });
  return { ...(base ?? assert.fail()), name, owner: { login, id: idFor(login), type: 'User' }, raw };
}

describe("GitHub's values outside the schema", () => {
  let t: TestApp;
  const dated = [
    oddRepo('dates', 9001, 'never-pushed', { pushed_at: null, created_at: null, updated_at: null }),
    oddRepo('dates', 9002, 'newest', { updated_at: '2026-02-01T00:00:00Z', created_at: '2020-01-01T00:00:00Z', pushed_at: '2026-01-31T00:00:00Z' }),
    oddRepo('dates', 9003, 'leap-second', { updated_at: '2016-12-31T23:59:60Z', created_at: '2016-12-31T23:59:60Z', pushed_at: '2016-12-31T23:59:60Z' }),
    oddRepo('dates', 9004, 'oldest', { updated_at: '2010-05-05T05:05:05Z', created_at: '2010-05-05T05:05:05Z', pushed_at: '2010-05-05T05:05:05Z' }),
  ];
  const odd = [
    oddRepo('oddity', 9101, 'odd-but-valid', {
      full_name: 'not-owner-slash-name',
      stargazers_count: -3,
      watchers_count: 1.5,
      size: -1,
      description: 'x'.repeat(5000),
      language: 'Type\nScript',
      default_branch: 'main\r\n',
    }),
  ];

  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: [
          { login: 'dates', repos: dated },
          { login: 'oddity', repos: odd },
          { login: 'zero', repos: [oddRepo('zero', 9201, 'zero-id', { id: 0 })] },
          { login: 'spaced', repos: [oddRepo('spaced', 9301, 'spaced-login', { owner: { login: 'has space', id: 77, type: 'User' } })] },
        ],
      },
      env: { GITHUB_TIMEOUT_MS: '8000' },
    });
  });
  afterAll(() => t.close());

  test('when GitHub sends GitHub-valid values outside our schema (full_name not owner/name, negative or fractional counts, long text, line breaks), then 200 with them normalised by the documented rules', async () => {
    const { api } = await t.signIn('oddity');
    const res = await api.GET('/api/v1/repos');
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    const [repo] = res.data?.repositories ?? assert.fail();
    assert.equal(repo?.full_name, 'oddity/odd-but-valid');
    assert.equal(repo?.stargazers_count, 0);
    assert.equal(repo?.watchers_count, 1);
    assert.equal(repo?.size, 0);
    assert.equal(repo?.description?.length, 4096);
    assert.equal(repo?.language, 'Type Script');
    assert.equal(repo?.default_branch, 'main ');
  });

  test('when GitHub sends a repository id of 0, then the listing is 502 naming the field, never 500; a connect stores nothing and the connections stay readable', async () => {
    const { api } = await t.signIn('zero');
    const list = await api.GET('/api/v1/repos');
    assert.equal(list.response.status, 502);
    assert.equal(list.error?.code, 'UPSTREAM_UNAVAILABLE');
    assert.match(list.error?.detail ?? '', /GitHub sent a repository this API cannot represent: id must be an integer of at least 1/);
    const connect = await api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 9201 } });
    assert.equal(connect.response.status, 502);
    const connections = await api.GET('/api/v1/connections');
    assert.equal(connections.response.status, 200);
    assert.deepEqual(connections.data?.connections, []);
  });

  test('when GitHub sends an owner login with a space, then 502 naming owner.login', async () => {
    const { api } = await t.signIn('spaced');
    const list = await api.GET('/api/v1/repos');
    assert.equal(list.response.status, 502);
    assert.match(list.error?.detail ?? '', /owner\.login/);
  });

  test('when GitHub sends null dates, then they are null in the answer (never 1970) and sort last in both directions', async () => {
    const { api } = await t.signIn('dates');
    for (const direction of ['desc', 'asc'] as const) {
      for (const sort of ['updated', 'created', 'pushed'] as const) {
        const res = await api.GET('/api/v1/repos', { params: { query: { sort, direction } } });
        assert.equal(res.response.status, 200);
        const names = res.data?.repositories.map((r) => r.name) ?? [];
        assert.equal(names.at(-1), 'never-pushed', `${sort} ${direction}: ${names.join(', ')}`);
      }
    }
    const all = (await api.GET('/api/v1/repos')).data?.repositories ?? [];
    const never = all.find((r) => r.name === 'never-pushed') ?? assert.fail();
    assert.deepEqual([never.created_at, never.updated_at, never.pushed_at], [null, null, null]);
    assert.ok(!JSON.stringify(all).includes('1970-01-01'));
  });

  test('when GitHub sends a leap second (23:59:60Z), then it is written as the second before it and sorts in place', async () => {
    const { api } = await t.signIn('dates');
    const res = await api.GET('/api/v1/repos', { params: { query: { sort: 'updated', direction: 'desc' } } });
    assert.deepEqual(res.data?.repositories.map((r) => r.name), ['newest', 'leap-second', 'oldest', 'never-pushed']);
    const leap = res.data?.repositories.find((r) => r.name === 'leap-second') ?? assert.fail();
    assert.equal(leap.updated_at, '2016-12-31T23:59:59Z');
    assert.equal(leap.pushed_at, '2016-12-31T23:59:59Z');
  });
});

describe("GitHub's values outside the schema with response validation off (production)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      fake: {
        users: [
          { login: 'oddity', repos: [oddRepo('oddity', 9401, 'odd', { full_name: 'x', stargazers_count: -1, created_at: null, updated_at: '2016-12-31T23:59:60Z' })] },
          { login: 'zero', repos: [oddRepo('zero', 9402, 'zero-id', { id: -5 })] },
        ],
      },
      env: { VALIDATE_RESPONSES: 'false' },
    });
  });
  afterAll(() => t.close());

  test('when response validation is off, then odd host values still come out spec-valid (every answer here is checked against the spec), and an unrepresentable one is a 502, not a spec-invalid 200', async () => {
    const odd = await t.signIn('oddity');
    const list = await odd.api.GET('/api/v1/repos');
    assert.equal(list.response.status, 200);
    const [repo] = list.data?.repositories ?? assert.fail();
    assert.deepEqual([repo?.full_name, repo?.stargazers_count, repo?.created_at, repo?.updated_at], ['oddity/odd', 0, null, '2016-12-31T23:59:59Z']);
    const zero = await t.signIn('zero');
    const bad = await zero.api.GET('/api/v1/repos');
    assert.equal(bad.response.status, 502);
    assert.match(bad.error?.detail ?? '', /\bid must be an integer of at least 1 \(repository "zero\/zero-id"\)/);
    const connect = await zero.api.POST('/api/v1/connections', { body: { provider: 'github', repo_id: 9402 } });
    assert.equal(connect.response.status, 502);
    assert.deepEqual((await zero.api.GET('/api/v1/connections')).data?.connections, []);
  });
});
