import type { Logger } from 'pino';
import type { JwtService } from '../auth/jwt.ts';
import type { KeyValueCache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { OpenApiDocument } from './openapi.ts';
import type { OperationIndex } from './operations.ts';
import type { ListingService } from '../listing/service.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from '../store/types.ts';
import type { GitVerseClient } from '../hosts/gitverse/client.ts';
import type { GitHubClient } from '../hosts/github/client.ts';

/** What GitHub sign-in and `me` need from the GitHub client. */
export type GitHubAccounts = Pick<GitHubClient, 'getUser' | 'exchangeOAuthCode'>;

/** Everything a request handler may use; built once per app. */
export interface Services {
  config: Config;
  logger: Logger;
  spec: OpenApiDocument;
  operations: OperationIndex;
  store: Store;
  /** The cache behind its guard: it never fails a caller (see GuardedCache). */
  cache: KeyValueCache;
  /** The cache itself, without the guard, for readiness to ask. */
  rawCache: KeyValueCache;
  jwt: JwtService;
  github: GitHubAccounts;
  gitverse: GitVerseClient;
  listing: ListingService;
  metrics: Metrics;
  /** Set once the process has been asked to stop: readiness then answers 503. */
  lifecycle: { stopping: boolean };
}
