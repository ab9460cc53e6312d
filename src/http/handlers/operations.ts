import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { readApiReference } from '../docs.ts';
import { problems } from '../../contract/problem.ts';
import type { JsonResponse } from '../../contract/types.ts';
import { versionsOf } from '../../version.ts';
import { dependencyFailureInWords, watchRedis } from '../../startup.ts';

export function operationHandlers(services: Services) {
  const { version, apiVersion } = versionsOf(services.spec);
  const health = { status: 'ok', version, api_version: apiVersion } satisfies JsonResponse<'getHealth', 200>;
  const getHealth: RequestHandler = (_req, res) => {
    res.json(health);
  };

  // Why a check fails, logged once when it starts failing (and once when it answers again), not at every probe.
  watchRedis(services.cache);
  const failing: Partial<Record<'database' | 'cache', string>> = {};
  const getReadiness: RequestHandler = async (_req, res) => {
    const reasons: Partial<Record<'database' | 'cache', string>> = {};
    const check = (part: 'database' | 'cache', p: Promise<unknown>) =>
      p.then(
        () => 'ok' as const,
        (error: unknown) => {
          reasons[part] = dependencyFailureInWords(part, error, services.cache);
          return 'failed' as const;
        },
      );
    const [database, cache] = await Promise.all([
      check('database', services.store.ping()),
      check('cache', services.cache.get('readiness-probe')),
    ]);
    for (const part of ['database', 'cache'] as const) {
      if (reasons[part] !== undefined && failing[part] === undefined) {
        services.logger.warn({ check: part, reason: reasons[part] }, `readiness: the ${part} check fails: ${reasons[part]}`);
      } else if (reasons[part] === undefined && failing[part] !== undefined) {
        services.logger.info({ check: part }, `readiness: the ${part} check passes again`);
      }
      failing[part] = reasons[part];
    }
    const process = services.lifecycle.stopping ? ('stopping' as const) : ('ok' as const);
    const ready = database === 'ok' && cache === 'ok' && process === 'ok';
    const body: JsonResponse<'getReadiness', 200 | 503> = { status: ready ? 'ready' : 'not_ready', checks: { database, cache, process } };
    if (reasons.database !== undefined || reasons.cache !== undefined) body.reasons = reasons;
    res.status(ready ? 200 : 503).json(body);
  };

  const getOpenApiDocument: RequestHandler = (_req, res) => {
    res.json(services.spec);
  };

  const getApiReference: RequestHandler = (_req, res, next) => {
    const html = readApiReference(services.config.apiReferenceFile);
    if (!html) return next(problems.notFound('The API reference has not been built; run `npm run docs`.'));
    res.type('text/html').send(html);
  };

  return { getHealth, getReadiness, getOpenApiDocument, getApiReference };
}
