import type { RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { problems } from '../contract/problem.ts';

const WINDOW_SECONDS = 60;
const PROBES = new Set(['getHealth', 'getReadiness']);

export interface RateLimitSettings {
  /** Requests per minute per signed-in user. */
  perUser: number;
  /** Requests per minute per client address, counted before credentials are looked at. */
  perAddress: number;
  /** Shared counters across instances when set; in-process otherwise. */
  redis?: Redis | undefined;
}

function limiter(points: number, keyPrefix: string, redis: Redis | undefined): RateLimiterAbstract {
  const options = { points, duration: WINDOW_SECONDS, keyPrefix };
  // When Redis is away, counting goes on per instance instead of failing every request.
  return redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
    : new RateLimiterMemory(options);
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
  const byAddress = limiter(settings.perAddress, 'rl:addr', settings.redis);
  const byUser = limiter(settings.perUser, 'rl:user', settings.redis);

  const policies = new Map([settings.perAddress, settings.perUser].map((limit) => [limit, `${limit};w=${WINDOW_SECONDS}`]));
  const consume = async (res: Response, l: RateLimiterAbstract, limit: number, key: string) => {
    const policy = policies.get(limit)!;
    try {
      setHeaders(res, limit, policy, await l.consume(key));
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
  return { beforeAuth, afterAuth };
}
