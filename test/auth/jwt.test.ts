import assert from 'node:assert/strict';
import { hkdfSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, test, vi } from 'vitest';
import { createJwtService } from '../../src/auth/jwt.ts';

const settings = { secret: 'a-secret-of-the-tests-0123456789', issuer: 'repositories-api', audience: 'repositories-api', ttlSeconds: 60 };
const key = new Uint8Array(hkdfSync('sha256', settings.secret, Buffer.alloc(0), 'access-token-signing-v1', 32));
const SID = '3f1c1e9a-1111-4222-8333-444455556666';

/** A token signed with the service's key, with exactly the claims given. */
function signed(claims: Record<string, unknown>, options: { iat?: boolean; exp?: number | false; sub?: string | false } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(settings.issuer).setAudience(settings.audience);
  if (options.sub !== false) jwt = jwt.setSubject(options.sub ?? '7');
  if (options.iat !== false) jwt = jwt.setIssuedAt();
  if (options.exp !== false) jwt = jwt.setExpirationTime(options.exp ?? '5m');
  return jwt.sign(key);
}

describe('bearer tokens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test('when a token is issued, then it is an HS256 JWT for us, naming the user, session and scopes, living ttlSeconds', async () => {
    const jwt = createJwtService(settings);
    const token = await jwt.issue({ userId: 7, sessionId: SID, scopes: ['repos:read', 'repos:write'] });
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    assert.equal(claims.sub, '7');
    assert.equal(claims.sid, SID);
    assert.equal(claims.scope, 'repos:read repos:write');
    assert.equal(claims.iss, settings.issuer);
    assert.equal(claims.aud, settings.audience);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 60);
    assert.equal(jwt.ttlSeconds, 60);
    assert.deepEqual(await jwt.verify(token), { userId: 7, sessionId: SID, scopes: ['repos:read', 'repos:write'] });
  });

  test('when a token lacks sub, sid, exp or iat, or its subject is not a user id, then it is refused', async () => {
    const jwt = createJwtService(settings);
    assert.ok(await jwt.verify(await signed({ sid: SID, scope: 'repos:read' })), 'the control token is accepted');
    assert.equal(await jwt.verify(await signed({ sid: SID }, { sub: false })), undefined);
    assert.equal(await jwt.verify(await signed({ scope: 'repos:read' })), undefined);
    assert.equal(await jwt.verify(await signed({ sid: 42 })), undefined);
    assert.equal(await jwt.verify(await signed({ sid: SID }, { exp: false })), undefined);
    assert.equal(await jwt.verify(await signed({ sid: SID }, { iat: false })), undefined);
    for (const sub of ['0', '-3', '1.5', 'alice', '9007199254740993']) {
      assert.equal(await jwt.verify(await signed({ sid: SID }, { sub })), undefined, sub);
    }
    assert.deepEqual(await jwt.verify(await signed({ sid: SID }, { sub: '1' })), { userId: 1, sessionId: SID, scopes: [] });
  });

  test('when a token names scopes we do not know, or none, then only the known ones count', async () => {
    const jwt = createJwtService(settings);
    assert.deepEqual((await jwt.verify(await signed({ sid: SID, scope: 'admin repos:write  repos:read' })))?.scopes, ['repos:write', 'repos:read']);
    assert.deepEqual((await jwt.verify(await signed({ sid: SID, scope: ['repos:read'] })))?.scopes, []);
    assert.deepEqual((await jwt.verify(await signed({ sid: SID })))?.scopes, []);
  });

  test('when a token is for another audience or from another issuer, then it is refused', async () => {
    const other = createJwtService({ ...settings, audience: 'another-api' });
    const token = await other.issue({ userId: 7, sessionId: SID, scopes: [] });
    assert.equal(await createJwtService(settings).verify(token), undefined);
    const foreign = createJwtService({ ...settings, issuer: 'https://evil.example' });
    assert.equal(await createJwtService(settings).verify(await foreign.issue({ userId: 7, sessionId: SID, scopes: [] })), undefined);
    assert.equal(await createJwtService({ ...settings, secret: 'another-secret-0123456789abcdef' }).verify(await createJwtService(settings).issue({ userId: 7, sessionId: SID, scopes: [] })), undefined);
  });

  test('when an accepted token is verified again, then the kept answer is given until the token expires, and not after', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const jwt = createJwtService({ ...settings, ttlSeconds: 30 });
    const token = await jwt.issue({ userId: 7, sessionId: SID, scopes: ['repos:read'] });
    const first = await jwt.verify(token);
    assert.ok(first);
    assert.equal(await jwt.verify(token), first, 'the same claims, from the cache');
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.scopes));
    vi.setSystemTime(Date.now() + 29_000);
    assert.equal(await jwt.verify(token), first);
    vi.setSystemTime(Date.now() + 2_000);
    assert.equal(await jwt.verify(token), undefined);
    assert.equal(await jwt.verify(token), undefined, 'and still refused once forgotten');
  });
});
