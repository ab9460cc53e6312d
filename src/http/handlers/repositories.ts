import type { RequestHandler } from 'express';
import type { Services } from '../services.ts';
import { etagMatches, pageLinks, type ListQuery } from '../../listing/query.ts';
import { principalOf } from '../auth.ts';
import type { ListedPage } from '../../listing/service.ts';

export function repositoryHandlers(services: Services) {
  // Answers the response validation has passed: the same bytes sent again need no second check.
  const validated = new WeakSet<ListedPage>();
  // The Link header of an answer sent again to the same URL: worked out once, like the answer's bytes.
  const links = new WeakMap<ListedPage, { url: string; link: string | undefined }>();
  const linkOf = (answer: ListedPage, path: string, url: string): string | undefined => {
    const kept = links.get(answer);
    if (kept?.url === url) return kept.link;
    const link = pageLinks(path, new URLSearchParams(url.split('?')[1] ?? ''), answer.page, answer.per_page, answer.total);
    links.set(answer, { url, link });
    return link;
  };

  const listRepositories: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const query = req.query as unknown as ListQuery;
    // Serialised by the listing, which sends the same bytes again while nothing they show has changed: the ETag is over exactly them.
    const answer = await services.listing.page(user.id, query);
    res.setHeader('ETag', answer.etag);
    res.setHeader('Cache-Control', 'private, no-cache');
    res.setHeader('Vary', 'Authorization, Cookie');
    if (etagMatches(req.get('If-None-Match'), answer.etag)) {
      res.status(304).end();
      return;
    }
    const link = linkOf(answer, req.path, req.originalUrl);
    if (link) res.setHeader('Link', link);
    res.setHeader('X-Total-Count', String(answer.total));
    // The app's response validation (on outside production) checks what passes through res.json,
    // which serialises the object again into the same bytes. It checks each answer the first time it
    // is sent (a failed check answers 500 instead); otherwise the bytes go out as they are.
    if (services.config.validateResponses && !validated.has(answer)) {
      res.once('finish', () => {
        if (res.statusCode === 200) validated.add(answer);
      });
      res.status(200).json(JSON.parse(answer.bytes.toString('utf8')));
    } else {
      res.status(200).type('application/json').send(answer.bytes);
    }
  };

  return { listRepositories };
}
