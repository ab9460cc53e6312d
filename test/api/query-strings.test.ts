/**
 * Query strings and request lines as clients write them: a space as %20 or +, a reserved character
 * sent bare, a path parameter that is not valid percent-encoding, a request line past the bound.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { checkObserved as checkAnswer } from '../support/checked.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';
import { assertEvery } from '../support/assertions.ts';
import { problemOf, rawRequest, type ProblemBody } from '../support/problems.ts';

describe('query strings and request lines', () => {
  let t: TestApp;
  let me: SignedIn;
  const repos = generateRepos(250, { owner: { login: 'octocat' }, seed: 12 });

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'octocat', repos }] } });
    me = await t.signIn('octocat');
  });
  afterAll(() => t.close());

  test('when q holds a space, then page 1 and the Link next URL followed as given are both 200, and the Link writes the space as %20', async () => {
    const first = await appFetch(`${t.baseUrl}/api/v1/repos?q=${encodeURIComponent('Data pipeline')}&per_page=5`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(first.status, 200);
    const body = (await first.json()) as { total: number; repositories: Array<{ description: string | null }> };
    assert.ok(body.total > 5, 'more than one page matches');
    assertEvery(body.repositories, (r) => r.description?.includes('Data pipeline'));
    const link = first.headers.get('link') ?? '';
    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? assert.fail(`no next link in ${link}`);
    assert.match(next, /q=Data%20pipeline/);
    assert.doesNotMatch(link, /\+/);
    const second = await appFetch(`${t.baseUrl}${next}`, { headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(second.status, 200, await second.clone().text());
    assert.equal(((await second.json()) as { page: number }).page, 2);
  });

  test('when the query string writes a space as + (as forms and URLSearchParams do), then 200 with the same answer as %20', async () => {
    const ask = (query: string) => appFetch(`${t.baseUrl}/api/v1/repos?${query}`, { headers: { authorization: `Bearer ${me.token}` } });
    const plus = await ask(new URLSearchParams({ q: 'Data pipeline', per_page: '5', page: '2' }).toString());
    assert.equal(plus.status, 200, await plus.clone().text());
    const encoded = await ask('q=Data%20pipeline&per_page=5&page=2');
    assert.deepEqual(await plus.json(), await encoded.json());
    // A reserved character sent bare is read as itself, as the URL standard reads it.
    assert.equal((await ask('q=a:b/c(d)&per_page=5')).status, 200);
  });

  test('when a path parameter is not valid percent-encoding, then a documented 400 VALIDATION_FAILED with one field error, never a 500', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/connections/%E0%A4%A/42`, { method: 'DELETE', headers: { authorization: `Bearer ${me.token}` } });
    assert.equal(res.status, 400);
    const problem = (await problemOf(res)) as ProblemBody & { field_errors?: Record<string, string> };
    assert.equal(problem.code, 'VALIDATION_FAILED');
    assert.equal(Object.keys(problem.field_errors ?? {}).length, 1);
  });

  test('when the request line is larger than 16 KiB, then 431 as problem+json and the connection is closed, on every operation', async () => {
    for (const op of t.app.services.operations.all) {
      const path = op.template.replace('{provider}', 'github').replace('{repo_id}', '1');
      const answer = await rawRequest(`${t.baseUrl}${path}?q=${'a'.repeat(20_000)}`, op.method);
      assert.equal(answer.status, 431, `${op.method} ${path}`);
      assert.match(String(answer.headers['content-type']), /^application\/problem\+json/);
      assert.equal(answer.headers.connection, 'close');
      const problem = JSON.parse(answer.body) as ProblemBody;
      assert.equal(problem.code, 'REQUEST_HEADERS_TOO_LARGE');
      assert.equal(problem.request_id, answer.headers['x-request-id']);
      // The spec declares it on every operation: checked (and counted) like any answer.
      checkAnswer({ method: op.method, path, status: answer.status, headers: answer.headers as Record<string, string>, body: problem });
    }
  });
});
