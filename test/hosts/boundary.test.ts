/**
 * A host's repositories held to the spec at the boundary: what is kept as sent, what is rewritten by
 * the spec's rules, and what refuses the whole listing. Each expected answer is written out by hand.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { ApiProblem } from '../../src/contract/problem.ts';
import { checkHostRepositories } from '../../src/hosts/boundary.ts';
import type { HostRepository } from '../../src/hosts/types.ts';

function repo(overrides: Partial<HostRepository> = {}): HostRepository {
  return {
    provider: 'github',
    id: 7,
    name: 'tools',
    full_name: 'octo/tools',
    owner: { id: 3, login: 'octo', full_name: null, type: 'User' },
    description: null,
    private: false,
    visibility: 'public',
    fork: false,
    archived: false,
    html_url: 'https://github.com/octo/tools',
    language: null,
    size: 1,
    stargazers_count: 0,
    watchers_count: 0,
    default_branch: 'main',
    created_at: '2024-01-02T03:04:05Z',
    updated_at: '2024-01-02T03:04:05Z',
    pushed_at: null,
    permissions: { admin: false, maintain: false, push: false, triage: false, pull: true },
    ...overrides,
  };
}

const checked = (r: HostRepository) => checkHostRepositories('github', [r])[0]!;

function refusal(r: HostRepository): string {
  try {
    checkHostRepositories('github', [r]);
  } catch (error) {
    assert.ok(error instanceof ApiProblem);
    return error.detail;
  }
  return assert.fail('the repository was accepted');
}

describe('a host repository at the boundary', () => {
  describe('html_url', () => {
    test('an http(s) URL in the characters RFC 3986 allows is kept as sent, the hundredth of a host as the first', () => {
      for (let i = 0; i < 100; i++) assert.equal(checked(repo({ html_url: `https://github.com/octo/r${i}?tab=1#top` })).html_url, `https://github.com/octo/r${i}?tab=1#top`);
      assert.equal(checked(repo({ html_url: 'http://127.0.0.1:8080/octo/tools' })).html_url, 'http://127.0.0.1:8080/octo/tools');
    });

    test('a URL with characters RFC 3986 does not allow is written percent-encoded, even after URLs of its host passed as sent', () => {
      checked(repo({ html_url: 'https://github.com/octo/tools' }));
      assert.equal(checked(repo({ html_url: 'https://github.com/octo/my tools' })).html_url, 'https://github.com/octo/my%20tools');
      assert.equal(checked(repo({ html_url: 'https://github.com/octo/ünï' })).html_url, 'https://github.com/octo/%C3%BCn%C3%AF');
    });

    test('what is not an absolute http(s) URL refuses the listing, whatever URLs came before it', () => {
      checked(repo({ html_url: 'http://example.com:8080/a' }));
      for (const bad of ['javascript:alert(1)', 'ftp://example.com/a', '/octo/tools', 'http://exa mple.com/a', 'http://example.com:99999/a', 'https://', 42]) {
        assert.match(refusal(repo({ html_url: bad as string })), /html_url must be an absolute http\(s\) URL/, String(bad));
      }
      assert.match(refusal(repo({ html_url: `https://github.com/${'a'.repeat(2048)}` })), /at most 2048 characters/);
    });
  });

  describe('lengths count code points, as JSON Schema does', () => {
    const astral = '😀';
    test('a name of 255 code points is kept, though it is 510 UTF-16 units; one of 256 refuses the listing', () => {
      assert.equal(checked(repo({ name: astral.repeat(255), full_name: 'octo/x' })).name, astral.repeat(255));
      assert.match(refusal(repo({ name: astral.repeat(256), full_name: 'octo/x' })), /name must be 1 to 255 characters/);
      assert.match(refusal(repo({ name: 'a'.repeat(256) })), /name must be 1 to 255 characters/);
    });

    test('a full name longer than 512 code points is rebuilt from the owner and name', () => {
      assert.equal(checked(repo({ full_name: `octo/${astral.repeat(507)}` })).full_name, `octo/${astral.repeat(507)}`);
      assert.equal(checked(repo({ full_name: `octo/${astral.repeat(508)}` })).full_name, 'octo/tools');
    });

    test('a login with a space, or longer than 255 code points, refuses the listing', () => {
      assert.match(refusal(repo({ owner: { id: 3, login: 'oc to', full_name: null, type: 'User' } })), /owner\.login must be/);
      assert.match(refusal(repo({ owner: { id: 3, login: 'o'.repeat(256), full_name: null, type: 'User' } })), /owner\.login must be/);
    });

    test('line breaks in one-line fields become spaces', () => {
      assert.equal(checked(repo({ language: 'Type\r\nScript' })).language, 'Type Script');
      assert.equal(checked(repo({ default_branch: 'main' })).default_branch, 'main');
    });
  });

  describe('permissions', () => {
    test('maintain and triage are kept where the host says them, and absent where it does not', () => {
      assert.deepEqual(checked(repo()).permissions, { admin: false, push: false, pull: true, maintain: false, triage: false });
      const gitverse = { admin: true, push: true, pull: true } as HostRepository['permissions'];
      assert.deepEqual(checked(repo({ permissions: gitverse })).permissions, { admin: true, push: true, pull: true });
      const half = { admin: false, push: false, pull: true, triage: true } as HostRepository['permissions'];
      assert.deepEqual(checked(repo({ permissions: half })).permissions, { admin: false, push: false, pull: true, triage: true });
      assert.equal(checked(repo({ permissions: null })).permissions, null);
    });
  });
});
