/**
 * The fake GitLab's answers held to GitLab's own description of them. GitLab's OpenAPI document
 * (`doc/api/openapi/openapi_v3.yaml`) is generated from the Grape entities under `lib/api/entities/`
 * of GitLab's MIT-licensed source; the document itself is published under CC BY-SA 4.0, so it is not
 * copied here. The fields and types below are restated from those entities (`ProjectIdentity`,
 * `BasicProjectDetails`, `NamespaceBasic`, `ProjectWithAccess`), from Doorkeeper's token answer
 * and from GitLab's REST pagination headers, as GitLab documents them.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { generateProjects, startFakeGitLab } from '../fakes/gitlab/index.ts';
import type { FakeAccount, FakeGitLab } from '../fakes/gitlab/index.ts';

type Kind = 'integer' | 'string' | 'boolean' | 'array' | 'object' | 'datetime';
/** A field's types; `null` where GitLab may send null (a project without description, an empty repository's branch). */
type Field = Kind | readonly (Kind | 'null')[];

/** `ProjectIdentity`. */
const PROJECT_IDENTITY: Record<string, Field> = {
  id: 'integer',
  description: ['string', 'null'],
  name: 'string',
  name_with_namespace: 'string',
  path: 'string',
  path_with_namespace: 'string',
  created_at: 'datetime',
};

/** `BasicProjectDetails` (what `simple=true` answers), without its fields exposed only on condition (license, custom attributes, storage). */
const BASIC_PROJECT: Record<string, Field> = {
  ...PROJECT_IDENTITY,
  default_branch: ['string', 'null'],
  tag_list: 'array',
  topics: 'array',
  ssh_url_to_repo: 'string',
  http_url_to_repo: 'string',
  web_url: 'string',
  readme_url: ['string', 'null'],
  forks_count: 'integer',
  avatar_url: ['string', 'null'],
  star_count: 'integer',
  last_activity_at: 'datetime',
  namespace: 'object',
};
const BASIC_CONDITIONAL = ['license_url', 'license', 'custom_attributes', 'repository_storage'];

/** `NamespaceBasic`. */
const NAMESPACE: Record<string, Field> = {
  id: 'integer',
  name: 'string',
  path: 'string',
  kind: 'string',
  full_path: 'string',
  parent_id: ['integer', 'null'],
  avatar_url: ['string', 'null'],
  web_url: 'string',
};

/** What `Project` adds that our mapping reads, and `ProjectWithAccess`'s `permissions`. */
const FULL_PROJECT_READ: Record<string, Field> = {
  ...BASIC_PROJECT,
  visibility: 'string',
  archived: 'boolean',
  empty_repo: 'boolean',
  updated_at: 'datetime',
  permissions: 'object',
  _links: 'object',
};

const ACCESS: Record<string, Field> = { access_level: 'integer', notification_level: 'integer' };

function kindOf(value: unknown): Kind | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : ('number' as Kind);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return 'datetime';
  return typeof value as Kind;
}

function conforms(where: string, object: unknown, fields: Record<string, Field>, options: { only?: readonly string[] } = {}): void {
  assert.equal(kindOf(object), 'object', `${where} is an object`);
  const o = object as Record<string, unknown>;
  for (const [name, field] of Object.entries(fields)) {
    assert.ok(name in o, `${where}.${name} is missing`);
    const allowed = (typeof field === 'string' ? [field] : field) as readonly string[];
    const kind = kindOf(o[name]);
    // A date-time is a string too.
    assert.ok(allowed.includes(kind) || (kind === 'datetime' && allowed.includes('string')), `${where}.${name}: ${kind}, GitLab says ${allowed.join(' or ')}`);
  }
  if (options.only) {
    const extra = Object.keys(o).filter((k) => !(k in fields) && !options.only!.includes(k));
    assert.deepEqual(extra, [], `${where} has fields GitLab's entity does not expose`);
  }
}

let fake: FakeGitLab;
let account: FakeAccount;
const get = (path: string) => fetch(`${fake.baseUrl}${path}`, { headers: { authorization: `Bearer ${account.token}` } });

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'conformance', projects: generateProjects(150, { owner: { login: 'conformance' }, seed: 5 }) }], clientId: 'c', clientSecret: 's' });
  account = fake.state.accountByLogin('conformance')!;
});
afterAll(() => fake.close());

describe("the fake GitLab against GitLab's entities", () => {
  it('GET /api/v4/projects?simple=true answers BasicProjectDetails, each namespace a NamespaceBasic, nothing more', async () => {
    const body = (await (await get('/api/v4/projects?membership=true&simple=true&per_page=100')).json()) as unknown[];
    assert.equal(body.length, 100);
    for (const [i, p] of body.entries()) {
      conforms(`projects[${i}]`, p, BASIC_PROJECT, { only: BASIC_CONDITIONAL });
      conforms(`projects[${i}].namespace`, (p as { namespace: unknown }).namespace, NAMESPACE, { only: [] });
    }
  });

  it('GET /api/v4/projects answers ProjectWithAccess: visibility, archived, permissions with access levels, forks with their BasicProjectDetails', async () => {
    const body = (await (await get('/api/v4/projects?membership=true&per_page=100')).json()) as Array<Record<string, unknown>>;
    for (const [i, p] of body.entries()) {
      conforms(`projects[${i}]`, p, FULL_PROJECT_READ);
      assert.ok(['public', 'internal', 'private'].includes(String(p.visibility)));
      assert.ok(['user', 'group'].includes(String((p.namespace as { kind: unknown }).kind)));
      const permissions = p.permissions as Record<string, unknown>;
      assert.deepEqual(Object.keys(permissions).sort(), ['group_access', 'project_access']);
      for (const level of [permissions.project_access, permissions.group_access]) if (level !== null) conforms(`projects[${i}].permissions`, level, ACCESS, { only: [] });
      if ('forked_from_project' in p) conforms(`projects[${i}].forked_from_project`, p.forked_from_project, BASIC_PROJECT, { only: BASIC_CONDITIONAL });
    }
    assert.ok(body.some((p) => 'forked_from_project' in p), 'a fork among them');
  });

  it('offset pages carry GitLab\'s pagination headers; keyset pages only a next link', async () => {
    const res = await get('/api/v4/projects?membership=true&per_page=100&page=1');
    await res.arrayBuffer();
    for (const header of ['x-page', 'x-per-page', 'x-next-page', 'x-prev-page', 'x-total', 'x-total-pages', 'link']) assert.ok(res.headers.has(header), header);
    assert.match(res.headers.get('link') ?? '', /rel="next".*rel="first".*rel="last"/);
    const keyset = await get('/api/v4/projects?membership=true&per_page=100&pagination=keyset&order_by=id&sort=asc');
    await keyset.arrayBuffer();
    assert.match(keyset.headers.get('link') ?? '', /^<[^>]+id_after=\d+[^>]*>; rel="next"$/);
    assert.equal(keyset.headers.get('x-total'), null);
  });

  it('GET /api/v4/user answers the user, with id, username, name, state, avatar_url, web_url, created_at', async () => {
    const user = await (await get('/api/v4/user')).json();
    conforms('user', user, { id: 'integer', username: 'string', name: 'string', state: 'string', avatar_url: ['string', 'null'], web_url: 'string', created_at: 'datetime' });
  });

  it("POST /oauth/token answers Doorkeeper's token: access_token, token_type Bearer, expires_in, refresh_token, scope, created_at", async () => {
    const { access_token: _a, ...shape } = fake.state.issueTokens('conformance', 'read_api read_user');
    const refresh = await fetch(`${fake.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: shape.refresh_token, client_id: 'c', client_secret: 's' }),
    });
    conforms('token', await refresh.json(), { access_token: 'string', token_type: 'string', expires_in: 'integer', refresh_token: 'string', scope: 'string', created_at: 'integer' }, { only: [] });
  });
});
