import { ApiProblem, problems } from '../../contract/problem.ts';
import { failureInWords } from '../http.ts';
import { gitHost } from '../host.ts';
import { GitVerseClient } from './client.ts';
import { gitverseConfig } from './config.ts';
import { scopeWarnings, verifyGitVerseToken } from './link.ts';
import { createGitVerseKindReader, createGitVerseSource } from './source.ts';

/** GitVerse: linked with a personal access token; listing and files by its REST API. */
export const gitverse = gitHost({
  provider: 'gitverse',
  displayName: 'GitVerse',
  config: gitverseConfig,
  create({ config, cache, metrics, onCacheError, clock, kinds }) {
    const client = GitVerseClient.fromConfig(config, { onCacheError, clock });
    return {
      provider: 'gitverse',
      displayName: 'GitVerse',
      link: { token: { verify: (token) => verifyGitVerseToken(client, token) } },
      async account({ token }) {
        const user = await client.getUser(token);
        return { id: String(user.id), login: user.login, name: user.full_name, avatar_url: null, scopes: user.scopes };
      },
      // The login and scopes stay those checked when the token was linked: GitVerse need not report scopes.
      async status({ token }) {
        await client.getUser(token);
        return {};
      },
      warnings: scopeWarnings,
      source: createGitVerseSource({ client, cache, metrics, kinds, webUrl: config.webUrl }),
      reader: createGitVerseKindReader(client),
      toProblem: (error, what) =>
        error instanceof ApiProblem ? error : problems.upstreamUnavailable('gitverse', `GitVerse ${failureInWords(error)} while ${what}.`, error),
    };
  },
});
