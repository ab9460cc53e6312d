import { createHash } from 'node:crypto';
import { FakeHostState } from '../state.ts';
import type { FakeGitVerseAccount, FakeGitVerseRequest, FakeGitVerseRoute, FakeGitVerseUserInput, GitVerseFault, GitVersePaging } from './types.ts';

export const DEFAULT_GITVERSE_SCOPES = ['read:public_api'];

/** A personal access token derived from the login (40 hex characters). */
export function gitverseTokenFor(login: string): string {
  return createHash('sha256').update(`fake-gitverse:${login}`).digest('hex').slice(0, 40);
}

/** A stable numeric id for a login, so owners keep their id across runs. */
export function gitverseIdFor(login: string): number {
  return 1 + (createHash('sha256').update(`gitverse:${login}`).digest().readUInt32BE(0) % 9_000_000);
}

/** Everything the fake knows, and the handles tests use to shape its answers. */
export class FakeGitVerseState extends FakeHostState<FakeGitVerseRoute, FakeGitVerseAccount, GitVerseFault, FakeGitVerseRequest> {
  paging: GitVersePaging = 'link';
  /** The most repositories one page holds, whatever `per_page` asks. */
  pageSize = 100;
  /** Whether `x-oauth-scopes` is sent; GitVerse's docs do not say it is. */
  reportScopes = true;

  addUser(input: FakeGitVerseUserInput): FakeGitVerseAccount {
    const account: FakeGitVerseAccount = {
      token: input.token ?? gitverseTokenFor(input.login),
      scopes: input.scopes ?? [...DEFAULT_GITVERSE_SCOPES],
      user: {
        id: input.id ?? gitverseIdFor(input.login),
        login: input.login,
        full_name: input.full_name ?? '',
        email: `${input.login}@example.ru`,
      },
      repos: input.repos ?? [],
    };
    this.accounts.set(account.token, account);
    return account;
  }

  /** The first fault matching this request, used up by one. */
  takeFault(route: FakeGitVerseRoute | 'other', page: number, repo: string | undefined): GitVerseFault | undefined {
    return this.takeFaultWhere(route, page, (f) => f.repo === undefined || f.repo.toLowerCase() === repo?.toLowerCase());
  }
}
