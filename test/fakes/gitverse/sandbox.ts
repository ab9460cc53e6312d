import { corpusFiles, type SandboxHost } from '../sandbox.ts';
import { generateGitVerseRepos } from './generate.ts';
import { startFakeGitVerse, type FakeGitVerse } from './server.ts';
import { gitverseTokenFor } from './state.ts';

/**
 * The sandbox's GitVerse: the repositories of the accounts that have some there (linked with a token at every
 * start), hubot's (linked by `npm run token -- --gitverse` or the API, not at start), and a few behind a token
 * without a repository scope. GitVerse has no OAuth: a token is linked, never signed in with.
 */
export const gitverseSandbox: SandboxHost<FakeGitVerse> = {
  displayName: 'GitVerse',
  port: { variable: 'SANDBOX_GITVERSE_PORT', offset: 2 },
  signIn: false,
  unit: 'repositories',
  start: ({ port, latencyMs, accounts }) =>
    startFakeGitVerse({
      port,
      latencyMs,
      users: [
        ...accounts.filter((a) => a.gitverse !== undefined).map((a) => ({
          login: a.login,
          full_name: a.name,
          repos: generateGitVerseRepos(a.gitverse ?? 0, { owner: { login: a.login }, seed: a.seed + 1, filesFor: (_r, i) => corpusFiles(i + 11) }),
        })),
        // Linked by `npm run token -- --gitverse` or the API, not at start.
        { login: 'hubot', full_name: 'Hubot', scopes: ['public_api'], repos: generateGitVerseRepos(5, { owner: { login: 'hubot' }, seed: 8 }) },
        ...accounts.filter((a) => a.gitverseScopes).map((a) => ({ login: a.login, full_name: a.name, scopes: a.gitverseScopes, repos: generateGitVerseRepos(3, { owner: { login: a.login }, seed: a.seed }) })),
      ],
    }),
  env: (fake) => ({ GITVERSE_API_URL: fake.baseUrl, GITVERSE_WEB_URL: fake.baseUrl }),
  arm(fake, _config, accounts) {
    // The second host of `second_host_down` fails while GitHub answers.
    for (const a of accounts) if (a.state === 'second_host_down') fake.state.accountFaults.set(a.login, { route: '/user/repos', kind: 503 });
  },
  async link(_fake, store, { id, account }) {
    if (account.gitverseScopes && !(await store.tokens.get(id, 'gitverse'))) {
      await store.tokens.put(id, 'gitverse', { token: gitverseTokenFor(account.login), login: account.login, scopes: account.gitverseScopes });
    }
    if (account.gitverse !== undefined && !(await store.tokens.get(id, 'gitverse'))) {
      await store.tokens.put(id, 'gitverse', { token: gitverseTokenFor(account.login), login: account.login, scopes: ['read:public_api'] });
    }
  },
};
