/**
 * Why some of a user's GitHub repositories may be missing from `GET /user/repos`, as GitHub lets us
 * find out: organisations whose OAuth App access restrictions keep this app out (their endpoints
 * answer 403 with the documented message), organisations with SAML single sign-on the token is not
 * authorised for (`X-GitHub-SSO` on listings and on their endpoints), and a token without `repo`.
 */
import { ApiProblem } from '../../contract/problem.ts';
import type { MissingHint } from '../types.ts';
import type { GitHubClient, GitHubOrg, OrgAccess } from './client.ts';

export interface GitHubHintSettings {
  /** `https://github.com`, a GitHub Enterprise host, or the local fake. */
  webUrl: string;
  /** This app's OAuth client id: GitHub's page for it is where a user requests an organisation's approval. */
  clientId: string;
  /** Where a user signs in again with GitHub (asking for the scopes we need). */
  signInUrl: string;
  /** Organisations probed per listing at most (default 10). */
  maxProbes?: number;
}

/** Where the user requests (or, as an owner, grants) an organisation's approval of this OAuth app. */
export const grantUrl = (settings: GitHubHintSettings) => `${settings.webUrl}/settings/connections/applications/${encodeURIComponent(settings.clientId)}`;

const names = (orgs: readonly string[]) =>
  orgs.length === 1 ? `The ${orgs[0]} organization` : `The ${orgs.slice(0, -1).join(', ')} and ${orgs.at(-1)} organizations`;

export function restrictedHint(orgs: string[], settings: GitHubHintSettings): MissingHint {
  const one = orgs.length === 1;
  return {
    code: 'github_oauth_restricted',
    message: `${names(orgs)} ${one ? 'restricts' : 'restrict'} OAuth App access, so ${one ? 'its' : 'their'} repositories are not listed. Request access for this app; an owner of the organization approves it.`,
    url: grantUrl(settings),
    organizations: orgs,
  };
}

export function ssoHint(orgs: string[], url: string | null, settings: GitHubHintSettings): MissingHint {
  const one = orgs.length === 1;
  return {
    code: 'github_sso_required',
    message: `${names(orgs)} ${one ? 'uses' : 'use'} SAML single sign-on and the token is not authorised for ${one ? 'it' : 'them'}, so ${one ? 'its' : 'their'} repositories are not listed. Authorise it with single sign-on.`,
    url: url ?? (orgs[0] ? `${settings.webUrl}/orgs/${encodeURIComponent(orgs[0])}/sso` : null),
    organizations: orgs,
  };
}

/** What the token's scopes keep out: without `repo`, GitHub lists public repositories only. Scopes not reported (a GitHub App token) say nothing. */
export function githubScopeHints(scopes: readonly string[], settings: GitHubHintSettings): MissingHint[] {
  if (scopes.length === 0 || scopes.includes('repo')) return [];
  return [
    {
      code: 'github_private_scope',
      message: 'The GitHub token lacks the repo scope, so private repositories are not listed. Sign in with GitHub again to grant it.',
      url: settings.signInUrl,
      organizations: [],
    },
  ];
}

/**
 * The organisations that keep repositories out of a listing. Only organisations with no repository in
 * the list, or that GitHub named in `X-GitHub-SSO: partial-results`, are asked about (one request
 * each, at once, at most `maxProbes`): an organisation whose repositories are listed lets us in.
 * Never throws: a check that fails says nothing.
 */
export async function githubOrgHints(
  client: Pick<GitHubClient, 'orgAccess'>,
  token: string,
  input: { orgs: readonly GitHubOrg[]; listedOwners: ReadonlySet<string>; ssoHidden: readonly number[] },
  settings: GitHubHintSettings,
): Promise<MissingHint[]> {
  const ssoHidden = new Set(input.ssoHidden);
  const candidates = input.orgs
    .filter((o) => ssoHidden.has(o.id) || !input.listedOwners.has(o.login.toLowerCase()))
    .slice(0, settings.maxProbes ?? 10);
  const answers = await Promise.all(
    candidates.map(async (org): Promise<[GitHubOrg, OrgAccess]> => [org, await client.orgAccess(token, org.login).catch((): OrgAccess => ({ kind: 'unknown' }))]),
  );
  const restricted = answers.filter(([, a]) => a.kind === 'oauth_restricted').map(([o]) => o.login);
  const sso = answers.filter(([, a]) => a.kind === 'sso_required');
  const ssoOrgs = new Set(sso.map(([o]) => o.login));
  // Named by the listing but not asked about (or not in the organisation list): still hidden by SSO.
  const known = new Map(input.orgs.map((o) => [o.id, o.login]));
  for (const id of ssoHidden) {
    const login = known.get(id);
    if (!answers.some(([o]) => o.id === id)) ssoOrgs.add(login ?? `id:${id}`);
  }
  const hints: MissingHint[] = [];
  if (restricted.length) hints.push(restrictedHint(restricted, settings));
  if (ssoOrgs.size) {
    const first = sso.find(([, a]) => a.kind === 'sso_required' && a.url);
    hints.push(ssoHint([...ssoOrgs], first && first[1].kind === 'sso_required' ? first[1].url : null, settings));
  }
  return hints;
}

/** The lookup's problem for a repository its organisation keeps out, with the hint that fixes it. */
export function refusalProblem(access: Exclude<OrgAccess, { kind: 'open' } | { kind: 'unknown' }>, owner: string, name: string, settings: GitHubHintSettings): ApiProblem {
  if (access.kind === 'oauth_restricted') {
    return new ApiProblem(
      403,
      'FORBIDDEN',
      `The ${owner} organization has enabled OAuth App access restrictions, so this app cannot see ${owner}/${name}. Request access for this app, and an owner of ${owner} approves it.`,
      { provider: 'github', hint: restrictedHint([owner], settings) },
    );
  }
  return new ApiProblem(
    403,
    'FORBIDDEN',
    `The ${owner} organization uses SAML single sign-on and the token is not authorised for it, so this app cannot see ${owner}/${name}. Authorise it at the hint's URL.`,
    { provider: 'github', hint: ssoHint([owner], access.url, settings) },
  );
}
