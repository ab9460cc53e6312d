import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { problems } from '../contract/problem.ts';
import type { GuardedCache } from '../cache/guarded.ts';

const WINDOW_SECONDS = 60;
const PROBES = new Set(['getHealth', 'getReadiness']);

export interface RateLimitSettings {
  /** Requests per minute per signed-in user. */
  perUser: number;
  /** Requests per minute per client address, counted before credentials are looked at. */
  perAddress: number;
  /** Attempts to link a host token per hour, per user and per address (each guess costs a call to the host). */
  linkAttemptsPerHour?: number;
  /** Shared counters across instances when set; in-process otherwise. */
  redis?: Redis | undefined;
  /**
   * The health of the cache that `redis` serves: while it is away, counting goes on per instance
   * at once, without a deadline per request spent on it; a failure here is one of the cache's.
   */
  guard?: Pick<GuardedCache, 'usable' | 'failed' | 'answered'> | undefined;
}

interface Budget {
  shared: RateLimiterAbstract | undefined;
  local: RateLimiterAbstract;
}

function budget(points: number, keyPrefix: string, redis: Redis | undefined, duration = WINDOW_SECONDS): Budget {
  const options = { points, duration, keyPrefix };
  return { shared: redis ? new RateLimiterRedis({ ...options, storeClient: redis }) : undefined, local: new RateLimiterMemory(options) };
}

function setHeaders(res: Response, limit: number, policy: string, result: RateLimiterRes): void {
  const reset = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  res.setHeader('RateLimit', `limit=${limit}, remaining=${Math.max(0, result.remainingPoints)}, reset=${reset}`);
  res.setHeader('RateLimit-Policy', policy);
}

/**
 * Two budgets: one per client address, consumed before authentication (so floods of bad credentials
 * cost no database work), and one per user after it. The headers show the budget that applies.
 */
export function createRateLimits(settings: RateLimitSettings) {
  const byAddress = budget(settings.perAddress, 'rl:addr', settings.redis);
  const byUser = budget(settings.perUser, 'rl:user', settings.redis);
  const guard = settings.guard;

  // When Redis is away or stalled, counting goes on per instance instead of failing or holding every request.
  const count = async (b: Budget, key: string): Promise<RateLimiterRes> => {
    if (!b.shared || (guard && !guard.usable())) return b.local.consume(key);
    try {
      const result = await b.shared.consume(key);
      guard?.answered();
      return result;
    } catch (error) {
      if (error instanceof RateLimiterRes) {
        guard?.answered();
        throw error;
      }
      guard?.failed('set', error);
      return b.local.consume(key);
    }
  };

  const policies = new Map([settings.perAddress, settings.perUser].map((limit) => [limit, `${limit};w=${WINDOW_SECONDS}`]));
  const consume = async (res: Response, b: Budget, limit: number, key: string) => {
    const policy = policies.get(limit)!;
    try {
      setHeaders(res, limit, policy, await count(b, key));
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      setHeaders(res, limit, policy, error);
      throw problems.rateLimited(error.msBeforeNext / 1000, 'Too many requests; slow down and retry later.');
    }
  };

  const beforeAuth: RequestHandler = (req, res, next) => {
    // Health and readiness probes come from load balancers and orchestrators at their own pace: throttling them would take a healthy instance out of rotation.
    if (req.operation && PROBES.has(req.operation.operationId)) return next();
    consume(res, byAddress, settings.perAddress, req.ip ?? 'unknown').then(() => next(), next);
  };
  const afterAuth: RequestHandler = (req, res, next) => {
    if (!req.principal) return next();
    consume(res, byUser, settings.perUser, String(req.principal.user.id)).then(() => next(), next);
  };
  // Linking a token asks the host whether it works: a loop of guesses must not use us to probe it.
  const linkPerHour = settings.linkAttemptsPerHour ?? 20;
  const linksByUser = budget(linkPerHour, 'rl:link:user', settings.redis, 3600);
  const linksByAddress = budget(linkPerHour, 'rl:link:addr', settings.redis, 3600);
  const linkAttempt: RequestHandler = (req, _res, next) => {
    const refuse = (error: unknown) => {
      if (!(error instanceof RateLimiterRes)) return next(error);
      next(problems.rateLimited(error.msBeforeNext / 1000, `Too many attempts to link a token; at most ${linkPerHour} an hour. Retry later.`));
    };
    count(linksByAddress, req.ip ?? 'unknown')
      .then(() => count(linksByUser, String(req.principal?.user.id ?? 'anonymous')))
      .then(() => next(), refuse);
  };
  return { beforeAuth, afterAuth, linkAttempt };
}
