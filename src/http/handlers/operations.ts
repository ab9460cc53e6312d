import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { readApiReference } from '../docs.ts';
import { problems } from '../../contract/problem.ts';
import type { JsonResponse } from '../../contract/types.ts';
import { versionsOf } from '../../version.ts';
import { dependencyFailureInWords, watchRedis, within } from '../../startup.ts';
import { compression, Encoded } from '../compression.ts';

export function operationHandlers(services: Services) {
  const { version, apiVersion } = versionsOf(services.spec);
  const health = { status: 'ok', version, api_version: apiVersion } satisfies JsonResponse<'getHealth', 200>;
  const compress = compression(services.config.compressResponses);
  // The spec and the reference are the same bytes on every request: serialised (and compressed) once.
  let spec: Encoded | undefined;
  const references = new WeakMap<Buffer, Encoded>();
  const getHealth: RequestHandler = (_req, res) => {
    res.json(health);
  };

  // Why a check fails, logged once when it starts failing (and once when it answers again), not at every probe.
  // The cache itself, not its guard (which never fails): readiness says whether Redis answers.
  const cache = services.rawCache;
  watchRedis(cache);
  // Each check within its deadline: a stalled dependency is a 503 within about a second, not a hang.
  const deadlineMs = services.config.deadlines.readinessMs;
  const failing: Partial<Record<'database' | 'cache', string>> = {};
  const getReadiness: RequestHandler = async (_req, res) => {
    const reasons: Partial<Record<'database' | 'cache', string>> = {};
    const check = (part: 'database' | 'cache', p: Promise<unknown>) =>
      within(deadlineMs, p).then(
        () => 'ok' as const,
        (error: unknown) => {
          reasons[part] = dependencyFailureInWords(part, error, cache);
          return 'failed' as const;
        },
      );
    const [database, cacheCheck] = await Promise.all([
      check('database', services.store.ping()),
      check('cache', cache.get('readiness-probe')),
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
    const ready = database === 'ok' && cacheCheck === 'ok' && process === 'ok';
    const body: JsonResponse<'getReadiness', 200 | 503> = { status: ready ? 'ready' : 'not_ready', checks: { database, cache: cacheCheck, process } };
    if (reasons.database !== undefined || reasons.cache !== undefined) body.reasons = reasons;
    res.status(ready ? 200 : 503).json(body);
  };

  // With response validation on, the first answer goes through res.json, which the validator checks.
  let specValidated = !services.config.validateResponses;
  const getOpenApiDocument: RequestHandler = (req, res) => {
    if (!specValidated) {
      res.once('finish', () => (specValidated ||= res.statusCode === 200));
      res.json(services.spec);
      return;
    }
    spec ??= new Encoded(Buffer.from(JSON.stringify(services.spec)));
    if (compress.vary) res.vary(compress.vary);
    res.type('application/json');
    compress.send(req, res, spec);
  };

  const getApiReference: RequestHandler = (req, res, next) => {
    const html = readApiReference(services.config.apiReferenceFile);
    if (!html) return next(problems.notFound('The API reference has not been built; run `npm run docs`.'));
    let page = references.get(html);
    if (!page) references.set(html, (page = new Encoded(html)));
    if (compress.vary) res.vary(compress.vary);
    res.type('text/html');
    compress.send(req, res, page);
  };

  return { getHealth, getReadiness, getOpenApiDocument, getApiReference };
}
