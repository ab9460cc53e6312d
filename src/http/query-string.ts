import type { RequestHandler } from 'express';
import { serialiseQuery } from '../contract/query-string.ts';

/**
 * Reads the query string as the WHATWG URL standard does (`+` is a space, a bare reserved character is
 * itself, a stray `%` is a `%`), and writes it back in the one form above before anything else reads
 * it: the request validator refuses bare reserved characters, and browsers' forms, `URLSearchParams`
 * and GitHub's OAuth redirects write a space as `+`.
 */
export const canonicalQuery: RequestHandler = (req, _res, next) => {
  const at = req.url.indexOf('?');
  if (at === -1) return next();
  const query = req.url.slice(at + 1);
  const canonical = serialiseQuery(new URLSearchParams(query));
  if (canonical !== query) {
    const rewrite = (url: string) => {
      const i = url.indexOf('?');
      return `${i === -1 ? url : url.slice(0, i)}${canonical ? `?${canonical}` : ''}`;
    };
    req.originalUrl = rewrite(req.originalUrl);
    req.url = rewrite(req.url);
  }
  next();
};
