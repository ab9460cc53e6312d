import type { FakeAccount, FakeNamespace, FakeProject } from './types.ts';

/** GitLab's `NamespaceBasic`, as a project carries it. */
export function renderNamespace(ns: FakeNamespace, webBase: string): Record<string, unknown> {
  return {
    id: ns.id,
    name: ns.name,
    path: ns.path,
    kind: ns.kind,
    full_path: ns.full_path,
    parent_id: ns.parent_id,
    avatar_url: null,
    web_url: ns.kind === 'group' ? `${webBase}/groups/${ns.full_path}` : `${webBase}/${ns.full_path}`,
  };
}

/** GitLab's `BasicProjectDetails`: what `simple=true` returns, and what a fork's `forked_from_project` is. */
export function renderBasicProject(p: Pick<FakeProject, 'id' | 'name' | 'path' | 'namespace'> & Partial<FakeProject>, webBase: string): Record<string, unknown> {
  const pathWithNamespace = `${p.namespace.full_path}/${p.path}`;
  const web = `${webBase}/${pathWithNamespace}`;
  const host = new URL(webBase).host;
  return {
    id: p.id,
    description: p.description ?? null,
    name: p.name,
    name_with_namespace: `${p.namespace.name} / ${p.name}`,
    path: p.path,
    path_with_namespace: pathWithNamespace,
    created_at: p.created_at ?? '2020-01-01T00:00:00.000Z',
    default_branch: p.default_branch === undefined ? 'main' : p.default_branch,
    tag_list: p.topics ?? [],
    topics: p.topics ?? [],
    ssh_url_to_repo: `git@${host}:${pathWithNamespace}.git`,
    http_url_to_repo: `${web}.git`,
    web_url: web,
    readme_url: p.default_branch ? `${web}/-/blob/${p.default_branch}/README.md` : null,
    forks_count: p.forks_count ?? 0,
    avatar_url: null,
    star_count: p.star_count ?? 0,
    last_activity_at: p.last_activity_at ?? '2020-01-01T00:00:00.000Z',
    namespace: renderNamespace(p.namespace, webBase),
  };
}

/** GitLab's `ProjectWithAccess`: the full project of an authenticated listing without `simple`. */
export function renderProject(p: FakeProject, apiBase: string, webBase: string, owner: FakeAccount['user'] | undefined): Record<string, unknown> {
  const basic = renderBasicProject(p, webBase);
  const api = `${apiBase}/api/v4/projects/${p.id}`;
  const level = (access: number | null) => (access === null ? null : { access_level: access, notification_level: 3 });
  return {
    ...basic,
    container_registry_image_prefix: `registry.${new URL(webBase).host}/${String(basic.path_with_namespace)}`,
    _links: {
      self: api,
      issues: `${api}/issues`,
      merge_requests: `${api}/merge_requests`,
      repo_branches: `${api}/repository/branches`,
      labels: `${api}/labels`,
      events: `${api}/events`,
      members: `${api}/members`,
      cluster_agents: `${api}/cluster_agents`,
    },
    packages_enabled: true,
    empty_repo: p.default_branch === null,
    archived: p.archived,
    visibility: p.visibility,
    ...(p.namespace.kind === 'user' && owner
      ? { owner: { id: owner.id, username: owner.username, name: owner.name, state: owner.state, locked: false, avatar_url: owner.avatar_url, web_url: `${webBase}/${owner.username}` } }
      : {}),
    resolve_outdated_diff_discussions: false,
    issues_enabled: true,
    merge_requests_enabled: true,
    wiki_enabled: true,
    jobs_enabled: true,
    snippets_enabled: true,
    container_registry_enabled: true,
    repository_access_level: 'enabled',
    visibility_level_updated_at: null,
    creator_id: p.namespace.kind === 'user' ? owner?.id ?? 1 : 1,
    ...(p.forked_from ? { forked_from_project: renderBasicProject({ ...p.forked_from, default_branch: p.default_branch }, webBase) } : {}),
    import_status: 'none',
    open_issues_count: 0,
    updated_at: p.updated_at,
    ci_default_git_depth: 20,
    public_jobs: true,
    shared_with_groups: [],
    only_allow_merge_if_pipeline_succeeds: false,
    request_access_enabled: true,
    merge_method: 'merge',
    squash_option: 'default_off',
    permissions: { project_access: level(p.project_access), group_access: level(p.group_access) },
    ...p.raw,
  };
}

/** GitLab's `GET /user` for the token's owner. */
export function renderUser(account: FakeAccount, webBase: string): Record<string, unknown> {
  const u = account.user;
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    state: u.state,
    locked: false,
    avatar_url: u.avatar_url,
    web_url: `${webBase}/${u.username}`,
    created_at: u.created_at,
    bio: '',
    location: '',
    public_email: null,
    skype: '',
    linkedin: '',
    twitter: '',
    discord: '',
    website_url: '',
    organization: '',
    job_title: '',
    pronouns: null,
    bot: false,
    work_information: null,
    local_time: null,
    last_sign_in_at: '2026-01-10T09:00:00.000Z',
    confirmed_at: u.created_at,
    last_activity_on: '2026-01-14',
    email: `${u.username}@example.com`,
    theme_id: 1,
    color_scheme_id: 1,
    projects_limit: 100000,
    current_sign_in_at: '2026-01-14T09:00:00.000Z',
    identities: [],
    can_create_group: true,
    can_create_project: true,
    two_factor_enabled: false,
    external: false,
    private_profile: false,
    commit_email: `${u.username}@example.com`,
  };
}
