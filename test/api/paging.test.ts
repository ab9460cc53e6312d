import assert from 'node:assert/strict';
import parseLinkHeader from 'parse-link-header';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { generateRepos } from '../fakes/github/index.ts';
import { startTestApp, type TestApp } from '../support/harness.ts';

const PER_PAGE = 10;

/**
 * The `Link` header at the edges of paging: no results, one, exactly one page, one more than a page,
 * and an exact multiple of the page size (where a wrong `last` formula shows).
 */
describe('the Link header at the edges', () => {
  let t: TestApp;
  const sizes = { none: 0, one: 1, full: PER_PAGE, over: PER_PAGE + 1, triple: 3 * PER_PAGE } as const;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const users = Object.entries(sizes).map(([login, n], k) => ({ login, repos: generateRepos(n, { owner: { login }, seed: 40 + k }) }));
    t = await startTestApp({ fake: { users } });
    for (const login of Object.keys(sizes)) tokens[login] = (await t.signIn(login)).token;
  });
  afterAll(() => t.close());

  async function page(login: keyof typeof sizes, n: number) {
    const res = await t.client(tokens[login] ?? '').GET('/api/v1/repos', { params: { query: { per_page: PER_PAGE, page: n, sort: 'full_name' } } });
    assert.equal(res.response.status, 200, JSON.stringify(res.error));
    const data = res.data ?? assert.fail();
    assert.equal(data.total, sizes[login]);
    const header = res.response.headers.get('link');
    const links = parseLinkHeader(header) ?? {};
    const rels = Object.fromEntries(Object.entries(links).map(([rel, l]) => [rel, Number(l?.page)]));
    for (const l of Object.values(links)) assert.equal(l?.per_page, String(PER_PAGE));
    return { count: data.repositories.length, header, rels };
  }

  test('when there are no results, then the page is empty and there is no Link header', async () => {
    const p = await page('none', 1);
    assert.equal(p.count, 0);
    assert.equal(p.header, null);
  });

  test('when there is one result, then it is on the only page and there is no Link header', async () => {
    const p = await page('one', 1);
    assert.equal(p.count, 1);
    assert.equal(p.header, null);
  });

  test('when the results fill exactly one page, then there is no Link header', async () => {
    const p = await page('full', 1);
    assert.equal(p.count, PER_PAGE);
    assert.equal(p.header, null);
  });

  test('when there is one result more than a page, then page 1 links next and last to page 2, and page 2 back to 1', async () => {
    const first = await page('over', 1);
    assert.equal(first.count, PER_PAGE);
    assert.deepEqual(first.rels, { next: 2, last: 2 });
    const second = await page('over', 2);
    assert.equal(second.count, 1);
    assert.deepEqual(second.rels, { first: 1, prev: 1 });
  });

  test('when the results are an exact multiple of the page size, then last is that multiple and the last page is full', async () => {
    assert.deepEqual((await page('triple', 1)).rels, { next: 2, last: 3 });
    assert.deepEqual((await page('triple', 2)).rels, { first: 1, prev: 1, next: 3, last: 3 });
    const last = await page('triple', 3);
    assert.equal(last.count, PER_PAGE);
    assert.deepEqual(last.rels, { first: 1, prev: 2 });
  });

  test('when a page beyond the last is asked for, then it is empty and prev points at the last page', async () => {
    const beyond = await page('triple', 7);
    assert.equal(beyond.count, 0);
    assert.deepEqual(beyond.rels, { first: 1, prev: 3 });
  });
});
