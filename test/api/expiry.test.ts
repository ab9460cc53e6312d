/**
 * Expiry on the app's clock, moved forward by the test: vitest fakes `Date` alone (the app's timers
 * and sockets keep real time), so a token or a session is over at once, without waiting for it.
 * The app runs in this process, on the embedded database, whose kept session rows are judged on
 * that clock.
 */
import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, describe, test, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { appFetch, startTestApp, type SignedIn, type TestApp } from '../support/harness.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock of the app (and of this test) to `at`, epoch milliseconds. */
function clockAt(at: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

const expiryOf = (token: string): number => {
  const [, payload] = token.split('.');
  return (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { exp: number }).exp * 1000;
};

async function expectStatus(t: TestApp, headers: Record<string, string>, status: number, code?: string) {
  const res = await appFetch(`${t.baseUrl}/api/v1/me`, { headers });
  assert.equal(res.status, status);
  const body = (await res.json()) as { code?: string };
  if (code) assert.equal(body.code, code);
}

describe('expiry of a bearer token the app has already accepted', () => {
  let t: TestApp;
  let alice: SignedIn;

  beforeAll(async () => {
    t = await startTestApp({ fake: { users: [{ login: 'alice' }] }, env: { JWT_TTL_SECONDS: '60' } });
    alice = await t.signIn('alice');
  });
  afterAll(() => t.close());

  test('when a token found in the verified-token cache expires, then it is refused with 401 though its session lives on', async () => {
    const bearer = { authorization: `Bearer ${alice.token}` };
    // Accepted once, so the app keeps it as verified.
    await expectStatus(t, bearer, 200);
    await expectStatus(t, bearer, 200);
    clockAt(expiryOf(alice.token) + 1);
    await expectStatus(t, bearer, 401, 'UNAUTHORIZED');
    // The session itself is still valid: its cookie still works.
    await expectStatus(t, { cookie: alice.cookie }, 200);
  });
});

describe('expiry of the session', () => {
  let t: TestApp;
  let bob: SignedIn;
  let signedInAt: number;
  // Long enough that the first checks run before it ends, even on a busy machine: the clock jumps past it.
  const SESSION_SECONDS = 600;

  beforeAll(async () => {
    const defaults = loadConfig({ NODE_ENV: 'test' });
    // The environment's lower bound is a minute; the session's lifetime is shortened through the config itself.
    t = await startTestApp({
      fake: { users: [{ login: 'bob' }] },
      env: { JWT_TTL_SECONDS: '3600' },
      config: { session: { ...defaults.session, ttlSeconds: SESSION_SECONDS } },
    });
    bob = await t.signIn('bob');
    // The session was created before this: it has ended by SESSION_SECONDS after it.
    signedInAt = Date.now();
  });
  afterAll(() => t.close());

  test('when the session expires, then its still-unexpired bearer token, its cookie and a token renewal are refused with 401', async () => {
    await expectStatus(t, { authorization: `Bearer ${bob.token}` }, 200);
    await expectStatus(t, { cookie: bob.cookie }, 200);
    assert.ok(expiryOf(bob.token) > signedInAt + SESSION_SECONDS * 1000 + 60_000, 'the bearer token itself outlives the session');
    clockAt(signedInAt + SESSION_SECONDS * 1000 + 1);
    await expectStatus(t, { authorization: `Bearer ${bob.token}` }, 401, 'UNAUTHORIZED');
    await expectStatus(t, { cookie: bob.cookie }, 401, 'UNAUTHORIZED');
    const renew = await appFetch(`${t.baseUrl}/api/v1/auth/token`, { method: 'POST', headers: { cookie: bob.cookie } });
    assert.equal(renew.status, 401);
    const listing = await appFetch(`${t.baseUrl}/api/v1/repos`, { headers: { authorization: `Bearer ${bob.token}` } });
    assert.equal(listing.status, 401);
  });
});
