import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { ApiProblem } from '../../src/contract/problem.ts';
import { checkPersonalAccessToken, GitLabClient, GitLabInstances, loadGitLabConfig } from '../../src/hosts/gitlab/index.ts';
import type { GitLabInstance } from '../../src/hosts/gitlab/index.ts';
import { startFakeGitLab } from '../fakes/gitlab/index.ts';
import type { FakeGitLab } from '../fakes/gitlab/index.ts';
import { ANSWERED_MS } from '../support/deadlines.ts';

let fake: FakeGitLab;
const clientFor = (instance: GitLabInstance) => new GitLabClient({ apiUrl: instance.apiUrl, webUrl: instance.webUrl, timeoutMs: ANSWERED_MS });

beforeAll(async () => {
  fake = await startFakeGitLab({ users: [{ login: 'self-managed-user' }, { login: 'no-read', scopes: ['read_user'] }, { login: 'writer', scopes: ['api'] }] });
});
afterAll(() => fake.close());

describe('the operator list of GitLab instances', () => {
  it('when nothing is set, then gitlab.com alone, without an OAuth application', () => {
    const config = loadGitLabConfig({});
    assert.deepEqual(config.instances, [{ id: 'gitlab.com', webUrl: 'https://gitlab.com', apiUrl: 'https://gitlab.com/api/v4', oauth: undefined }]);
    assert.equal(config.timeoutMs, 10_000);
  });

  it('when self-managed instances are listed, then each has its web URL, its own API URL and its OAuth application', () => {
    const config = loadGitLabConfig({
      GITLAB_CLIENT_ID: 'id',
      GITLAB_CLIENT_SECRET: 'secret',
      GITLAB_INSTANCES: JSON.stringify([
        { url: 'https://gitlab.example.com/', api_url: 'https://gitlab-api.example.com/api/v4', client_id: 'c', client_secret: 's' },
        { url: 'https://code.example.org:8443' },
      ]),
    });
    assert.deepEqual(
      config.instances.map((i) => [i.id, i.apiUrl, i.oauth?.clientId ?? null]),
      [
        ['gitlab.com', 'https://gitlab.com/api/v4', 'id'],
        ['gitlab.example.com', 'https://gitlab-api.example.com/api/v4', 'c'],
        ['code.example.org:8443', 'https://code.example.org:8443/api/v4', null],
      ],
    );
  });

  for (const [what, value] of [
    ['not JSON', '{nope'],
    ['not an array', '{"url":"https://a.example"}'],
    ['an instance without a URL', '[{"api_url":"https://a.example/api/v4"}]'],
    ['a URL that is not http(s)', '[{"url":"file:///etc/passwd"}]'],
    ['an instance twice', '[{"url":"https://a.example"},{"url":"https://a.example/"}]'],
  ]) {
    it(`when GITLAB_INSTANCES is ${what}, then the start is refused naming the variable`, () => {
      assert.throws(() => loadGitLabConfig({ GITLAB_INSTANCES: value }), /GITLAB_INSTANCES/);
    });
  }

  it('when a user names an instance by any page of it, then the configured instance is found; by a look-alike, none', () => {
    const instances = new GitLabInstances(loadGitLabConfig({ GITLAB_INSTANCES: '[{"url":"https://gitlab.example.com"}]' }).instances);
    assert.equal(instances.forUrl('https://gitlab.example.com/acme/web')?.id, 'gitlab.example.com');
    assert.equal(instances.forUrl('https://gitlab.example.com/api/v4/')?.id, 'gitlab.example.com');
    for (const lookalike of ['https://gitlab.example.com.evil.test', 'http://gitlab.example.com', 'https://user:pw@gitlab.example.com', 'https://gitlab.example.com:444', 'gitlab.example.com']) {
      assert.equal(instances.forUrl(lookalike), undefined, lookalike);
    }
  });
});

describe('a personal access token for a self-managed instance', () => {
  const allowedHere = () => new GitLabInstances(loadGitLabConfig({ GITLAB_INSTANCES: JSON.stringify([{ url: fake.baseUrl }]) }).instances);

  it('when the instance is on the list, then the token is checked there: its user and scopes', async () => {
    const account = fake.state.accountByLogin('self-managed-user')!;
    const link = await checkPersonalAccessToken({ instances: allowedHere(), clientFor, instanceUrl: fake.baseUrl, token: account.token });
    assert.equal(link.user.username, 'self-managed-user');
    assert.deepEqual(link.scopes, ['read_api', 'read_user']);
    assert.deepEqual(link.warnings, []);
  });

  it('when the token cannot read projects, then 403 PROVIDER_AUTH naming read_api; with api, a warning that it can write', async () => {
    await assert.rejects(
      checkPersonalAccessToken({ instances: allowedHere(), clientFor, instanceUrl: fake.baseUrl, token: fake.state.accountByLogin('no-read')!.token }),
      (e: unknown) => e instanceof ApiProblem && e.code === 'PROVIDER_AUTH' && /read_api/.test(e.detail),
    );
    const writer = await checkPersonalAccessToken({ instances: allowedHere(), clientFor, instanceUrl: fake.baseUrl, token: fake.state.accountByLogin('writer')!.token });
    assert.equal(writer.warnings.length, 1);
  });

  for (const [what, url] of [
    ['a loopback address (a GitLab the operator did not list)', () => fake.baseUrl],
    ['the loopback name', () => fake.baseUrl.replace('127.0.0.1', 'localhost')],
    ['a link-local address (cloud metadata)', () => 'http://169.254.169.254/latest/meta-data'],
    ['an IPv6 loopback', () => 'http://[::1]:80/'],
  ] as const) {
    it(`when the instance URL is ${what}, then 400 VALIDATION_FAILED and nothing is sent anywhere`, async () => {
      fake.state.resetCounters();
      const instances = new GitLabInstances(loadGitLabConfig({}).instances);
      let clients = 0;
      await assert.rejects(
        checkPersonalAccessToken({ instances, clientFor: (i) => (clients++, clientFor(i)), instanceUrl: url(), token: 'glpat-x' }),
        (e: unknown) => e instanceof ApiProblem && e.status === 400 && e.code === 'VALIDATION_FAILED' && e.extras.field_errors?.['body.instance_url'] !== undefined,
      );
      assert.equal(clients, 0, 'no client was made for it');
      assert.equal(fake.state.counters.total, 0, 'the loopback GitLab got no request');
    });
  }
});
