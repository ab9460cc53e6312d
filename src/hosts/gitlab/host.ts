/**
 * GitLab as one of the service's hosts: gitlab.com (or the operator's main instance), and every
 * self-managed instance the operator configured with an OAuth application, by OAuth (`instanceOf`
 * names the instance a sign-in is for), with access tokens that expire in two hours and single-use
 * refresh tokens; any allowed instance with a personal access token.
 *
 * Every GitLab token is stored with its instance's id (`HostCredential.instance`, the web URL's host
 * and port, as the operator configured it), so every call (listing, files, status, refresh) goes to
 * the instance the token came from, and a token whose instance the operator has since removed is
 * refused without being sent anywhere. A token stored without one is the main instance's.
 */
import { problems } from '../../contract/problem.ts';
import { gitHost, type HostCredential, type HostGrant } from '../host.ts';
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
  create({ config, cache, metrics, clock, kinds }) {
    const instances = new GitLabInstances(config.instances);
    const main = config.instances[0]!;
    const clients = new Map(
      config.instances.map((i) => [i.id, new GitLabClient({ apiUrl: i.apiUrl, webUrl: i.webUrl, timeoutMs: config.timeoutMs, concurrency: config.concurrency, clock })]),
    );
    const sources = new Map(config.instances.map((i) => [i.id, createGitLabSource({ client: clients.get(i.id)!, cache, metrics, minAccessLevel: config.minAccessLevel })]));

    /**
     * The instance a stored credential is for, and its client: the instance id stored with the token,
     * or the main instance for a token stored without one. An instance the operator has since removed
     * is refused without the token being sent anywhere.
     */
    const open = ({ instance: id }: HostCredential) => {
      const instance = id ? instances.byId(id) : main;
      if (!instance) throw problems.providerAuth('gitlab', 'The GitLab instance of this link is no longer allowed here; link GitLab again.');
      return { instance, client: clients.get(instance.id)! };
    };
    const oauthOf = (instance: GitLabInstance) => {
      if (!instance.oauth) throw problems.upstreamUnavailable('gitlab', `GitLab at ${instance.webUrl} has no OAuth application configured here; link it with a personal access token.`);
      return instance.oauth;
    };
    /** The instance a flow was started for (its id, as `instanceOf` gave it), or the main one. */
    const flowInstance = (id: string | null | undefined) => {
      const instance = id ? instances.byId(id) : main;
      if (!instance) throw problems.validation([{ path: 'query.instance', message: 'is not a GitLab instance this service allows' }], 'This GitLab instance is no longer one the operator of this service allows.');
      return instance;
    };
    const grantOf = (instance: GitLabInstance, tokens: GitLabTokens): HostGrant => ({
      token: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: tokens.expiresAt === null ? null : new Date(tokens.expiresAt),
      instance: instance.id,
    });
    const scopesOf = async (client: GitLabClient, token: string) => (await client.oauthTokenScopes(token)) ?? (await client.personalAccessTokenScopes(token));

    return {
      provider: 'gitlab',
      displayName: 'GitLab',
      link: {
        oauth: {
          instanceOf(named) {
            // A host as configured (`gitlab.example.com`, `code.example.org:8443`), or a URL of the instance;
            // matched as text against the operator's list: nothing named here is resolved or fetched.
            const instance = instances.byId(named.trim().toLowerCase()) ?? instances.forUrl(named);
            if (!instance) {
              // Anyone may start a sign-in: the answer does not list the operator's instances.
              throw problems.validation([{ path: 'query.instance', message: 'is not a GitLab instance this service allows' }], 'This GitLab instance is not one the operator of this service allows.');
            }
            if (!instance.oauth) {
              throw problems.validation(
                [{ path: 'query.instance', message: 'has no sign-in here: link it with a personal access token' }],
                `GitLab at ${instance.webUrl} has no OAuth application configured here; link it with PUT /api/v1/me/providers/gitlab and a personal access token.`,
              );
            }
            return instance.id;
          },
          authorizeUrl({ redirectUri, state, codeChallenge, instance }) {
            const at = flowInstance(instance);
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
            const at = flowInstance(instance);
            const tokens = await clients.get(at.id)!.exchangeOAuthCode({ ...oauthOf(at), code, redirectUri, codeVerifier });
            return grantOf(at, tokens);
          },
          async refresh({ refreshToken, instance: id }) {
            const { instance, client } = open({ token: refreshToken, instance: id });
            return grantOf(instance, await client.refreshOAuthToken({ ...oauthOf(instance), refreshToken }));
          },
        },
        token: {
          async verify(token, input) {
            const link = await checkPersonalAccessToken({ instances, clientFor: (i) => clients.get(i.id)!, instanceUrl: input?.instanceUrl ?? main.webUrl, token });
            return { login: link.user.username, scopes: link.scopes, instance: link.instance.id };
          },
        },
      },
      async account(credential) {
        const { instance, client } = open(credential);
        const { token } = credential;
        const user = await client.getUser(token);
        // Accounts are keyed by the host's id: on another instance than the main one, the instance makes it unique.
        return { id: instance === main ? String(user.id) : `${instance.id}:${user.id}`, login: user.username, name: user.name, avatar_url: user.avatar_url, scopes: await scopesOf(client, token) };
      },
      async status(credential) {
        const { client } = open(credential);
        const { token } = credential;
        const user = await client.getUser(token);
        return { login: user.username, scopes: await scopesOf(client, token) };
      },
      warnings: (scopes) => (scopes.includes(READ_SCOPES[1]) ? ['This GitLab token has the api scope, which can also write; read_api is enough for this service.'] : []),
      source: {
        provider: 'gitlab',
        list(input) {
          return sources.get(open(input).instance.id)!.list(input);
        },
        webHosts: () => config.instances.map(webHostOf),
        parseUrl: (url) => gitlabAddress(url, config.instances),
        instanceOf: (credential) => webHostOf(open(credential).instance),
        async lookup({ token, instance, address }) {
          const { client } = open({ token, instance });
          const project = await client.getProject(token, `${address.owner}/${address.name}`);
          return project ? checkHostRepositories('gitlab', [toHostRepository(project)], 0, { nestedOwners: true })[0] : undefined;
        },
        kinds,
      },
      reader: (token, repos, instance) => detectGitLabBatch({ client: open({ token, instance }).client, token, repos }),
      toProblem: (error, what) => toGitLabProblem(error, { what, timedOut: false, timeoutMs: config.timeoutMs, now: clock.now() }),
    };
  },
});
