/**
 * The repository's fields declared once: the boundary, the page cache's lean form and the listing's
 * answers all write them in the declared order, and the lean form reads back exactly what it was given.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { checkHostRepositories } from '../../src/hosts/boundary.ts';
import { compileLiteral, REPOSITORY_FIELDS } from '../../src/hosts/fields.ts';
import { toGitHubRepoPage } from '../../src/hosts/github/repo.ts';
import { decodeRepositories, encodeRepositories, KEPT_FIELDS } from '../../src/hosts/lean.ts';
import { generateRepos } from '../fakes/github/index.ts';
import { renderRepo } from '../fakes/github/render.ts';

/** A page of GitHub's repositories as GitHub sends them, then as the client reads them. */
function githubPage(n: number, web = 'https://github.com') {
  const raw = generateRepos(n, { owner: { login: 'octo' }, seed: 11 }).map((r) => renderRepo(r, 'https://api.github.com', web));
  return { raw, repos: toGitHubRepoPage(JSON.parse(JSON.stringify(raw))) };
}

/** Through JSON, as every cache keeps it. */
const cached = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('the lean page', () => {
  test('when a page of GitHub repositories is written and read back, then every repository is the one written, field for field and in order', () => {
    const { repos } = githubPage(100);
    assert.equal(repos.length, 100);
    const back = decodeRepositories(cached(encodeRepositories(repos)));
    assert.deepEqual(back, repos);
    for (const [i, r] of back.entries()) assert.deepEqual(Object.keys(r as object), Object.keys(repos[i]!));
  });

  test('when the page is written, then it is at most a fifth of the same repositories as JSON objects', () => {
    const { raw, repos } = githubPage(100);
    const lean = JSON.stringify(encodeRepositories(repos)).length;
    const objects = JSON.stringify(repos).length;
    assert.ok(lean * 5 <= objects, `lean ${lean} bytes, objects ${objects}`);
    assert.ok(lean * 20 <= JSON.stringify(raw).length, `lean ${lean} bytes, GitHub's objects ${JSON.stringify(raw).length}`);
  });

  test('when a field is not what the page implies, then it is kept as given and read back as given', () => {
    const { repos } = githubPage(3);
    const odd = [
      { ...repos[0]!, full_name: 'Someone-Else/renamed', html_url: 'https://ghe.example/x/y', visibility: 'internal', created_at: '2024-01-02T03:04:05.123Z', updated_at: null, pushed_at: 'yesterday' },
      { ...repos[1]!, permissions: null, private: true, visibility: null, description: 'ünïcode – “quoted”' },
      { ...repos[2]!, owner: { id: 1, login: 'other', full_name: null, type: 'User', avatar_url: null }, created_at: '2024-02-30T00:00:00Z', language: null },
    ];
    const back = decodeRepositories(cached(encodeRepositories(odd)));
    assert.deepEqual(back, odd);
  });

  test('when GitHub sends permissions, then each of the five is kept; when it sends none, then null is', () => {
    const { repos } = githubPage(1);
    for (const permissions of [
      { admin: true, maintain: false, push: true, triage: false, pull: true },
      { admin: false, maintain: true, push: false, triage: true, pull: false },
      null,
    ]) {
      const page = [{ ...repos[0]!, permissions }];
      assert.deepEqual(decodeRepositories(cached(encodeRepositories(page))), page);
    }
  });

  test('when times of any year from 0001 to 9999 are written, then each is kept as its seconds since the epoch and read back as written', () => {
    const { repos } = githubPage(1);
    const at = KEPT_FIELDS.indexOf('created_at');
    const low = Date.parse('0001-01-01T00:00:00Z');
    const high = Date.parse('9999-12-31T23:59:59Z');
    // Every leap day and month end of a few centuries, then random times over the whole range.
    const times = ['1600-02-29T00:00:00Z', '1900-02-28T23:59:59Z', '2000-02-29T12:00:00Z', '2024-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '1969-12-31T23:59:59Z'];
    for (let i = 0; i < 2_000; i++) times.push(new Date(Math.floor((low + Math.random() * (high - low)) / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    const page = times.map((created_at) => ({ ...repos[0]!, created_at }));
    const lean = cached(encodeRepositories(page));
    assert.equal(lean.repos.length, times.length);
    for (const [i, t] of lean.repos.entries()) assert.equal(t[at], Date.parse(times[i]!) / 1000, times[i]);
    assert.deepEqual(decodeRepositories(lean), page);
  });

  test('when a time is not a real one, then it is kept as text', () => {
    const { repos } = githubPage(1);
    const at = KEPT_FIELDS.indexOf('created_at');
    const texts = ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:60:00Z', '2024-01-01T00:00:00+00:00', '2024-01-0aT00:00:00Z', ''];
    const page = texts.map((created_at) => ({ ...repos[0]!, created_at }));
    const lean = cached(encodeRepositories(page));
    assert.deepEqual(lean.repos.map((t) => t[at]), texts);
    assert.deepEqual(decodeRepositories(lean), page);
  });

  test('when the page is empty, then it reads back empty', () => {
    assert.deepEqual(decodeRepositories(cached(encodeRepositories([]))), []);
  });
});

describe('the declared field list', () => {
  test('when the boundary holds a repository to the spec, then its fields come in the declared order', () => {
    const { repos } = githubPage(2);
    const checked = checkHostRepositories('github', repos);
    assert.equal(checked.length, 2);
    for (const r of checked) assert.deepEqual(Object.keys(r), [...REPOSITORY_FIELDS]);
  });

  test('the lean form keeps every declared field but the host, which is the cache key’s', () => {
    assert.deepEqual(KEPT_FIELDS, REPOSITORY_FIELDS.filter((f) => f !== 'provider'));
  });

  test('when a literal is compiled, then it builds the fields in the given order from the given expressions', () => {
    const build = compileLiteral<(a: number, b: { x: string }) => Record<string, unknown>>(['a', 'b'], [['sum', 'a + 1'], ['x', 'b.x'], ['k', 'K']], { K: 'bound' });
    const built = build(1, { x: 'y' });
    assert.deepEqual(Object.entries(built), [['sum', 2], ['x', 'y'], ['k', 'bound']]);
  });

  test('when a name is not a plain identifier, then nothing is compiled', () => {
    assert.throws(() => compileLiteral(['a'], [['x; process.exit()', 'a']]), /not a plain name/);
  });
});
