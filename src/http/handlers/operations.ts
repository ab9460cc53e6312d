import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { readApiReference } from '../docs.ts';
import { problems } from '../../contract/problem.ts';
import type { JsonResponse } from '../../contract/types.ts';
import { compression, Encoded } from '../compression.ts';

export function operationHandlers(services: Services) {
  const compress = compression(services.config.compressResponses);
  // The spec and the reference are the same bytes on every request: serialised (and compressed) once.
  let spec: Encoded | undefined;
  const references = new WeakMap<Buffer, Encoded>();
  const getHealth: RequestHandler = (_req, res) => {
    res.json({ status: 'ok' } satisfies JsonResponse<'getHealth', 200>);
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
