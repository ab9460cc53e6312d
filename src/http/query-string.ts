import type { RequestHandler } from 'express';

/**
 * A query component written so every reader agrees on it: each key and value percent-encoded except
 * the unreserved characters (RFC 3986), so a space is `%20`, never `+`, and no reserved character is
 * left bare.
 */
export function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function serialiseQuery(params: URLSearchParams): string {
  return [...params].map(([k, v]) => `${encodeQueryComponent(k)}=${encodeQueryComponent(v)}`).join('&');
}

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
