/**
 * The reference picker: a "pick a repository" screen on the typed client (`repositories-api-client`), with
 * every state a real one meets drawn, against the API (the sandbox) or its mock (`?api=mock`).
 *
 * The whole screen is one list request (`GET /api/v1/repos`) and what its answer says:
 * - 200: the list, its total and page, and per host whether it answered (`providers`): a host that failed
 *   beside one that answered is a notice above a list that knowingly lacks its repositories;
 * - a problem: drawn by its `code` (problems.ts): sign in, reconnect the host, wait, or try again.
 */
import { createApiClient, type operations, type Schema } from 'repositories-api-client';
import { byId, h } from './dom.js';
import { hostName, screenFor, type ProblemScreen, type Remedy } from './problems.js';

type Repository = Schema<'Repository'>;
type RepositoryList = Schema<'RepositoryList'>;
type ListQuery = NonNullable<operations['listRepositories']['parameters']['query']>;
/** The counts beside the filters, when the API sends them (`facets`); older APIs and most mock states do not. */
type Facets = Partial<Record<'provider' | 'kind' | 'origin' | 'visibility', { value: string; count: number }[]>>;

const PER_PAGE = 30;
/** After this long a list that has not come says why it may take a while. */
const SLOW_AFTER_MS = 2_000;
const SEARCH_DELAY_MS = 300;

// ---------------------------------------------------------------- which API

/**
 * The page's server says where the API and the mock are (`/config.json`); a team's app would read its own
 * setting (`import.meta.env.VITE_API_URL`). `?api=mock` switches to the mock, `?api=<origin>` to any API.
 */
const served = (await (await fetch('/config.json')).json()) as { api: string; mock: string | null };
const setting = new URLSearchParams(location.search).get('api');
const mock = setting === 'mock';
const baseUrl = (mock ? served.mock : setting) ?? served.api;

const api = createApiClient({
  baseUrl,
  // The API is on another origin than this page: its session cookie travels only with `include`.
  credentials: 'include',
  // The mock wants credentials and takes any; the API reads the session cookie (or a bearer token).
  token: mock ? 'mock' : undefined,
  // On a 401, one fresh bearer token from the session cookie, then the request once more. When the
  // session itself is gone, the 401 stays: the screen then asks to sign in.
  renewToken: true,
});

/** Where a browser signs in with a host (or, signed in, links it again): the API sends it to the host and back to this page. */
const signInWith = (provider: string) => `${baseUrl}/api/v1/auth/${provider}/login`;
const signInUrl = signInWith('github');
/** Hosts linked through their OAuth sign-in; the others (GitVerse) are linked with a token. */
const OAUTH_HOSTS: ReadonlySet<string> = new Set(['github', 'gitlab', 'bitbucket']);

/** The mock's states of the list, by Prism's `Prefer` header (mocks/README.md lists them all). */
const MOCK_STATES: [prefer: string, label: string][] = [
  ['code=200, example=typical', 'A typical list'],
  ['code=200, example=mixed', 'Kinds and origins mixed'],
  ['code=200, example=builders', 'Made with AI app builders'],
  ['code=200, example=pending', 'Kinds still being detected'],
  ['code=200, example=partial', 'A host failed beside one that answered'],
  ['code=200, example=long_page', 'A long page of many'],
  ['code=200, example=empty', 'An empty account'],
  ['code=401, example=unauthorized', 'Signed out'],
  ['code=401, example=session_expired', 'Session expired'],
  ['code=403, example=github_auth', 'Reconnect GitHub'],
  ['code=429, example=rate_limited', 'Rate limited'],
  ['code=502, example=upstream_unavailable', 'Host down'],
  ['code=504, example=upstream_timeout', 'Host too slow'],
  ['code=500, example=internal', 'An error of ours'],
];

// ---------------------------------------------------------------- filters

const ORIGIN_NAMES: Record<Schema<'RepositoryOrigin'>, string> = { lovable: 'Lovable', bolt: 'Bolt', replit: 'Replit', v0: 'v0', base44: 'Base44', tempo: 'Tempo' };
const KIND_NAMES: Record<Schema<'RepositoryKind'>, string> = { frontend: 'Frontend', backend: 'Backend', fullstack: 'Full stack', monorepo: 'Monorepo', unknown: 'Unknown kind' };

/** Each filter: its query parameter, the label of "no filter", and its values with their labels. */
const FILTERS = {
  provider: ['All hosts', [['github', 'GitHub'], ['gitverse', 'GitVerse']]],
  kind: ['All kinds', Object.entries(KIND_NAMES)],
  origin: ['Any', [['any', 'Any AI app builder'], ['none', 'No AI app builder'], ...Object.entries(ORIGIN_NAMES)]],
  connected: ['All', [['true', 'Connected'], ['false', 'Not connected']]],
  visibility: ['Public and private', [['public', 'Public'], ['private', 'Private']]],
} satisfies Record<string, [string, [string, string][]]>;
type FilterName = keyof typeof FILTERS;

const search = byId<HTMLInputElement>('q');
const selects = Object.fromEntries(Object.keys(FILTERS).map((name) => [name, byId<HTMLSelectElement>(name)])) as Record<FilterName, HTMLSelectElement>;
const statusLine = byId('status');
const notices = byId('notices');
const results = byId('results');
const pager = byId('pager');
const account = byId('account');

let page = 1;

/** The list request's query from the form: only what is set (`exactOptionalPropertyTypes` keeps it honest). */
function listQuery(refresh: boolean): ListQuery {
  const query: ListQuery = { page, per_page: PER_PAGE };
  const text = search.value.trim();
  if (text) query.q = text;
  const { provider, kind, origin, connected, visibility } = selects;
  if (provider.value) query.provider = provider.value as NonNullable<ListQuery['provider']>;
  if (kind.value) query.kind = kind.value as NonNullable<ListQuery['kind']>;
  if (origin.value) query.origin = origin.value as NonNullable<ListQuery['origin']>;
  if (connected.value) query.connected = connected.value === 'true';
  if (visibility.value) query.visibility = visibility.value as NonNullable<ListQuery['visibility']>;
  if (refresh) query.refresh = true;
  return query;
}

const filtered = () => search.value.trim() !== '' || Object.values(selects).some((s) => s.value !== '');

/** Option labels with the listing's counts beside them ("Frontend (12)") when it sends `facets`. */
function drawFilterOptions(facets: Facets | undefined): void {
  for (const [name, [none, values]] of Object.entries(FILTERS) as [FilterName, [string, [string, string][]]][]) {
    const select = selects[name];
    const chosen = select.value;
    const counts = name === 'connected' ? undefined : facets?.[name];
    const label = (value: string, text: string) => {
      if (!counts) return text;
      // Values without repositories are left out of a facet: they count 0. `any` is a sum, not a value.
      if (value === 'any') return text;
      return `${text} (${counts.find((c) => c.value === value)?.count ?? 0})`;
    };
    select.replaceChildren(h('option', { value: '' }, none), ...values.map(([value, text]) => h('option', { value }, label(value, text))));
    select.value = chosen;
  }
}

// ---------------------------------------------------------------- the list

let loading: AbortController | undefined;
let countdown: ReturnType<typeof setInterval> | undefined;
/** Paging moves the focus to the new page, so keyboard and screen reader users land on it. */
let focusResultsWhenLoaded = false;

async function load({ refresh = false } = {}): Promise<void> {
  loading?.abort();
  clearInterval(countdown);
  clearTimeout(following);
  const controller = new AbortController();
  loading = controller;
  drawLoading();
  // "Slow" is not an error: the API waits for the host up to its deadline, then answers 504.
  const slow = setTimeout(() => (statusLine.textContent = 'Still loading: the git host is slow to answer. The list comes as soon as it does.'), SLOW_AFTER_MS);
  try {
    const prefer = mock ? mockState() : undefined;
    const { data, error, response } = await api.GET('/api/v1/repos', {
      params: { query: listQuery(refresh) },
      headers: prefer ? { Prefer: prefer } : {},
      signal: controller.signal,
    });
    if (controller.signal.aborted) return;
    if (data) drawList(data);
    else drawProblem(screenFor(error, response.status, response.headers.get('Retry-After')));
  } catch (err) {
    // A newer request replaced this one; or the API could not be reached at all (no answer, CORS refused).
    if (controller.signal.aborted) return;
    drawProblem({ title: 'Cannot reach the API', detail: `${baseUrl} did not answer (${(err as Error).message}).`, remedy: { kind: 'retry' }, requestId: undefined });
  } finally {
    clearTimeout(slow);
  }
}

function drawLoading(): void {
  statusLine.textContent = 'Loading repositories…';
  notices.replaceChildren();
  pager.hidden = true;
  results.setAttribute('aria-busy', 'true');
  results.replaceChildren(h('ul', { class: 'skeleton', 'aria-hidden': 'true' }, ...Array.from({ length: 5 }, () => h('li', {}, h('span', {}), h('span', {})))));
}

function drawList(list: RepositoryList): void {
  const pages = Math.max(1, Math.ceil(list.total / list.per_page));
  if (list.repositories.length === 0 && list.total > 0 && page > pages) {
    // The list shrank (a filter, a disconnect elsewhere) below this page: show its last page instead.
    page = pages;
    void load();
    return;
  }
  drawFilterOptions((list as RepositoryList & { facets?: Facets }).facets);
  const failed = list.providers.filter((p) => p.status === 'failed');
  const count = `${list.total} ${list.total === 1 ? 'repository' : 'repositories'}${filtered() ? ' match' : ''}`;
  statusLine.textContent = failed.length ? `${count}. ${failed.map((p) => hostName(p.provider)).join(', ')} could not be listed.` : `${count}.`;

  // A host that failed while another answered: the list lacks its repositories, and says so.
  notices.replaceChildren(
    ...failed.map((p) => {
      const screen = screenFor(p.problem ?? undefined, p.problem?.status ?? 502, null);
      return h(
        'div',
        { class: 'notice' },
        h('p', {}, h('strong', {}, `${hostName(p.provider)}: ${screen.title}.`), ` Its repositories are missing below. ${screen.detail}`),
        remedyControl(screen.remedy, 'notice'),
      );
    }),
  );

  results.removeAttribute('aria-busy');
  if (list.repositories.length === 0) {
    results.replaceChildren(
      filtered()
        ? h('div', { class: 'empty' }, h('h2', {}, 'No repository matches'), h('p', {}, 'Try other words or fewer filters.'), h('button', { type: 'button', onclick: clearFilters }, 'Clear filters'))
        : h(
            'div',
            { class: 'empty' },
            h('h2', {}, 'No repositories yet'),
            h('p', {}, 'Create a repository on your git host, or ask to be added to one, then look again.'),
            h('button', { type: 'button', onclick: () => void load({ refresh: true }) }, 'Look again'),
          ),
    );
  } else {
    results.replaceChildren(h('ul', { class: 'repos' }, ...list.repositories.map(repoItem)));
  }

  pager.hidden = pages <= 1;
  pager.replaceChildren(
    h('button', { type: 'button', disabled: list.page <= 1, onclick: () => goTo(list.page - 1) }, 'Previous'),
    h('span', {}, `Page ${list.page} of ${pages}`),
    h('button', { type: 'button', disabled: list.page >= pages, onclick: () => goTo(list.page + 1) }, 'Next'),
  );
  if (focusResultsWhenLoaded) results.focus();
  focusResultsWhenLoaded = false;
  followPending(list);
}

/**
 * A repository's kind and origin come from an analysis of its files that may still run (`kind_pending`): a
 * later listing carries them. Ask again a few times and fill the badges in where they are, without
 * redrawing the rows (the focus and the scroll position stay).
 */
let following: ReturnType<typeof setTimeout> | undefined;
function followPending(list: RepositoryList, attempt = 1): void {
  if (attempt > 5 || !list.repositories.some((r) => r.kind_pending)) return;
  following = setTimeout(async () => {
    const prefer = mock ? mockState() : undefined;
    const { data } = await api.GET('/api/v1/repos', { params: { query: listQuery(false) }, headers: prefer ? { Prefer: prefer } : {} });
    if (!data) return;
    for (const repo of data.repositories) results.querySelector(`[data-key="${repo.provider}:${repo.id}"] .badges`)?.replaceWith(badgesOf(repo));
    followPending(data, attempt + 1);
  }, 3_000);
}

function goTo(target: number): void {
  page = target;
  focusResultsWhenLoaded = true;
  void load();
}

function clearFilters(): void {
  search.value = '';
  for (const select of Object.values(selects)) select.value = '';
  page = 1;
  void load();
}

const badge = (text: string, kind: string) => h('span', { class: `badge ${kind}` }, text);

function badgesOf(repo: Repository): HTMLParagraphElement {
  const kind = repo.kind_pending
    ? badge('Detecting kind…', 'pending')
    : h('span', { class: `badge kind ${repo.kind}` }, KIND_NAMES[repo.kind], repo.reason && repo.kind !== 'unknown' ? h('span', { class: 'reason' }, ` · ${repo.reason}`) : null);
  return h(
    'p',
    { class: 'badges' },
    badge(hostName(repo.provider), 'host'),
    badge(repo.private ? 'Private' : 'Public', 'visibility'),
    kind,
    // The builder that made it, with the evidence (`origin_reason`) spelled out.
    repo.origin ? h('span', { class: 'badge origin', title: repo.origin_reason ?? '' }, `Made with ${ORIGIN_NAMES[repo.origin]}`) : null,
    repo.archived ? badge('Archived', 'archived') : null,
    repo.fork ? badge('Fork', 'fork') : null,
  );
}

function repoItem(repo: Repository): HTMLLIElement {
  const item = h(
    'li',
    { class: repo.is_connected ? 'repo connected' : 'repo', 'data-key': `${repo.provider}:${repo.id}` },
    h(
      'div',
      { class: 'about' },
      h('h2', {}, h('a', { href: repo.html_url, target: '_blank', rel: 'noopener noreferrer' }, repo.full_name, h('span', { class: 'sr-only' }, ' (opens in a new tab)'))),
      repo.description ? h('p', { class: 'description' }, repo.description) : null,
      badgesOf(repo),
    ),
    h(
      'div',
      { class: 'action' },
      repo.is_connected ? h('span', { class: 'mark' }, h('span', { 'aria-hidden': 'true' }, '✓ '), 'Connected') : null,
      h(
        'button',
        { type: 'button', class: repo.is_connected ? 'secondary' : 'primary', onclick: () => void toggle(repo, item) },
        repo.is_connected ? 'Disconnect' : 'Connect',
        h('span', { class: 'sr-only' }, ` ${repo.full_name}`),
      ),
    ),
  );
  return item;
}

/** Connects or disconnects one repository and redraws its row from the answer; a refusal shows in the row. */
async function toggle(repo: Repository, item: HTMLLIElement): Promise<void> {
  const button = item.querySelector('button');
  if (button) button.disabled = true;
  item.querySelector('.row-problem')?.remove();
  const path = { provider: repo.provider, repo_id: repo.id };
  let screen: ProblemScreen | undefined;
  try {
    if (repo.is_connected) {
      const { error, response } = await api.DELETE('/api/v1/connections/{provider}/{repo_id}', { params: { path } });
      // 404: it was disconnected elsewhere meanwhile; the row is right to show it disconnected.
      if (error && response.status !== 404) screen = screenFor(error, response.status, response.headers.get('Retry-After'));
      else Object.assign(repo, { is_connected: false, installation_id: null });
    } else {
      const { data, error, response } = await api.POST('/api/v1/connections', { body: path });
      if (error) screen = screenFor(error, response.status, response.headers.get('Retry-After'));
      else Object.assign(repo, { is_connected: true, installation_id: data.id });
    }
  } catch (err) {
    screen = { title: 'Cannot reach the API', detail: (err as Error).message, remedy: { kind: 'retry' }, requestId: undefined };
  }
  if (screen) {
    if (button) button.disabled = false;
    item.append(h('p', { class: 'row-problem', role: 'alert' }, `${screen.title}. ${screen.detail} `, screen.remedy.kind === 'sign_in' ? h('a', { href: signInUrl }, 'Sign in') : null));
    return;
  }
  const redrawn = repoItem(repo);
  item.replaceWith(redrawn);
  redrawn.querySelector('button')?.focus();
  statusLine.textContent = `${repo.full_name} ${repo.is_connected ? 'connected' : 'disconnected'}.`;
}

// ---------------------------------------------------------------- problems

function drawProblem(screen: ProblemScreen): void {
  results.removeAttribute('aria-busy');
  pager.hidden = true;
  notices.replaceChildren();
  statusLine.textContent = '';
  results.replaceChildren(
    h(
      'div',
      { class: `problem ${screen.remedy.kind}`, role: 'alert' },
      h('h2', {}, screen.title),
      screen.detail ? h('p', {}, screen.detail) : null,
      remedyControl(screen.remedy, 'screen'),
      screen.requestId ? h('p', { class: 'request-id' }, `Request id: ${screen.requestId}`) : null,
    ),
  );
  if (screen.remedy.kind === 'sign_in') account.replaceChildren();
}

function remedyControl(remedy: Remedy, where: 'screen' | 'notice'): HTMLElement {
  switch (remedy.kind) {
    case 'sign_in':
      return h('a', { class: 'button primary', href: signInUrl }, 'Sign in with GitHub');
    case 'reconnect':
      // A host with OAuth is reconnected by signing in with it again; a host linked by token needs a new token.
      return OAUTH_HOSTS.has(remedy.provider)
        ? h('a', { class: 'button primary', href: signInWith(remedy.provider) }, `Reconnect ${hostName(remedy.provider)}`)
        : h('p', {}, `Link a new ${hostName(remedy.provider)} token in your settings, then `, h('button', { type: 'button', onclick: () => void load({ refresh: true }) }, 'try again'));
    case 'wait': {
      if (where === 'notice') return h('p', {}, `It asks to wait ${remedy.seconds} s. `, h('button', { type: 'button', onclick: () => void load({ refresh: true }) }, 'Try again'));
      // Ask again by itself once the wait is over; the countdown is not announced each second.
      let left = remedy.seconds;
      const seconds = h('span', { class: 'seconds' }, String(left));
      countdown = setInterval(() => {
        left -= 1;
        seconds.textContent = String(left);
        if (left <= 0) void load();
      }, 1_000);
      return h('p', { class: 'wait' }, 'Trying again in ', seconds, ' s.');
    }
    case 'retry':
      return h('button', { type: 'button', class: 'primary', onclick: () => void load({ refresh: true }) }, 'Try again');
  }
}

// ---------------------------------------------------------------- who is signed in

async function drawAccount(): Promise<void> {
  try {
    const { data } = await api.GET('/api/v1/me');
    if (!data) return account.replaceChildren();
    account.replaceChildren(h('span', {}, 'Signed in as ', h('strong', {}, data.user.login)), h('button', { type: 'button', class: 'secondary', onclick: () => void signOut() }, 'Sign out'));
  } catch {
    account.replaceChildren();
  }
}

async function signOut(): Promise<void> {
  await api.POST('/api/v1/auth/logout');
  loading?.abort();
  drawProblem(screenFor({ code: 'UNAUTHORIZED' }, 401, null));
  statusLine.textContent = 'Signed out.';
}

// ---------------------------------------------------------------- start

function mockState(): string {
  return byId<HTMLSelectElement>('mock-state').value;
}

if (mock) {
  const select = byId<HTMLSelectElement>('mock-state');
  select.replaceChildren(...MOCK_STATES.map(([prefer, label]) => h('option', { value: prefer }, `${label} (${prefer})`)));
  // `&prefer=` in the address picks the first state, so a state can be linked to.
  select.value = new URLSearchParams(location.search).get('prefer') ?? MOCK_STATES[0]![0];
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('prefer', select.value);
    history.replaceState(null, '', url);
    page = 1;
    void load();
  });
  byId('mock-bar').hidden = false;
}

let typing: ReturnType<typeof setTimeout> | undefined;
search.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    page = 1;
    void load();
  }, SEARCH_DELAY_MS);
});
byId('filters').addEventListener('submit', (event) => event.preventDefault());
for (const select of Object.values(selects)) {
  select.addEventListener('change', () => {
    page = 1;
    void load();
  });
}

drawFilterOptions(undefined);
if (mock && !served.mock) {
  drawProblem({ title: 'No mock runs beside this page', detail: 'Start the sandbox with `npm run dev` (it runs one), or open this page with ?api=<the API>.', remedy: { kind: 'retry' }, requestId: undefined });
} else {
  void drawAccount();
  void load();
}
