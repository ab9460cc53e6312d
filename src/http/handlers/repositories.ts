import type { RequestHandler, Response } from 'express';
import type { Services } from '../services.ts';
import { etagMatches, pageLinks, type ListQuery } from '../../listing/query.ts';
import { principalOf } from '../auth.ts';
import type { ListedPage } from '../../listing/service.ts';
import type { JsonResponse, QueryOf } from '../../contract/types.ts';
import { compression, Encoded } from '../compression.ts';

/** What every answer of the listing says about caching: private to the credentials it was asked with, revalidated each time. */
const CACHING: ReadonlyArray<[string, string]> = [['Cache-Control', 'private, no-cache']];

/** Added to what `Vary` already says (CORS's `Origin`, say), never in its place. */
const varyByCredentials = (res: Response) => {
  res.vary('Authorization');
  res.vary('Cookie');
};

export function repositoryHandlers(services: Services) {
  const compress = compression(services.config.compressResponses);
  // Compressed when accepted, one cache entry per coding: added to Vary like the credentials. The ETag
  // is weak, so the codings of one answer share it (RFC 9110 §8.8.3.3).
  const varies = compress.vary ? `Authorization, Cookie, ${compress.vary}` : 'Authorization, Cookie';
  const vary = (res: Response) => {
    // Said at once when nothing before has said it (Express's `vary` parses the header at each call:
    // three calls were 2% of a warm listing's CPU); otherwise merged into what is there (CORS's Origin).
    if (!res.hasHeader('Vary')) {
      res.setHeader('Vary', varies);
      return;
    }
    varyByCredentials(res);
    if (compress.vary) res.vary(compress.vary);
  };
  // Each answer's bytes with their compressed forms, made once and kept as long as the answer is.
  const encoded = new WeakMap<ListedPage, Encoded>();
  const encodedOf = (answer: ListedPage): Encoded => {
    let kept = encoded.get(answer);
    if (!kept) encoded.set(answer, (kept = new Encoded(answer.bytes)));
    return kept;
  };
  // Answers the response validation has passed: the same bytes sent again need no second check.
  const validated = new WeakSet<ListedPage>();
  // The headers of an answer sent again to the same URL (its Link depends on the URL): worked out
  // once, like the answer's bytes.
  const headers = new WeakMap<ListedPage, { url: string; headers: Map<string, string> }>();
  const headersOf = (answer: ListedPage, path: string, url: string): Map<string, string> => {
    const kept = headers.get(answer);
    if (kept?.url === url) return kept.headers;
    const set = new Map<string, string>([['ETag', answer.etag], ...CACHING]);
    const link = pageLinks(path, new URLSearchParams(url.split('?')[1] ?? ''), answer.page, answer.per_page, answer.total);
    if (link) set.set('Link', link);
    set.set('X-Total-Count', String(answer.total));
    set.set('Content-Type', 'application/json; charset=utf-8');
    headers.set(answer, { url, headers: set });
    return set;
  };

  const listRepositories: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const query = req.query as unknown as ListQuery;
    // Serialised by the listing, which sends the same bytes again while nothing they show has changed: the ETag is over exactly them.
    const answer = await services.listing.page(user.id, query);
    if (etagMatches(req.headers['if-none-match'], answer.etag)) {
      res.setHeader('ETag', answer.etag);
      for (const [name, value] of CACHING) res.setHeader(name, value);
      vary(res);
      res.status(304).end();
      return;
    }
    // The app's response validation (on outside production) checks what passes through res.json,
    // which serialises the object again into the same bytes. It checks each answer the first time it
    // is sent (a failed check answers 500 instead); otherwise the bytes go out as they are.
    if (services.config.validateResponses && !validated.has(answer)) {
      res.once('finish', () => {
        if (res.statusCode === 200) validated.add(answer);
      });
      res.setHeaders(headersOf(answer, req.path, req.originalUrl));
      vary(res);
      res.status(200).json(JSON.parse(answer.bytes.toString('utf8')));
      return;
    }
    res.setHeaders(headersOf(answer, req.path, req.originalUrl));
    vary(res);
    res.statusCode = 200;
    compress.send(req, res, encodedOf(answer));
  };

  const lookupRepository: RequestHandler = async (req, res) => {
    const { user } = principalOf(req);
    const { url } = req.query as unknown as QueryOf<'lookupRepository'>;
    const body: JsonResponse<'lookupRepository', 200> = await services.listing.lookup(user.id, url);
    res.setHeader('Cache-Control', 'no-store');
    res.status(200).json(body);
  };

  return { listRepositories, lookupRepository };
}
