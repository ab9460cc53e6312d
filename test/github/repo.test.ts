/**
 * A repository as GitHub sends it, held to what the spec says: permissions `null` when GitHub does
 * not say them, never invented; an owner of a type the spec does not name answered as `User`, as the
 * spec documents.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { checkHostRepositories } from '../../src/hosts/boundary.ts';
import { toGitHubRepo } from '../../src/hosts/github/repo.ts';

const raw = (extra: Record<string, unknown> = {}) => ({
  id: 7,
  name: 'tools',
  full_name: 'octo-bot/tools',
  owner: { id: 9, login: 'octo-bot', type: 'Bot' },
  html_url: 'https://github.com/octo-bot/tools',
  created_at: '2024-01-02T03:04:05Z',
  updated_at: '2024-01-02T03:04:05Z',
  ...extra,
});

const listed = (r: Record<string, unknown>) => checkHostRepositories('github', [toGitHubRepo(r)])[0]!;

describe('a GitHub repository at the boundary', () => {
  it('when GitHub sends no permissions, then the repository says null, not permissions of its own making', () => {
    assert.equal(listed(raw()).permissions, null);
  });

  it('when GitHub sends permissions, then they are answered as sent', () => {
    assert.deepEqual(listed(raw({ permissions: { admin: false, maintain: false, push: true, triage: true, pull: true } })).permissions, {
      admin: false,
      maintain: false,
      push: true,
      triage: true,
      pull: true,
    });
  });

  it('when the owner is a Bot, then it is answered as User, as the spec says', () => {
    assert.equal(listed(raw()).owner.type, 'User');
    assert.equal(listed(raw({ owner: { id: 9, login: 'acme', type: 'Organization' } })).owner.type, 'Organization');
  });
});
