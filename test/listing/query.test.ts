import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'vitest';
import {
  affiliationOf,
  etagMatches,
  filterAndCount,
  originMatches,
  pageLinks,
  repositoryFilter,
  sortOf,
  sortOrder,
  weakEtag,
  type ListQuery,
} from '../../src/listing/query.ts';

type Repo = Parameters<ReturnType<typeof repositoryFilter>>[0];
type Analysis = Parameters<ReturnType<typeof repositoryFilter>>[2];

const repo = (over: Partial<Repo> & { login?: string; type?: 'User' | 'Organization' } = {}): Repo => ({
  provider: over.provider ?? 'github',
  full_name: over.full_name ?? `${over.login ?? 'octocat'}/hello-world`,
  description: over.description === undefined ? 'A small tool' : over.description,
  private: over.private ?? false,
  owner: over.owner ?? ({ id: 1, login: over.login ?? 'octocat', type: over.type ?? 'User' } as Repo['owner']),
});
const analysis = (over: Partial<Analysis> = {}): Analysis => ({ kind: 'frontend', origin: null, origin_reason: null, pending: false, ...over });
const matches = (query: ListQuery, r: Repo = repo(), installation: number | null = null, a: Analysis = analysis()) =>
  repositoryFilter(query, (p) => (p === 'github' ? 'OctoCat' : null))(r, installation, a);

describe('the listing query, module by module', () => {
  test('when the owner is the user in any case, then owner; an organisation, then organization_member; anyone else, then collaborator', () => {
    assert.equal(affiliationOf(repo({ login: 'octocat' }), 'OCTOCAT'), 'owner');
    assert.equal(affiliationOf(repo({ login: 'acme', type: 'Organization' }), 'octocat'), 'organization_member');
    assert.equal(affiliationOf(repo({ login: 'alice' }), 'octocat'), 'collaborator');
    assert.equal(affiliationOf(repo({ login: 'octocat' }), null), 'collaborator');
    assert.equal(affiliationOf(repo({ login: 'octocat', type: 'Organization' }), null), 'organization_member');
  });

  test('when origin is any, none or a builder, then a pending or failed analysis matches none of them', () => {
    const lovable = analysis({ origin: 'lovable', origin_reason: 'lovable-tagger in devDependencies' });
    const plain = analysis();
    const pending = analysis({ pending: true });
    const failed = analysis({ origin_reason: 'Detection failed: timeout' });
    assert.deepEqual([lovable, plain, pending, failed].map((a) => originMatches('any', a)), [true, false, false, false]);
    assert.deepEqual([lovable, plain, pending, failed].map((a) => originMatches('none', a)), [false, true, false, false]);
    assert.deepEqual([lovable, plain, pending, failed].map((a) => originMatches('lovable', a)), [true, false, false, false]);
    assert.equal(originMatches('bolt', lovable), false);
  });

  test('when origin is none, then a builder-made repository does not match even without a stated reason', () => {
    assert.equal(originMatches('none', analysis({ origin: 'lovable', origin_reason: null })), false);
  });

  test('when each filter is given, then it keeps exactly the repositories it names', () => {
    assert.equal(matches({}), true);
    assert.equal(matches({ provider: 'github' }), true);
    assert.equal(matches({ provider: 'gitverse' }), false);
    assert.equal(matches({ kind: 'frontend' }), true);
    assert.equal(matches({ kind: 'backend' }), false);
    assert.equal(matches({ origin: 'none' }), true);
    assert.equal(matches({ origin: 'any' }), false);
    assert.equal(matches({ connected: true }, repo(), 7), true);
    assert.equal(matches({ connected: true }, repo(), null), false);
    assert.equal(matches({ connected: false }, repo(), null), true);
    assert.equal(matches({ connected: false }, repo(), 7), false);
    assert.equal(matches({ visibility: 'public' }, repo({ private: false })), true);
    assert.equal(matches({ visibility: 'public' }, repo({ private: true })), false);
    assert.equal(matches({ visibility: 'private' }, repo({ private: true })), true);
    assert.equal(matches({ visibility: 'private' }, repo({ private: false })), false);
    assert.equal(matches({ visibility: 'all' }, repo({ private: true })), true);
    assert.equal(matches({ affiliation: ['owner'] }, repo({ login: 'octocat' })), true);
    assert.equal(matches({ affiliation: ['owner'] }, repo({ login: 'alice' })), false);
    assert.equal(matches({ affiliation: ['collaborator', 'organization_member'] }, repo({ login: 'acme', type: 'Organization' })), true);
    // The login of each host is asked for that host: GitVerse's is unknown here, so nothing there is owned.
    assert.equal(matches({ affiliation: ['owner'] }, repo({ provider: 'gitverse', login: 'octocat' })), false);
  });

  test('when q is given, then it matches the full name or the description, ignoring case', () => {
    assert.equal(matches({ q: 'HELLO' }), true);
    assert.equal(matches({ q: 'octocat/hello' }), true);
    assert.equal(matches({ q: 'small TOOL' }), true);
    assert.equal(matches({ q: 'nothing' }), false);
    assert.equal(matches({ q: 'tool' }, repo({ description: null })), false);
    assert.equal(matches({ q: 'tool' }, repo({ full_name: 'a/Toolbox', description: null })), true);
    assert.equal(matches({ q: '' }), true);
  });

  test('when q is given and the description is missing, then only the full name can match, not even a space elsewhere', () => {
    assert.equal(matches({ q: ' ' }, repo({ description: null })), false);
    assert.equal(matches({ q: ' ' }, repo({ description: 'A small tool' })), true);
  });

  const sortable = [
    { provider: 'github', id: 3, full_name: 'b/Beta', created_at: '2020-01-01T00:00:00Z', updated_at: '2024-03-01T00:00:00Z', pushed_at: null },
    { provider: 'github', id: 1, full_name: 'a/alpha', created_at: '2021-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', pushed_at: '2023-01-01T00:00:00Z' },
    { provider: 'gitverse', id: 2, full_name: 'c/gamma', created_at: '2019-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z', pushed_at: '2022-01-01T00:00:00Z' },
    { provider: 'github', id: 0, full_name: 'd/delta', created_at: null, updated_at: '2024-01-01T00:00:00Z', pushed_at: '2024-06-01T00:00:00Z' },
  ] as const;
  const order = (sort: 'full_name' | 'created' | 'updated' | 'pushed', direction: 'asc' | 'desc') =>
    sortOrder(sortable as never, sort, direction).map((i) => sortable[i]!.full_name);

  test('when sorted by each key in each direction, then a missing date comes last and ties go by provider, then id', () => {
    assert.deepEqual(order('full_name', 'asc'), ['a/alpha', 'b/Beta', 'c/gamma', 'd/delta']);
    assert.deepEqual(order('full_name', 'desc'), ['d/delta', 'c/gamma', 'b/Beta', 'a/alpha']);
    assert.deepEqual(order('created', 'asc'), ['c/gamma', 'b/Beta', 'a/alpha', 'd/delta']);
    assert.deepEqual(order('created', 'desc'), ['a/alpha', 'b/Beta', 'c/gamma', 'd/delta']);
    assert.deepEqual(order('pushed', 'desc'), ['d/delta', 'a/alpha', 'c/gamma', 'b/Beta']);
    assert.deepEqual(order('pushed', 'asc'), ['c/gamma', 'a/alpha', 'd/delta', 'b/Beta']);
    // Three share an updated_at: github before gitverse, then by id.
    assert.deepEqual(order('updated', 'desc'), ['b/Beta', 'd/delta', 'a/alpha', 'c/gamma']);
    assert.deepEqual(order('updated', 'asc'), ['d/delta', 'a/alpha', 'c/gamma', 'b/Beta']);
  });

  test('when sorted by name, then as lower case: an underscore comes before the letters', () => {
    const names = [
      { provider: 'github', id: 1, full_name: 'o/ab', created_at: null, updated_at: null, pushed_at: null },
      { provider: 'github', id: 2, full_name: 'o/A_B', created_at: null, updated_at: null, pushed_at: null },
    ] as const;
    assert.deepEqual(sortOrder(names as never, 'full_name', 'asc').map((i) => names[i]!.full_name), ['o/A_B', 'o/ab']);
  });

  test('when only the first positions of some are asked for, then they are the start of those in full order', () => {
    // Few distinct dates, both hosts, missing dates: many ties, so the tie-break decides a lot.
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const date = () => (next() < 0.15 ? null : `2024-0${1 + Math.floor(next() * 4)}-01T00:00:00Z`);
    const many = Array.from({ length: 400 }, (_, i) => ({
      provider: next() < 0.5 ? 'github' : 'gitverse',
      id: Math.floor(next() * 1_000_000) * 400 + i,
      full_name: `o/${String.fromCharCode(97 + Math.floor(next() * 5))}${i}`,
      created_at: date(),
      updated_at: date(),
      pushed_at: date(),
    }));
    const among = many.map((_, i) => i).filter(() => next() < 0.7);
    for (const sort of ['full_name', 'created', 'updated', 'pushed'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        const full = sortOrder(many as never, sort, direction);
        const kept = new Set(among);
        const fullAmong = full.filter((i) => kept.has(i));
        for (const limit of [0, 1, 2, 10, 30, 35, 60, among.length - 1, among.length, among.length + 5]) {
          assert.deepEqual(sortOrder(many as never, sort, direction, among, limit), fullAmong.slice(0, limit), `${sort} ${direction} ${limit}`);
        }
        assert.deepEqual(sortOrder(many as never, sort, direction, undefined, 20), full.slice(0, 20), `${sort} ${direction} all`);
      }
    }
  });

  test('when sort keys tie, then GitHub comes before GitVerse whatever the ids', () => {
    const tied = [
      { provider: 'gitverse', id: 1, full_name: 'o/x', created_at: null, updated_at: '2024-01-01T00:00:00Z', pushed_at: null },
      { provider: 'github', id: 9, full_name: 'o/y', created_at: null, updated_at: '2024-01-01T00:00:00Z', pushed_at: null },
    ] as const;
    for (const direction of ['asc', 'desc'] as const) {
      assert.deepEqual(sortOrder(tied as never, 'updated', direction).map((i) => tied[i]!.provider), ['github', 'gitverse'], direction);
    }
  });

  test('when no sort or direction is given, then newest update first, and names A to Z', () => {
    assert.deepEqual(sortOf({}), { sort: 'updated', direction: 'desc' });
    assert.deepEqual(sortOf({ sort: 'full_name' }), { sort: 'full_name', direction: 'asc' });
    assert.deepEqual(sortOf({ sort: 'created' }), { sort: 'created', direction: 'desc' });
    assert.deepEqual(sortOf({ sort: 'full_name', direction: 'desc' }), { sort: 'full_name', direction: 'desc' });
  });

  test('when links are built, then each names its page and the page size, keeps the other parameters and writes a space as %20', () => {
    const raw = new URLSearchParams('q=a b&page=2&per_page=5&kind=frontend');
    assert.equal(
      pageLinks('/api/v1/repos', raw, 2, 5, 12),
      '</api/v1/repos?q=a%20b&page=1&per_page=5&kind=frontend>; rel="first", </api/v1/repos?q=a%20b&page=1&per_page=5&kind=frontend>; rel="prev", '
        + '</api/v1/repos?q=a%20b&page=3&per_page=5&kind=frontend>; rel="next", </api/v1/repos?q=a%20b&page=3&per_page=5&kind=frontend>; rel="last"',
    );
    assert.equal(raw.get('page'), '2', 'the request\'s own parameters are left as they were');
    assert.equal(pageLinks('/r', new URLSearchParams(), 1, 10, 0), undefined);
    assert.equal(pageLinks('/r', new URLSearchParams(), 1, 10, 10), undefined);
    assert.equal(pageLinks('/r', new URLSearchParams(), 1, 10, 11), '</r?page=2&per_page=10>; rel="next", </r?page=2&per_page=10>; rel="last"');
    assert.equal(pageLinks('/r', new URLSearchParams(), 3, 10, 30), '</r?page=1&per_page=10>; rel="first", </r?page=2&per_page=10>; rel="prev"');
    assert.equal(pageLinks('/r', new URLSearchParams(), 5, 10, 0), '</r?page=1&per_page=10>; rel="first", </r?page=1&per_page=10>; rel="prev"');
  });

  test('when an ETag is made, then it is weak and a digest of the text', () => {
    const digest = createHash('sha256').update('hello').digest('base64url').slice(0, 32);
    assert.equal(weakEtag('hello'), `W/"${digest}"`);
    assert.notEqual(weakEtag('hello'), weakEtag('hello!'));
  });

  test('when If-None-Match is compared, then weakly, against every entry of its list, and * matches anything', () => {
    const etag = 'W/"abc"';
    assert.equal(etagMatches(undefined, etag), false);
    assert.equal(etagMatches('', etag), false);
    assert.equal(etagMatches('W/"abc"', etag), true);
    assert.equal(etagMatches('"abc"', etag), true);
    assert.equal(etagMatches('"abc"', '"abc"'), true);
    assert.equal(etagMatches('W/"abc"', '"abc"'), true);
    assert.equal(etagMatches('"x", W/"abc"', etag), true);
    assert.equal(etagMatches('  W/"abc"  ,"y"', etag), true);
    assert.equal(etagMatches('"x", "y"', etag), false);
    assert.equal(etagMatches('"xW/abc"', etag), false);
    assert.equal(etagMatches('*', etag), true);
    assert.equal(etagMatches(' * ', etag), true);
    assert.equal(etagMatches('"ab"', etag), false);
    // W/ marks a weak tag only in front of the quotes; inside them it is part of the tag.
    assert.equal(etagMatches('"W/abc"', '"abc"'), false);
  });

  describe('facets', () => {
    // Six repositories: two owners on GitHub, one on GitVerse; kinds, origins and visibilities mixed.
    const rows: Array<{ r: Repo; a: Analysis; connected: boolean }> = [
      { r: repo({ login: 'octocat', full_name: 'octocat/site' }), a: analysis({ kind: 'frontend', origin: 'lovable' }), connected: true },
      { r: repo({ login: 'octocat', full_name: 'octocat/api', private: true }), a: analysis({ kind: 'backend' }), connected: false },
      { r: repo({ login: 'acme', type: 'Organization', full_name: 'acme/web' }), a: analysis({ kind: 'frontend' }), connected: false },
      { r: repo({ login: 'acme', type: 'Organization', full_name: 'acme/core', private: true }), a: analysis({ kind: 'backend', pending: true }), connected: false },
      { r: repo({ login: 'Acme', type: 'Organization', full_name: 'Acme/tools' }), a: analysis({ kind: 'monorepo' }), connected: false },
      { r: repo({ provider: 'gitverse', login: 'octocat', full_name: 'octocat/ru' }), a: analysis({ kind: 'frontend' }), connected: false },
    ];
    const count = (query: ListQuery) =>
      filterAndCount(rows.map((x) => x.r), query, (p) => (p === 'github' ? 'octocat' : null), (r) => {
        const row = rows.find((x) => x.r === r)!;
        return { installationId: row.connected ? 1 : null, kind: row.a };
      });
    const values = (facet: Array<{ value: string; count: number }>) => Object.fromEntries(facet.map((f) => [f.value, f.count]));

    test('when nothing is filtered, then every facet counts every repository, most first', () => {
      const { matched, facets } = count({});
      assert.equal(matched.length, 6);
      assert.deepEqual(facets.kind, [{ value: 'frontend', count: 3 }, { value: 'backend', count: 2 }, { value: 'monorepo', count: 1 }]);
      // The pending analysis has no origin yet: counted under neither a builder nor none.
      assert.deepEqual(values(facets.origin), { none: 4, lovable: 1 });
      assert.deepEqual(values(facets.provider), { github: 5, gitverse: 1 });
      assert.deepEqual(values(facets.visibility), { public: 4, private: 2 });
      // One namespace per host and login, whatever the login's case.
      assert.deepEqual(facets.owner.map((o) => [o.provider, o.login, o.type, o.count]), [
        ['github', 'acme', 'Organization', 3],
        ['github', 'octocat', 'User', 2],
        ['gitverse', 'octocat', 'User', 1],
      ]);
    });

    test('when kind is filtered, then the kind facet ignores it and every other facet counts only that kind', () => {
      const { matched, facets } = count({ kind: 'frontend' });
      assert.equal(matched.length, 3);
      assert.deepEqual(values(facets.kind), { frontend: 3, backend: 2, monorepo: 1 });
      assert.deepEqual(values(facets.provider), { github: 2, gitverse: 1 });
      assert.deepEqual(values(facets.visibility), { public: 3 });
    });

    test('when two filters are given, then each facet applies the other one only', () => {
      const { matched, facets } = count({ kind: 'backend', visibility: 'public' });
      assert.equal(matched.length, 0);
      // Kinds among public repositories; visibilities among backends; the selected value is listed at zero.
      assert.deepEqual(values(facets.kind), { frontend: 3, monorepo: 1, backend: 0 });
      assert.deepEqual(values(facets.visibility), { private: 2, public: 0 });
      assert.deepEqual(facets.provider, []);
    });

    test('when owner is given (any case, repeated), then only those namespaces match, and the owner facet still counts the others', () => {
      const { matched, facets } = count({ owner: ['ACME'] });
      assert.deepEqual(matched, [2, 3, 4]);
      assert.equal(facets.owner.length, 3);
      assert.deepEqual(values(facets.kind), { frontend: 1, backend: 1, monorepo: 1 });
      assert.deepEqual(count({ owner: ['acme', 'octocat'] }).matched.length, 6);
    });

    test('when a filter without a facet is given, then every facet counts within it', () => {
      const { matched, facets } = count({ connected: true });
      assert.deepEqual(matched, [0]);
      assert.deepEqual(values(facets.kind), { frontend: 1 });
      assert.deepEqual(facets.owner.map((o) => o.login), ['octocat']);
      assert.deepEqual(count({ q: 'tools' }).facets.kind, [{ value: 'monorepo', count: 1 }]);
    });

    test('when origin is a builder, then the origin facet still counts none, and the others only that builder', () => {
      const { facets } = count({ origin: 'lovable' });
      assert.deepEqual(values(facets.origin), { none: 4, lovable: 1 });
      assert.deepEqual(values(facets.kind), { frontend: 1 });
    });
  });
});
