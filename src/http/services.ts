import type { Logger } from 'pino';
import type { JwtService } from '../auth/jwt.ts';
import type { KeyValueCache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import type { OpenApiDocument } from './openapi.ts';
import type { OperationIndex } from './operations.ts';
import type { ListingService } from '../listing/service.ts';
import type { Metrics } from './metrics.ts';
import type { Store } from '../store/types.ts';
import type { Provider } from '../contract/types.ts';
import type { GitHost } from '../hosts/host.ts';
import type { TokenKeeper } from '../tokens/keeper.ts';
import type { Clock } from '../clock.ts';

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
  /** Every git host of the registry, built for this app. */
  hosts: Record<Provider, GitHost>;
  /** Renews host tokens that expire. */
  tokens: TokenKeeper;
  listing: ListingService;
  metrics: Metrics;
  /** The time expiry, refresh intervals and budgets are measured on. */
  clock: Clock;
  /** Set once the process has been asked to stop: readiness then answers 503. */
  lifecycle: { stopping: boolean };
}
