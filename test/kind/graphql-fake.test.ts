import assert from 'node:assert/strict';
import { test } from 'vitest';
import { createFakeGraphqlHandler } from '../fakes/github/graphql.ts';
import type { FakeGraphqlRequest } from '../fakes/github/graphql.ts';

const execute = createFakeGraphqlHandler((owner, name, token) =>
  owner === 'acme' && name === 'shop' && token === 'good'
    ? { files: { 'package.json': '{"name":"shop"}', 'src/index.ts': 'export {};', 'src/lib/util.ts': '', 'README.md': '# Shop' } }
    : null,
);

/** What goes over the wire: graphql-js builds null-prototype objects. */
const handler = async (req: FakeGraphqlRequest) => {
  const res = await execute(req);
  return { status: res.status, body: JSON.parse(JSON.stringify(res.body)) as unknown };
};

test('executes a real query: trees, blobs and missing paths', async () => {
  const res = await handler({
    token: 'good',
    body: {
      query: `query($o: String!, $n: String!) { repository(owner: $o, name: $n) {
        nameWithOwner
        root: object(expression: "HEAD:") { __typename ... on Tree { entries { name type path } } }
        src: object(expression: "HEAD:src") { ... on Tree { entries { name type } } }
        pkg: object(expression: "HEAD:package.json") { ... on Blob { text byteSize isTruncated } }
        none: object(expression: "HEAD:go.mod") { ... on Blob { text } }
      } }`,
      variables: { o: 'acme', n: 'shop' },
    },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, {
    data: {
      repository: {
        nameWithOwner: 'acme/shop',
        root: {
          __typename: 'Tree',
          entries: [
            { name: 'README.md', type: 'blob', path: 'README.md' },
            { name: 'package.json', type: 'blob', path: 'package.json' },
            { name: 'src', type: 'tree', path: 'src' },
          ],
        },
        src: { entries: [{ name: 'index.ts', type: 'blob' }, { name: 'lib', type: 'tree' }] },
        pkg: { text: '{"name":"shop"}', byteSize: 15, isTruncated: false },
        none: null,
      },
    },
  });
});

test('an ill-formed query gets GraphQL errors and no data', async () => {
  for (const query of ['{ repository(owner: "acme") { name }', '{ repository(owner: "acme", name: "shop") { stars } }']) {
    const res = await handler({ token: 'good', body: { query } });
    const body = res.body as { data?: unknown; errors: Array<{ message: string }> };
    assert.equal(res.status, 200);
    assert.ok(!('data' in body));
    assert.ok(body.errors.length > 0 && typeof body.errors[0]?.message === 'string');
  }
  const missing = await handler({ token: 'good', body: { variables: {} } });
  assert.match(JSON.stringify(missing.body), /A query attribute must be specified/);
});

test('unknown or hidden repositories come back null with a NOT_FOUND error', async () => {
  const res = await handler({ token: 'other', body: { query: '{ r0: repository(owner: "acme", name: "shop") { name } }' } });
  const body = res.body as { data: { r0: null }; errors: Array<{ type: string; path: string[] }> };
  assert.deepEqual(body.data, { r0: null });
  assert.equal(body.errors[0]?.type, 'NOT_FOUND');
  assert.deepEqual(body.errors[0]?.path, ['r0']);
});

test('no token is a 401, as on GitHub', async () => {
  const res = await handler({ token: '', body: { query: '{ repository(owner: "acme", name: "shop") { name } }' } });
  assert.equal(res.status, 401);
});
