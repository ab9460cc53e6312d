import { url, whole } from '../../env.ts';
import { hostConfig } from '../host.ts';

/** GitVerse, linked with a personal access token (it has no OAuth app for us). */
export const gitverseConfig = hostConfig({
  variables: {
    GITVERSE_API_URL: url,
    GITVERSE_WEB_URL: url,
    GITVERSE_TIMEOUT_MS: whole(100, 120_000),
    GITVERSE_CONCURRENCY: whole(1, 100),
  },
  load: (vars) => ({
    apiUrl: vars.GITVERSE_API_URL ?? 'https://api.gitverse.ru',
    webUrl: vars.GITVERSE_WEB_URL ?? 'https://gitverse.ru',
    timeoutMs: vars.GITVERSE_TIMEOUT_MS ?? 10_000,
    concurrency: vars.GITVERSE_CONCURRENCY ?? 4,
  }),
});

export type GitVerseConfig = ReturnType<typeof gitverseConfig.load>;
