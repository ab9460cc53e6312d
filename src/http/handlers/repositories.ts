import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { etagMatches, pageLinks, weakEtag, type ListQuery } from '../../listing/query.ts';
import { principalOf } from '../auth.ts';

export function repositoryHandlers(services: Services) {
  const listRepositories: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const query = req.query as unknown as ListQuery;
    const body = await services.listing.list(user.id, query);
    // Serialised once: the ETag is computed over the exact bytes sent.
    const text = JSON.stringify(body);
    const etag = weakEtag(text);
    res.setHeader('ETag', etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Vary', 'Authorization, Cookie');
    if (etagMatches(req.get('If-None-Match'), etag)) {
      res.status(304).end();
      return;
    }
    const raw = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const link = pageLinks(req.path, raw, body.page, body.per_page, body.total);
    if (link) res.setHeader('Link', link);
    res.setHeader('X-Total-Count', String(body.total));
    // The app's response validation (on outside production) checks what passes through res.json,
    // which serialises the object again into the same text; without it, the text goes out as it is.
    if (services.config.validateResponses) res.status(200).json(body);
    else res.status(200).type('application/json').send(text);
  };

  return { listRepositories };
}
