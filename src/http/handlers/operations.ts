import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { readApiReference } from '../docs.ts';
import { problems } from '../../contract/problem.ts';
import type { JsonResponse } from '../../contract/types.ts';

export function operationHandlers(services: Services) {
  const getHealth: RequestHandler = (_req, res) => {
    res.json({ status: 'ok' } satisfies JsonResponse<'getHealth', 200>);
  };

  // Each check within its deadline: a stalled dependency is a 503 within about a second, not a hang.
  const deadlineMs = services.config.deadlines.readinessMs;
  const getReadiness: RequestHandler = async (_req, res) => {
    const check = (p: Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'failed'>((resolve) => (timer = setTimeout(resolve, deadlineMs, 'failed')));
      return Promise.race([
        p.then(
          () => 'ok' as const,
          () => 'failed' as const,
        ),
        late,
      ]).finally(() => clearTimeout(timer));
    };
    const [database, cache] = await Promise.all([
      check(services.store.ping()),
      check(services.rawCache.get('readiness-probe')),
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
