import { hkdfSync } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { systemClock, type Clock } from '../clock.ts';

export type Scope = 'repos:read' | 'repos:write';
export const ALL_SCOPES: Scope[] = ['repos:read', 'repos:write'];

export interface AccessClaims {
  userId: number;
  sessionId: string;
  scopes: Scope[];
}

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

/** Verified tokens kept, so a client's repeated requests do not pay for the signature check again. */
const VERIFIED_KEPT = 10_000;

// Pinned: a token that names any other algorithm (none, RS256, ...) is rejected before its signature is looked at.
const ALGORITHM = 'HS256';

/** Short-lived bearer tokens for one session; the session row decides whether they still count. */
export function createJwtService(settings: JwtSettings, clock: Clock = systemClock) {
  // Domain-separated from the token-encryption key derived from the same secret.
  const key = new Uint8Array(hkdfSync('sha256', settings.secret, Buffer.alloc(0), 'access-token-signing-v1', 32));
  // A token's signature and claims never change; only the clock moves past its expiry.
  const verified = new LRUCache<string, { claims: AccessClaims; expiresAtMs: number }>({ max: VERIFIED_KEPT });

  return {
    ttlSeconds: settings.ttlSeconds,

    async issue(claims: AccessClaims): Promise<string> {
      return new SignJWT({ sid: claims.sessionId, scope: claims.scopes.join(' ') })
        .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
        .setSubject(String(claims.userId))
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.floor(clock.now() / 1000) + settings.ttlSeconds)
        .sign(key);
    },

    /** Undefined for any token that is not ours, not for us, or expired. */
    async verify(token: string): Promise<AccessClaims | undefined> {
      const kept = verified.get(token);
      if (kept) {
        if (clock.now() < kept.expiresAtMs) return kept.claims;
        verified.delete(token);
        return undefined;
      }
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [ALGORITHM],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ['sub', 'sid', 'exp', 'iat'],
          currentDate: new Date(clock.now()),
        });
        const userId = Number(payload.sub);
        const sessionId = payload.sid;
        const scope = typeof payload.scope === 'string' ? payload.scope : '';
        if (!Number.isSafeInteger(userId) || userId < 1 || typeof sessionId !== 'string') return undefined;
        const scopes = scope.split(' ').filter((s): s is Scope => (ALL_SCOPES as string[]).includes(s));
        // Shared by every request that carries this token.
        const claims = Object.freeze({ userId, sessionId, scopes: Object.freeze(scopes) as Scope[] });
        verified.set(token, { claims, expiresAtMs: (payload.exp as number) * 1000 });
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}

export type JwtService = ReturnType<typeof createJwtService>;
