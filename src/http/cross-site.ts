import type { Request, RequestHandler } from 'express';
import { problems } from './problem.ts';

/**
 * Which browser origins an API trusts: exact origins (`https://app.example.com`) and, for local
 * development, any port of a host (`http://localhost:*`).
 */
export type OriginMatcher = (origin: string) => boolean;

export function originMatcher(trusted: readonly string[]): OriginMatcher {
  const exact = new Set<string>();
  const anyPort: { protocol: string; hostname: string }[] = [];
  for (const entry of trusted) {
    const wildcard = /^(https?):\/\/([^/:]+):\*$/.exec(entry);
    if (wildcard) anyPort.push({ protocol: `${wildcard[1]}:`, hostname: wildcard[2]! });
    else exact.add(URL.canParse(entry) ? new URL(entry).origin : entry);
  }
  return (origin) => {
    if (exact.has(origin)) return true;
    if (anyPort.length === 0) return false;
    try {
      const url = new URL(origin);
      return url.origin === origin && anyPort.some((p) => p.protocol === url.protocol && p.hostname === url.hostname);
    } catch {
      return false;
    }
  };
}

/**
 * Why a request looks cross-site, or undefined when it does not. A browser sends `Origin` with every
 * POST and `Sec-Fetch-Site` with every request; a trusted `Origin` wins, an untrusted or opaque (`null`)
 * one is refused, and without `Origin` a browser's `cross-site` or `same-site` is refused. Clients that
 * are not browsers send neither and pass.
 */
export function crossSiteReason(req: Pick<Request, 'get'>, trusted: OriginMatcher): string | undefined {
  const origin = req.get('origin');
  if (origin !== undefined) return trusted(origin) ? undefined : `This request comes from an origin this API does not trust (${origin}); the session cookie only works from trusted origins.`;
  const site = req.get('sec-fetch-site');
  if (site === 'cross-site' || site === 'same-site') return `This request comes from another site (Sec-Fetch-Site: ${site}) without a trusted Origin.`;
  return undefined;
}

/** Refuses cross-site requests with 403 `FORBIDDEN`, before the handler runs. */
export function refuseCrossSite(trusted: OriginMatcher): RequestHandler {
  return (req, _res, next) => {
    const reason = crossSiteReason(req, trusted);
    next(reason ? problems.forbidden(reason) : undefined);
  };
}
