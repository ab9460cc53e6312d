/** Pasted URLs read as GitLab and Bitbucket addresses: only the configured instances, nothing fetched. */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { gitlabAddress } from '../../src/hosts/gitlab/urls.ts';
import { createBitbucketSource } from '../../src/hosts/bitbucket/index.ts';
import type { GitLabInstance } from '../../src/hosts/gitlab/index.ts';

const instances: GitLabInstance[] = [
  { id: 'gitlab.com', webUrl: 'https://gitlab.com', apiUrl: 'https://gitlab.com/api/v4', oauth: undefined },
  { id: 'code.example.org:8443', webUrl: 'https://code.example.org:8443/gitlab', apiUrl: 'https://code.example.org:8443/gitlab/api/v4', oauth: undefined },
];

describe('GitLab project URLs', () => {
  const cases: Array<[string, { owner: string; name: string; instance: string } | undefined]> = [
    ['https://gitlab.com/acme/app', { owner: 'acme', name: 'app', instance: 'gitlab.com' }],
    ['https://gitlab.com/acme/platform/tools/app.git', { owner: 'acme/platform/tools', name: 'app', instance: 'gitlab.com' }],
    ['https://gitlab.com/acme/platform/app/-/tree/main/src', { owner: 'acme/platform', name: 'app', instance: 'gitlab.com' }],
    ['https://gitlab.com/acme/app/-/merge_requests/4', { owner: 'acme', name: 'app', instance: 'gitlab.com' }],
    ['  https://gitlab.com/acme/app/  ', { owner: 'acme', name: 'app', instance: 'gitlab.com' }],
    ['git@gitlab.com:acme/platform/app.git', { owner: 'acme/platform', name: 'app', instance: 'gitlab.com' }],
    ['ssh://git@gitlab.com:22/acme/app.git', { owner: 'acme', name: 'app', instance: 'gitlab.com' }],
    ['https://code.example.org:8443/gitlab/team/sub/svc', { owner: 'team/sub', name: 'svc', instance: 'code.example.org:8443' }],
    ['git@code.example.org:team/svc.git', { owner: 'team', name: 'svc', instance: 'code.example.org:8443' }],
    ['https://code.example.org/gitlab/team/svc', undefined],
    ['https://code.example.org:8443/team/svc', undefined],
    ['https://gitlab.com/acme', undefined],
    ['https://gitlab.com.evil.example/acme/app', undefined],
    ['https://gitlab.example.net/acme/app', undefined],
    ['git@gitlab.example.net:acme/app.git', undefined],
    ['https://gitlab.com/acme/-app', undefined],
    ['https://gitlab.com/acme/%2e%2e', undefined],
    ['ftp://gitlab.com/acme/app', undefined],
    ['not a url', undefined],
  ];
  for (const [url, expected] of cases) {
    it(`reads ${url.trim()} as ${expected ? `${expected.owner}/${expected.name} on ${expected.instance}` : 'not a project of a configured instance'}`, () => {
      assert.deepEqual(gitlabAddress(url, instances), expected);
    });
  }
});

describe('Bitbucket repository URLs', () => {
  const source = createBitbucketSource({ client: { listRepos: async () => assert.fail('not fetched'), getRepo: async () => assert.fail('not fetched') }, webUrl: 'https://bitbucket.org' });
  const cases: Array<[string, { owner: string; name: string } | undefined]> = [
    ['https://bitbucket.org/acme/app', { owner: 'acme', name: 'app' }],
    ['https://ada@bitbucket.org/acme/app.git', { owner: 'acme', name: 'app' }],
    ['https://bitbucket.org/acme/app/src/main/package.json', { owner: 'acme', name: 'app' }],
    ['git@bitbucket.org:acme/app.git', { owner: 'acme', name: 'app' }],
    ['https://bitbucket.com/acme/app', undefined],
    ['https://bitbucket.org/acme', undefined],
  ];
  for (const [url, expected] of cases) {
    it(`reads ${url} as ${expected ? `${expected.owner}/${expected.name}` : 'no Bitbucket repository'}`, () => {
      assert.deepEqual(source.parseUrl?.(url), expected);
    });
  }
  it('serves bitbucket.org', () => assert.deepEqual(source.webHosts?.(), ['bitbucket.org']));
});
