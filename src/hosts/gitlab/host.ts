/**
 * GitLab as one of the service's hosts: gitlab.com (or the operator's main instance) by OAuth, with
 * access tokens that expire in two hours and single-use refresh tokens; any allowed instance with a
 * personal access token.
 *
 * A GitLab credential names its instance: the token of the main instance is stored as GitLab gave
 * it, that of another allowed instance as `<instance id> <token>` (GitLab tokens hold no spaces), so
 * every call (listing, files, status, refresh) goes to the instance the token came from, and a token
 * whose instance the operator has since removed is refused without being sent anywhere.
 */
import { problems } from '../../contract/problem.ts';
import { gitHost, type HostGrant } from '../host.ts';
import { GitLabClient, type GitLabTokens } from './client.ts';
import { gitlabConfig, GitLabInstances, type GitLabInstance } from './config.ts';
import { toGitLabProblem } from './errors.ts';
import { detectGitLabBatch } from './kinds.ts';
import { checkPersonalAccessToken, READ_SCOPES } from './link.ts';
import { createGitLabSource } from './source.ts';
import { gitlabAddress, webHostOf } from './urls.ts';
import { checkHostRepositories } from '../boundary.ts';
import { toHostRepository } from './project.ts';

/**
 * Scopes asked for at sign-in: `read_api` to list the user's projects and read their files (GraphQL
 * and REST, read-only), `read_user` for who signed in. Nothing that writes.
 */
export const GITLAB_SCOPES = 'read_api read_user';

export const gitlab = gitHost({
  provider: 'gitlab',
  displayName: 'GitLab',
  config: gitlabConfig,
  create({ config, cache, metrics, kinds }) {
    const instances = new GitLabInstances(config.instances);
    const main = config.instances[0]!;
    const clients = new Map(
      config.instances.map((i) => [i.id, new GitLabClient({ apiUrl: i.apiUrl, webUrl: i.webUrl, timeoutMs: config.timeoutMs, concurrency: config.concurrency })]),
    );
    const sources = new Map(config.instances.map((i) => [i.id, createGitLabSource({ client: clients.get(i.id)!, cache, metrics, minAccessLevel: config.minAccessLevel })]));

    const credential = (instance: GitLabInstance, token: string) => (instance === main ? token : `${instance.id} ${token}`);
    /** The instance, its client and the bare token a stored credential stands for. */
    const open = (stored: string) => {
      const space = stored.indexOf(' ');
      const instance = space === -1 ? main : instances.byId(stored.slice(0, space));
      if (!instance) throw problems.providerAuth('gitlab', 'The GitLab instance of this link is no longer allowed here; link GitLab again.');
      return { instance, client: clients.get(instance.id)!, token: space === -1 ? stored : stored.slice(space + 1) };
    };
    const oauthOf = (instance: GitLabInstance) => {
      if (!instance.oauth) throw problems.upstreamUnavailable('gitlab', `GitLab at ${instance.webUrl} has no OAuth application configured here; link it with a personal access token.`);
      return instance.oauth;
    };
    const instanceNamed = (id: string | null | undefined) => (id ? (instances.byId(id) ?? instances.allowed(id, 'query.instance')) : main);
    const grantOf = (instance: GitLabInstance, tokens: GitLabTokens): HostGrant => ({
      token: credential(instance, tokens.accessToken),
      refreshToken: tokens.refreshToken === null ? null : credential(instance, tokens.refreshToken),
      expiresAt: tokens.expiresAt === null ? null : new Date(tokens.expiresAt),
    });
    const scopesOf = async (client: GitLabClient, token: string) => (await client.oauthTokenScopes(token)) ?? (await client.personalAccessTokenScopes(token));

    return {
      provider: 'gitlab',
      displayName: 'GitLab',
      link: {
        oauth: {
          authorizeUrl({ redirectUri, state, codeChallenge, instance }) {
            const at = instanceNamed(instance);
            const url = new URL(`${at.webUrl}/oauth/authorize`);
            url.search = new URLSearchParams({
              client_id: at.oauth?.clientId ?? '',
              redirect_uri: redirectUri,
              response_type: 'code',
              scope: GITLAB_SCOPES,
              state,
              code_challenge: codeChallenge,
              code_challenge_method: 'S256',
            }).toString();
            return url.toString();
          },
          async exchangeCode({ code, redirectUri, codeVerifier, instance }) {
            const at = instanceNamed(instance);
            const tokens = await clients.get(at.id)!.exchangeOAuthCode({ ...oauthOf(at), code, redirectUri, codeVerifier });
            return grantOf(at, tokens);
          },
          async refresh({ refreshToken }) {
            const { instance, client, token } = open(refreshToken);
            return grantOf(instance, await client.refreshOAuthToken({ ...oauthOf(instance), refreshToken: token }));
          },
        },
        token: {
          async verify(token, input) {
            const link = await checkPersonalAccessToken({ instances, clientFor: (i) => clients.get(i.id)!, instanceUrl: input?.instanceUrl ?? main.webUrl, token });
            return { login: link.user.username, scopes: link.scopes, token: credential(link.instance, token) };
          },
        },
      },
      async account(stored) {
        const { instance, client, token } = open(stored);
        const user = await client.getUser(token);
        // Accounts are keyed by the host's id: on another instance than the main one, the instance makes it unique.
        return { id: instance === main ? String(user.id) : `${instance.id}:${user.id}`, login: user.username, name: user.name, avatar_url: user.avatar_url, scopes: await scopesOf(client, token) };
      },
      async status(stored) {
        const { client, token } = open(stored);
        const user = await client.getUser(token);
        return { login: user.username, scopes: await scopesOf(client, token) };
      },
      warnings: (scopes) => (scopes.includes(READ_SCOPES[1]) ? ['This GitLab token has the api scope, which can also write; read_api is enough for this service.'] : []),
      source: {
        provider: 'gitlab',
        list(input) {
          const { instance, token } = open(input.token);
          return sources.get(instance.id)!.list({ ...input, token });
        },
        webHosts: () => config.instances.map(webHostOf),
        parseUrl: (url) => gitlabAddress(url, config.instances),
        instanceOf: (stored) => webHostOf(open(stored).instance),
        async lookup({ token: stored, address }) {
          const { client, token } = open(stored);
          const project = await client.getProject(token, `${address.owner}/${address.name}`);
          return project ? checkHostRepositories('gitlab', [toHostRepository(project)], 0, { nestedOwners: true })[0] : undefined;
        },
        kinds,
      },
      reader: (stored, repos) => {
        const { client, token } = open(stored);
        return detectGitLabBatch({ client, token, repos });
      },
      toProblem: (error, what) => toGitLabProblem(error, { what, timedOut: false, timeoutMs: config.timeoutMs }),
    };
  },
});
