import type { FakeAccount, FakeOwner, FakeRepo } from './types.ts';

/** GitHub's legacy global node id: base64 of "<type length>:<Type><id>". */
function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

/** GitHub's `simple-user` object for a repository owner. */
export function renderOwner(owner: FakeOwner, apiBase: string, webBase: string): Record<string, unknown> {
  const api = `${apiBase}/users/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: nodeId(owner.type, owner.id),
    avatar_url: `https://avatars.githubusercontent.com/u/${owner.id}?v=4`,
    gravatar_id: '',
    url: api,
    html_url: `${webBase}/${owner.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: owner.type,
    user_view_type: 'public',
    site_admin: false,
  };
}

/** GitHub's full `repository` object, as `GET /user/repos` returns it. */
export function renderRepo(repo: FakeRepo, apiBase: string, webBase: string): Record<string, unknown> {
  const fullName = `${repo.owner.login}/${repo.name}`;
  const api = `${apiBase}/repos/${fullName}`;
  const html = `${webBase}/${fullName}`;
  const host = new URL(webBase).host;
  const forks = repo.forks_count ?? 0;
  const openIssues = repo.open_issues_count ?? 0;
  return {
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: renderOwner(repo.owner, apiBase, webBase),
    html_url: html,
    description: repo.description,
    fork: repo.fork,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
    created_at: repo.created_at,
    updated_at: repo.updated_at,
    pushed_at: repo.pushed_at,
    git_url: `git://${host}/${fullName}.git`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${html}.git`,
    svn_url: html,
    homepage: repo.homepage ?? null,
    size: repo.size,
    stargazers_count: repo.stargazers_count,
    watchers_count: repo.stargazers_count,
    language: repo.language,
    has_issues: !repo.fork,
    has_projects: true,
    has_downloads: true,
    has_wiki: !repo.private,
    has_pages: false,
    has_discussions: false,
    forks_count: forks,
    mirror_url: null,
    archived: repo.archived,
    disabled: false,
    open_issues_count: openIssues,
    license: repo.license
      ? { ...repo.license, url: `${apiBase}/licenses/${repo.license.key}` }
      : null,
    allow_forking: true,
    is_template: repo.is_template ?? false,
    web_commit_signoff_required: false,
    topics: repo.topics ?? [],
    visibility: repo.visibility ?? (repo.private ? 'private' : 'public'),
    forks,
    open_issues: openIssues,
    watchers: repo.stargazers_count,
    default_branch: repo.default_branch,
    permissions: { ...repo.permissions },
    ...repo.raw,
  };
}

/** GitHub's `private-user` object: what `GET /user` returns to the user themselves. */
export function renderUser(account: FakeAccount, apiBase: string, webBase: string): Record<string, unknown> {
  const { user } = account;
  const owned = account.repos.filter((r) => r.owner.login === user.login);
  const ownedPrivate = owned.filter((r) => r.private).length;
  return {
    ...renderOwner({ login: user.login, id: user.id, type: 'User' }, apiBase, webBase),
    user_view_type: 'private',
    name: user.name,
    company: user.company,
    blog: '',
    location: user.location,
    email: user.email,
    notification_email: user.email,
    hireable: null,
    bio: user.bio,
    twitter_username: null,
    public_repos: owned.length - ownedPrivate,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: user.created_at,
    updated_at: user.updated_at,
    private_gists: 0,
    total_private_repos: ownedPrivate,
    owned_private_repos: ownedPrivate,
    disk_usage: owned.reduce((sum, r) => sum + r.size, 0),
    collaborators: 0,
    two_factor_authentication: true,
    plan: { name: 'free', space: 976_562_499, collaborators: 0, private_repos: 10_000 },
  };
}
