import type { Request, RequestHandler, Response } from 'express';

type HeaderValue = string | number | readonly string[];

/**
 * A middleware that only sets headers which depend on nothing in the request (helmet's, with a
 * fixed policy), run once at start against a recording response; the middleware returned sets the
 * same headers on each answer in one call. Fails at start if the middleware reads the request, does
 * anything but set or remove headers, or does not finish at once.
 */
export function headersOnce(middleware: RequestHandler): RequestHandler {
  const headers = new Map<string, HeaderValue>();
  const removed = new Set<string>();
  const request = new Proxy({} as Request, {
    get(_target, property) {
      throw new Error(`a fixed-header middleware read the request's ${String(property)}`);
    },
  });
  const recorder = {
    setHeader(name: string, value: HeaderValue) {
      headers.set(name.toLowerCase(), value);
      removed.delete(name.toLowerCase());
      return recorder;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
      removed.add(name.toLowerCase());
    },
  };
  let finished = false;
  void middleware(request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('a fixed-header middleware did not finish at once');
  return (_req, res, next) => {
    res.setHeaders(headers as Map<string, string | number | string[]>);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
