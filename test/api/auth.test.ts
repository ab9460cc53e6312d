import assert from 'node:assert/strict';
import { generateKeyPairSync, hkdfSync } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';

const config = loadConfig({ NODE_ENV: 'test' });
const ourKey = new Uint8Array(hkdfSync('sha256', config.jwt.secret, Buffer.alloc(0), 'access-token-signing-v1', 32));
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('authentication', () => {
  let t: TestApp;
  let alice: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'alice' }, { login: 'bob' }] } });
    alice = await t.signIn('alice');
  });
  afterAll(() => t.close());

  const claims = () => ({ sid: 'x', scope: 'repos:read repos:write' });
  async function forged(options: { key?: Uint8Array; issuer?: string; audience?: string; exp?: number | string; sid?: string }) {
    const [, payload] = alice.token.split('.');
    const real = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sid: string; sub: string };
    return new SignJWT({ ...claims(), sid: options.sid ?? real.sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(real.sub)
      .setIssuer(options.issuer ?? config.jwt.issuer)
      .setAudience(options.audience ?? config.jwt.audience)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(options.key ?? ourKey);
  }

  async function expectUnauthorized(headers: Record<string, string>) {
    const res = await appFetch(`${t.baseUrl}/api/v1/repos`, { headers });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    const body = (await res.json()) as { code: string; request_id: string };
    assert.equal(body.code, 'UNAUTHORIZED');
    assert.equal(body.request_id, res.headers.get('x-request-id'));
  }

  test('a well-formed token of our own is accepted (the control case for the cases below)', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${await forged({})}` } });
    assert.equal(res.status, 200);
  });

  test('when no credentials are sent, then 401 UNAUTHORIZED', () => expectUnauthorized({}));

  test('when the token says alg none, then 401', async () => {
    const [, payload] = alice.token.split('.');
    await expectUnauthorized({ authorization: `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.` });
  });

  test('when the token is signed with another key, then 401', async () => {
    await expectUnauthorized({ authorization: `Bearer ${await forged({ key: new TextEncoder().encode('another-secret-key-of-32-bytes!!') })}` });
  });

  test('when an RS256 token is sent, or an HS256 token keyed with an RSA public key, then 401 (no key confusion)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [, payload] = alice.token.split('.');
    const real = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sid: string; sub: string };
    const rs = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256' }).setSubject(real.sub).setIssuer(config.jwt.issuer)
      .setAudience(config.jwt.audience).setExpirationTime('5m').sign(privateKey);
    await expectUnauthorized({ authorization: `Bearer ${rs}` });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await expectUnauthorized({ authorization: `Bearer ${await forged({ key: new TextEncoder().encode(pem) })}` });
  });

  test('when the token has expired, then 401', async () => {
    await expectUnauthorized({ authorization: `Bearer ${await forged({ exp: Math.floor(Date.now() / 1000) - 10 })}` });
  });

  test('when the token is for another audience, then 401', async () => {
    await expectUnauthorized({ authorization: `Bearer ${await forged({ audience: 'someone-else' })}` });
  });

  test('when the token comes from another issuer, then 401', async () => {
    await expectUnauthorized({ authorization: `Bearer ${await forged({ issuer: 'https://evil.example' })}` });
  });

  test('when the payload was tampered with, then 401', async () => {
    const [header, payload, signature] = alice.token.split('.');
    const claimsIn = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = b64({ ...claimsIn, sub: '999' });
    await expectUnauthorized({ authorization: `Bearer ${header}.${tampered}.${signature}` });
  });

  test('when the token names a session that does not exist, then 401', async () => {
    await expectUnauthorized({ authorization: `Bearer ${await forged({ sid: '00000000-0000-4000-8000-000000000000' })}` });
  });

  test('when the Authorization header is not a bearer token, then 401', async () => {
    await expectUnauthorized({ authorization: 'Basic YWxpY2U6c2VjcmV0' });
  });

  test('when a read-only token asks to connect, then 403 FORBIDDEN naming the scope', async () => {
    const [, payload] = alice.token.split('.');
    const real = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sid: string; sub: string };
    const readOnly = await new SignJWT({ sid: real.sid, scope: 'repos:read' }).setProtectedHeader({ alg: 'HS256' }).setSubject(real.sub)
      .setIssuer(config.jwt.issuer).setAudience(config.jwt.audience).setIssuedAt().setExpirationTime('5m').sign(ourKey);
    const res = await t.client(readOnly).POST('/api/v1/connections', { body: { provider: 'github', repo_id: 1 } });
    assert.equal(res.response.status, 403);
    assert.equal(res.error?.code, 'FORBIDDEN');
    assert.match(res.error?.detail ?? '', /repos:write/);
  });

  test('when the session cookie is sent, then it authenticates like the bearer token', async () => {
    const res = await appFetch(`${t.baseUrl}/api/v1/me`, { headers: { cookie: alice.cookie } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { user: { login: string } }).user.login, 'alice');
  });

  test('when the user signs out, then the JWT and the cookie of that session stop working at once', async () => {
    const bob = await t.signIn('bob');
    const out = await bob.api.POST('/api/v1/auth/logout');
    assert.equal(out.response.status, 204);
    assert.match(out.response.headers.get('set-cookie') ?? '', /^__Host-rapi_session=;/);
    await expectUnauthorized({ authorization: `Bearer ${bob.token}` });
    await expectUnauthorized({ cookie: bob.cookie });
    const again = await bob.api.POST('/api/v1/auth/logout');
    assert.equal(again.response.status, 401);
  });
});
