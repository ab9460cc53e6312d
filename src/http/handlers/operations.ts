import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { readApiReference } from '../docs.ts';
import { problems } from '../../contract/problem.ts';
import type { JsonResponse } from '../../contract/types.ts';
import { versionsOf } from '../../version.ts';

export function operationHandlers(services: Services) {
  const { version, apiVersion } = versionsOf(services.spec);
  const health = { status: 'ok', version, api_version: apiVersion } satisfies JsonResponse<'getHealth', 200>;
  const getHealth: RequestHandler = (_req, res) => {
    res.json(health);
  };

  const getReadiness: RequestHandler = async (_req, res) => {
    const check = (p: Promise<unknown>) =>
      p.then(
        () => 'ok' as const,
        () => 'failed' as const,
      );
    const [database, cache] = await Promise.all([
      check(services.store.ping()),
      check(services.cache.get('readiness-probe')),
    ]);
    const process = services.lifecycle.stopping ? ('stopping' as const) : ('ok' as const);
    const ready = database === 'ok' && cache === 'ok' && process === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: { database, cache, process } });
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
