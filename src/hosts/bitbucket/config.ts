import { text, url, whole } from '../../env.ts';
import { hostConfig } from '../host.ts';

/** Bitbucket Cloud and the OAuth consumer users sign in through (its permissions: Account read, Repositories read). */
export const bitbucketConfig = hostConfig({
  variables: {
    BITBUCKET_CLIENT_ID: text,
    BITBUCKET_CLIENT_SECRET: text,
    BITBUCKET_API_URL: url,
    BITBUCKET_WEB_URL: url,
    BITBUCKET_TIMEOUT_MS: whole(100, 120_000),
    BITBUCKET_CONCURRENCY: whole(1, 100),
  },
  load: (vars) => ({
    apiUrl: vars.BITBUCKET_API_URL ?? 'https://api.bitbucket.org',
    webUrl: vars.BITBUCKET_WEB_URL ?? 'https://bitbucket.org',
    clientId: vars.BITBUCKET_CLIENT_ID ?? '',
    clientSecret: vars.BITBUCKET_CLIENT_SECRET ?? '',
    timeoutMs: vars.BITBUCKET_TIMEOUT_MS ?? 10_000,
    /** Workspaces listed at once, and files read at once. */
    concurrency: vars.BITBUCKET_CONCURRENCY ?? 4,
  }),
  warnings: (bitbucket) =>
    !bitbucket.clientId || !bitbucket.clientSecret
      ? ['BITBUCKET_CLIENT_ID and BITBUCKET_CLIENT_SECRET are not set: sign-in with Bitbucket cannot work (an Atlassian API token can still be linked)']
      : [],
});

export type BitbucketConfig = ReturnType<typeof bitbucketConfig.load>;
