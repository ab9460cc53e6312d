import type { RequestListener } from 'node:http';
import cookieParser from 'cookie-parser';
import cors from 'cors';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { createJwtService } from './auth/jwt.ts';
import { createCache, RedisCache, type KeyValueCache } from './cache/index.ts';
import { GuardedCache } from './cache/guarded.ts';
import type { Config } from './config.ts';
import { accessLog } from './http/access-log.ts';
import { requestSpans } from './http/tracing.ts';
import { traceRedis } from './telemetry/tracing.ts';
import { headersOnce } from './http/headers-once.ts';
import { series } from './http/series.ts';
import { authenticate, identifyOperation } from './http/auth.ts';
import { originMatcher } from './http/origins.ts';
import { errorHandler, hostProblemBody, replaceFinalHandler } from './http/errors.ts';
import { connectionHandlers } from './http/handlers/connections.ts';
import { operationHandlers } from './http/handlers/operations.ts';
import { repositoryHandlers } from './http/handlers/repositories.ts';
import { sessionHandlers } from './http/handlers/session.ts';
import { createMetrics, registerBuildInfo } from './http/metrics.ts';
import { inlineScriptHashes, readApiReference } from './http/docs.ts';
import { versionsOf } from './version.ts';
import { createRateLimits } from './http/rate-limit.ts';
import { loadSpec } from './http/openapi.ts';
import { headAsGet, indexOperations, strictIntegers, type OperationInfo } from './http/operations.ts';
import { createValidation, pathParamsOf, unmatched, validatedPathParams } from './http/validation.ts';
import { canonicalQuery } from './http/query-string.ts';
import { createListingService, type ListingDeps } from './listing/service.ts';
import { createDetectionService, type DetectionService } from './kind/service.ts';
import { createLogger } from './logger.ts';
import type { Services } from './http/services.ts';
import type { operations } from './api/schema.d.ts';
import type { Provider } from './contract/types.ts';
import { ApiProblem } from './contract/problem.ts';
import type { HostCredential, HostRepository } from './hosts/types.ts';
import type { GitHost } from './hosts/host.ts';
import { HOSTS } from './hosts/registry.ts';
import { createTokenKeeper } from './tokens/keeper.ts';
import { processLock, redisLock, storeLock, type KeyedLock } from './tokens/locks.ts';
import { openStore } from './store/index.ts';
import { databaseFailure, watchRedis } from './startup.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Store } from './store/types.ts';

export interface AppOverrides {
  logger?: Logger;
  store?: Store;
  cache?: KeyValueCache;
  /** The listing's in-process structures, sized otherwise (the benchmark turns each off to show what it buys). */
  listing?: Pick<ListingDeps, 'keptListings' | 'keptAnswerBytes'>;
  /** Replaces an operation's handler: how the drift tests plant a deliberately wrong one. */
  handlers?: Partial<Record<OperationId, RequestHandler | RequestHandler[]>>;
  /** The time the app reads (tests pass a clock they move: `test/support/clock.ts`). */
  clock?: Clock;
}

export type OperationId = keyof operations;

export interface App {
  app: express.Express;
  /** Prometheus metrics for operators, served apart from the API (`server.ts` listens on `METRICS_PORT`). */
  metricsListener: RequestListener;
  services: Services;
  /** Closes the database and the cache (only those the app opened itself). */
  close(): Promise<void>;
}

/** Kind and origin hints for a host's repositories, cached by (provider, id, pushed_at) and bounded by the detection budget. */
function kindsFrom(detection: DetectionService, provider: Provider) {
  return async ({ token, instance, repos }: HostCredential & { repos: HostRepository[] }) => {
    const { detections } = await detection.annotate(
      provider,
      token,
      repos.map((r) => ({ id: r.id, owner: r.owner.login, name: r.name, pushed_at: r.pushed_at ?? r.updated_at })),
      instance,
    );
    // Each annotation has exactly the fields a listing shows.
    return detections;
  };
}

const SLOW_ANSWER_MS = 5_000;
const PREFLIGHT_MAX_AGE_SECONDS = 7_200;

/** Builds the whole app from its configuration. It never listens: `server.ts` does. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const spec = loadSpec();
  const operations = indexOperations(spec);
  const store =
    overrides.store ??
    (await openStore({
      ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
      dataDir: config.dataDir,
      secretKey: config.secretKey,
      connectTimeoutMs: config.deadlines.databaseConnectMs,
      queryTimeoutMs: config.deadlines.databaseQueryMs,
    }).catch((error: unknown) => {
      throw databaseFailure(error, config);
    }));
  const metrics = createMetrics();
  registerBuildInfo(metrics.registry, versionsOf(spec));
  const ownCache = overrides.cache ?? createCache({ redisUrl: config.redisUrl, prefix: config.redisPrefix, commandTimeoutMs: config.deadlines.redisCommandMs, now: () => clock.now() });
  if (ownCache instanceof RedisCache) traceRedis(ownCache.client as never);
  // Redis answers its first command once connected: waited for here, within its connect deadline, so
  // that a start beside a working Redis does not begin with an outage. One that is away is not waited for.
  // Its errors are followed from the first connection attempt on, so what is said of an outage names its cause.
  if (ownCache instanceof RedisCache) watchRedis(ownCache);
  if (ownCache instanceof RedisCache) await ownCache.ready(config.deadlines.databaseConnectMs);
  // Every use of the cache goes through its guard: a failing cache costs speed, one warning per outage and a metric.
  const cache = new GuardedCache(ownCache, {
    onOutage: (error) => {
      metrics.cacheAvailable.set(0);
      logger.warn({ err: error }, 'the cache is unavailable: answers go on without it until it answers again');
    },
    onRecovery: (outageMs, failures) => {
      metrics.cacheAvailable.set(1);
      logger.info({ outage_ms: outageMs, failures }, 'the cache answers again');
    },
    onFailure: (operation) => metrics.cacheFailures.inc({ operation }),
  });
  // A cache that fails is not a failed listing: the page or listing is not kept, and the operator is told.
  const onCacheError = (error: unknown) => logger.warn({ err: error }, 'the cache failed; a listing or page was not kept');
  // Every host of the registry, built from its own settings. Its kinds go through the detection
  // service, which is built from the hosts' readers just after: they call it only once serving.
  const hosts = Object.fromEntries(
    Object.values(HOSTS).map((module) => {
      const create = module.create as (context: Parameters<typeof module.create>[0]) => GitHost;
      const host = create({
        config: config[module.provider] as never,
        publicUrl: config.publicUrl,
        cache,
        metrics,
        onCacheError,
        clock,
        kinds: (input) => kindsFrom(detection, module.provider)(input),
      });
      return [module.provider, host];
    }),
  ) as Record<Provider, GitHost>;
  const detection = createDetectionService({
    store,
    readers: Object.fromEntries(Object.values(hosts).flatMap((h) => (h.reader ? [[h.provider, h.reader]] : []))),
    budgetMs: config.detectionBudgetMs,
    clock,
  });
  // One refresh of a user's host token at a time: across instances through PostgreSQL or Redis when
  // the app has them, in this process otherwise. Waiting is bounded: the holder's refresh call (the
  // slowest host's deadline, twice) and its database work.
  const waitMs = 2 * Math.max(...Object.values(HOSTS).map((h) => (config[h.provider] as { timeoutMs?: number }).timeoutMs ?? 10_000)) + 5_000;
  const lock: KeyedLock = config.databaseUrl
    ? storeLock(store, { waitMs })
    : cache instanceof RedisCache
      ? redisLock(cache.client, { waitMs, holdMs: waitMs })
      : processLock({ waitMs });
  const tokens = createTokenKeeper({ store, hosts, lock, clock });
  const services: Services = {
    config,
    logger,
    spec,
    operations,
    store,
    cache,
    rawCache: ownCache,
    jwt: createJwtService(config.jwt, clock),
    hosts,
    tokens,
    metrics,
    clock,
    lifecycle: { stopping: false },
    listing: createListingService({
      store,
      cache,
      cacheTtlSeconds: config.listingCacheTtlSeconds,
      refreshMinIntervalSeconds: config.refreshMinIntervalSeconds,
      sources: Object.fromEntries(Object.values(hosts).map((h) => [h.provider, h.source])),
      tokens,
      toProblem: (p) => hostProblemBody(p, '/api/v1/repos', 'upstream'),
      onCacheError,
      clock,
      ...overrides.listing,
    }),
  };

  const pathParams = pathParamsOf(operations);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);

  // Every request's middlewares, in this order, run as one layer of the router (see `series`).
  const chain: RequestHandler[] = [];
  const requestSpan = requestSpans();
  if (requestSpan) chain.push(requestSpan);
  chain.push(
    accessLog(logger, {
      // An answer that took this long is a warning: what a user waited for is worth a look. A stopping
      // process answers readiness with 503 on purpose: that is no error.
      levelOf: (status, elapsedMs) =>
        status >= 500 && !(status === 503 && services.lifecycle.stopping) ? 'error' : elapsedMs >= SLOW_ANSWER_MS ? 'warn' : 'info',
    }),
  );
  // Security headers fixed by our policy: worked out by helmet once, at start. Every answer is an API
  // answer (JSON, a problem or a redirect) and carries the headers that protect those (OWASP's REST
  // Security Cheat Sheet): no framing, no content sniffing, HSTS, a policy that loads nothing, no
  // referrer, no cross-origin embedding. The headers that only shape an HTML document are the
  // reference page's own (`documentHeaders`).
  chain.push(
    headersOnce(
      helmet({
        contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
        xFrameOptions: { action: 'deny' },
        crossOriginOpenerPolicy: false,
        originAgentCluster: false,
        xDnsPrefetchControl: false,
        xDownloadOptions: false,
        xPermittedCrossDomainPolicies: false,
        xXssProtection: false,
      }),
    ),
  );

  // Browser origins trusted with credentials: CORS_ORIGINS, and for the cookie's cross-site checks the API's own origin too.
  const corsOrigin = originMatcher(config.corsOrigins);
  const trustedOrigins = originMatcher([...config.corsOrigins, new URL(config.publicUrl).origin]);
  chain.push(
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && corsOrigin(origin)),
      credentials: true,
      exposedHeaders: ['Link', 'ETag', 'X-Total-Count', 'X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'WWW-Authenticate'],
      // Browsers keep a preflight's answer this long (they cap it: Chromium at 2 hours, Firefox at 1 day).
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    }),
  );
  chain.push(canonicalQuery);
  chain.push(identifyOperation(operations));
  chain.push(headAsGet);
  if (config.corsOrigins.length) {
    // Whether an answer carries CORS headers depends on the request's Origin, so shared caches must key on it.
    chain.push((_req, res, next) => {
      res.vary('Origin');
      next();
    });
  }
  chain.push(metrics.middleware);
  chain.push(cookieParser());
  const rateLimits = createRateLimits({
    ...config.rateLimit,
    linkAttemptsPerHour: config.linkAttemptsPerHour,
    redis: ownCache instanceof RedisCache ? ownCache.client : undefined,
    guard: cache,
  });
  chain.push(rateLimits.beforeAuth);
  chain.push(
    authenticate({
      store,
      jwt: services.jwt,
      cookieName: config.session.cookieName,
      trustedOrigins,
    }),
  );
  chain.push(rateLimits.afterAuth);
  chain.push(express.json({ limit: '16kb', type: ['application/json', 'application/*+json'] }));
  chain.push(strictIntegers(operations));
  chain.push(
    await createValidation(app, spec, operations, {
      validateResponses: config.validateResponses
        ? {
            onError: (error, body, req) => {
              logger.error({ err: error, request_id: req.id, operation: req.operation?.operationId, body }, 'response does not match the spec');
              throw error;
            },
          }
        : false,
    }),
  );
  app.use(series(chain));

  const session = sessionHandlers(services);
  const repos = repositoryHandlers(services);
  const connections = connectionHandlers(services);
  const ops = operationHandlers(services);
  // The reference is an HTML document: helmet's whole set for documents, and a policy for one
  // self-contained page (its own inline scripts, styles, fonts and workers, nothing remote).
  const referenceScripts = () => {
    const html = readApiReference(config.apiReferenceFile);
    return html ? inlineScriptHashes(html) : [];
  };
  const documentHeaders = headersOnce(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          // The page's own inline scripts by their hashes; no other inline script runs.
          scriptSrc: ["'self'", () => referenceScripts().join(' ')],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          workerSrc: ['blob:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      xFrameOptions: { action: 'deny' },
    }),
  );

  // Every operation of the spec is served from its operationId; one without a handler stops the start.
  // An operation whose path is one of another's (a host's own path kept as an alias of the path
  // naming any host) is served by that one's handlers, with the parameters its path fixes.
  const handlers: Partial<Record<OperationId, RequestHandler[]>> = {
    startSignIn: [session.startSignIn],
    completeSignIn: [session.completeSignIn],
    signOut: [session.signOut],
    renewAccessToken: [session.renewAccessToken],
    getMe: [session.getMe],
    linkHostToken: [rateLimits.linkAttempt, session.linkToken],
    unlinkHostToken: [session.unlinkToken],
    listRepositories: [repos.listRepositories],
    lookupRepository: [repos.lookupRepository],
    listConnections: [connections.listConnections],
    connectRepository: [connections.connectRepository],
    disconnectRepository: [connections.disconnectRepository],
    getHealth: [ops.getHealth],
    getReadiness: [ops.getReadiness],
    getOpenApiDocument: [ops.getOpenApiDocument],
    getApiReference: [documentHeaders, ops.getApiReference],
  };
  const serve = new Map<OperationInfo, RequestHandler>();
  const fixedParams = new Map<OperationInfo, Record<string, string>>();
  for (const op of operations.all) {
    const own = overrides.handlers?.[op.operationId as OperationId] ?? handlers[op.operationId as OperationId];
    const general = own ? undefined : operations.all.find((o) => o !== op && o.method === op.method && Object.keys(operations.pathParams(o, op.template)).length > 0);
    const chain = own ?? (general && (overrides.handlers?.[general.operationId as OperationId] ?? handlers[general.operationId as OperationId]));
    if (!chain) throw new Error(`the spec's operation ${op.operationId} has no handler`);
    if (general) fixedParams.set(op, operations.pathParams(general, op.template));
    serve.set(op, series([chain].flat()));
  }
  // The operation was named by `identifyOperation` as the request came in: its handlers run at once,
  // with its path parameters, without matching the path against every route again.
  app.use((req, res, next) => {
    const handler = req.operation && serve.get(req.operation);
    if (!handler) return next();
    // Read and decoded already where the validator ran.
    const params = validatedPathParams(req) ?? pathParams(req.operation!, req.path);
    if (params instanceof ApiProblem) return next(params);
    const fixed = fixedParams.get(req.operation!);
    req.params = fixed ? { ...fixed, ...params } : params;
    handler(req, res, next);
  });
  app.use(unmatched(operations));
  app.use(errorHandler(logger, { allowedMethods: (path) => operations.allowedMethods(path) }));
  replaceFinalHandler(app, logger);

  return {
    app,
    metricsListener: metrics.listener,
    services,
    async close() {
      await detection.idle();
      if (!overrides.cache) await ownCache.close();
      if (!overrides.store) await store.close();
    },
  };
}
