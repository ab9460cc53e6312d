import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { JwtService, Scope } from '../auth/jwt.ts';
import type { Session, Store, User } from '../store/types.ts';
import type { OperationIndex, OperationInfo } from './operations.ts';
import { problems } from '../contract/problem.ts';
import type { OriginMatcher } from './origins.ts';

export interface Principal {
  user: User;
  session: Session;
  scopes: Scope[];
  via: 'bearer' | 'cookie';
}

declare module 'express-serve-static-core' {
  interface Request {
    operation?: OperationInfo;
    principal?: Principal;
  }
}

const SCHEME_OF = { bearer: 'bearerAuth', cookie: 'cookieAuth' } as const;

/**
 * Runs before request validation, so a protected operation refuses anonymous callers before it says
 * anything about their input. An `Authorization` header, when sent, is the only credential looked at.
 */
export function authenticate(deps: {
  store: Store;
  jwt: JwtService;
  cookieName: string;
  /** Origins whose pages may write with the session cookie: this service's own and the configured ones. */
  trustedOrigins: OriginMatcher;
}): RequestHandler {
  const trusted = deps.trustedOrigins;
  return async (req, _res, next) => {
    try {
      const operation = req.operation;
      if (!operation || operation.security.length === 0) return next();

      const principal = await resolvePrincipal(req.headers.authorization, req.cookies?.[deps.cookieName]);
      if (!principal) throw problems.unauthorized();
      if (principal.via === 'cookie' && UNSAFE.has(req.method)) refuseCrossSite(req.headers, trusted);
      const requirement = operation.security.find((r) => r.scheme === SCHEME_OF[principal.via]);
      if (!requirement) throw problems.unauthorized();
      const missing = requirement.scopes.filter((s) => !(principal.scopes as string[]).includes(s));
      if (missing.length) throw problems.forbidden(`This operation needs the ${missing.join(', ')} scope.`);
      req.principal = principal;
      next();
    } catch (error) {
      next(error);
    }
  };

  async function resolvePrincipal(authorization: string | undefined, cookie: unknown): Promise<Principal | undefined> {
    if (authorization !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_.~+/=-]+)$/i.exec(authorization.trim());
      if (!match?.[1]) return undefined;
      const claims = await deps.jwt.verify(match[1]);
      if (!claims) return undefined;
      const session = await deps.store.sessions.get(claims.sessionId);
      if (!session || session.user_id !== claims.userId) return undefined;
      const user = await deps.store.users.get(session.user_id);
      if (!user) return undefined;
      const scopes = claims.scopes.filter((s) => session.scopes.includes(s));
      return { user, session, scopes, via: 'bearer' };
    }
    if (typeof cookie === 'string' && cookie.length > 0 && cookie.length <= 256) {
      const session = await deps.store.sessions.getBySecret(cookie);
      if (!session) return undefined;
      const user = await deps.store.users.get(session.user_id);
      if (!user) return undefined;
      return { user, session, scopes: session.scopes as Scope[], via: 'cookie' };
    }
    return undefined;
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A browser sends the session cookie with a request another site's page makes (SameSite=Lax keeps it
 * off most cross-site writes, but not those from a sibling subdomain, which is the same site), so a
 * write authenticated by the cookie must come from a trusted page. Browsers say where a request comes
 * from in `Origin`, and in `Sec-Fetch-Site`; a client that sends neither is not a browser, and has no
 * ambient cookie to be abused.
 */
function refuseCrossSite(headers: IncomingHttpHeaders, trusted: OriginMatcher): void {
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== '') {
    if (!trusted(origin)) throw problems.crossSite(origin);
    return;
  }
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw problems.crossSite(`a page of another site (Sec-Fetch-Site: ${site})`);
}

/** Names the spec operation of each request first, so rate limits, auth, metrics and logs can use it. */
export function identifyOperation(operations: OperationIndex): RequestHandler {
  return (req, _res, next) => {
    req.operation = operations.find(req.method, req.path);
    next();
  };
}

/** The principal of a request that passed `authenticate` on a protected operation. */
export function principalOf(req: { principal?: Principal | undefined }): Principal {
  if (!req.principal) throw problems.unauthorized();
  return req.principal;
}
