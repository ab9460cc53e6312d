import { text, url, whole } from '../../env.ts';
import { hostConfig } from '../host.ts';

/** GitHub (or GitHub Enterprise) and the OAuth app users sign in through. */
export const githubConfig = hostConfig({
  variables: {
    GITHUB_CLIENT_ID: text,
    GITHUB_CLIENT_SECRET: text,
    GITHUB_API_URL: url,
    GITHUB_WEB_URL: url,
    GITHUB_TIMEOUT_MS: whole(100, 120_000),
    GITHUB_CONCURRENCY: whole(1, 100),
  },
  requiredInProduction: ['GITHUB_CLIENT_ID', 'GITHUB_CLIENT_SECRET'],
  load: (vars) => ({
    apiUrl: vars.GITHUB_API_URL ?? 'https://api.github.com',
    webUrl: vars.GITHUB_WEB_URL ?? 'https://github.com',
    clientId: vars.GITHUB_CLIENT_ID ?? '',
    clientSecret: vars.GITHUB_CLIENT_SECRET ?? '',
    timeoutMs: vars.GITHUB_TIMEOUT_MS ?? 10_000,
    /** Pages fetched at once after the first. */
    concurrency: vars.GITHUB_CONCURRENCY ?? 10,
  }),
  warnings: (github) =>
    !github.clientId || !github.clientSecret ? ['GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set: sign-in with GitHub cannot work'] : [],
});

export type GitHubConfig = ReturnType<typeof githubConfig.load>;
